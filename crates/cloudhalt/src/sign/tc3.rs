//! TC3-HMAC-SHA256, Tencent Cloud API 3.0 signing.
//!
//! Rules (Tencent "Signature v3"): the canonical request is
//! `METHOD\n/\nQUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nhex(sha256(body))`, where each canonical header
//! line is `name:value\n` with both name and value lower-cased and trimmed; the string to sign is
//! `TC3-HMAC-SHA256\n<timestamp>\n<utc-date>/<service>/tc3_request\nhex(sha256(canonical request))`;
//! the key is derived as `HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request")`.

use super::{hmac_sha256, sha256_hex};

/// The algorithm name, as sent in the `Authorization` header.
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";

/// Everything TC3 signs. Header values are taken as they will be sent; canonicalisation
/// (lower-casing, trimming, sorting) happens here.
#[derive(Clone, Copy)]
pub struct Tc3Input<'a> {
    /// The SecretId (public half of the key pair).
    pub secret_id: &'a str,
    /// The SecretKey; used only to derive the signing key.
    pub secret_key: &'a str,
    /// The service name (`cvm`, `tat`, `as`): from the operation, never from the host.
    pub service: &'a str,
    /// HTTP method, upper case (`POST`).
    pub method: &'a str,
    /// The canonical query string (empty for POST).
    pub query: &'a str,
    /// The headers to sign, as `(name, value)`; must include `content-type` and `host`.
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes that will be sent.
    pub payload: &'a [u8],
    /// `X-TC-Timestamp`, Unix seconds; the scope date is its UTC date.
    pub timestamp: i64,
}

impl std::fmt::Debug for Tc3Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tc3Input")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("service", &self.service)
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

/// Every stage of a TC3 signature, for tests and for the emulator's verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Signature {
    /// Hex SHA-256 of the payload.
    pub hashed_payload: String,
    /// UTC date of the timestamp, `YYYY-MM-DD`.
    pub date: String,
    /// `date/service/tc3_request`.
    pub credential_scope: String,
    /// The sorted `name:value\n` lines.
    pub canonical_headers: String,
    /// The `;`-joined lower-case names of the signed headers.
    pub signed_headers: String,
    /// The full canonical request.
    pub canonical_request: String,
    /// Hex SHA-256 of the canonical request.
    pub hashed_canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lower-case hex signature.
    pub signature: String,
    /// The value of the `Authorization` header.
    pub authorization: String,
}

/// Formats the UTC calendar date of a Unix timestamp as `YYYY-MM-DD`.
///
/// Tencent scopes a signature by the UTC date: using local time breaks signing every night.
pub fn utc_date(timestamp: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        // Out of range timestamps cannot come from a real clock; keep the scope well-formed.
        Err(_) => "1970-01-01".to_owned(),
    }
}

/// Computes every stage of the TC3 signature.
pub fn sign(input: &Tc3Input<'_>) -> Tc3Signature {
    let hashed_payload = sha256_hex(input.payload);
    let date = utc_date(input.timestamp);
    let credential_scope = format!("{date}/{}/tc3_request", input.service);

    let mut headers: Vec<(String, String)> = input
        .headers
        .iter()
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_lowercase()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");

    let canonical_request = format!(
        "{}\n/\n{}\n{}\n{}\n{}",
        input.method, input.query, canonical_headers, signed_headers, hashed_payload
    );
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        input.timestamp, credential_scope, hashed_canonical_request
    );

    // The prefixed key is a copy of the secret: wipe it after use.
    let prefixed_key = zeroize::Zeroizing::new(format!("TC3{}", input.secret_key));
    let k_date = hmac_sha256(prefixed_key.as_bytes(), date.as_bytes());
    let k_service = hmac_sha256(&k_date, input.service.as_bytes());
    let k_signing = hmac_sha256(&k_service, b"tc3_request");
    let signature = hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()));

    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
        input.secret_id, credential_scope, signed_headers, signature
    );
    Tc3Signature {
        hashed_payload,
        date,
        credential_scope,
        canonical_headers,
        signed_headers,
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

/// The parts of a TC3 `Authorization` header, as a verifier needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Authorization {
    /// The SecretId the client claims.
    pub secret_id: String,
    /// The scope date (`YYYY-MM-DD`).
    pub date: String,
    /// The scope service.
    pub service: String,
    /// The signed header names, in the order given.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Parses `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=HEX`.
///
/// Returns `None` when the header is not a well-formed TC3 authorization.
pub fn parse_authorization(value: &str) -> Option<Tc3Authorization> {
    let (credential, signed, signature) = super::parse_authorization_fields(value, ALGORITHM)?;
    let mut scope = credential.split('/');
    let secret_id = scope.next()?.to_owned();
    let date = scope.next()?.to_owned();
    let service = scope.next()?.to_owned();
    if scope.next()? != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Tc3Authorization {
        secret_id,
        date,
        service,
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: signature.to_owned(),
    })
}
