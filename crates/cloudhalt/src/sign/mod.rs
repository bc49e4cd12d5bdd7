//! Request signing for both providers: pure functions from inputs (credentials, clock, nonce, the
//! exact bytes to send) to every intermediate stage, so that each stage can be tested against the
//! providers' worked examples. Nothing here knows about HTTP transport.

pub mod acs3;
pub mod tc3;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Hex SHA-256 of no bytes.
const EMPTY_SHA256_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    // The hash of the empty body every Alibaba RPC call signs: no compression for it.
    if data.is_empty() {
        return EMPTY_SHA256_HEX.to_owned();
    }
    ascii(&hex32(&sha256(data))).to_owned()
}

/// Raw HMAC-SHA256 of `data` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Constant-time comparison of two signature strings, for verifiers (the emulator).
pub fn signatures_equal(a: &str, b: &str) -> bool {
    bytes_equal(a.as_bytes(), b.as_bytes())
}

/// Splits the `Credential=..., SignedHeaders=..., Signature=...` part of an `Authorization` header
/// that follows `algorithm` (both providers use these three fields; TC3 puts a space after each
/// comma, ACS3 none). Returns `None` on anything else.
pub(crate) fn parse_authorization_fields<'a>(
    value: &'a str,
    algorithm: &str,
) -> Option<(&'a str, &'a str, &'a str)> {
    let rest = value.strip_prefix(algorithm)?.trim_start();
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => return None,
        }
    }
    Some((credential?, signed?, signature?))
}

/// Lower-case hex of a SHA-256 digest, into a fixed buffer (no allocation).
pub(crate) fn hex32(digest: &[u8; 32]) -> [u8; 64] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, byte) in digest.iter().enumerate() {
        out[2 * i] = DIGITS[usize::from(byte >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(byte & 0x0f)];
    }
    out
}

/// Text made of ASCII bytes only (hex digits, dates, decimal numbers built here).
pub(crate) fn ascii(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

/// Raw SHA-256 of `data`.
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// An HMAC-SHA256 key made ready once: its padded inner and outer blocks are compressed when it is
/// made, so that each message then costs only its own blocks (HMAC-SHA256 of a short message:
/// three compressions instead of five).
#[derive(Clone)]
pub(crate) struct ReadyKey(Hmac<Sha256>);

impl ReadyKey {
    pub(crate) fn new(key: &[u8]) -> ReadyKey {
        // HMAC accepts keys of any length, so `new_from_slice` cannot fail.
        ReadyKey(Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length"))
    }

    /// HMAC-SHA256 of `data` under this key.
    pub(crate) fn mac(&self, data: &[u8]) -> [u8; 32] {
        let mut mac = self.0.clone();
        mac.update(data);
        mac.finalize().into_bytes().into()
    }
}

impl std::fmt::Debug for ReadyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReadyKey(<redacted>)")
    }
}

/// Constant-time equality of two byte strings (the length is not hidden).
pub(crate) fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator: the same "random" inputs on every run.
    fn lcg(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state >> 33
    }

    /// TC3 as specified, every key derived afresh: what the cached signer must equal.
    fn tc3_reference(secret: &str, date: &str, service: &str, string_to_sign: &str) -> String {
        let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), date.as_bytes());
        let k_service = hmac_sha256(&k_date, service.as_bytes());
        let k_signing = hmac_sha256(&k_service, b"tc3_request");
        hex::encode(hmac_sha256(&k_signing, string_to_sign.as_bytes()))
    }

    fn tc3(secret: &str, service: &str, timestamp: i64) -> tc3::Tc3Signature {
        tc3::sign(&tc3::Tc3Input {
            secret_id: "AKIDcache",
            secret_key: secret,
            service,
            method: "POST",
            query: "",
            headers: &[
                ("Content-Type", "application/json"),
                ("Host", "cvm.tencentcloudapi.com"),
            ],
            payload: b"{}",
            timestamp,
        })
    }

    #[test]
    fn a_cached_tc3_signing_key_signs_as_a_fresh_one() {
        // Same secret twice, then another secret, date and service, then back: every signature is
        // the one a key derived afresh gives, so no entry is served for the wrong inputs.
        let day = 1_700_000_000;
        let cases = [
            ("secret-one", "cvm", day),
            ("secret-one", "cvm", day + 10),
            ("secret-two", "cvm", day),
            ("secret-one", "cvm", day + 86_400),
            ("secret-one", "tat", day),
            ("secret-one", "cvm", day),
            ("secret-onf", "cvm", day),
        ];
        for (secret, service, timestamp) in cases {
            let got = tc3(secret, service, timestamp);
            let want = tc3_reference(secret, &got.date, service, &got.string_to_sign);
            assert_eq!(got.signature, want, "{secret} {service} {timestamp}");
        }
        // More services than the cache holds, in turn: still right.
        for round in 0..3 {
            for i in 0..12 {
                let service = format!("svc{i}");
                let got = tc3("secret-one", &service, day + round);
                let want = tc3_reference("secret-one", &got.date, &service, &got.string_to_sign);
                assert_eq!(got.signature, want, "{service}");
            }
        }
    }

    #[test]
    fn a_cached_acs3_key_signs_as_a_fresh_one() {
        for secret in ["secret-one", "secret-one", "secret-two", "secret-one"] {
            let got = acs3::sign(&acs3::Acs3Input {
                access_key_id: "id",
                access_key_secret: secret,
                method: "POST",
                path: "/",
                query: "A=1",
                headers: &[("host", "ecs.cn-hangzhou.aliyuncs.com")],
                payload: b"",
            });
            let want = hex::encode(hmac_sha256(
                secret.as_bytes(),
                got.string_to_sign.as_bytes(),
            ));
            assert_eq!(got.signature, want, "{secret}");
        }
    }

    fn vectors(name: &str) -> Vec<serde_json::Value> {
        let path = format!(
            "{}/../../tests/vectors/signing/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        doc["testGroups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["tests"].as_array().unwrap().clone())
            .collect()
    }

    #[test]
    fn the_hot_path_authorizations_equal_the_staged_ones_and_the_vectors() {
        let s = |v: &serde_json::Value, k: &str| v[k].as_str().unwrap().to_owned();
        for t in vectors("tc3_hmac_sha256.json") {
            let (i, e) = (&t["input"], &t["expected"]);
            let (ct, host, action) = (s(i, "contentType"), s(i, "host"), s(i, "action"));
            let mut headers = vec![("content-type", ct.as_str()), ("host", host.as_str())];
            if s(i, "signedHeaders").contains("x-tc-action") {
                headers.push(("x-tc-action", action.as_str()));
            }
            let (id, key, service, payload) = (
                s(i, "secretId"),
                s(i, "secretKey"),
                s(i, "service"),
                s(i, "payload"),
            );
            let input = tc3::Tc3Input {
                secret_id: &id,
                secret_key: &key,
                service: &service,
                method: "POST",
                query: "",
                headers: &headers,
                payload: payload.as_bytes(),
                timestamp: i["timestamp"].as_i64().unwrap(),
            };
            assert_eq!(
                tc3::authorization(&input),
                s(e, "authorization"),
                "{}",
                t["tcId"]
            );
            assert_eq!(tc3::authorization(&input), tc3::sign(&input).authorization);
        }
        for t in vectors("acs3_hmac_sha256.json") {
            let (i, e) = (&t["input"], &t["expected"]);
            let pairs: Vec<(String, String)> = i["query"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
                .collect();
            let query = acs3::canonical_query(&pairs);
            let payload = s(i, "payload");
            let hashed = sha256_hex(payload.as_bytes());
            let (host, action, date, nonce, version) = (
                s(i, "host"),
                s(i, "action"),
                s(i, "date"),
                s(i, "nonce"),
                s(i, "version"),
            );
            let mut headers = vec![
                ("host", host.as_str()),
                ("x-acs-action", action.as_str()),
                ("x-acs-content-sha256", hashed.as_str()),
                ("x-acs-date", date.as_str()),
                ("x-acs-signature-nonce", nonce.as_str()),
                ("x-acs-version", version.as_str()),
            ];
            let token = i["securityToken"].as_str().map(str::to_owned);
            if let Some(token) = &token {
                headers.push(("x-acs-security-token", token.as_str()));
            }
            let (id, secret, method, path) = (
                s(i, "accessKeyId"),
                s(i, "accessKeySecret"),
                s(i, "method"),
                s(i, "path"),
            );
            let input = acs3::Acs3Input {
                access_key_id: &id,
                access_key_secret: &secret,
                method: &method,
                path: &path,
                query: &query,
                headers: &headers,
                payload: payload.as_bytes(),
            };
            assert_eq!(
                acs3::authorization(&input),
                s(e, "authorization"),
                "{}",
                t["tcId"]
            );
            assert_eq!(
                acs3::authorization(&input),
                acs3::sign(&input).authorization
            );
        }
    }

    #[test]
    fn the_signing_key_cache_shows_no_secret() {
        let shown = format!("{:?}", ReadyKey::new(b"very-secret-value"));
        assert!(!shown.contains("very-secret-value"), "{shown}");
    }

    #[test]
    fn the_calendar_arithmetic_agrees_with_the_time_crate() {
        let slow = |t: i64| {
            let d = time::OffsetDateTime::from_unix_timestamp(t).unwrap();
            format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
        };
        let mut state = 7;
        let mut stamps = vec![
            0,
            86_399,
            86_400,
            951_782_400,     // 2000-02-29
            951_868_800,     // 2000-03-01
            4_107_542_400,   // 2100-03-01
            253_402_300_799, // 9999-12-31T23:59:59
            1_764_633_599,   // 2025-12-01T23:59:59
            1_764_633_600,   // 2025-12-02T00:00:00
        ];
        stamps.extend((0..20_000).map(|_| (lcg(&mut state) as i64) % 253_402_300_800));
        for t in stamps {
            assert_eq!(tc3::utc_date(t), slow(t), "timestamp {t}");
        }
        // Outside the fast range: the time crate's calendar, or the well-formed placeholder.
        assert_eq!(tc3::utc_date(-1), "1969-12-31");
        assert_eq!(tc3::utc_date(i64::MAX), "1970-01-01");
    }

    #[test]
    fn percent_encoding_agrees_with_the_percent_encoding_crate() {
        const RFC3986: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
            .remove(b'-')
            .remove(b'_')
            .remove(b'.')
            .remove(b'~');
        let alphabet: Vec<char> = "aZ09-_.~ *%&=+/?#\u{e9}\u{4e2d}\u{1f600}\n"
            .chars()
            .collect();
        let mut state = 11;
        for _ in 0..5_000 {
            let len = lcg(&mut state) % 12;
            let s: String = (0..len)
                .map(|_| alphabet[(lcg(&mut state) as usize) % alphabet.len()])
                .collect();
            let want = percent_encoding::utf8_percent_encode(&s, RFC3986).to_string();
            assert_eq!(acs3::percent_encode(&s), want, "{s:?}");
        }
    }

    #[test]
    fn the_canonical_query_sorts_encoded_names_then_values() {
        let q = acs3::canonical_query(&[
            ("b", "2"),
            ("a b", "x"),
            ("InstanceId.10", "i-10"),
            ("InstanceId.2", "i-2"),
            ("a", "2"),
            ("a", "1"),
        ]);
        assert_eq!(q, "InstanceId.10=i-10&InstanceId.2=i-2&a=1&a=2&a%20b=x&b=2");
        assert_eq!(acs3::canonical_query::<&str, &str>(&[]), "");
    }

    #[test]
    fn the_empty_body_hash_is_the_sha256_of_nothing() {
        assert_eq!(sha256_hex(b""), hex::encode(Sha256::digest(b"")));
        assert_eq!(sha256_hex(b"abc"), hex::encode(Sha256::digest(b"abc")));
    }
}
