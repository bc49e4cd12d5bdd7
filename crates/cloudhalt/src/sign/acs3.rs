//! ACS3-HMAC-SHA256, Alibaba Cloud's V3 request signature.
//!
//! Rules (Alibaba "V3 request structure and signature"): the canonical request is
//! `METHOD\nPATH\nCANONICAL_QUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nhex(sha256(body))`, where the
//! query is RFC 3986-encoded and sorted by name in plain byte order, each header line is
//! `lower(name):trim(value)\n`; the string to sign is `ACS3-HMAC-SHA256\nhex(sha256(canonical request))`
//! and the signature is `hex(HMAC-SHA256(secret, string to sign))` with the raw secret as key.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::{hmac_sha256, sha256_hex};

/// The algorithm name, as sent in the `Authorization` header.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// RFC 3986: everything but `A-Z a-z 0-9 - _ . ~` is encoded (space as `%20`, `*` as `%2A`).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one query name or value the way ACS3 canonicalises it.
pub fn percent_encode(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// Builds the canonical query string from unencoded `(name, value)` pairs: each part encoded, the
/// pairs sorted by encoded name (then value), joined with `&`. The same string is what the client
/// sends as the URL query, so the server sees exactly what was signed.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (percent_encode(k.as_ref()), percent_encode(v.as_ref())))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// Everything ACS3 signs.
#[derive(Clone, Copy)]
pub struct Acs3Input<'a> {
    /// The AccessKey ID.
    pub access_key_id: &'a str,
    /// The AccessKey secret; used only as the HMAC key.
    pub access_key_secret: &'a str,
    /// HTTP method, upper case.
    pub method: &'a str,
    /// The canonical URI (`/` for RPC-style APIs).
    pub path: &'a str,
    /// The canonical query string, already built by [`canonical_query`].
    pub query: &'a str,
    /// The headers to sign, as `(name, value)`: `host` and every `x-acs-*` header sent.
    pub headers: &'a [(&'a str, &'a str)],
    /// The exact body bytes (empty for RPC calls with query parameters).
    pub payload: &'a [u8],
}

impl std::fmt::Debug for Acs3Input<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acs3Input")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

/// Every stage of an ACS3 signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Signature {
    /// Hex SHA-256 of the payload (also sent as `x-acs-content-sha256`).
    pub hashed_payload: String,
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

/// Computes every stage of the ACS3 signature.
pub fn sign(input: &Acs3Input<'_>) -> Acs3Signature {
    let hashed_payload = sha256_hex(input.payload);
    let mut headers: Vec<(String, &str)> = input
        .headers
        .iter()
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim()))
        .collect();
    headers.sort();
    let canonical_headers: String = headers.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let signed_headers = headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        input.method, input.path, input.query, canonical_headers, signed_headers, hashed_payload
    );
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let string_to_sign = format!("{ALGORITHM}\n{hashed_canonical_request}");
    let signature = hex::encode(hmac_sha256(
        input.access_key_secret.as_bytes(),
        string_to_sign.as_bytes(),
    ));
    let authorization = format!(
        "{ALGORITHM} Credential={},SignedHeaders={},Signature={}",
        input.access_key_id, signed_headers, signature
    );
    Acs3Signature {
        hashed_payload,
        canonical_headers,
        signed_headers,
        canonical_request,
        hashed_canonical_request,
        string_to_sign,
        signature,
        authorization,
    }
}

/// The parts of an ACS3 `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acs3Authorization {
    /// The AccessKey ID the client claims.
    pub access_key_id: String,
    /// The signed header names, in the order given.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Parses `ACS3-HMAC-SHA256 Credential=ID,SignedHeaders=a;b,Signature=HEX`.
///
/// Returns `None` when the header is not a well-formed ACS3 authorization.
pub fn parse_authorization(value: &str) -> Option<Acs3Authorization> {
    let (credential, signed, signature) = super::parse_authorization_fields(value, ALGORITHM)?;
    Some(Acs3Authorization {
        access_key_id: credential.to_owned(),
        signed_headers: signed.split(';').map(str::to_owned).collect(),
        signature: signature.to_owned(),
    })
}

/// Formats a Unix timestamp as `x-acs-date` wants it: UTC, `yyyy-MM-ddTHH:mm:ssZ`.
pub fn format_date(timestamp: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(timestamp)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an `x-acs-date` value back to Unix seconds (for verifiers); `None` if malformed.
pub fn parse_date(value: &str) -> Option<i64> {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::PrimitiveDateTime::parse(value, format)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}
