//! The Alibaba Cloud client: validates, signs (ACS3) and sends ECS StopInvocation.

use std::sync::Arc;
use std::time::Duration;

use crate::credentials::AlibabaCredentials;
use crate::endpoint::{AlibabaEndpoint, BaseUrl};
use crate::error::{Error, ErrorKind, Provider, SendState};
use crate::ops::Response;
use crate::ops::alibaba::{AlibabaCall, StopInvocation};
use crate::sign::{acs3, sha256_hex};
use crate::transport::{HttpAnswer, Prepared, Timeouts, Transport};

/// An Alibaba Cloud client. Cheap to clone and safe to share between threads: clones share one
/// connection pool. The `with_*` methods return a new client sharing the credentials.
#[derive(Clone)]
pub struct Alibaba {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: AlibabaCredentials,
    endpoint: AlibabaEndpoint,
    timeouts: Timeouts,
    transport: Transport,
}

impl std::fmt::Debug for Alibaba {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Alibaba")
            .field("access_key_id", &self.inner.credentials.access_key_id())
            .field("endpoint", &self.inner.endpoint)
            .field("timeouts", &self.inner.timeouts)
            .finish_non_exhaustive()
    }
}

impl Alibaba {
    /// A client with the default endpoint ([`AlibabaEndpoint::Regional`]) and timeouts.
    pub fn new(credentials: AlibabaCredentials) -> Alibaba {
        Alibaba::build(credentials, AlibabaEndpoint::default(), Timeouts::default())
    }

    /// A client with credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub fn from_env() -> Result<Alibaba, Error> {
        Ok(Alibaba::new(AlibabaCredentials::from_env()?))
    }

    fn build(
        credentials: AlibabaCredentials,
        endpoint: AlibabaEndpoint,
        timeouts: Timeouts,
    ) -> Alibaba {
        Alibaba {
            inner: Arc::new(Inner {
                credentials,
                endpoint,
                timeouts,
                transport: Transport::new(timeouts),
            }),
        }
    }

    /// The same client, sending to `endpoint`.
    pub fn with_endpoint(&self, endpoint: AlibabaEndpoint) -> Alibaba {
        let i = &self.inner;
        Alibaba {
            inner: Arc::new(Inner {
                credentials: i.credentials.clone(),
                endpoint,
                timeouts: i.timeouts,
                transport: i.transport.clone(),
            }),
        }
    }

    /// The same client, sending every request to `url` (e.g. `http://127.0.0.1:8123`).
    pub fn with_endpoint_url(&self, url: &str) -> Result<Alibaba, Error> {
        Ok(self.with_endpoint(AlibabaEndpoint::Url(BaseUrl::parse(url)?)))
    }

    /// The same client with other timeouts (a new connection pool).
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Alibaba {
        let i = &self.inner;
        Alibaba::build(i.credentials.clone(), i.endpoint.clone(), timeouts)
    }

    /// The same client with a total timeout per request (the connect timeout is capped by it).
    pub fn with_timeout(&self, total: Duration) -> Alibaba {
        let connect = Timeouts::default().connect.min(total);
        self.with_timeouts(Timeouts { connect, total })
    }

    /// The endpoint this client sends to.
    pub fn endpoint(&self) -> &AlibabaEndpoint {
        &self.inner.endpoint
    }

    /// The timeouts of this client.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// ECS `StopInvocation`.
    pub fn stop_invocation(&self, request: &StopInvocation) -> Result<Response, Error> {
        let call = request
            .to_call()
            .map_err(|e| e.for_call(Provider::Alibaba, "StopInvocation"))?;
        self.execute(call)
    }

    /// An operation by its provider name with the provider's parameters (`{"RegionId": ...,
    /// "InvokeId": ..., "InstanceId": [...]}`, or `InstanceId.N` keys): for scripts and the C ABI's
    /// JSON entry point. The same validation applies; unknown parameters are refused.
    pub fn call_json(&self, action: &str, params: &serde_json::Value) -> Result<Response, Error> {
        let call = crate::ops::alibaba::call_from_json(action, params)
            .map_err(|e| e.for_call(Provider::Alibaba, action))?;
        self.execute(call)
    }

    fn execute(&self, call: AlibabaCall) -> Result<Response, Error> {
        let action = call.action;
        self.execute_inner(call)
            .map_err(|e| e.for_call(Provider::Alibaba, action))
    }

    fn execute_inner(&self, call: AlibabaCall) -> Result<Response, Error> {
        let date = acs3::format_date(crate::clock::unix_now());
        let prepared = self.prepare(&call, &date, &crate::clock::nonce());
        let answer = self
            .inner
            .transport
            .post(&prepared.url, &prepared.headers, b"");
        parse_answer(call.action, answer?, prepared.into_record())
    }

    /// Builds the signed request for `call` with the given date and nonce: pure, for tests.
    pub(crate) fn prepare(&self, call: &AlibabaCall, date: &str, nonce: &str) -> Prepared {
        let inner = &*self.inner;
        let base = inner.endpoint.resolve(&call.region);
        let host = base.host_header();
        let query = acs3::canonical_query(&call.query);
        let content_sha256 = sha256_hex(b"");
        let mut signed: Vec<(&str, &str)> = vec![
            ("host", &host),
            ("x-acs-action", call.action),
            ("x-acs-content-sha256", &content_sha256),
            ("x-acs-date", date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-version", call.version),
        ];
        if let Some(token) = inner.credentials.security_token() {
            signed.push(("x-acs-security-token", token.expose()));
        }
        let signature = acs3::sign(&acs3::Acs3Input {
            access_key_id: inner.credentials.access_key_id(),
            access_key_secret: inner.credentials.access_key_secret().expose(),
            method: "POST",
            path: "/",
            query: &query,
            headers: &signed,
            payload: b"",
        });
        let mut headers: Vec<(String, String)> = signed
            .iter()
            .filter(|(name, _)| *name != "host")
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        headers.push(("accept".into(), "application/json".into()));
        headers.push(("authorization".into(), signature.authorization));
        // RPC parameters travel in the query: exactly the canonical string that was signed.
        let url = if query.is_empty() {
            base.root()
        } else {
            format!("{}?{query}", base.root())
        };
        Prepared { url, host, headers }
    }
}

/// Reads an Alibaba answer: success is a 2xx with a RequestId; an error carries `Code` with a
/// 4xx/5xx status that varies between the provider's documents, so the code decides the kind.
fn parse_answer(
    action: &'static str,
    answer: HttpAnswer,
    sent_headers: Vec<(String, String)>,
) -> Result<Response, Error> {
    let status = answer.status;
    let success = (200..300).contains(&status);
    let unexpected = |why: &str| {
        let kind = if success {
            ErrorKind::UnexpectedResponse
        } else {
            ErrorKind::Transport
        };
        Error::new(
            kind,
            format!(
                "HTTP {status} with {why}: the request may have taken effect; check the state \
                 before sending it again"
            ),
            SendState::Answered,
        )
        .with_http_status(status)
    };
    let data: serde_json::Value =
        serde_json::from_slice(&answer.body).map_err(|_| unexpected("a body that is not JSON"))?;
    if !data.is_object() {
        return Err(unexpected("JSON that is not an object"));
    }
    let request_id = data
        .get("RequestId")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    let code = data.get("Code").and_then(|v| v.as_str()).unwrap_or("");
    if !success || !code.is_empty() {
        if code.is_empty() {
            return Err(unexpected("no error Code").with_request_id(request_id));
        }
        let message = data
            .get("Message")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned();
        return Err(Error::api(
            Provider::Alibaba,
            code.to_owned(),
            message,
            request_id,
            status,
        ));
    }
    let request_id = request_id.ok_or_else(|| unexpected("no RequestId"))?;
    Ok(Response {
        provider: Provider::Alibaba,
        action,
        request_id,
        data,
        sent_headers,
    })
}
