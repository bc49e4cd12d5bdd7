//! Temporary credentials from STS: the chain links that assume a role. Each call is built from
//! the operation table (`ops::sts`) and sent by an internal client of the same engine, so it is
//! signed, sent and read like any other call, with the client's proxy and CA settings.

use std::time::Duration;

use crate::alibaba::AlibabaCloud;
use crate::credentials::cache::{Fetch, Fresh, Provider};
use crate::credentials::chain::ChainOptions;
use crate::credentials::env::ChainEnv;
use crate::credentials::{AlibabaCredentials, TencentCredentials};
use crate::endpoint::{AlibabaEndpoint, BaseUrl, TencentEndpoint};
use crate::engine::{Client, Cloud};
use crate::error::Error;
use crate::ops::{Call, Operation, sts};
use crate::tencent::TencentCloud;
use crate::transport::Timeouts;

/// How long assumed credentials last: the providers' defaults (Tencent 7200 s, Alibaba 3600 s).
const TENCENT_DURATION: u32 = 7200;
const ALIBABA_DURATION: u32 = 3600;

/// STS answers within seconds; a refresh must not hold the requests waiting on it for long.
const STS_TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(5),
    total: Duration::from_secs(10),
};

/// The internal client that sends STS calls of `C` with `keys` to `base`.
fn sts_client<C: Cloud>(
    keys: <C as crate::engine::private::Wire>::Credentials,
    endpoint: <C as crate::engine::private::Wire>::Endpoint,
    options: &ChainOptions,
) -> Result<Client<C>, Error> {
    Client::<C>::new(keys)
        .with_endpoint(endpoint)
        .with_network(options.network.clone())
        .map_err(|e| Error::credentials(e.message().to_owned()))?
        .with_timeouts(STS_TIMEOUTS)
}

/// Sends one STS call; a refusal becomes a `Credentials` error naming the action.
fn send<C: Cloud>(client: &Client<C>, call: &Call) -> Result<serde_json::Value, Error> {
    let action = call.op.action;
    let started = std::time::Instant::now();
    let result = client.attempt_once(call).result;
    let ms = started.elapsed().as_millis();
    match result {
        Ok(response) => {
            log::info!(
                "{} sts {action} status=ok request_id={} took={ms}ms",
                call.op.provider,
                response.request_id()
            );
            Ok(response.data)
        }
        Err(e) => {
            log::warn!(
                "{} sts {action} status=failed code={} request_id={} took={ms}ms",
                call.op.provider,
                e.code().unwrap_or("-"),
                e.request_id().unwrap_or("-")
            );
            let code = e.code().map(|c| format!(" {c}")).unwrap_or_default();
            let id = e
                .request_id()
                .map(|r| format!(" (RequestId {r})"))
                .unwrap_or_default();
            Err(Error::credentials(format!(
                "STS {action} failed{code}{id}: {}",
                e.message()
            )))
        }
    }
}

fn tencent_call(op: &'static Operation, region: Option<&str>, body: serde_json::Value) -> Call {
    Call {
        op,
        region: region.map(str::to_owned),
        body: serde_json::to_vec(&body).expect("JSON values serialise"),
        query: Vec::new(),
    }
}

fn alibaba_call(op: &'static Operation, query: Vec<(&str, String)>) -> Call {
    Call {
        op,
        region: None,
        body: Vec::new(),
        query: query.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
    }
}

fn field<'a>(json: &'a serde_json::Value, path: &[&str]) -> Result<&'a serde_json::Value, Error> {
    let mut at = json;
    for key in path {
        at = at.get(key).ok_or_else(|| {
            Error::credentials(format!("the STS answer has no {}", path.join(".")))
        })?;
    }
    Ok(at)
}

fn text(json: &serde_json::Value, path: &[&str]) -> Result<String, Error> {
    field(json, path)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::credentials(format!("the STS answer's {} is not text", path.join(".")))
        })
}

/// Reads Tencent's `{"Response": {"Credentials": {...}, "ExpiredTime": N}}`.
fn tencent_answer(json: &serde_json::Value) -> Result<Fresh<TencentCredentials>, Error> {
    let creds = TencentCredentials::checked(
        text(json, &["Response", "Credentials", "TmpSecretId"])?,
        text(json, &["Response", "Credentials", "TmpSecretKey"])?,
        Some(text(json, &["Response", "Credentials", "Token"])?),
        ["the STS answer"; 3],
    )?;
    let expires = field(json, &["Response", "ExpiredTime"])?
        .as_i64()
        .ok_or_else(|| Error::credentials("the STS answer's ExpiredTime is not a number"))?;
    Ok(Fresh {
        creds,
        expires: Some(expires),
    })
}

/// Reads Alibaba's `{"Credentials": {"AccessKeyId", ..., "Expiration": "...Z"}}`.
fn alibaba_answer(json: &serde_json::Value) -> Result<Fresh<AlibabaCredentials>, Error> {
    let creds = AlibabaCredentials::checked(
        text(json, &["Credentials", "AccessKeyId"])?,
        text(json, &["Credentials", "AccessKeySecret"])?,
        Some(text(json, &["Credentials", "SecurityToken"])?),
        ["the STS answer"; 3],
    )?;
    let expiration = text(json, &["Credentials", "Expiration"])?;
    let expires = crate::sign::acs3::parse_date(&expiration).ok_or_else(|| {
        Error::credentials("the STS answer's Expiration is not yyyy-MM-ddTHH:mm:ssZ")
    })?;
    Ok(Fresh {
        creds,
        expires: Some(expires),
    })
}

fn tencent_base(options: &ChainOptions, env: &ChainEnv) -> Result<BaseUrl, Error> {
    ChainOptions::base_url(
        options.sts_endpoint.as_deref(),
        env,
        crate::credentials::tencent::STS_VAR,
        "https://sts.tencentcloudapi.com",
    )
}

/// `sts.aliyuncs.com`, or the regional (`ALIBABA_CLOUD_STS_REGION`) and VPC
/// (`ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED=true`) hosts, unless the option or the variable names one.
fn alibaba_base(
    options: &ChainOptions,
    env: &ChainEnv,
    region: Option<&str>,
) -> Result<BaseUrl, Error> {
    let region = region.or_else(|| env.var("ALIBABA_CLOUD_STS_REGION"));
    let default = match region {
        Some(r) => {
            crate::endpoint::check_region("ALIBABA_CLOUD_STS_REGION", r)
                .map_err(|e| Error::credentials(e.message().to_owned()))?;
            let vpc = if env.flag("ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED") {
                "-vpc"
            } else {
                ""
            };
            format!("https://sts{vpc}.{r}.aliyuncs.com")
        }
        None => "https://sts.aliyuncs.com".to_owned(),
    };
    ChainOptions::base_url(
        options.sts_endpoint.as_deref(),
        env,
        crate::credentials::alibaba::STS_VAR,
        &default,
    )
}

fn session_name(given: Option<&str>, tool: &str) -> String {
    given
        .map(str::to_owned)
        .unwrap_or_else(|| format!("cloudhalt-{tool}-{}", crate::clock::unix_now()))
}

/// Runs `fetch` once now and on every refresh.
fn refreshing<K: Send + Sync + 'static>(
    source: &str,
    early: Duration,
    key_id: fn(&K) -> String,
    fetch: Fetch<K>,
) -> Result<Provider<K>, Error> {
    Provider::refreshing(source, early, key_id, fetch)
}

/// STS `AssumeRole` with the profile's keys (tccli `role-arn`).
pub(crate) fn tencent_assume_role(
    options: &ChainOptions,
    env: &ChainEnv,
    keys: TencentCredentials,
    role_arn: &str,
    session: &str,
    profile_region: Option<&str>,
    source: &str,
) -> Result<Provider<TencentCredentials>, Error> {
    let base = tencent_base(options, env)?;
    let source = format!(
        "{source}, role-arn {role_arn}: STS AssumeRole ({})",
        base.root()
    );
    let client = sts_client::<TencentCloud>(keys, TencentEndpoint::Url(base), options)?;
    // tccli sends the region of the profile; TENCENTCLOUD_REGION overrides it as in tccli.
    let region = env
        .var("TENCENTCLOUD_REGION")
        .or(profile_region)
        .map(str::to_owned);
    let body = serde_json::json!({
        "RoleArn": role_arn,
        "RoleSessionName": session,
        "DurationSeconds": TENCENT_DURATION,
    });
    refreshing(
        &source,
        crate::credentials::tencent::REFRESH_EARLY,
        |c| c.secret_id().to_owned(),
        Box::new(move || {
            let call = tencent_call(&sts::TENCENT_ASSUME_ROLE, region.as_deref(), body.clone());
            tencent_answer(&send(&client, &call)?)
        }),
    )
}

/// TKE OIDC: STS `AssumeRoleWithWebIdentity`, unsigned, the token file read at every refresh.
pub(crate) fn tencent_web_identity(
    options: &ChainOptions,
    env: &ChainEnv,
    region: &str,
    provider_id: &str,
    token_file: &str,
    role_arn: &str,
) -> Result<Provider<TencentCredentials>, Error> {
    let base = tencent_base(options, env)?;
    let source = format!(
        "TKE OIDC {role_arn}: STS AssumeRoleWithWebIdentity ({})",
        base.root()
    );
    let (region, provider_id, token_file, role_arn) = (
        region.to_owned(),
        provider_id.to_owned(),
        token_file.to_owned(),
        role_arn.to_owned(),
    );
    let session = session_name(None, "tke");
    let network = options.clone();
    let endpoint = TencentEndpoint::Url(base);
    refreshing(
        &source,
        crate::credentials::tencent::REFRESH_EARLY,
        |c| c.secret_id().to_owned(),
        Box::new(move || {
            let token = read_token(&token_file, "TKE_WEB_IDENTITY_TOKEN_FILE")?;
            // Unsigned: the "key" of this client is the token itself, so that the engine redacts
            // it from anything the peer echoes.
            let anonymous = TencentCredentials::checked(
                "anonymous".into(),
                token.clone(),
                None,
                ["TKE_WEB_IDENTITY_TOKEN_FILE"; 3],
            )?;
            let client = sts_client::<TencentCloud>(anonymous, endpoint.clone(), &network)?;
            let body = serde_json::json!({
                "ProviderId": provider_id,
                "WebIdentityToken": token,
                "RoleArn": role_arn,
                "RoleSessionName": session,
                "DurationSeconds": TENCENT_DURATION,
            });
            let call = tencent_call(
                &sts::TENCENT_ASSUME_ROLE_WITH_WEB_IDENTITY,
                Some(&region),
                body,
            );
            tencent_answer(&send(&client, &call)?)
        }),
    )
}

/// Reads a token file (re-read at every refresh: the platform rotates it).
fn read_token(path: &str, var: &str) -> Result<String, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::credentials(format!(
            "the token file {path} (from {var}) cannot be read ({e})"
        ))
    })?;
    let token = text.trim().to_owned();
    if token.is_empty() {
        return Err(Error::credentials(format!(
            "the token file {path} (from {var}) is empty"
        )));
    }
    Ok(token)
}

/// What a RamRoleArn profile says about the role to assume.
pub(crate) struct AlibabaRole<'a> {
    pub arn: &'a str,
    pub session: &'a str,
    /// aliyun-cli's `expired_seconds` (900 at least); `None`: 3600.
    pub duration: Option<u32>,
    /// aliyun-cli's `sts_region`: the regional STS host.
    pub sts_region: Option<&'a str>,
}

/// STS `AssumeRole` with the profile's keys (aliyun-cli RamRoleArn, INI ram_role_arn).
pub(crate) fn alibaba_assume_role(
    options: &ChainOptions,
    env: &ChainEnv,
    keys: AlibabaCredentials,
    role: &AlibabaRole<'_>,
    source: &str,
) -> Result<Provider<AlibabaCredentials>, Error> {
    let (role_arn, session) = (role.arn, role.session);
    let duration = role.duration.unwrap_or(ALIBABA_DURATION).max(900);
    let base = alibaba_base(options, env, role.sts_region)?;
    let source = format!(
        "{source}, role {role_arn}: STS AssumeRole ({})",
        base.root()
    );
    let client = sts_client::<AlibabaCloud>(keys, AlibabaEndpoint::Url(base), options)?;
    let (role_arn, session) = (role_arn.to_owned(), session.to_owned());
    refreshing(
        &source,
        crate::credentials::alibaba::REFRESH_EARLY,
        |c| c.access_key_id().to_owned(),
        Box::new(move || {
            let call = alibaba_call(
                &sts::ALIBABA_ASSUME_ROLE,
                vec![
                    ("RoleArn", role_arn.clone()),
                    ("RoleSessionName", session.clone()),
                    ("DurationSeconds", duration.to_string()),
                ],
            );
            alibaba_answer(&send(&client, &call)?)
        }),
    )
}

/// OIDC / RRSA: STS `AssumeRoleWithOIDC`, unsigned, the token file read at every refresh.
pub(crate) fn alibaba_oidc(
    options: &ChainOptions,
    env: &ChainEnv,
    role_arn: &str,
    provider_arn: &str,
    token_file: &str,
) -> Result<Provider<AlibabaCredentials>, Error> {
    let base = alibaba_base(options, env, None)?;
    let source = format!("OIDC {role_arn}: STS AssumeRoleWithOIDC ({})", base.root());
    let (role_arn, provider_arn, token_file) = (
        role_arn.to_owned(),
        provider_arn.to_owned(),
        token_file.to_owned(),
    );
    let session = session_name(env.var("ALIBABA_CLOUD_ROLE_SESSION_NAME"), "oidc");
    let network = options.clone();
    let endpoint = AlibabaEndpoint::Url(base);
    refreshing(
        &source,
        crate::credentials::alibaba::REFRESH_EARLY,
        |c| c.access_key_id().to_owned(),
        Box::new(move || {
            let token = read_token(&token_file, "ALIBABA_CLOUD_OIDC_TOKEN_FILE")?;
            // Unsigned: the "secret" of this client is the token, so that it is redacted.
            let anonymous = AlibabaCredentials::checked(
                "anonymous".into(),
                token.clone(),
                None,
                ["ALIBABA_CLOUD_OIDC_TOKEN_FILE"; 3],
            )?;
            let client = sts_client::<AlibabaCloud>(anonymous, endpoint.clone(), &network)?;
            let call = alibaba_call(
                &sts::ALIBABA_ASSUME_ROLE_WITH_OIDC,
                vec![
                    ("RoleArn", role_arn.clone()),
                    ("OIDCProviderArn", provider_arn.clone()),
                    ("OIDCToken", token),
                    ("RoleSessionName", session.clone()),
                    ("DurationSeconds", ALIBABA_DURATION.to_string()),
                ],
            );
            alibaba_answer(&send(&client, &call)?)
        }),
    )
}
