//! Tencent Cloud's side of the engine: TC3 signing, the `*.tencentcloudapi.com` hosts, reading the
//! `{"Response": ...}` answer, and the typed methods of the four Tencent operations.

use crate::credentials::{Secret, TencentCredentials};
use crate::endpoint::{BaseUrl, TencentEndpoint};
use crate::engine::private::Wire;
use crate::engine::{Client, Cloud, Config};
use crate::error::{Error, ErrorKind, Provider, SendState};
use crate::ops::tencent::{
    CancelInstanceRefresh, CancelInvocation, DescribeInstances, DescribeInvocationTasks,
    DescribeRefreshActivities, StopInstanceRefresh, StopInstances, TerminateInstances,
};
use crate::ops::{Call, Request, Response};
use crate::sign::tc3;
use crate::transport::{Field, HttpAnswer, Prepared};
use std::borrow::Cow;

/// The one Content-Type cloudhalt sends and signs (the official SDKs send the same, no charset).
pub const CONTENT_TYPE: &str = "application/json";

/// The language of Tencent's error messages (`X-TC-Language`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
            &["zh-CN", "en-US"],
            &[Language::ZhCn, Language::EnUs],
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

/// The Tencent Cloud side of the engine (TC3 signing, `*.tencentcloudapi.com` hosts).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct TencentCloud;

impl Cloud for TencentCloud {}

/// A Tencent Cloud client (CVM, TAT, Auto Scaling). Cheap to clone and safe to share between
/// threads: clones share one connection pool.
pub type Tencent = Client<TencentCloud>;

/// The headers TC3 signs. `x-tc-action` is signed as Tencent's current documents do, so that a
/// logged signature of one action cannot be replayed as another with the same body.
pub const SIGNED_HEADERS: &str = "content-type;host;x-tc-action";

// The sealed trait's crate-private types (see `engine::private`).
#[allow(private_interfaces)]
impl Wire for TencentCloud {
    type Credentials = TencentCredentials;
    type Endpoint = TencentEndpoint;
    const PROVIDER: Provider = Provider::Tencent;

    fn chain(
        options: &crate::credentials::ChainOptions,
    ) -> Result<crate::credentials::cache::Provider<TencentCredentials>, Error> {
        crate::credentials::tencent::chain(options)
    }

    fn url_endpoint(url: BaseUrl) -> TencentEndpoint {
        TencentEndpoint::Url(url)
    }

    fn key_id(credentials: &TencentCredentials) -> &str {
        credentials.secret_id()
    }

    fn secrets(credentials: &TencentCredentials) -> Vec<&str> {
        let mut secrets = vec![credentials.secret_key().expose()];
        secrets.extend(credentials.token().map(Secret::expose));
        secrets
    }

    fn prepare(
        config: &Config<Self>,
        credentials: &TencentCredentials,
        call: &Call,
        timestamp: i64,
    ) -> Prepared {
        let op = call.op;
        let base = config.endpoint.resolve(op.service, call.region.as_deref());
        let host = base.host_header();
        let signature = tc3::authorization(&tc3::Tc3Input {
            secret_id: credentials.secret_id(),
            secret_key: credentials.secret_key().expose(),
            service: op.service,
            method: "POST",
            query: "",
            headers: &[
                ("content-type", CONTENT_TYPE),
                ("host", &host),
                ("x-tc-action", op.action),
            ],
            payload: &call.body,
            timestamp,
        });
        // The unsigned STS call (AssumeRoleWithWebIdentity) says so, as the SDKs' SkipSign does.
        let authorization = if op.signed {
            signature
        } else {
            "SKIP".to_owned()
        };
        // Room for every field and the Host the record puts first.
        let mut headers: Vec<Field> = Vec::with_capacity(9);
        headers.extend([
            ("Authorization", Cow::Owned(authorization)),
            ("Content-Type", Cow::Borrowed(CONTENT_TYPE)),
            ("X-TC-Action", Cow::Borrowed(op.action)),
            ("X-TC-Version", Cow::Borrowed(op.version)),
            ("X-TC-Timestamp", Cow::Owned(timestamp.to_string())),
        ]);
        if let Some(region) = &call.region {
            headers.push(("X-TC-Region", Cow::Owned(region.clone())));
        }
        if let Some(language) = config.language {
            headers.push(("X-TC-Language", Cow::Borrowed(language.as_str())));
        }
        if let Some(token) = credentials.token().filter(|_| op.signed) {
            headers.push(("X-TC-Token", Cow::Owned(token.expose().to_owned())));
        }
        Prepared {
            url: base.root(),
            host,
            headers,
            body: call.body.clone(),
        }
    }

    fn read_answer(answer: &HttpAnswer, data: Option<&serde_json::Value>) -> Result<String, Error> {
        parse_answer(answer, data)
    }
}

impl Client<TencentCloud> {
    /// The same client, asking for error messages in `language` (`X-TC-Language`), or the
    /// provider's default for `None`.
    pub fn with_language(&self, language: Option<Language>) -> Tencent {
        self.derive(|c| c.language = language)
    }

    /// The language of Tencent's error messages, if set.
    pub fn language(&self) -> Option<Language> {
        self.config().language
    }

    /// CVM `StopInstances`.
    pub fn stop_instances(&self, request: &StopInstances) -> Result<Response, Error> {
        self.send(request)
    }

    /// CVM `TerminateInstances`. Never re-sent by cloudhalt after a failure that may have taken
    /// effect (its IDs are then [`Outcome::Unknown`](crate::Outcome::Unknown)): check the
    /// instances' state before calling again.
    pub fn terminate_instances(&self, request: &TerminateInstances) -> Result<Response, Error> {
        self.send(request)
    }

    /// CVM `DescribeInstances`, every page: the answer's `Response.InstanceSet` holds every
    /// instance asked for that exists.
    pub fn describe_instances(&self, request: &DescribeInstances) -> Result<Response, Error> {
        self.send(request)
    }

    /// TAT `DescribeInvocationTasks`, every page (`Response.InvocationTaskSet`).
    pub fn describe_invocation_tasks(
        &self,
        request: &DescribeInvocationTasks,
    ) -> Result<Response, Error> {
        self.send(request)
    }

    /// AS `DescribeRefreshActivities`, every page (`Response.RefreshActivitySet`).
    pub fn describe_refresh_activities(
        &self,
        request: &DescribeRefreshActivities,
    ) -> Result<Response, Error> {
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

    /// Waits until the CVM instances `instance_ids` of `region` reach `state`, sending nothing
    /// but DescribeInstances: `"STOPPED"` (StopInstances' waiter) or `"TERMINATED"`
    /// (TerminateInstances' waiter: gone, or a prepaid instance in the recycle bin). An empty
    /// list returns at once. Uses the client's wait setting, or [`crate::Wait::default`].
    pub fn wait_instances(
        &self,
        region: &str,
        instance_ids: &[String],
        state: &str,
    ) -> Result<Response, Error> {
        let waiter = match state {
            "STOPPED" => &crate::ops::waiters::STOP_INSTANCES,
            "TERMINATED" => &crate::ops::waiters::TERMINATE_INSTANCES,
            other => {
                return Err(Error::invalid_input(
                    "state",
                    format!(
                        "state {} is not one cloudhalt waits for: use STOPPED or TERMINATED",
                        crate::ops::quoted(other)
                    ),
                )
                .for_call(Provider::Tencent, "DescribeInstances"));
            }
        };
        if instance_ids.is_empty() {
            return Ok(crate::finish::synthetic(
                Provider::Tencent,
                waiter.action,
                String::new(),
            ));
        }
        let plan = DescribeInstances::new(region, instance_ids.to_vec())
            .plan()
            .map_err(|e| e.for_call(Provider::Tencent, waiter.action))?;
        let target = crate::ops::waiters::Target {
            region: Some(region.to_owned()),
            params: serde_json::json!({ "InstanceIds": instance_ids }),
            keys: Some(plan.ids),
            request_ids: Vec::new(),
        };
        crate::finish::run_wait(
            self,
            waiter,
            target,
            &self.wait_setting().unwrap_or_default(),
        )
    }

    /// AS `StopInstanceRefresh`: pauses a refresh activity (what a cancel blocked by a
    /// refreshing batch needs first; see `pause_first`).
    pub fn stop_instance_refresh(&self, request: &StopInstanceRefresh) -> Result<Response, Error> {
        self.send(request)
    }

    /// Any Tencent operation of the table by its provider name, with the provider's JSON parameters
    /// (`{"InstanceIds": ["ins-..."], "StopType": "SOFT"}`): for scripts and the C ABI's JSON entry
    /// point. The same validation applies; unknown parameters are refused.
    pub fn call_json(
        &self,
        action: &str,
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<Response, Error> {
        let plan = crate::ops::call_from_json(Provider::Tencent, action, region, params)?;
        self.run(plan)
    }

    /// What [`call_json`](Client::call_json) would send, without sending anything.
    pub fn dry_run_json(
        &self,
        action: &str,
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<crate::DryRun, Error> {
        let plan = crate::ops::call_from_json(Provider::Tencent, action, region, params)?;
        self.dry_run_plan(&plan)
    }
}

/// Reads a Tencent answer: `Response.Error` means failure at any HTTP status (as the Go SDK
/// reads it); otherwise a non-200 status is a transport-level failure.
fn parse_answer(answer: &HttpAnswer, data: Option<&serde_json::Value>) -> Result<String, Error> {
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
    let data = data.ok_or_else(|| unexpected("a body that is not JSON"))?;
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
    request_id.ok_or_else(|| unexpected("no Response.RequestId"))
}
