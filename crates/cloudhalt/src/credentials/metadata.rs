//! The instance metadata services (Tencent CVM role, Alibaba ECS RAM role) and Alibaba's
//! credentials URI.
//!
//! Metadata calls never go through a proxy (the address is link-local or on the host) and have
//! short timeouts: off-cloud the address is unreachable, and the official SDKs, which wait
//! without a timeout, hang there.

use std::time::Duration;

use crate::credentials::cache::Fresh;
use crate::credentials::{AlibabaCredentials, TencentCredentials};
use crate::endpoint::BaseUrl;
use crate::error::Error;

/// The Tencent CVM metadata service.
pub(crate) const TENCENT_METADATA: &str = "http://metadata.tencentyun.com";
/// The Alibaba ECS metadata service.
pub(crate) const ALIBABA_METADATA: &str = "http://100.100.100.200";

const TENCENT_ROLE_PATH: &str = "/latest/meta-data/cam/security-credentials/";
const ALIBABA_ROLE_PATH: &str = "/latest/meta-data/ram/security-credentials/";
const ALIBABA_TOKEN_PATH: &str = "/latest/api/token";

/// The largest metadata answer read: a role's credentials are about 2 KB.
const MAX_ANSWER: u64 = 64 * 1024;

/// A plain-HTTP agent without proxy, with these timeouts.
pub(crate) fn agent(connect: Duration, total: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .proxy(None)
        .timeout_resolve(Some(connect))
        .timeout_connect(Some(connect))
        .timeout_global(Some(total))
        .user_agent(concat!("cloudhalt/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// Tencent: 1 s to connect, 2 s in all (terraform's client uses 2 s).
fn tencent_agent() -> ureq::Agent {
    agent(Duration::from_secs(1), Duration::from_secs(2))
}

/// Alibaba: 1 s to connect and 1 s to read, as the credentials library does.
fn alibaba_agent() -> ureq::Agent {
    agent(Duration::from_secs(1), Duration::from_secs(2))
}

/// Why a metadata exchange gave nothing.
pub(crate) enum Failed {
    /// Nothing answered: off-cloud, or the service is blocked.
    Unreachable(String),
    /// It answered, but not with credentials.
    Refused(String),
}

impl Failed {
    pub fn message(&self) -> &str {
        match self {
            Failed::Unreachable(m) | Failed::Refused(m) => m,
        }
    }

    pub fn into_error(self) -> Error {
        Error::credentials(self.message().to_owned())
    }
}

/// One metadata exchange: the status and the body, or why nothing usable came back.
pub(crate) fn exchange(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    budget: &str,
) -> Result<(u16, String), Failed> {
    // A credentials URI may carry a token in its query.
    let shown = crate::endpoint::redact_url(url);
    let result = match method {
        "PUT" => {
            let mut req = agent.put(url);
            for (n, v) in headers {
                req = req.header(*n, *v);
            }
            req.send_empty()
        }
        _ => {
            let mut req = agent.get(url);
            for (n, v) in headers {
                req = req.header(*n, *v);
            }
            req.call()
        }
    };
    let mut response = result.map_err(|e| {
        let what = if matches!(e, ureq::Error::Timeout(_)) {
            "timed out".to_owned()
        } else {
            e.to_string()
        };
        Failed::Unreachable(format!("not reachable in {budget} at {shown} ({what})"))
    })?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_string()
        .map_err(|e| Failed::Refused(format!("{shown} answered HTTP {status} unreadably ({e})")))?;
    Ok((status, body))
}

/// The first line of a role listing: the role name.
fn role_name(body: &str, url: &str) -> Result<String, Failed> {
    body.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .filter(|r| r.bytes().all(|b| b.is_ascii_graphic() && b != b'/'))
        .map(str::to_owned)
        .ok_or_else(|| Failed::Refused(format!("{url} lists no role bound to this instance")))
}

fn json_field<'a>(json: &'a serde_json::Value, key: &str, url: &str) -> Result<&'a str, Failed> {
    json.get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Failed::Refused(format!("{url} answered without {key}")))
}

fn check_code(json: &serde_json::Value, url: &str) -> Result<(), Failed> {
    match json.get("Code").and_then(|v| v.as_str()) {
        Some("Success") => Ok(()),
        Some(code) => Err(Failed::Refused(format!(
            "{url} answered Code {}, not Success",
            crate::error::quoted(code)
        ))),
        None => Err(Failed::Refused(format!("{url} answered without Code"))),
    }
}

fn parse_json(body: &str, status: u16, url: &str) -> Result<serde_json::Value, Failed> {
    if status != 200 {
        return Err(Failed::Refused(format!("{url} answered HTTP {status}")));
    }
    serde_json::from_str(body)
        .map_err(|_| Failed::Refused(format!("{url} answered something that is not JSON")))
}

/// The Tencent CVM role's credentials: the role name (unless given), then its credentials.
pub(crate) fn tencent_cvm_role(
    base: &BaseUrl,
    role: Option<&str>,
) -> Result<Fresh<TencentCredentials>, Failed> {
    let agent = tencent_agent();
    let list = format!("{}{}", base.root().trim_end_matches('/'), TENCENT_ROLE_PATH);
    let role = match role {
        Some(r) => r.to_owned(),
        None => {
            let (status, body) = exchange(&agent, "GET", &list, &[], "1 s")?;
            match status {
                200 => role_name(&body, &list)?,
                404 => {
                    return Err(Failed::Refused(format!(
                        "{list} answered 404: no CAM role is bound to this instance"
                    )));
                }
                s => return Err(Failed::Refused(format!("{list} answered HTTP {s}"))),
            }
        }
    };
    let url = format!("{list}{role}");
    let (status, body) = exchange(&agent, "GET", &url, &[], "1 s")?;
    let json = parse_json(&body, status, &url)?;
    check_code(&json, &url)?;
    let expires = json
        .get("ExpiredTime")
        .and_then(|v| v.as_i64())
        .ok_or_else(|| Failed::Refused(format!("{url} answered without ExpiredTime")))?;
    let creds = TencentCredentials::checked(
        json_field(&json, "TmpSecretId", &url)?.to_owned(),
        json_field(&json, "TmpSecretKey", &url)?.to_owned(),
        Some(json_field(&json, "Token", &url)?.to_owned()),
        ["TmpSecretId", "TmpSecretKey", "Token"].map(|_| "the CVM metadata answer"),
    )
    .map_err(|e| Failed::Refused(e.message().to_owned()))?;
    Ok(Fresh {
        creds,
        expires: Some(expires),
    })
}

/// The settings of the Alibaba ECS RAM role source.
pub(crate) struct EcsRole<'a> {
    pub base: &'a BaseUrl,
    pub role: Option<&'a str>,
    /// `ALIBABA_CLOUD_IMDSV1_DISABLED=true`: no fallback to requests without a token.
    pub v1_disabled: bool,
}

/// The Alibaba ECS RAM role's credentials: IMDSv2 (a token first), falling back to v1 when the
/// service answers the token request with an error (not when it does not answer at all: then
/// it is not there, and asking again only doubles the wait off-cloud).
pub(crate) fn alibaba_ecs_role(role: &EcsRole<'_>) -> Result<Fresh<AlibabaCredentials>, Failed> {
    let agent = alibaba_agent();
    let root = role.base.root();
    let root = root.trim_end_matches('/');
    let token_url = format!("{root}{ALIBABA_TOKEN_PATH}");
    let (status, body) = exchange(
        &agent,
        "PUT",
        &token_url,
        &[("X-aliyun-ecs-metadata-token-ttl-seconds", "21600")],
        "1 s",
    )?;
    let token = match status {
        200 if !body.trim().is_empty() => Some(body.trim().to_owned()),
        _ if role.v1_disabled => {
            return Err(Failed::Refused(format!(
                "{token_url} gave no IMDSv2 token (HTTP {status}), and \
                 ALIBABA_CLOUD_IMDSV1_DISABLED=true forbids the fallback without a token"
            )));
        }
        _ => {
            log::debug!(
                "Alibaba Cloud credentials: no IMDSv2 token (HTTP {status}): falling back to v1"
            );
            None
        }
    };
    let token_header: Vec<(&str, &str)> = token
        .as_deref()
        .map(|t| vec![("X-aliyun-ecs-metadata-token", t)])
        .unwrap_or_default();
    let list = format!("{root}{ALIBABA_ROLE_PATH}");
    let name = match role.role {
        Some(r) => r.to_owned(),
        None => {
            let (status, body) = exchange(&agent, "GET", &list, &token_header, "1 s")?;
            match status {
                200 => role_name(&body, &list)?,
                404 => {
                    return Err(Failed::Refused(format!(
                        "{list} answered 404: no RAM role is attached to this instance"
                    )));
                }
                s => return Err(Failed::Refused(format!("{list} answered HTTP {s}"))),
            }
        }
    };
    let url = format!("{list}{name}");
    let (status, body) = exchange(&agent, "GET", &url, &token_header, "1 s")?;
    let json = parse_json(&body, status, &url)?;
    alibaba_answer(&json, &url, "the ECS metadata answer")
}

/// Reads `Code`, `AccessKeyId`, `AccessKeySecret`, `SecurityToken`, `Expiration` (ECS
/// metadata and the credentials URI answer the same shape).
fn alibaba_answer(
    json: &serde_json::Value,
    url: &str,
    whence: &str,
) -> Result<Fresh<AlibabaCredentials>, Failed> {
    check_code(json, url)?;
    let expiration = json_field(json, "Expiration", url)?;
    let expires = crate::sign::acs3::parse_date(expiration).ok_or_else(|| {
        Failed::Refused(format!(
            "{url} answered an Expiration that is not yyyy-MM-ddTHH:mm:ssZ"
        ))
    })?;
    let creds = AlibabaCredentials::checked(
        json_field(json, "AccessKeyId", url)?.to_owned(),
        json_field(json, "AccessKeySecret", url)?.to_owned(),
        Some(json_field(json, "SecurityToken", url)?.to_owned()),
        [whence; 3],
    )
    .map_err(|e| Failed::Refused(e.message().to_owned()))?;
    Ok(Fresh {
        creds,
        expires: Some(expires),
    })
}

/// `ALIBABA_CLOUD_CREDENTIALS_URI`: one GET, with the URI's own scheme.
pub(crate) fn alibaba_credentials_uri(
    agent: &ureq::Agent,
    uri: &str,
) -> Result<Fresh<AlibabaCredentials>, Failed> {
    let (status, body) = exchange(agent, "GET", uri, &[], "the timeout")?;
    let shown = crate::endpoint::redact_url(uri);
    let json = parse_json(&body, status, &shown)?;
    alibaba_answer(&json, &shown, "the credentials URI answer")
}
