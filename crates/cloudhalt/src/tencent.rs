//! The Tencent Cloud client: validates, signs (TC3) and sends the four Tencent operations.

use std::sync::Arc;
use std::time::Duration;

use crate::credentials::TencentCredentials;
use crate::endpoint::{BaseUrl, TencentEndpoint};
use crate::error::{Error, ErrorKind, Provider, SendState};
use crate::ops::Response;
use crate::ops::tencent::{
    CancelInstanceRefresh, CancelInvocation, StopInstances, TencentCall, TencentOperation,
    TerminateInstances,
};
use crate::sign::tc3;
use crate::transport::{HttpAnswer, Prepared, Timeouts, Transport};

/// The one Content-Type cloudhalt sends and signs (the official SDKs send the same, no charset).
pub const CONTENT_TYPE: &str = "application/json";

/// The language of Tencent's error messages (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// `zh-CN`
    ZhCn,
    /// `en-US`
    EnUs,
}

impl Language {
    /// Parses `zh-CN` or `en-US`.
    pub fn parse(value: &str) -> Result<Language, Error> {
        crate::ops::parse_enum(
            "language",
            value,
            &[("zh-CN", Language::ZhCn), ("en-US", Language::EnUs)],
        )
    }

    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::ZhCn => "zh-CN",
            Language::EnUs => "en-US",
        }
    }
}

/// A Tencent Cloud client. Cheap to clone and safe to share between threads: clones share one
/// connection pool. Configuration is fixed at construction; the `with_*` methods return a new
/// client sharing the credentials.
#[derive(Clone)]
pub struct Tencent {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: TencentCredentials,
    endpoint: TencentEndpoint,
    timeouts: Timeouts,
    language: Option<Language>,
    transport: Transport,
}

impl std::fmt::Debug for Tencent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tencent")
            .field("secret_id", &self.inner.credentials.secret_id())
            .field("endpoint", &self.inner.endpoint)
            .field("timeouts", &self.inner.timeouts)
            .field("language", &self.inner.language)
            .finish_non_exhaustive()
    }
}

impl Tencent {
    /// A client with the default endpoint ([`TencentEndpoint::Nearest`]) and timeouts.
    pub fn new(credentials: TencentCredentials) -> Tencent {
        Tencent::build(
            credentials,
            TencentEndpoint::default(),
            Timeouts::default(),
            None,
        )
    }

    /// A client with credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and
    /// `TENCENTCLOUD_SESSION_TOKEN`.
    pub fn from_env() -> Result<Tencent, Error> {
        Ok(Tencent::new(TencentCredentials::from_env()?))
    }

    fn build(
        credentials: TencentCredentials,
        endpoint: TencentEndpoint,
        timeouts: Timeouts,
        language: Option<Language>,
    ) -> Tencent {
        Tencent {
            inner: Arc::new(Inner {
                credentials,
                endpoint,
                timeouts,
                language,
                transport: Transport::new(timeouts),
            }),
        }
    }

    /// The same client, sending to `endpoint`.
    pub fn with_endpoint(&self, endpoint: TencentEndpoint) -> Tencent {
        let i = &self.inner;
        Tencent {
            inner: Arc::new(Inner {
                credentials: i.credentials.clone(),
                endpoint,
                timeouts: i.timeouts,
                language: i.language,
                transport: i.transport.clone(),
            }),
        }
    }

    /// The same client, sending every request to `url` (e.g. `http://127.0.0.1:8123`).
    pub fn with_endpoint_url(&self, url: &str) -> Result<Tencent, Error> {
        Ok(self.with_endpoint(TencentEndpoint::Url(BaseUrl::parse(url)?)))
    }

    /// The same client with other timeouts (a new connection pool).
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Tencent {
        let i = &self.inner;
        Tencent::build(
            i.credentials.clone(),
            i.endpoint.clone(),
            timeouts,
            i.language,
        )
    }

    /// The same client with a total timeout per request (the connect timeout is capped by it).
    pub fn with_timeout(&self, total: Duration) -> Tencent {
        let connect = Timeouts::default().connect.min(total);
        self.with_timeouts(Timeouts { connect, total })
    }

    /// The same client, asking for error messages in `language`.
    pub fn with_language(&self, language: Option<Language>) -> Tencent {
        let i = &self.inner;
        Tencent {
            inner: Arc::new(Inner {
                credentials: i.credentials.clone(),
                endpoint: i.endpoint.clone(),
                timeouts: i.timeouts,
                language,
                transport: i.transport.clone(),
            }),
        }
    }

    /// The endpoint this client sends to.
    pub fn endpoint(&self) -> &TencentEndpoint {
        &self.inner.endpoint
    }

    /// The timeouts of this client.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.timeouts
    }

    /// CVM `StopInstances`.
    pub fn stop_instances(&self, request: &StopInstances) -> Result<Response, Error> {
        self.send(request)
    }

    /// CVM `TerminateInstances`. Never re-sent by cloudhalt: check the instances' state before
    /// calling again after an error whose [`send_state`](Error::send_state) says it may have
    /// been sent.
    pub fn terminate_instances(&self, request: &TerminateInstances) -> Result<Response, Error> {
        self.send(request)
    }

    /// TAT `CancelInvocation`.
    pub fn cancel_invocation(&self, request: &CancelInvocation) -> Result<Response, Error> {
        self.send(request)
    }

    /// AS `CancelInstanceRefresh`.
    pub fn cancel_instance_refresh(
        &self,
        request: &CancelInstanceRefresh,
    ) -> Result<Response, Error> {
        self.send(request)
    }

    /// Any of the four operations by its provider name, with the provider's JSON parameters
    /// (`{"InstanceIds": ["ins-..."], "StopType": "SOFT"}`): for scripts and the C ABI's JSON entry
    /// point. The same validation applies; unknown parameters are refused.
    pub fn call_json(
        &self,
        action: &str,
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<Response, Error> {
        let call = crate::ops::tencent::call_from_json(action, region, params)
            .map_err(|e| e.for_call(Provider::Tencent, action))?;
        self.execute(call)
    }

    fn send<Op: TencentOperation>(&self, op: &Op) -> Result<Response, Error> {
        let call = op
            .to_call()
            .map_err(|e| e.for_call(Provider::Tencent, Op::ACTION))?;
        self.execute(call)
    }

    fn execute(&self, call: TencentCall) -> Result<Response, Error> {
        let action = call.action;
        self.execute_inner(call)
            .map_err(|e| e.for_call(Provider::Tencent, action))
    }

    fn execute_inner(&self, call: TencentCall) -> Result<Response, Error> {
        let prepared = self.prepare(&call, crate::clock::unix_now());
        let answer = self
            .inner
            .transport
            .post(&prepared.url, &prepared.headers, &call.body);
        parse_answer(call.action, answer?, prepared.into_record())
    }

    /// Builds the signed request for `call` at `timestamp`: pure, so tests can pin the clock.
    pub(crate) fn prepare(&self, call: &TencentCall, timestamp: i64) -> Prepared {
        let inner = &*self.inner;
        let base = inner.endpoint.resolve(call.service, call.region.as_deref());
        let host = base.host_header();
        let signature = tc3::sign(&tc3::Tc3Input {
            secret_id: inner.credentials.secret_id(),
            secret_key: inner.credentials.secret_key().expose(),
            service: call.service,
            method: "POST",
            query: "",
            headers: &[("content-type", CONTENT_TYPE), ("host", &host)],
            payload: &call.body,
            timestamp,
        });
        let mut headers: Vec<(String, String)> = vec![
            ("Authorization".into(), signature.authorization),
            ("Content-Type".into(), CONTENT_TYPE.into()),
            ("X-TC-Action".into(), call.action.into()),
            ("X-TC-Version".into(), call.version.into()),
            ("X-TC-Timestamp".into(), timestamp.to_string()),
        ];
        if let Some(region) = &call.region {
            headers.push(("X-TC-Region".into(), region.clone()));
        }
        if let Some(language) = inner.language {
            headers.push(("X-TC-Language".into(), language.as_str().into()));
        }
        if let Some(token) = inner.credentials.token() {
            headers.push(("X-TC-Token".into(), token.expose().to_owned()));
        }
        Prepared {
            url: base.root(),
            host,
            headers,
        }
    }
}

/// Reads a Tencent answer: `Response.Error` means failure at any HTTP status (as the Go SDK
/// reads it); otherwise a non-200 status is a transport-level failure.
fn parse_answer(
    action: &'static str,
    answer: HttpAnswer,
    sent_headers: Vec<(String, String)>,
) -> Result<Response, Error> {
    let status = answer.status;
    let unexpected = |why: &str| {
        let kind = if status == 200 {
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
    let response = data
        .get("Response")
        .filter(|r| r.is_object())
        .ok_or_else(|| unexpected("JSON without a Response object"))?;
    let request_id = response
        .get("RequestId")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    if let Some(error) = response.get("Error") {
        let code = error.get("Code").and_then(|v| v.as_str()).unwrap_or("");
        if code.is_empty() {
            return Err(unexpected("an Error without a Code").with_request_id(request_id));
        }
        let message = error
            .get("Message")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_owned();
        return Err(Error::api(
            Provider::Tencent,
            code.to_owned(),
            message,
            request_id,
            status,
        ));
    }
    if status != 200 {
        return Err(unexpected("no Response.Error").with_request_id(request_id));
    }
    let request_id = request_id.ok_or_else(|| unexpected("no Response.RequestId"))?;
    Ok(Response {
        provider: Provider::Tencent,
        action,
        request_id,
        data,
        sent_headers,
    })
}
