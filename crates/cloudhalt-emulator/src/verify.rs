//! Signature verification: rebuild the canonical request from what was received, sign it with the
//! core's own signing functions and the configured secret, and compare in constant time.

use cloudhalt::sign::{acs3, sha256_hex, signatures_equal, tc3};

use crate::request::Incoming;

/// A refusal: the provider's code, message and (for Alibaba) HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

fn refuse(code: &'static str, status: u16, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
        status,
    }
}

/// What a verified Tencent request told us.
pub(crate) struct TencentAuth {
    pub secret_id: String,
    pub signed_headers: String,
}

/// Verifies a TC3-HMAC-SHA256 request for an action of `service`.
pub(crate) fn tencent(
    req: &Incoming,
    service: &str,
    credentials: &[(String, String)],
    now: i64,
    window_secs: i64,
) -> Result<TencentAuth, Refusal> {
    let header = req.header("authorization").ok_or_else(|| {
        refuse(
            "AuthFailure.InvalidAuthorization",
            200,
            "The Authorization header is missing: sign the request with TC3-HMAC-SHA256.",
        )
    })?;
    let auth = tc3::parse_authorization(header).ok_or_else(|| {
        refuse(
            "AuthFailure.InvalidAuthorization",
            200,
            "The Authorization header is not a valid TC3-HMAC-SHA256 authorization: expected \
             `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=..., Signature=...`.",
        )
    })?;
    let timestamp = req.header("x-tc-timestamp").ok_or_else(|| {
        refuse(
            "MissingParameter",
            200,
            "The request is missing a required parameter `Timestamp` (header X-TC-Timestamp).",
        )
    })?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| {
        refuse(
            "InvalidParameterValue",
            200,
            format!("X-TC-Timestamp `{timestamp}` is not a Unix timestamp in seconds."),
        )
    })?;
    if (now - timestamp).abs() > window_secs {
        return Err(refuse(
            "AuthFailure.SignatureExpire",
            200,
            format!(
                "Signature expired. Timestamp {timestamp} and server time {now} differ by more \
                 than {window_secs} seconds: check that the local clock is synchronised."
            ),
        ));
    }
    let secret_key = credentials
        .iter()
        .find(|(id, _)| *id == auth.secret_id)
        .map(|(_, key)| key.as_str())
        .ok_or_else(|| {
            refuse(
                "AuthFailure.SecretIdNotFound",
                200,
                "The SecretId is not found, please ensure that your SecretId is correct.",
            )
        })?;
    if auth.service != service {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            200,
            format!(
                "The provided credentials could not be validated: the credential scope names \
                 service `{}`, but this action belongs to service `{service}`.",
                auth.service
            ),
        ));
    }
    for required in ["content-type", "host"] {
        if !auth.signed_headers.iter().any(|h| h == required) {
            return Err(refuse(
                "AuthFailure.SignatureFailure",
                200,
                format!(
                    "The provided credentials could not be validated: SignedHeaders must include \
                     `{required}`."
                ),
            ));
        }
    }
    let expected_date = tc3::utc_date(timestamp);
    if auth.date != expected_date {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            200,
            format!(
                "The provided credentials could not be validated: the credential scope date {} is \
                 not the UTC date of X-TC-Timestamp ({expected_date}).",
                auth.date
            ),
        ));
    }
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = req.header(name).ok_or_else(|| {
            refuse(
                "AuthFailure.SignatureFailure",
                200,
                format!(
                    "The provided credentials could not be validated: signed header `{name}` was \
                     not sent."
                ),
            )
        })?;
        headers.push((name.as_str(), value));
    }
    let expected = tc3::sign(&tc3::Tc3Input {
        secret_id: &auth.secret_id,
        secret_key,
        service,
        method: &req.method,
        query: &req.query,
        headers: &headers,
        payload: &req.body,
        timestamp,
    });
    if !signatures_equal(&expected.signature, &auth.signature) {
        return Err(refuse(
            "AuthFailure.SignatureFailure",
            200,
            "The provided credentials could not be validated. Please check your signature is \
             correct.",
        ));
    }
    Ok(TencentAuth {
        secret_id: auth.secret_id,
        signed_headers: expected.signed_headers,
    })
}

/// What a verified Alibaba request told us.
pub(crate) struct AlibabaAuth {
    pub access_key_id: String,
    pub nonce: String,
    pub timestamp: i64,
    pub signed_headers: String,
}

/// Verifies an ACS3-HMAC-SHA256 request. `params` are the decoded query parameters.
pub(crate) fn alibaba(
    req: &Incoming,
    params: &[(String, String)],
    credentials: &[(String, String)],
    now: i64,
    window_secs: i64,
) -> Result<AlibabaAuth, Refusal> {
    let header = req.header("authorization").ok_or_else(|| {
        refuse(
            "IncompleteSignature",
            400,
            "The request signature does not conform to Aliyun standards: the Authorization header \
             is missing.",
        )
    })?;
    let auth = acs3::parse_authorization(header).ok_or_else(|| {
        refuse(
            "IncompleteSignature",
            400,
            "The request signature does not conform to Aliyun standards: expected \
             `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=...,Signature=...`.",
        )
    })?;
    let date = req.header("x-acs-date").ok_or_else(|| {
        refuse(
            "MissingParameter",
            400,
            "The input parameter \"x-acs-date\" that is mandatory for processing this request is \
             not supplied.",
        )
    })?;
    let timestamp = acs3::parse_date(date.trim()).ok_or_else(|| {
        refuse(
            "InvalidTimeStamp.Format",
            400,
            format!(
                "Specified time stamp `{date}` is not in the format yyyy-MM-ddTHH:mm:ssZ (UTC)."
            ),
        )
    })?;
    if (now - timestamp).abs() > window_secs {
        return Err(refuse(
            "InvalidTimeStamp.Expired",
            400,
            format!(
                "Specified time stamp or date header `{date}` is expired: it differs from the \
                 server time by more than {} minutes.",
                window_secs / 60
            ),
        ));
    }
    let nonce = req
        .header("x-acs-signature-nonce")
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| {
            refuse(
                "MissingParameter",
                400,
                "The input parameter \"x-acs-signature-nonce\" that is mandatory for processing \
                 this request is not supplied.",
            )
        })?;
    let secret = credentials
        .iter()
        .find(|(id, _)| *id == auth.access_key_id)
        .map(|(_, s)| s.as_str())
        .ok_or_else(|| {
            refuse(
                "InvalidAccessKeyId.NotFound",
                400,
                "Specified access key is not found.",
            )
        })?;
    for name in req.headers.iter().map(|(n, _)| n.to_ascii_lowercase()) {
        if (name == "host" || name.starts_with("x-acs-")) && !auth.signed_headers.contains(&name) {
            return Err(refuse(
                "IncompleteSignature",
                400,
                format!(
                    "The request signature does not conform to Aliyun standards: header `{name}` \
                     was sent but is not in SignedHeaders (host and every x-acs-* header must be \
                     signed)."
                ),
            ));
        }
    }
    let content_sha = req.header("x-acs-content-sha256").ok_or_else(|| {
        refuse(
            "IncompleteSignature",
            400,
            "The request signature does not conform to Aliyun standards: the \
             x-acs-content-sha256 header is missing.",
        )
    })?;
    let body_hash = sha256_hex(&req.body);
    if content_sha.trim() != body_hash {
        return Err(refuse(
            "SignatureDoesNotMatch",
            400,
            "Specified signature is not matched with our calculation: x-acs-content-sha256 is \
             not the SHA-256 of the body that was received.",
        ));
    }
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = req.header(name).ok_or_else(|| {
            refuse(
                "IncompleteSignature",
                400,
                format!(
                    "The request signature does not conform to Aliyun standards: signed header \
                     `{name}` was not sent."
                ),
            )
        })?;
        headers.push((name.as_str(), value));
    }
    let query = acs3::canonical_query(params);
    let expected = acs3::sign(&acs3::Acs3Input {
        access_key_id: &auth.access_key_id,
        access_key_secret: secret,
        method: &req.method,
        path: &req.path,
        query: &query,
        headers: &headers,
        payload: &req.body,
    });
    if !signatures_equal(&expected.signature, &auth.signature) {
        return Err(refuse(
            "SignatureDoesNotMatch",
            400,
            format!(
                "Specified signature is not matched with our calculation. server string to sign \
                 is:{}",
                expected.string_to_sign
            ),
        ));
    }
    Ok(AlibabaAuth {
        access_key_id: auth.access_key_id,
        nonce: nonce.trim().to_owned(),
        timestamp,
        signed_headers: expected.signed_headers,
    })
}
