//! The signing stages, exposed for tests only: `tests/python` checks the shared vectors and the
//! official SDK's signatures through these. Clients never need them, so they are no API: the
//! native module exports them under private names (`_sign_tc3`, `_sign_acs3`) and only the
//! private `cloudhalt._testing` module re-exports them.

use cloudhalt::sign::{acs3, tc3};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Every stage of a TC3-HMAC-SHA256 signature, keyed as in `tests/vectors/signing/*.json`.
/// For testing: clients sign their requests themselves.
#[pyfunction(name = "_sign_tc3")]
#[pyo3(
    signature = (secret_id, secret_key, service, timestamp, headers, payload, *, method = "POST".to_owned(), query = String::new()),
    text_signature = "(secret_id, secret_key, service, timestamp, headers, payload, *, method='POST', query='')"
)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_tc3<'py>(
    py: Python<'py>,
    secret_id: String,
    secret_key: String,
    service: String,
    timestamp: i64,
    headers: Vec<(String, String)>,
    payload: &[u8],
    method: String,
    query: String,
) -> PyResult<Bound<'py, PyDict>> {
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let s = tc3::sign(&tc3::Tc3Input {
        secret_id: &secret_id,
        secret_key: &secret_key,
        service: &service,
        method: &method,
        query: &query,
        headers: &headers,
        payload,
        timestamp,
    });
    let d = PyDict::new(py);
    d.set_item("hashedPayload", s.hashed_payload)?;
    d.set_item("date", s.date)?;
    d.set_item("credentialScope", s.credential_scope)?;
    d.set_item("canonicalHeaders", s.canonical_headers)?;
    d.set_item("signedHeaders", s.signed_headers)?;
    d.set_item("canonicalRequest", s.canonical_request)?;
    d.set_item("hashedCanonicalRequest", s.hashed_canonical_request)?;
    d.set_item("stringToSign", s.string_to_sign)?;
    d.set_item("signature", s.signature)?;
    d.set_item("authorization", s.authorization)?;
    Ok(d)
}

/// Every stage of an ACS3-HMAC-SHA256 signature, keyed as in `tests/vectors/signing/*.json`.
/// `query` holds unencoded `(name, value)` pairs. For testing: clients sign their requests
/// themselves.
#[pyfunction(name = "_sign_acs3")]
#[pyo3(
    signature = (access_key_id, access_key_secret, query, headers, payload, *, method = "POST".to_owned(), path = "/".to_owned()),
    text_signature = "(access_key_id, access_key_secret, query, headers, payload, *, method='POST', path='/')"
)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_acs3<'py>(
    py: Python<'py>,
    access_key_id: String,
    access_key_secret: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    payload: &[u8],
    method: String,
    path: String,
) -> PyResult<Bound<'py, PyDict>> {
    let canonical_query = acs3::canonical_query(&query);
    let headers: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let s = acs3::sign(&acs3::Acs3Input {
        access_key_id: &access_key_id,
        access_key_secret: &access_key_secret,
        method: &method,
        path: &path,
        query: &canonical_query,
        headers: &headers,
        payload,
    });
    let d = PyDict::new(py);
    d.set_item("canonicalQuery", canonical_query)?;
    d.set_item("hashedPayload", s.hashed_payload)?;
    d.set_item("canonicalHeaders", s.canonical_headers)?;
    d.set_item("signedHeaders", s.signed_headers)?;
    d.set_item("canonicalRequest", s.canonical_request)?;
    d.set_item("hashedCanonicalRequest", s.hashed_canonical_request)?;
    d.set_item("stringToSign", s.string_to_sign)?;
    d.set_item("signature", s.signature)?;
    d.set_item("authorization", s.authorization)?;
    Ok(d)
}
