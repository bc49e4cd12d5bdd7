//! `cloudhalt.Response`: what a successful call returns.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::json_to_py;

/// A successful answer: the provider's RequestId and its whole JSON answer.
#[pyclass(frozen, module = "cloudhalt", name = "Response")]
pub struct Response {
    provider: &'static str,
    action: &'static str,
    request_id: String,
    data: Py<PyDict>,
    sent_headers: Vec<(String, String)>,
}

impl Response {
    /// Converts the core's answer while the GIL is held.
    pub(crate) fn from_core(py: Python<'_>, r: cloudhalt::Response) -> PyResult<Response> {
        let data = json_to_py(py, r.data())?;
        // Both providers answer a JSON object (the core checks it); an empty dict otherwise.
        let data = match data.cast_into::<PyDict>() {
            Ok(d) => d.unbind(),
            Err(_) => PyDict::new(py).unbind(),
        };
        Ok(Response {
            provider: r.provider().as_str(),
            action: r.action(),
            request_id: r.request_id().to_owned(),
            data,
            sent_headers: r.sent_headers().to_vec(),
        })
    }
}

#[pymethods]
impl Response {
    /// The provider's RequestId: quote it when asking the provider about this call.
    #[getter]
    fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The provider's whole answer: `{"Response": {...}}` for Tencent, `{"RequestId": ...}` for
    /// Alibaba.
    #[getter]
    fn data(&self, py: Python<'_>) -> Py<PyDict> {
        self.data.clone_ref(py)
    }

    /// `"tencent"` or `"alibaba"`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.provider
    }

    /// The operation, as the provider names it (`"StopInstances"`, `"StopInvocation"`, ...).
    #[getter]
    fn action(&self) -> &'static str {
        self.action
    }

    /// The request headers that were sent, in order, with session tokens redacted: a record of
    /// exactly what was signed.
    #[getter]
    fn sent_headers(&self) -> Vec<(String, String)> {
        self.sent_headers.clone()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let data = self.data.bind(py).repr()?;
        let request_id = pyo3::types::PyString::new(py, &self.request_id).repr()?;
        Ok(format!(
            "Response(provider='{}', action='{}', request_id={request_id}, data={data})",
            self.provider, self.action
        ))
    }
}
