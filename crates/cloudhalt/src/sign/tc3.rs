//! TC3-HMAC-SHA256, Tencent Cloud API 3.0 signing.
//!
//! Rules (Tencent "Signature v3"): the canonical request is
//! `METHOD\n/\nQUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nhex(sha256(body))`, where each canonical header
//! line is `name:value\n` with both name and value lower-cased and trimmed; the string to sign is
//! `TC3-HMAC-SHA256\n<timestamp>\n<utc-date>/<service>/tc3_request\nhex(sha256(canonical request))`;
//! the key is derived as `HMAC(HMAC(HMAC("TC3"+key, date), service), "tc3_request")`.

use std::borrow::Cow;

use super::{ReadyKey, bytes_equal, hex32, hmac_sha256, sha256, sha256_hex};

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
    super::ascii(&utc_date_bytes(timestamp)).to_owned()
}

/// The last second of 9999-12-31 UTC: the calendar arithmetic below covers 1970 to there.
const LAST_TIMESTAMP: i64 = 253_402_300_799;

/// [`utc_date`] into a fixed buffer: the civil-from-days arithmetic (H. Hinnant's), no
/// allocation; outside 1970..=9999 (never a real clock) the `time` crate's calendar.
fn utc_date_bytes(timestamp: i64) -> [u8; 10] {
    if !(0..=LAST_TIMESTAMP).contains(&timestamp) {
        return slow_utc_date(timestamp);
    }
    let z = timestamp / 86_400 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mut out = *b"0000-00-00";
    for (at, value, width) in [(0, year, 4), (5, month, 2), (8, day, 2)] {
        let mut v = value;
        for i in (at..at + width).rev() {
            // Each digit is 0..=9: the cast cannot truncate.
            out[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    out
}

fn slow_utc_date(timestamp: i64) -> [u8; 10] {
    let text = match time::OffsetDateTime::from_unix_timestamp(timestamp) {
        Ok(t) => format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day()),
        Err(_) => String::new(),
    };
    // Out of range timestamps cannot come from a real clock; keep the scope well-formed.
    text.as_bytes().try_into().unwrap_or(*b"1970-01-01")
}

/// The signing key of one secret, date and service, derived once: every request of a day to one
/// service signs with the same key (three HMACs, twelve SHA-256 compressions, saved per request).
///
/// Kept per thread (no lock on the hot path), at most one entry per service: a different secret or
/// date for a service replaces its entry, so a rotated secret's copy does not linger. The copy of
/// the secret is wiped when its entry goes.
struct CachedKey {
    secret: zeroize::Zeroizing<Vec<u8>>,
    date: [u8; 10],
    service: String,
    key: ReadyKey,
}

/// More services than cloudhalt signs for (cvm, tat, as, sts): a bound, not a tuning knob.
const MAX_CACHED_KEYS: usize = 8;

thread_local! {
    static SIGNING_KEYS: std::cell::RefCell<Vec<CachedKey>> = const {
        std::cell::RefCell::new(Vec::new())
    };
}

fn derive_signing_key(secret_key: &str, date: &[u8; 10], service: &str) -> ReadyKey {
    // The prefixed key is a copy of the secret: wipe it after use.
    let mut prefixed = zeroize::Zeroizing::new(Vec::with_capacity(3 + secret_key.len()));
    prefixed.extend_from_slice(b"TC3");
    prefixed.extend_from_slice(secret_key.as_bytes());
    let k_date = zeroize::Zeroizing::new(hmac_sha256(&prefixed, date));
    let k_service = zeroize::Zeroizing::new(hmac_sha256(&*k_date, service.as_bytes()));
    let k_signing = zeroize::Zeroizing::new(hmac_sha256(&*k_service, b"tc3_request"));
    ReadyKey::new(&*k_signing)
}

/// HMAC-SHA256 of `data` under the signing key of `secret_key`, `date` and `service`.
fn mac_with_signing_key(secret_key: &str, date: &[u8; 10], service: &str, data: &[u8]) -> [u8; 32] {
    let cached = SIGNING_KEYS.try_with(|keys| {
        let mut keys = keys.borrow_mut();
        let slot = keys.iter().position(|k| k.service == service);
        if let Some(i) = slot {
            let k = &keys[i];
            if k.date == *date && bytes_equal(&k.secret, secret_key.as_bytes()) {
                return k.key.mac(data);
            }
        }
        let key = derive_signing_key(secret_key, date, service);
        let mac = key.mac(data);
        let entry = CachedKey {
            secret: zeroize::Zeroizing::new(secret_key.as_bytes().to_vec()),
            date: *date,
            service: service.to_owned(),
            key,
        };
        match slot {
            Some(i) => keys[i] = entry,
            None => {
                if keys.len() == MAX_CACHED_KEYS {
                    keys.remove(0);
                }
                keys.push(entry);
            }
        }
        mac
    });
    // No thread-local storage (a thread being torn down): derive without caching.
    cached.unwrap_or_else(|_| derive_signing_key(secret_key, date, service).mac(data))
}

/// The canonical header lines and the signed header names: names trimmed and lower-cased, values
/// trimmed and lower-cased, sorted by name then value.
fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut lines: Vec<(Cow<'_, str>, Cow<'_, str>)> = headers
        .iter()
        .map(|(n, v)| {
            let (n, v) = (n.trim(), v.trim());
            let name = if n.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(n.to_ascii_lowercase())
            } else {
                Cow::Borrowed(n)
            };
            let value = if v.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
                Cow::Owned(v.to_lowercase())
            } else {
                Cow::Borrowed(v)
            };
            (name, value)
        })
        .collect();
    lines.sort();
    let mut canonical =
        String::with_capacity(lines.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
    let mut signed = String::with_capacity(lines.iter().map(|(n, _)| n.len() + 1).sum());
    for (i, (n, v)) in lines.iter().enumerate() {
        canonical.push_str(n);
        canonical.push(':');
        canonical.push_str(v);
        canonical.push('\n');
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(n);
    }
    (canonical, signed)
}

/// Computes every stage of the TC3 signature.
///
/// The signing key of a secret, date and service is derived once per thread and kept in a
/// per-thread cache; the result is the same as deriving it every time.
pub fn sign(input: &Tc3Input<'_>) -> Tc3Signature {
    let hashed_payload = sha256_hex(input.payload);
    let date_bytes = utc_date_bytes(input.timestamp);
    let date = super::ascii(&date_bytes).to_owned();
    let mut credential_scope = String::with_capacity(date.len() + input.service.len() + 13);
    credential_scope.push_str(&date);
    credential_scope.push('/');
    credential_scope.push_str(input.service);
    credential_scope.push_str("/tc3_request");

    let (canonical_headers, signed_headers) = canonical_headers(input.headers);

    let mut canonical_request = String::with_capacity(
        input.method.len()
            + input.query.len()
            + canonical_headers.len()
            + signed_headers.len()
            + hashed_payload.len()
            + 6,
    );
    for (i, part) in [
        input.method,
        "/",
        input.query,
        &canonical_headers,
        &signed_headers,
        &hashed_payload,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            canonical_request.push('\n');
        }
        canonical_request.push_str(part);
    }
    let hashed_canonical_request = sha256_hex(canonical_request.as_bytes());
    let mut timestamp = itoa_buf();
    let timestamp = format_i64(input.timestamp, &mut timestamp);
    let mut string_to_sign =
        String::with_capacity(ALGORITHM.len() + timestamp.len() + credential_scope.len() + 64 + 3);
    for (i, part) in [
        ALGORITHM,
        timestamp,
        &credential_scope,
        &hashed_canonical_request,
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            string_to_sign.push('\n');
        }
        string_to_sign.push_str(part);
    }

    let mac = mac_with_signing_key(
        input.secret_key,
        &date_bytes,
        input.service,
        string_to_sign.as_bytes(),
    );
    let signature = super::ascii(&hex32(&mac)).to_owned();

    let mut authorization = String::with_capacity(
        ALGORITHM.len()
            + input.secret_id.len()
            + credential_scope.len()
            + signed_headers.len()
            + signature.len()
            + 48,
    );
    for part in [
        ALGORITHM,
        " Credential=",
        input.secret_id,
        "/",
        &credential_scope,
        ", SignedHeaders=",
        &signed_headers,
        ", Signature=",
        &signature,
    ] {
        authorization.push_str(part);
    }
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

/// The `Authorization` header of `input`: the same value as `sign(input).authorization`, without
/// keeping the stages (what a client sends; six allocations instead of fourteen).
pub fn authorization(input: &Tc3Input<'_>) -> String {
    let hashed_payload = hex32(&sha256(input.payload));
    let date = utc_date_bytes(input.timestamp);
    let (canonical_headers, signed_headers) = canonical_headers(input.headers);
    let mut text = String::with_capacity(
        input.method.len()
            + input.query.len()
            + canonical_headers.len()
            + signed_headers.len()
            + 64
            + 6,
    );
    for (i, part) in [
        input.method,
        "/",
        input.query,
        &canonical_headers,
        &signed_headers,
        super::ascii(&hashed_payload),
    ]
    .into_iter()
    .enumerate()
    {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(part);
    }
    let hashed_canonical_request = hex32(&sha256(text.as_bytes()));
    // The string to sign, in the same buffer.
    text.clear();
    let mut timestamp = itoa_buf();
    for part in [
        ALGORITHM,
        "\n",
        format_i64(input.timestamp, &mut timestamp),
        "\n",
        super::ascii(&date),
        "/",
        input.service,
        "/tc3_request\n",
        super::ascii(&hashed_canonical_request),
    ] {
        text.push_str(part);
    }
    let signature = hex32(&mac_with_signing_key(
        input.secret_key,
        &date,
        input.service,
        text.as_bytes(),
    ));
    let parts = [
        ALGORITHM,
        " Credential=",
        input.secret_id,
        "/",
        super::ascii(&date),
        "/",
        input.service,
        "/tc3_request, SignedHeaders=",
        &signed_headers,
        ", Signature=",
        super::ascii(&signature),
    ];
    let mut authorization = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        authorization.push_str(part);
    }
    authorization
}

/// A buffer for [`format_i64`].
fn itoa_buf() -> [u8; 20] {
    [0; 20]
}

/// The decimal text of `value` in `buf` (no allocation; `i64::MIN` included).
fn format_i64(value: i64, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    let mut v = value.unsigned_abs();
    loop {
        at -= 1;
        // One digit, 0..=9.
        buf[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    if value < 0 {
        at -= 1;
        buf[at] = b'-';
    }
    super::ascii(&buf[at..])
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
