//! Request signing for both providers: pure functions from inputs (credentials, clock, nonce, the
//! exact bytes to send) to every intermediate stage, so that each stage can be tested against the
//! providers' worked examples. Nothing here knows about HTTP transport.

pub mod acs3;
pub mod tc3;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
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
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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
