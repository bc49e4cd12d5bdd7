//! `cloudhalt.Tencent` and `cloudhalt.Alibaba`: frozen classes over the core clients.
//!
//! Every method first turns its Python arguments into owned Rust values (a wrong type raises
//! `TypeError` here), then releases the GIL with `py.detach` while the core validates, signs and
//! sends, so threads sharing one client run their requests in parallel.
//!
//! One file per provider; this one holds what both share: turning core results into Python
//! ones, the timeout check, and reading ID lists.

mod alibaba;
mod tencent;

pub(crate) use alibaba::Alibaba;
pub(crate) use tencent::Tencent;

use std::time::Duration;

use pyo3::prelude::*;

use crate::convert::string_list;
use crate::errors::{invalid_input, map_error};
use crate::response::Response;

type CoreResult<T> = Result<T, cloudhalt::Error>;

/// Turns the core's result into a `Response` or the matching exception.
fn finish(py: Python<'_>, result: CoreResult<cloudhalt::Response>) -> PyResult<Response> {
    match result {
        Ok(r) => Response::from_core(py, r),
        Err(e) => Err(map_error(py, &e)),
    }
}

/// Lifts a core result into a Python one.
fn lift<T>(py: Python<'_>, result: CoreResult<T>) -> PyResult<T> {
    result.map_err(|e| map_error(py, &e))
}

/// The longest `timeout` accepted, in seconds: one day. Longer is surely a unit mistake
/// (milliseconds given as seconds), and values near `Duration::MAX` panic inside ureq.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// Checks `timeout` (seconds): a number above zero and at most one day. The one place the
/// binding checks it, until the core validates its configuration itself.
fn timeout_duration(py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Duration>> {
    let Some(t) = timeout else { return Ok(None) };
    // Written so that NaN, which fails every comparison, is refused too.
    let in_range = t > 0.0 && t <= MAX_TIMEOUT_SECS;
    match Duration::try_from_secs_f64(t) {
        Ok(d) if in_range && !d.is_zero() => Ok(Some(d)),
        _ => Err(invalid_input(
            py,
            "timeout",
            format!(
                "timeout {t} is not a number of seconds above 0 and at most {MAX_TIMEOUT_SECS} \
                 (one day): give e.g. 10.0, or None for the default (30 s)"
            ),
        )),
    }
}

/// Python's `repr()` of a string, so reprs quote as Python does.
fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(pyo3::types::PyString::new(py, s).repr()?.to_string())
}

/// Reads an optional ID list argument (`None`: the operation's "every instance" default).
fn ids_arg(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
    field: &str,
    max: usize,
) -> PyResult<Option<Vec<String>>> {
    obj.map(|o| string_list(o, name, field, max)).transpose()
}
