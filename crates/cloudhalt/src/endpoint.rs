//! Where requests go. The host never comes from unchecked input: regions are validated before they
//! are placed into a host name, and an override URL is parsed strictly.

use std::fmt;

use crate::error::Error;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP: only sensible for the emulator and tests.
    Http,
    /// HTTPS with certificate verification (always on).
    Https,
}

/// A parsed endpoint: scheme, host and optional port. No path, query or user info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
}

impl BaseUrl {
    /// Parses `http://127.0.0.1:8123`, `https://cvm.tencentcloudapi.com` and the like. A trailing
    /// `/` is allowed; any other path, a query, a fragment or user info is refused.
    pub fn parse(url: &str) -> Result<BaseUrl, Error> {
        let bad = |why: &str| {
            Error::invalid_input(
                "endpoint",
                format!(
                    "endpoint {:?} {why}: give scheme, host and optional port, e.g. \
                     http://127.0.0.1:8123 or https://cvm.tencentcloudapi.com",
                    redact_url(url)
                ),
            )
        };
        let (scheme, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (Scheme::Https, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (Scheme::Http, rest)
        } else {
            return Err(bad("does not start with http:// or https://"));
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.is_empty() {
            return Err(bad("has no host"));
        }
        if authority.contains(['/', '?', '#', '@', '\\']) {
            return Err(bad("has a path, query, fragment or user info"));
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (h, after) = bracketed
                .split_once(']')
                .ok_or_else(|| bad("has an unclosed IPv6 bracket"))?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| bad("has junk after ]"))?),
            };
            (format!("[{h}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_owned(), Some(p)),
                None => (authority.to_owned(), None),
            }
        };
        if let Some(literal) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            // Only an IPv6 address may stand in brackets: anything else there would reach the
            // Host header unchecked.
            if literal.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad(
                    "has brackets around something that is not an IPv6 address",
                ));
            }
        } else if host.is_empty()
            || !host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            return Err(bad(
                "has a host with characters other than letters, digits, '-' and '.'",
            ));
        }
        let port = match port {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| bad("has a port that is not a number from 1 to 65535"))?,
            ),
        };
        Ok(BaseUrl {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    fn from_host(host: String) -> BaseUrl {
        BaseUrl {
            scheme: Scheme::Https,
            host,
            port: None,
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The `Host` header value, exactly as sent and signed: with `:port` unless it is the default.
    pub fn host_header(&self) -> String {
        let mut host = String::with_capacity(self.host.len() + 6);
        self.push_host(&mut host);
        host
    }

    /// Appends the `Host` value to `out` (built on every request: one allocation, no `format!`).
    fn push_host(&self, out: &mut String) {
        out.push_str(&self.host);
        match (self.scheme, self.port) {
            (Scheme::Http, Some(80)) | (Scheme::Https, Some(443)) | (_, None) => {}
            (_, Some(p)) => {
                use std::fmt::Write;
                let _ = write!(out, ":{p}");
            }
        }
    }

    /// The URL of `/` on this endpoint, with the default port left out.
    pub fn root(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http://",
            Scheme::Https => "https://",
        };
        let mut url = String::with_capacity(scheme.len() + self.host.len() + 7);
        url.push_str(scheme);
        self.push_host(&mut url);
        url.push('/');
        url
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root().trim_end_matches('/'))
    }
}

/// The URL as it may be shown in an error: user info (a password) and the query (a token) are
/// replaced, because a mistyped endpoint can carry credentials.
pub(crate) fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (Some(scheme), rest),
        None => (None, url),
    };
    // User info ends at the LAST '@' before the path: a password may itself hold '#', '?' or '/',
    // so the query is looked for only after it.
    let (user_info, after) = match rest.rfind('@') {
        Some(at) => (true, &rest[at + 1..]),
        None => (false, rest),
    };
    let (authority_and_path, query) = match after.split_once(['?', '#']) {
        Some((a, _)) => (a, "?<redacted>"),
        None => (after, ""),
    };
    let shown = if user_info {
        format!("<redacted>@{authority_and_path}")
    } else {
        authority_and_path.to_owned()
    };
    let shown = match scheme {
        Some(scheme) => format!("{scheme}://{shown}"),
        None => shown,
    };
    let out: String = format!("{shown}{query}")
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    if out.chars().count() > 200 {
        out.chars().take(200).collect::<String>() + "..."
    } else {
        out
    }
}

/// Checks a region name: lower-case letters, digits and `-`, so that a region placed into a host
/// name can never change where the request goes.
pub fn check_region(field: &str, region: &str) -> Result<(), Error> {
    if region.is_empty() {
        return Err(Error::invalid_input(
            field,
            format!("{field} is empty: give a region such as ap-guangzhou or cn-hangzhou"),
        ));
    }
    if region.len() > 64
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(Error::invalid_input(
            field,
            format!(
                "{field} {} is not a region name: use lower-case letters, digits and '-' only \
                 (^[a-z0-9-]+$), at most 64 characters, e.g. ap-guangzhou or cn-hangzhou",
                crate::error::quoted(region)
            ),
        ));
    }
    Ok(())
}

/// Which Tencent Cloud host a client talks to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TencentEndpoint {
    /// `{service}.tencentcloudapi.com`, which resolves to the nearest region. For a finance region
    /// (`*-fsi`), where Tencent requires the regional host, `{service}.{region}.tencentcloudapi.com`.
    #[default]
    Nearest,
    /// `{service}.{region}.tencentcloudapi.com`, e.g. `cvm.ap-guangzhou.tencentcloudapi.com`, or the
    /// finance host `cvm.ap-shanghai-fsi.tencentcloudapi.com`. Falls back to `Nearest` for a call
    /// without a region.
    Regional,
    /// `{service}.intl.tencentcloudapi.com`, the international site's nearest host.
    International,
    /// Every request of the client goes to this URL (the emulator, a proxy, tests).
    Url(BaseUrl),
}

impl TencentEndpoint {
    /// The endpoint for one call. `service` comes from the operation; `region` is validated.
    pub(crate) fn resolve(&self, service: &str, region: Option<&str>) -> BaseUrl {
        match (self, region) {
            (TencentEndpoint::Url(u), _) => u.clone(),
            (TencentEndpoint::International, _) => {
                BaseUrl::from_host(format!("{service}.intl.tencentcloudapi.com"))
            }
            (TencentEndpoint::Regional, Some(r)) => {
                BaseUrl::from_host(format!("{service}.{r}.tencentcloudapi.com"))
            }
            (TencentEndpoint::Nearest, Some(r)) if r.ends_with("-fsi") => {
                BaseUrl::from_host(format!("{service}.{r}.tencentcloudapi.com"))
            }
            _ => BaseUrl::from_host(format!("{service}.tencentcloudapi.com")),
        }
    }
}

/// Which Alibaba Cloud ECS host a client talks to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AlibabaEndpoint {
    /// `ecs.{region}.aliyuncs.com`, the regional public endpoint.
    #[default]
    Regional,
    /// `ecs-vpc.{region}.aliyuncs.com`, reachable from inside a VPC without internet access.
    Vpc,
    /// `ecs.aliyuncs.com`, the central endpoint (China (Hangzhou), globally accelerated).
    Central,
    /// Every request of the client goes to this URL (the emulator, a proxy, tests).
    Url(BaseUrl),
}

impl AlibabaEndpoint {
    /// The endpoint for one call in the (validated) region.
    pub(crate) fn resolve(&self, region: &str) -> BaseUrl {
        match self {
            AlibabaEndpoint::Url(u) => u.clone(),
            AlibabaEndpoint::Regional => BaseUrl::from_host(format!("ecs.{region}.aliyuncs.com")),
            AlibabaEndpoint::Vpc => BaseUrl::from_host(format!("ecs-vpc.{region}.aliyuncs.com")),
            AlibabaEndpoint::Central => BaseUrl::from_host("ecs.aliyuncs.com".to_owned()),
        }
    }
}
