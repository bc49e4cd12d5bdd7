//! Alibaba Cloud's side of the engine: ACS3 signing of the RPC query, the `ecs.{region}` hosts,
//! reading the answer, and the typed method of ECS StopInvocation.

use crate::credentials::{AlibabaCredentials, Secret};
use crate::endpoint::{AlibabaEndpoint, BaseUrl};
use crate::engine::private::Wire;
use crate::engine::{Client, Cloud, Config};
use crate::error::{Error, ErrorKind, Provider, SendState};
use crate::ops::alibaba::{DescribeInvocations, StopInvocation};
use crate::ops::{Call, Response};
use crate::sign::acs3;
use crate::transport::{Field, HttpAnswer, Prepared};
use std::borrow::Cow;

/// The Alibaba Cloud side of the engine (ACS3 signing, `ecs.{region}.aliyuncs.com` hosts).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AlibabaCloud;

impl Cloud for AlibabaCloud {}

/// An Alibaba Cloud client (ECS Cloud Assistant). Cheap to clone and safe to share between
/// threads: clones share one connection pool.
pub type Alibaba = Client<AlibabaCloud>;

// The sealed trait's crate-private types (see `engine::private`).
#[allow(private_interfaces)]
impl Wire for AlibabaCloud {
    type Credentials = AlibabaCredentials;
    type Endpoint = AlibabaEndpoint;
    const PROVIDER: Provider = Provider::Alibaba;

    fn chain(
        options: &crate::credentials::ChainOptions,
    ) -> Result<crate::credentials::cache::Provider<AlibabaCredentials>, Error> {
        crate::credentials::alibaba::chain(options)
    }

    fn url_endpoint(url: BaseUrl) -> AlibabaEndpoint {
        AlibabaEndpoint::Url(url)
    }

    fn key_id(credentials: &AlibabaCredentials) -> &str {
        credentials.access_key_id()
    }

    fn secrets(credentials: &AlibabaCredentials) -> Vec<&str> {
        let mut secrets = vec![credentials.access_key_secret().expose()];
        secrets.extend(credentials.security_token().map(Secret::expose));
        secrets
    }

    fn prepare(
        config: &Config<Self>,
        credentials: &AlibabaCredentials,
        call: &Call,
        timestamp: i64,
    ) -> Prepared {
        // A fresh nonce per attempt: Alibaba refuses a nonce it has seen within 15 minutes.
        prepare(
            config,
            credentials,
            call,
            &acs3::format_date(timestamp),
            &crate::clock::nonce(),
        )
    }

    fn read_answer(answer: &HttpAnswer, data: Option<&serde_json::Value>) -> Result<String, Error> {
        parse_answer(answer, data)
    }
}

/// The hex SHA-256 of an empty payload (`x-acs-content-sha256` of every RPC call, whose
/// parameters travel in the query).
const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Builds the signed request for `call` with the given date and nonce: pure, for tests.
pub(crate) fn prepare(
    config: &Config<AlibabaCloud>,
    credentials: &AlibabaCredentials,
    call: &Call,
    date: &str,
    nonce: &str,
) -> Prepared {
    let op = call.op;
    let region = call.region.as_deref().unwrap_or_default();
    let base = config.endpoint.resolve(region);
    let host = base.host_header();
    let query = acs3::canonical_query(&call.query);
    // The x-acs-* fields, sent as they are signed (with host, which the transport sends).
    // Room for every field and the host the record puts first.
    let mut headers: Vec<Field> = Vec::with_capacity(9);
    headers.extend([
        ("x-acs-action", Cow::Borrowed(op.action)),
        ("x-acs-content-sha256", Cow::Borrowed(EMPTY_PAYLOAD_SHA256)),
        ("x-acs-date", Cow::Owned(date.to_owned())),
        ("x-acs-signature-nonce", Cow::Owned(nonce.to_owned())),
        ("x-acs-version", Cow::Borrowed(op.version)),
    ]);
    if let Some(token) = credentials.security_token().filter(|_| op.signed) {
        headers.push((
            "x-acs-security-token",
            Cow::Owned(token.expose().to_owned()),
        ));
    }
    let signed: Vec<(&str, &str)> = std::iter::once(("host", host.as_str()))
        .chain(headers.iter().map(|(name, value)| (*name, value.as_ref())))
        .collect();
    let signature = acs3::authorization(&acs3::Acs3Input {
        access_key_id: credentials.access_key_id(),
        access_key_secret: credentials.access_key_secret().expose(),
        method: "POST",
        path: "/",
        query: &query,
        headers: &signed,
        payload: b"",
    });
    headers.push(("accept", Cow::Borrowed("application/json")));
    // The unsigned STS call (AssumeRoleWithOIDC) goes without an Authorization header.
    if op.signed {
        headers.push(("authorization", Cow::Owned(signature)));
    }
    // RPC parameters travel in the query: exactly the canonical string that was signed.
    let url = if query.is_empty() {
        base.root()
    } else {
        format!("{}?{query}", base.root())
    };
    Prepared {
        url,
        host,
        headers,
        body: Vec::new(),
    }
}

impl Client<AlibabaCloud> {
    /// ECS `DescribeInvocations`, every page (`Invocations.Invocation`).
    pub fn describe_invocations(&self, request: &DescribeInvocations) -> Result<Response, Error> {
        self.send(request)
    }

    /// ECS `StopInvocation`.
    pub fn stop_invocation(&self, request: &StopInvocation) -> Result<Response, Error> {
        self.send(request)
    }

    /// An operation by its provider name with the provider's parameters (`{"RegionId": ...,
    /// "InvokeId": ..., "InstanceId": [...]}`, or `InstanceId.N` keys): for scripts and the C ABI's
    /// JSON entry point. The same validation applies; unknown parameters are refused.
    pub fn call_json(&self, action: &str, params: &serde_json::Value) -> Result<Response, Error> {
        let plan = crate::ops::call_from_json(Provider::Alibaba, action, None, params)?;
        self.run(plan)
    }

    /// What [`call_json`](Client::call_json) would send, without sending anything.
    pub fn dry_run_json(
        &self,
        action: &str,
        params: &serde_json::Value,
    ) -> Result<crate::DryRun, Error> {
        let plan = crate::ops::call_from_json(Provider::Alibaba, action, None, params)?;
        self.dry_run_plan(&plan)
    }
}

/// Reads an Alibaba answer: success is a 2xx with a RequestId; an error carries `Code` with a
/// 4xx/5xx status that varies between the provider's documents, so the code decides the kind.
fn parse_answer(answer: &HttpAnswer, data: Option<&serde_json::Value>) -> Result<String, Error> {
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
    let data = data.ok_or_else(|| unexpected("a body that is not JSON"))?;
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
    request_id.ok_or_else(|| unexpected("no RequestId"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_empty_payload_hash_is_sha256_of_nothing() {
        assert_eq!(
            super::EMPTY_PAYLOAD_SHA256,
            crate::sign::sha256_hex(b""),
            "the fixed x-acs-content-sha256 of an RPC call"
        );
    }
}
