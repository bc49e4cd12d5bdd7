//! The one mapping from the core's error kinds to the Python exception classes.
//!
//! The classes are defined in `python/cloudhalt/_errors.py`, because `InvalidInput` has two bases
//! (`Error` and `ValueError`) and `TimeoutError` subclasses the builtin `TimeoutError`, which
//! `create_exception!` cannot express. They are bound here with `import_exception!`.

use cloudhalt::ErrorKind;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

/// Rust handles for the classes of `cloudhalt._errors`.
pub(crate) mod exc {
    pyo3::import_exception!(cloudhalt._errors, Error);
    pyo3::import_exception!(cloudhalt._errors, InvalidInput);
    pyo3::import_exception!(cloudhalt._errors, CredentialsError);
    pyo3::import_exception!(cloudhalt._errors, TransportError);
    pyo3::import_exception!(cloudhalt._errors, TimeoutError);
    pyo3::import_exception!(cloudhalt._errors, ApiError);
    pyo3::import_exception!(cloudhalt._errors, AuthError);
    pyo3::import_exception!(cloudhalt._errors, ThrottledError);
    pyo3::import_exception!(cloudhalt._errors, NotFoundError);
    pyo3::import_exception!(cloudhalt._errors, StateConflictError);
    pyo3::import_exception!(cloudhalt._errors, InvalidParameterError);
    pyo3::import_exception!(cloudhalt._errors, QuotaError);
    pyo3::import_exception!(cloudhalt._errors, ServerError);
    pyo3::import_exception!(cloudhalt._errors, UnexpectedResponseError);
    pyo3::import_exception!(cloudhalt._errors, AuditError);
    pyo3::import_exception!(cloudhalt._errors, WaitTimeoutError);
    pyo3::import_exception!(cloudhalt._errors, WaitFailedError);
}

/// The exception class for `kind`: the table `tests/vectors/errors.json` ("kinds"[].python)
/// describes, checked by `tests/python/test_errors.py`.
pub(crate) fn exception_type(py: Python<'_>, kind: ErrorKind) -> Bound<'_, PyType> {
    match kind {
        ErrorKind::InvalidInput => py.get_type::<exc::InvalidInput>(),
        ErrorKind::Credentials => py.get_type::<exc::CredentialsError>(),
        ErrorKind::Transport => py.get_type::<exc::TransportError>(),
        ErrorKind::Timeout => py.get_type::<exc::TimeoutError>(),
        ErrorKind::Auth => py.get_type::<exc::AuthError>(),
        ErrorKind::Throttled => py.get_type::<exc::ThrottledError>(),
        ErrorKind::NotFound => py.get_type::<exc::NotFoundError>(),
        ErrorKind::StateConflict => py.get_type::<exc::StateConflictError>(),
        ErrorKind::InvalidParameter => py.get_type::<exc::InvalidParameterError>(),
        ErrorKind::Quota => py.get_type::<exc::QuotaError>(),
        ErrorKind::Server => py.get_type::<exc::ServerError>(),
        ErrorKind::Api => py.get_type::<exc::ApiError>(),
        ErrorKind::UnexpectedResponse => py.get_type::<exc::UnexpectedResponseError>(),
        ErrorKind::Audit => py.get_type::<exc::AuditError>(),
        ErrorKind::WaitTimeout => py.get_type::<exc::WaitTimeoutError>(),
        ErrorKind::WaitFailed => py.get_type::<exc::WaitFailedError>(),
        // A kind added to the core later still raises a catchable cloudhalt.Error, never a bare
        // exception, until it gets its own class.
        _ => py.get_type::<exc::Error>(),
    }
}

/// Turns a core error into the matching Python exception, with every attribute the core knows
/// (`provider`, `action`, `code`, `message`, `request_id`, `http_status`, `send_state`, `field`,
/// `kind`), the batch's record (`request_ids`, `attempts`, `id_outcomes`, from which the class
/// derives `outcomes`) and the per-ID states a wait or a settling describe saw (`states`,
/// `wait_results`). The core guarantees its text never contains a secret.
pub(crate) fn map_error(py: Python<'_>, err: &cloudhalt::Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        kwargs.set_item("kind", err.kind().as_str())?;
        kwargs.set_item("provider", err.provider().map(|p| p.as_str()))?;
        kwargs.set_item("action", err.action())?;
        kwargs.set_item("code", err.code())?;
        kwargs.set_item("message", err.message())?;
        kwargs.set_item("request_id", err.request_id())?;
        kwargs.set_item("http_status", err.http_status())?;
        kwargs.set_item("send_state", err.send_state().as_str())?;
        kwargs.set_item("field", err.field())?;
        kwargs.set_item("request_ids", err.request_ids())?;
        kwargs.set_item("attempts", err.attempts())?;
        kwargs.set_item(
            "id_outcomes",
            crate::fleet::id_outcomes(py, err.outcomes())?,
        )?;
        kwargs.set_item("states", crate::response::states(py, err.states())?)?;
        kwargs.set_item(
            "wait_results",
            crate::response::wait_results(py, err.states())?,
        )?;
        let instance = exception_type(py, err.kind()).call((err.to_string(),), Some(&kwargs))?;
        Ok(PyErr::from_value(instance))
    };
    // If even building the exception fails (no memory...), raise that failure instead.
    build().unwrap_or_else(|e| e)
}

/// An `InvalidInput` for `field`, raised before anything is sent.
pub(crate) fn invalid_input(py: Python<'_>, field: &str, message: String) -> PyErr {
    map_error(py, &cloudhalt::Error::invalid_input(field, message))
}
