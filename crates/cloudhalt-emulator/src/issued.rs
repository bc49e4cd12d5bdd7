//! Temporary credentials: the two instance metadata services and the STS actions issue them,
//! and the cloud APIs then accept them, with their token, until they expire.
//!
//! Every set lives [`TEMPORARY_TTL_SECS`]: shorter than the clients' early-refresh margin
//! (Tencent 5 min, Alibaba 15 min), so that a client refreshes before every use and the refresh
//! path is exercised by every test that uses them.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Map, Value, json};

use crate::answer::{
    ALIBABA_CONTENT_TYPE, Answer, TENCENT_CONTENT_TYPE, alibaba_error, request_id, tencent_error,
    unix_now,
};
use crate::model::FaultProvider;
use crate::request::Incoming;
use crate::shared::Shared;

/// How long a set of temporary credentials is accepted.
pub const TEMPORARY_TTL_SECS: i64 = 60;
/// The role the Tencent CVM metadata service lists.
pub const TENCENT_CVM_ROLE: &str = "cloudhalt-emulator-cvm-role";
/// The role the Alibaba ECS metadata service lists.
pub const ALIBABA_ECS_ROLE: &str = "cloudhalt-emulator-ecs-role";

/// Issued sets are forgotten this long after they expired (an expired token is still
/// recognised, and refused as expired rather than as unknown).
const FORGET_AFTER_SECS: i64 = 3600;

/// One set of temporary credentials.
#[derive(Debug, Clone)]
pub(crate) struct Temporary {
    pub id: String,
    pub key: String,
    pub token: String,
    pub expires: i64,
}

/// Every set issued, per cloud, and the IMDSv2 session tokens.
#[derive(Debug, Default)]
pub(crate) struct Issued {
    tencent: Vec<Temporary>,
    alibaba: Vec<Temporary>,
    imds_tokens: Vec<(String, i64)>,
}

static COUNTER: AtomicU64 = AtomicU64::new(1);

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    if getrandom::fill(&mut b).is_err() {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        b.iter_mut()
            .zip(n.to_le_bytes().iter().cycle())
            .for_each(|(x, y)| *x = *y);
    }
    hex::encode(b)
}

impl Issued {
    fn list(&mut self, provider: FaultProvider) -> &mut Vec<Temporary> {
        match provider {
            FaultProvider::Tencent => &mut self.tencent,
            FaultProvider::Alibaba => &mut self.alibaba,
        }
    }

    /// Issues a new set, valid for [`TEMPORARY_TTL_SECS`] from `now`.
    pub fn issue(&mut self, provider: FaultProvider, now: i64) -> Temporary {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let temp = match provider {
            FaultProvider::Tencent => Temporary {
                id: format!("AKIDtmp{n}{}", random_hex(6)),
                key: format!("tmp-key-{}", random_hex(12)),
                token: format!("tmp-token-{}", random_hex(24)),
                expires: now + TEMPORARY_TTL_SECS,
            },
            FaultProvider::Alibaba => Temporary {
                id: format!("STS.tmp{n}{}", random_hex(6)),
                key: format!("tmp-secret-{}", random_hex(12)),
                token: format!("tmp-security-token-{}", random_hex(24)),
                expires: now + TEMPORARY_TTL_SECS,
            },
        };
        let list = self.list(provider);
        list.retain(|t| t.expires + FORGET_AFTER_SECS > now);
        list.push(temp.clone());
        temp
    }

    /// The issued set with this key ID, expired or not.
    pub fn find(&self, provider: FaultProvider, id: &str) -> Option<&Temporary> {
        let list = match provider {
            FaultProvider::Tencent => &self.tencent,
            FaultProvider::Alibaba => &self.alibaba,
        };
        list.iter().find(|t| t.id == id)
    }

    /// Every issued `(id, key)`, for the signature check.
    pub fn pairs(&self, provider: FaultProvider) -> Vec<(String, String)> {
        let list = match provider {
            FaultProvider::Tencent => &self.tencent,
            FaultProvider::Alibaba => &self.alibaba,
        };
        list.iter().map(|t| (t.id.clone(), t.key.clone())).collect()
    }

    fn imds_token(&mut self, ttl: i64, now: i64) -> String {
        self.imds_tokens.retain(|(_, until)| *until > now);
        let token = format!("imds-{}", random_hex(16));
        self.imds_tokens.push((token.clone(), now + ttl));
        token
    }

    fn imds_token_valid(&self, token: &str, now: i64) -> bool {
        self.imds_tokens
            .iter()
            .any(|(t, until)| t == token && *until > now)
    }
}

/// Why a request signed with temporary credentials is refused: `(code, message)`.
pub(crate) fn check_token(
    shared: &Shared,
    provider: FaultProvider,
    key_id: &str,
    token: Option<&str>,
    now: i64,
) -> Result<(), (&'static str, &'static str)> {
    let issued = shared.issued();
    let Some(temp) = issued.find(provider, key_id) else {
        return Ok(());
    };
    let (mismatch, expired) = match provider {
        FaultProvider::Tencent => (
            (
                "AuthFailure.TokenFailure",
                "The token is missing or does not match the temporary SecretId: send X-TC-Token.",
            ),
            (
                "AuthFailure.TokenFailure",
                "The temporary credentials have expired: get new ones.",
            ),
        ),
        FaultProvider::Alibaba => (
            (
                "InvalidSecurityToken.MismatchWithAccessKey",
                "The security token is missing or does not match the AccessKey ID: send x-acs-security-token.",
            ),
            (
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            ),
        ),
    };
    if token != Some(temp.token.as_str()) {
        return Err(mismatch);
    }
    if temp.expires <= now {
        return Err(expired);
    }
    Ok(())
}

fn text(status: u16, body: &str) -> Answer {
    Answer {
        status,
        content_type: "text/plain",
        body: body.as_bytes().to_vec(),
        cut: None,
        headers: Vec::new(),
    }
}

const TENCENT_ROLES: &str = "/latest/meta-data/cam/security-credentials/";
const ALIBABA_ROLES: &str = "/latest/meta-data/ram/security-credentials/";

/// Answers the instance metadata paths (`/latest/...`) of both clouds.
pub(crate) fn metadata(shared: &Shared, req: &Incoming) -> Answer {
    let now = unix_now();
    let path = req.path.as_str();
    if path == "/latest/api/token" {
        if req.method != "PUT" {
            return text(405, "the IMDSv2 token is taken with PUT");
        }
        let ttl = req
            .header("x-aliyun-ecs-metadata-token-ttl-seconds")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|t| (1..=21600).contains(t));
        return match ttl {
            Some(ttl) => text(200, &shared.issued().imds_token(ttl, now)),
            None => text(
                400,
                "X-aliyun-ecs-metadata-token-ttl-seconds must be 1 to 21600",
            ),
        };
    }
    if req.method != "GET" {
        return text(405, "metadata is read with GET");
    }
    if let Some(role) = path.strip_prefix(TENCENT_ROLES) {
        if role.is_empty() {
            return text(200, TENCENT_CVM_ROLE);
        }
        if role != TENCENT_CVM_ROLE {
            return text(404, "no such role");
        }
        let temp = shared.issued().issue(FaultProvider::Tencent, now);
        return Answer::json(
            200,
            "application/json",
            &json!({
                "TmpSecretId": temp.id,
                "TmpSecretKey": temp.key,
                "Token": temp.token,
                "ExpiredTime": temp.expires,
                "Expiration": cloudhalt::sign::acs3::format_date(temp.expires),
                "Code": "Success"
            }),
        );
    }
    if let Some(role) = path.strip_prefix(ALIBABA_ROLES) {
        if let Some(token) = req.header("x-aliyun-ecs-metadata-token")
            && !shared.issued().imds_token_valid(token, now)
        {
            return text(401, "the IMDSv2 token is not valid or has expired");
        }
        if role.is_empty() {
            return text(200, ALIBABA_ECS_ROLE);
        }
        if role != ALIBABA_ECS_ROLE {
            return text(404, "no such role");
        }
        let temp = shared.issued().issue(FaultProvider::Alibaba, now);
        return Answer::json(
            200,
            "application/json",
            &json!({
                "AccessKeyId": temp.id,
                "AccessKeySecret": temp.key,
                "SecurityToken": temp.token,
                "Expiration": cloudhalt::sign::acs3::format_date(temp.expires),
                "LastUpdated": cloudhalt::sign::acs3::format_date(now),
                "Code": "Success"
            }),
        );
    }
    text(404, "not a metadata path the emulator serves")
}

/// Tencent STS: `AssumeRole` (signed, checked before this) and `AssumeRoleWithWebIdentity`.
pub(crate) fn tencent_sts(shared: &Shared, action: &str, params: &Map<String, Value>) -> Answer {
    let required: &[&str] = match action {
        "AssumeRole" => &["RoleArn", "RoleSessionName"],
        _ => &[
            "ProviderId",
            "WebIdentityToken",
            "RoleArn",
            "RoleSessionName",
        ],
    };
    for name in required {
        if params
            .get(*name)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return tencent_error(
                200,
                "MissingParameter",
                &format!("The request is missing a required parameter `{name}`."),
            );
        }
    }
    let now = unix_now();
    let temp = shared.issued().issue(FaultProvider::Tencent, now);
    Answer::json(
        200,
        TENCENT_CONTENT_TYPE,
        &json!({"Response": {
            "Credentials": {"Token": temp.token, "TmpSecretId": temp.id, "TmpSecretKey": temp.key},
            "ExpiredTime": temp.expires,
            "Expiration": cloudhalt::sign::acs3::format_date(temp.expires),
            "RequestId": request_id()
        }}),
    )
}

/// Alibaba STS: `AssumeRole` (signed, checked before this) and `AssumeRoleWithOIDC`.
pub(crate) fn alibaba_sts(shared: &Shared, action: &str, params: &[(String, String)]) -> Answer {
    let required: &[&str] = match action {
        "AssumeRole" => &["RoleArn", "RoleSessionName"],
        _ => &["RoleArn", "OIDCProviderArn", "OIDCToken"],
    };
    for name in required {
        if !params.iter().any(|(k, v)| k == name && !v.is_empty()) {
            return alibaba_error(
                400,
                "MissingParameter",
                &format!(
                    "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
                ),
                None,
            );
        }
    }
    let now = unix_now();
    let temp = shared.issued().issue(FaultProvider::Alibaba, now);
    let arn = params
        .iter()
        .find(|(k, _)| k == "RoleArn")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    Answer::json(
        200,
        ALIBABA_CONTENT_TYPE,
        &json!({
            "RequestId": request_id().to_uppercase(),
            "AssumedRoleUser": {"Arn": format!("{arn}/session"), "AssumedRoleId": "300000000000000001:session"},
            "Credentials": {
                "AccessKeyId": temp.id,
                "AccessKeySecret": temp.key,
                "SecurityToken": temp.token,
                "Expiration": cloudhalt::sign::acs3::format_date(temp.expires)
            }
        }),
    )
}
