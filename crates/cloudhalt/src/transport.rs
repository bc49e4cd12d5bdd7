//! The HTTP exchange: one POST, every answer body read (ureq's status-as-error is off, because
//! Alibaba's error JSON comes with 4xx/5xx), no redirects, bounded answers, TLS always verified.

use std::time::Duration;

use crate::error::{Error, ErrorKind, SendState};

/// Timeouts for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Connection setup, including DNS and TLS. Default 5 s.
    pub connect: Duration,
    /// The whole exchange, from connecting to the last byte of the answer. Default 30 s.
    pub total: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            connect: Duration::from_secs(5),
            total: Duration::from_secs(30),
        }
    }
}

/// The largest answer cloudhalt reads: every answer of the five operations is a few hundred bytes.
pub const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;

/// What came back.
#[derive(Debug)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A connection-reusing HTTP client, shared by every call of a client (and its clones).
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
}

impl Transport {
    pub fn new(timeouts: Timeouts) -> Transport {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_connect(Some(timeouts.connect))
            .timeout_global(Some(timeouts.total))
            .user_agent(concat!("cloudhalt/", env!("CARGO_PKG_VERSION")))
            .build();
        Transport {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// Sends one POST. `headers` must not include `Host`: ureq derives it from the URL exactly as
    /// [`BaseUrl::host_header`](crate::endpoint::BaseUrl::host_header) does, and that is what
    /// was signed.
    pub fn post(
        &self,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<HttpAnswer, Error> {
        let mut request = self.agent.post(url);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let mut response = request.send(body).map_err(map_send_error)?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => Error::new(
                    ErrorKind::UnexpectedResponse,
                    format!(
                        "the answer is larger than {MAX_RESPONSE_BYTES} bytes, which no answer of \
                         these operations is: check the endpoint"
                    ),
                    SendState::Answered,
                )
                .with_http_status(status),
                other => map_send_error(other).with_http_status(status),
            })?;
        Ok(HttpAnswer { status, body })
    }
}

/// A signed request, ready to send.
pub(crate) struct Prepared {
    pub url: String,
    pub host: String,
    /// Every header but `Host`, which the transport derives from the URL (it equals `host`).
    pub headers: Vec<(String, String)>,
}

/// Headers that carry a secret: kept out of every record, log and message.
const SECRET_HEADERS: [&str; 2] = ["x-tc-token", "x-acs-security-token"];

impl Prepared {
    /// The record of what was sent: `Host` first, secrets wiped and redacted.
    pub(crate) fn into_record(self) -> Vec<(String, String)> {
        let mut record = Vec::with_capacity(self.headers.len() + 1);
        let host_name = if self.headers.iter().any(|(n, _)| n.starts_with("x-acs-")) {
            "host"
        } else {
            "Host"
        };
        record.push((host_name.to_owned(), self.host));
        for (name, mut value) in self.headers {
            if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                zeroize::Zeroize::zeroize(&mut value);
                value = "<redacted>".into();
            }
            record.push((name, value));
        }
        record
    }
}

fn map_send_error(err: ureq::Error) -> Error {
    use ureq::Error as E;
    use ureq::Timeout as T;
    match err {
        E::Timeout(T::Resolve | T::Connect) => Error::new(
            ErrorKind::Timeout,
            format!(
                "timed out connecting ({err}): nothing was sent; check the endpoint and network, or raise the timeout"
            ),
            SendState::NotSent,
        ),
        E::Timeout(_) => Error::new(
            ErrorKind::Timeout,
            format!(
                "timed out waiting for the answer ({err}): the request may have reached the provider and taken effect; check its state before sending it again"
            ),
            SendState::SentNoAnswer,
        ),
        E::HostNotFound | E::ConnectionFailed | E::BadUri(_) | E::InvalidProxyUrl => Error::new(
            ErrorKind::Transport,
            format!("could not connect ({err}): nothing was sent; check the endpoint and network"),
            SendState::NotSent,
        ),
        E::Io(ref io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::AddrNotAvailable
                    | std::io::ErrorKind::NetworkUnreachable
                    | std::io::ErrorKind::HostUnreachable
            ) =>
        {
            // These only happen while connecting: not a byte of the request left.
            Error::new(
                ErrorKind::Transport,
                format!(
                    "could not connect ({err}): nothing was sent; check the endpoint and network"
                ),
                SendState::NotSent,
            )
        }
        E::Tls(_) => Error::new(
            ErrorKind::Transport,
            format!("TLS failed ({err}): nothing was sent; check the endpoint's certificate"),
            SendState::NotSent,
        ),
        other => Error::new(
            ErrorKind::Transport,
            format!(
                "the connection failed ({other}): the request may have reached the provider and taken effect; check its state before sending it again"
            ),
            SendState::SentNoAnswer,
        ),
    }
}
