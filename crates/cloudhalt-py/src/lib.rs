//! The cloudhalt Python module, `cloudhalt._cloudhalt`, built by maturin from
//! `python/pyproject.toml`. The package `cloudhalt` (in `python/cloudhalt`) re-exports it.
//!
//! This crate only converts: arguments into owned Rust values, core results into `Response`
//! objects, and core errors into the exception classes of `cloudhalt._errors` (one mapping, in
//! `errors.rs`). Validation, signing and sending are the core's, done with the GIL released.

mod clients;
mod convert;
mod errors;
mod fleet;
mod interrupt;
mod logging;
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

/// The compiled part of cloudhalt: the clients, `Response` and `Retry`, plus two private signing functions
/// for tests (`cloudhalt._testing`).
#[pymodule]
mod _cloudhalt {
    #[pymodule_export]
    use super::clients::{Alibaba, Tencent};
    #[pymodule_export]
    use super::error_class;
    #[pymodule_export]
    use super::fleet::Retry;
    #[pymodule_export]
    use super::response::Response;
    use pyo3::prelude::*;

    /// Adds the test-only signing functions by `setattr`, not `#[pymodule_export]`: that would
    /// also list them in `__all__`, the module's public names.
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // The core's log records go to Python's `logging` (logger "cloudhalt") from now on.
        super::logging::install();
        m.setattr("_sign_tc3", wrap_pyfunction!(super::signing::sign_tc3, m)?)?;
        m.setattr(
            "_sign_acs3",
            wrap_pyfunction!(super::signing::sign_acs3, m)?,
        )?;
        Ok(())
    }

    /// The version of cloudhalt, from Cargo.toml.
    #[allow(non_upper_case_globals)] // Python's spelling: `cloudhalt.__version__`.
    #[pymodule_export]
    const __version__: &str = env!("CARGO_PKG_VERSION");
}
