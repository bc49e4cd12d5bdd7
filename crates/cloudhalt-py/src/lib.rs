//! The cloudhalt Python module, `cloudhalt._cloudhalt`, built by maturin from
//! `python/pyproject.toml`. The package `cloudhalt` (in `python/cloudhalt`) re-exports it.
//!
//! This crate only converts: arguments into owned Rust values, core results into `Response`
//! objects, and core errors into the exception classes of `cloudhalt._errors` (one mapping, in
//! `errors.rs`). Validation, signing and sending are the core's, done with the GIL released.

mod clients;
mod convert;
mod errors;
mod response;
mod signing;

use pyo3::prelude::*;
use pyo3::types::PyType;

/// The exception class that a core error kind (named as in `tests/vectors/errors.json`, e.g.
/// `"not_found"`) raises. For tests that check the mapping against that table.
#[pyfunction]
fn error_class<'py>(py: Python<'py>, kind: String) -> PyResult<Bound<'py, PyType>> {
    match cloudhalt::ErrorKind::from_name(&kind) {
        Some(k) => Ok(errors::exception_type(py, k)),
        None => Err(errors::invalid_input(
            py,
            "kind",
            format!("kind {kind:?} is not an error kind of tests/vectors/errors.json"),
        )),
    }
}

/// The compiled part of cloudhalt: the clients, `Response`, and the signing stages for tests.
#[pymodule]
mod _cloudhalt {
    #[pymodule_export]
    use super::clients::{Alibaba, Tencent};
    #[pymodule_export]
    use super::error_class;
    #[pymodule_export]
    use super::response::Response;
    #[pymodule_export]
    use super::signing::{sign_acs3, sign_tc3};

    /// The version of cloudhalt, from Cargo.toml.
    #[allow(non_upper_case_globals)] // Python's spelling: `cloudhalt.__version__`.
    #[pymodule_export]
    const __version__: &str = env!("CARGO_PKG_VERSION");
}
