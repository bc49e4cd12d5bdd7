//! `cloudhalt.Tencent` and `cloudhalt.Alibaba`: frozen classes over the core clients.
//!
//! Every method first turns its Python arguments into owned Rust values (a wrong type raises
//! `TypeError` here), then releases the GIL with `py.detach` while the core validates, signs and
//! sends, so threads sharing one client run their requests in parallel.
//!
//! One file per provider; this one holds what both share: turning core results into Python
//! ones, the timeout check, reading ID lists, and resuming from an audit log.

mod alibaba;
mod tencent;

pub(crate) use alibaba::Alibaba;
pub(crate) use tencent::Tencent;

use pyo3::prelude::*;

use crate::convert::string_list;
use crate::errors::map_error;
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

/// The client's timeouts for `timeout` seconds: the core refuses zero, negative, NaN, infinite and
/// over-one-day values with an `InvalidInput` naming `timeout`.
fn timeouts(py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<cloudhalt::Timeouts>> {
    timeout
        .map(|t| lift(py, cloudhalt::Timeouts::from_secs_f64(t)))
        .transpose()
}

/// Python's `repr()` of a string, so reprs quote as Python does.
pub(crate) fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(pyo3::types::PyString::new(py, s).repr()?.to_string())
}

/// Reads the instance-ID list argument `name` of `op`: any iterable of `str`, of any length (the
/// core checks the whole list, then splits it at the provider's per-request limit). `op` is
/// kept so that every list read is tied to an operation that has one (tested below).
fn id_list(
    obj: &Bound<'_, PyAny>,
    name: &str,
    op: &'static cloudhalt::Operation,
) -> PyResult<Vec<String>> {
    debug_assert!(
        op.instance_list().is_some(),
        "{} takes no ID list",
        op.action
    );
    string_list(obj, name)
}

/// Reads an optional ID list argument (`None`: the operation's "every instance" default).
fn ids_arg(
    obj: Option<&Bound<'_, PyAny>>,
    name: &str,
    op: &'static cloudhalt::Operation,
) -> PyResult<Option<Vec<String>>> {
    obj.map(|o| id_list(o, name, op)).transpose()
}

/// Reads an audit log and finishes its batch with `client` (GIL released): what
/// `cloudhalt::Resume::to_send` lists is sent; finished IDs are skipped and unknown
/// TerminateInstances IDs held back.
fn resume<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
    audit_file: &Bound<'_, PyAny>,
) -> PyResult<Response> {
    let path = crate::fleet::path_arg(audit_file, "audit_file")?;
    let result = py.detach(|| {
        let resume = cloudhalt::Resume::read(&path)?;
        client.resume(&resume)
    });
    finish(py, result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_id_list_the_binding_reads_is_in_the_table() {
        use cloudhalt::Request;
        for op in [
            cloudhalt::StopInstances::OP,
            cloudhalt::TerminateInstances::OP,
            cloudhalt::CancelInvocation::OP,
            cloudhalt::StopInvocation::OP,
        ] {
            assert!(op.instance_list().is_some(), "{}", op.action);
        }
    }
}
