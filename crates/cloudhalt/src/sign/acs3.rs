//! ACS3-HMAC-SHA256, Alibaba Cloud's V3 request signature.
//!
//! Rules (Alibaba "V3 request structure and signature"): the canonical request is
//! `METHOD\nPATH\nCANONICAL_QUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nhex(sha256(body))`, where the
//! query is RFC 3986-encoded and sorted by name in plain byte order, each header line is
//! `lower(name):trim(value)\n`; the string to sign is `ACS3-HMAC-SHA256\nhex(sha256(canonical request))`
//! and the signature is `hex(HMAC-SHA256(secret, string to sign))` with the raw secret as key.

use std::borrow::Cow;

use super::{ReadyKey, bytes_equal, hex32, sha256_hex};

/// The algorithm name, as sent in the `Authorization` header.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// Whether a byte stands for itself in RFC 3986: `A-Z a-z 0-9 - _ . ~`.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    table
};

/// Whether `b` stands for itself, as range checks the compiler can run on many bytes at once.
fn unreserved(b: u8) -> bool {
    b.is_ascii_digit()
        || (b | 0x20).wrapping_sub(b'a') < 26
        || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Appends `s` RFC 3986-encoded (every byte but `A-Z a-z 0-9 - _ . ~` as `%XX`, upper-case hex,
/// the same as `utf8_percent_encode(s, RFC3986)`).
fn encode_into(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = s.as_bytes();
    // Names and values of these operations need no encoding: checked without a branch per byte
    // (vectorised), then copied whole.
    if bytes.iter().fold(true, |all, &b| all & unreserved(b)) {
        out.extend_from_slice(bytes);
        return;
    }
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if UNRESERVED[usize::from(b)] {
            continue;
        }
        out.extend_from_slice(&bytes[run..i]);
        out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0x0f)]]);
        run = i + 1;
    }
    out.extend_from_slice(&bytes[run..]);
}

/// Encoded bytes as text: [`encode_into`] writes ASCII only.
fn into_text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_default()
}

/// Percent-encodes one query name or value the way ACS3 canonicalises it.
pub fn percent_encode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    encode_into(&mut out, s);
    into_text(out)
}

/// One encoded query pair, and the start of its name as a number.
struct Part<'a> {
    /// The first 16 bytes of the encoded name, big-endian, zero-padded: comparing these compares
    /// the names' starts in byte order (an encoded name holds no zero byte, so a shorter name
    /// sorts first, as in byte order), and with them most names in one step.
    key: u128,
    /// The encoded name and value: borrowed from the input when they need no encoding (the
    /// names and IDs of these operations never do), so that most pairs cost no copy.
    name: Cow<'a, str>,
    value: Cow<'a, str>,
}

fn prefix_key(name: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    let n = name.len().min(16);
    bytes[..n].copy_from_slice(&name[..n]);
    u128::from_be_bytes(bytes)
}

/// `s` RFC 3986-encoded, borrowed when it is already.
fn encoded(s: &str) -> Cow<'_, str> {
    // Names and IDs are a dozen bytes or so: a table lookup per byte beats a vectorised check.
    if s.bytes().all(|b| UNRESERVED[usize::from(b)]) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(percent_encode(s))
    }
}

/// Builds the canonical query string from unencoded `(name, value)` pairs: each part encoded, the
/// pairs sorted by encoded name (then value), joined with `&`. The same string is what the client
/// sends as the URL query, so the server sees exactly what was signed.
pub fn canonical_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let pairs: Vec<Part<'_>> = params
        .iter()
        .map(|(k, v)| {
            let name = encoded(k.as_ref());
            Part {
                key: prefix_key(name.as_bytes()),
                name,
                value: encoded(v.as_ref()),
            }
        })
        .collect();
    // Sorted as small (key, index) pairs rather than moving the parts; equal pairs are equal
    // bytes, so an unstable sort gives the same string.
    let mut order: Vec<(u128, usize)> = pairs.iter().map(|p| p.key).zip(0..).collect();
    order.sort_unstable_by(|&(ka, a), &(kb, b)| {
        ka.cmp(&kb).then_with(|| {
            let (a, b) = (&pairs[a], &pairs[b]);
            a.name
                .as_bytes()
                .cmp(b.name.as_bytes())
                .then_with(|| a.value.as_bytes().cmp(b.value.as_bytes()))
        })
    });
    let len: usize = pairs.iter().map(|p| p.name.len() + p.value.len() + 2).sum();
    let mut query = String::with_capacity(len);
    for (i, &(_, at)) in order.iter().enumerate() {
        if i > 0 {
            query.push('&');
        }
        query.push_str(&pairs[at].name);
        query.push('=');
        query.push_str(&pairs[at].value);
    }
    query
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

/// The HMAC key of one AccessKey secret, made ready once per thread (its two padding
/// compressions saved per request); the copy of the secret is wiped when another replaces it.
struct CachedKey {
    secret: zeroize::Zeroizing<Vec<u8>>,
    key: ReadyKey,
}

thread_local! {
    static KEY: std::cell::RefCell<Option<CachedKey>> = const { std::cell::RefCell::new(None) };
}

/// HMAC-SHA256 of `data` under `secret`.
fn mac(secret: &str, data: &[u8]) -> [u8; 32] {
    let cached = KEY.try_with(|slot| {
        let mut slot = slot.borrow_mut();
        match &*slot {
            Some(k) if bytes_equal(&k.secret, secret.as_bytes()) => k.key.mac(data),
            _ => {
                let key = ReadyKey::new(secret.as_bytes());
                let mac = key.mac(data);
                *slot = Some(CachedKey {
                    secret: zeroize::Zeroizing::new(secret.as_bytes().to_vec()),
                    key,
                });
                mac
            }
        }
    });
    // No thread-local storage (a thread being torn down): key it for this message only.
    cached.unwrap_or_else(|_| ReadyKey::new(secret.as_bytes()).mac(data))
}

/// Computes every stage of the ACS3 signature.
pub fn sign(input: &Acs3Input<'_>) -> Acs3Signature {
    let hashed_payload = sha256_hex(input.payload);
    let (canonical_headers, signed_headers) = canonical_headers(input.headers);
    let parts = [
        input.method,
        input.path,
        input.query,
        &canonical_headers,
        &signed_headers,
        &hashed_payload,
    ];
    let mut canonical_request = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            canonical_request.push('\n');
        }
        canonical_request.push_str(part);
    }
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let mut string_to_sign = String::with_capacity(ALGORITHM.len() + 1 + 64);
    string_to_sign.push_str(ALGORITHM);
    string_to_sign.push('\n');
    string_to_sign.push_str(&hashed_canonical_request);
    let signature = super::ascii(&hex32(&mac(
        input.access_key_secret,
        string_to_sign.as_bytes(),
    )))
    .to_owned();
    let parts = [
        ALGORITHM,
        " Credential=",
        input.access_key_id,
        ",SignedHeaders=",
        &signed_headers,
        ",Signature=",
        &signature,
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        authorization.push_str(part);
    }
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

/// The `Authorization` header of `input`: the same value as `sign(input).authorization`, without
/// keeping the stages (no copy of the canonical request kept, three allocations instead of ten).
pub fn authorization(input: &Acs3Input<'_>) -> String {
    let hashed_payload = if input.payload.is_empty() {
        *EMPTY_HEX
    } else {
        hex32(&super::sha256(input.payload))
    };
    let (canonical_headers, signed_headers) = canonical_headers(input.headers);
    let parts = [
        input.method,
        input.path,
        input.query,
        &canonical_headers,
        &signed_headers,
        super::ascii(&hashed_payload),
    ];
    let mut text = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    let hashed_canonical_request = hex32(&super::sha256(text.as_bytes()));
    // The string to sign, in the same buffer.
    text.clear();
    text.push_str(ALGORITHM);
    text.push('\n');
    text.push_str(super::ascii(&hashed_canonical_request));
    let signature = hex32(&mac(input.access_key_secret, text.as_bytes()));
    let parts = [
        ALGORITHM,
        " Credential=",
        input.access_key_id,
        ",SignedHeaders=",
        &signed_headers,
        ",Signature=",
        super::ascii(&signature),
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        authorization.push_str(part);
    }
    authorization
}

/// The hex SHA-256 of no bytes, as bytes.
const EMPTY_HEX: &[u8; 64] = b"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The canonical header lines and the signed header names: names trimmed and lower-cased, values
/// trimmed, sorted by name then value.
fn canonical_headers(input: &[(&str, &str)]) -> (String, String) {
    let mut headers: Vec<(Cow<'_, str>, &str)> = input
        .iter()
        .map(|(n, v)| {
            let n = n.trim();
            let name = if n.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(n.to_ascii_lowercase())
            } else {
                Cow::Borrowed(n)
            };
            (name, v.trim())
        })
        .collect();
    headers.sort();
    let mut canonical_headers =
        String::with_capacity(headers.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    let mut signed_headers = String::with_capacity(headers.iter().map(|(n, _)| n.len() + 1).sum());
    for (i, (n, v)) in headers.iter().enumerate() {
        canonical_headers.push_str(n);
        canonical_headers.push(':');
        canonical_headers.push_str(v);
        canonical_headers.push('\n');
        if i > 0 {
            signed_headers.push(';');
        }
        signed_headers.push_str(n);
    }
    (canonical_headers, signed_headers)
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
