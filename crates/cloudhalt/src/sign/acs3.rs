//! ACS3-HMAC-SHA256, Alibaba Cloud's V3 request signature.
//!
//! Rules (Alibaba "V3 request structure and signature"): the canonical request is
//! `METHOD\nPATH\nCANONICAL_QUERY\nCANONICAL_HEADERS\nSIGNED_HEADERS\nhex(sha256(body))`, where the
//! query is RFC 3986-encoded and sorted by name in plain byte order, each header line is
//! `lower(name):trim(value)\n`; the string to sign is `ACS3-HMAC-SHA256\nhex(sha256(canonical request))`
//! and the signature is `hex(HMAC-SHA256(secret, string to sign))` with the raw secret as key.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

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

/// The first 16 bytes of `name` as a big-endian number, zero-padded, read as a few whole words:
/// names are a dozen bytes, and a byte-by-byte copy (or a `memcpy` call) per name costs more than
/// the comparisons it serves.
fn prefix_key(name: &[u8]) -> u128 {
    let n = name.len();
    if let Some(head) = name.first_chunk::<16>() {
        return u128::from_be_bytes(*head);
    }
    // Two overlapping 8-byte (or 4-byte) reads cover 8..16 (4..8) bytes; the second read's bytes
    // that the first already holds are shifted out.
    let (hi, lo) = if n >= 8 {
        let hi = u64::from_be_bytes(name[..8].try_into().unwrap_or_default());
        let tail = u64::from_be_bytes(name[n - 8..].try_into().unwrap_or_default());
        (hi, if n == 8 { 0 } else { tail << (8 * (16 - n)) })
    } else {
        let word = if n >= 4 {
            let hi = u32::from_be_bytes(name[..4].try_into().unwrap_or_default());
            let tail = u32::from_be_bytes(name[n - 4..].try_into().unwrap_or_default());
            let lo = if n == 4 { 0 } else { tail << (8 * (8 - n)) };
            (u64::from(hi) << 32) | u64::from(lo)
        } else {
            name.iter()
                .enumerate()
                .fold(0u64, |word, (i, &b)| word | (u64::from(b) << (56 - 8 * i)))
        };
        (word, 0)
    };
    (u128::from(hi) << 64) | u128::from(lo)
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
    plain_query(params).unwrap_or_else(|| encoded_query(params))
}

/// The canonical query when no name or value needs encoding, which the parameters of these
/// operations never do: the pairs joined as given, in the order of their names' bytes, then the
/// whole string checked in one vectorised pass (rather than each name and value on its own).
/// `None` when some byte needs encoding, for [`encoded_query`] to build it.
fn plain_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> Option<String> {
    let n = params.len();
    if n == 0 {
        return Some(String::new());
    }
    let name = |i: usize| params[i].0.as_ref();
    let value = |i: usize| params[i].1.as_ref();
    // Names of at most 14 bytes leave the last two bytes of their 16-byte key zero: the index
    // goes there, and the sort compares plain numbers. Two equal names would then be ordered by
    // index, not by value: such a list (never one of these operations') is sorted the long way.
    let packed = n <= 1 << 16 && params.iter().all(|(k, _)| k.as_ref().len() <= 14);
    let mut keys: Vec<u128> = Vec::new();
    if packed {
        keys = (0..n)
            .map(|i| prefix_key(name(i).as_bytes()) | i as u128)
            .collect();
        keys.sort_unstable();
        if keys.windows(2).any(|w| w[0] >> 16 == w[1] >> 16) {
            keys.clear();
        }
    }
    let order: Vec<usize> = if keys.is_empty() {
        let mut order: Vec<(u128, usize)> = (0..n)
            .map(|i| (prefix_key(name(i).as_bytes()), i))
            .collect();
        order.sort_unstable_by(|&(ka, a), &(kb, b)| {
            ka.cmp(&kb)
                .then_with(|| tie_break((name(a), value(a)), (name(b), value(b))))
        });
        order.into_iter().map(|(_, i)| i).collect()
    } else {
        keys.into_iter().map(|k| (k & 0xffff) as usize).collect()
    };
    let len: usize = params
        .iter()
        .map(|(k, v)| k.as_ref().len() + v.as_ref().len() + 2)
        .sum();
    let mut query = String::with_capacity(len);
    for (i, &at) in order.iter().enumerate() {
        if i > 0 {
            query.push('&');
        }
        query.push_str(name(at));
        query.push('=');
        query.push_str(value(at));
    }
    // Every byte stands for itself or is `=` or `&`, and there are exactly the n `=` and n - 1
    // `&` put in here: so no name or value holds a byte to encode, each is its own encoding, and
    // the order above (by the bytes as given) is the order of the encoded names.
    // Counted in byte-sized lanes (128 bytes hold at most 128 separators), so that the loop runs
    // vectorised.
    let separator = |b: u8| (b == b'=') | (b == b'&');
    let (allowed, separators) =
        query
            .as_bytes()
            .chunks(128)
            .fold((true, 0usize), |(allowed, count), chunk| {
                let ok = chunk
                    .iter()
                    .fold(true, |all, &b| all & (unreserved(b) | separator(b)));
                let seps = chunk
                    .iter()
                    .fold(0u8, |n, &b| n.wrapping_add(u8::from(separator(b))));
                (allowed & ok, count + usize::from(seps))
            });
    (allowed && separators == 2 * n - 1).then_some(query)
}

/// Orders two `(name, value)` pairs whose 16-byte name starts are equal: by whole name, then by
/// value, as encoded bytes. Kept out of line (and cold): names of these operations differ within
/// 16 bytes, and the comparison the sort inlines stays one `u128` compare.
#[cold]
#[inline(never)]
fn tie_break(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    encoded(a.0)
        .as_bytes()
        .cmp(encoded(b.0).as_bytes())
        .then_with(|| encoded(a.1).as_bytes().cmp(encoded(b.1).as_bytes()))
}

/// The canonical query when some name or value needs encoding: each part encoded first, then
/// sorted by its encoded bytes (encoding changes the order: `%` sorts before letters).
fn encoded_query<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)]) -> String {
    let pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> = params
        .iter()
        .map(|(k, v)| (encoded(k.as_ref()), encoded(v.as_ref())))
        .collect();
    let mut order: Vec<&(Cow<'_, str>, Cow<'_, str>)> = pairs.iter().collect();
    order.sort_unstable_by(|a, b| {
        (a.0.as_bytes(), a.1.as_bytes()).cmp(&(b.0.as_bytes(), b.1.as_bytes()))
    });
    let len: usize = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut query = String::with_capacity(len);
    for (i, (k, v)) in order.into_iter().enumerate() {
        if i > 0 {
            query.push('&');
        }
        query.push_str(k);
        query.push('=');
        query.push_str(v);
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
    // Hashed part by part: the canonical request (mostly the query, kilobytes for 50 IDs) is
    // never copied into one string.
    let mut hasher = Sha256::new();
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            hasher.update(b"\n");
        }
        hasher.update(part.as_bytes());
    }
    let hashed_canonical_request = hex32(&hasher.finalize().into());
    let mut text = String::with_capacity(ALGORITHM.len() + 1 + 64);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule as written: encode each part, sort the pairs by their encoded bytes, join.
    fn reference(params: &[(String, String)]) -> String {
        let mut pairs: Vec<(String, String)> = params
            .iter()
            .map(|(k, v)| (percent_encode(k), percent_encode(v)))
            .collect();
        pairs.sort();
        let parts: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.join("&")
    }

    #[test]
    fn the_canonical_query_follows_the_rule_on_every_path() {
        // Names and values drawn (deterministically) from pieces that do and do not need
        // encoding, `=` and `&` among them, names longer and shorter than the 14 bytes the packed
        // sort takes, and repeated names whose values decide the order.
        let pieces = [
            "InstanceId.",
            "RegionId",
            "i-bp67",
            "a",
            "Z",
            "~",
            "%",
            "=",
            "&",
            " ",
            "é",
            "+",
            "*",
            "12",
            "9",
            "",
            "LongParameterName",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |m: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % m as u64) as usize
        };
        for round in 0..3000 {
            let n = 1 + next(12);
            let mut params: Vec<(String, String)> = Vec::new();
            for _ in 0..n {
                let (kn, vn) = (1 + next(3), next(3));
                let k: String = (0..kn).map(|_| pieces[next(pieces.len())]).collect();
                let v: String = (0..vn).map(|_| pieces[next(pieces.len())]).collect();
                params.push((k, v));
            }
            if round % 5 == 0 {
                // A repeated name, last with a value that sorts first.
                let (k, _) = params[0].clone();
                params.push((k, String::new()));
            }
            assert_eq!(canonical_query(&params), reference(&params), "{params:?}");
        }
        let repeated = [("A", "b"), ("A", "a")].map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(canonical_query(&repeated), "A=a&A=b");
        // Plain names and values, the client's own case, in and out of the packed sort.
        for n in [1, 2, 50, 100, 70_000] {
            let params: Vec<(String, String)> = (1..=n)
                .map(|i| (format!("InstanceId.{i}"), format!("i-{i:x}")))
                .collect();
            assert_eq!(canonical_query(&params), reference(&params), "{n} pairs");
        }
    }

    #[test]
    fn name_keys_order_like_the_names_bytes() {
        let names: Vec<Vec<u8>> = (0..=18)
            .flat_map(|len| {
                [b'A', b'z', b'.'].map(|c| {
                    let mut n: Vec<u8> = b"InstanceId.123456"
                        .iter()
                        .copied()
                        .cycle()
                        .take(len)
                        .collect();
                    if len > 0 {
                        n[len - 1] = c;
                    }
                    n
                })
            })
            .collect();
        for a in &names {
            for b in &names {
                let by_key = prefix_key(a).cmp(&prefix_key(b));
                let (a16, b16) = (&a[..a.len().min(16)], &b[..b.len().min(16)]);
                assert_eq!(by_key, a16.cmp(b16), "{a:?} {b:?}");
            }
        }
    }
}
