//! `cloudhalt.Response`: what a successful call returns.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList};

use crate::convert::json_to_py;

/// A successful answer: the provider's RequestId and its whole JSON answer (of the first request,
/// when a batch took several), and the record of the whole batch: every ID's outcome, every
/// RequestId and the number of attempts.
///
/// It keeps the core's answer as it came and builds each Python value when its attribute is
/// read: most callers read one attribute or none, and building them all up front (the `data`
/// dict, copies of every header, ID and RequestId) was a large part of a call's own cost.
#[pyclass(frozen, module = "cloudhalt", name = "Response")]
pub struct Response {
    inner: cloudhalt::Response,
    /// `data`, built on first read and then the same dict every time (a caller's changes to it
    /// stay, as they did when it was built up front).
    data: PyOnceLock<Py<PyDict>>,
}

/// `{ID: provider state}` of a wait, in the order the core reports the IDs.
pub(crate) fn states<'py>(
    py: Python<'py>,
    states: &[cloudhalt::IdState],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for s in states {
        dict.set_item(s.id(), s.state())?;
    }
    Ok(dict)
}

/// `{ID: what the state means}` of a wait (`"stopped"`, `"recycle bin"`, ...).
pub(crate) fn wait_results<'py>(
    py: Python<'py>,
    states: &[cloudhalt::IdState],
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for s in states {
        dict.set_item(s.id(), s.result())?;
    }
    Ok(dict)
}

impl Response {
    /// Wraps the core's answer; nothing is converted until an attribute is read.
    pub(crate) fn from_core(r: cloudhalt::Response) -> Response {
        Response {
            inner: r,
            data: PyOnceLock::new(),
        }
    }

    /// `data`, built from the core's JSON on first use.
    fn data_dict<'py>(&self, py: Python<'py>) -> PyResult<&Bound<'py, PyDict>> {
        self.data
            .get_or_try_init(py, || {
                // Both providers answer a JSON object (the core checks it); an empty dict
                // otherwise.
                Ok::<_, PyErr>(
                    match json_to_py(py, self.inner.data())?.cast_into::<PyDict>() {
                        Ok(d) => d.unbind(),
                        Err(_) => PyDict::new(py).unbind(),
                    },
                )
            })
            .map(|d| d.bind(py))
    }
}

#[pymethods]
impl Response {
    /// The provider's RequestId: quote it when asking the provider about this call.
    #[getter]
    fn request_id(&self) -> &str {
        self.inner.request_id()
    }

    /// The provider's whole answer: `{"Response": {...}}` for Tencent, `{"RequestId": ...}` for
    /// Alibaba.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.data_dict(py).cloned()
    }

    /// `"tencent"` or `"alibaba"`.
    #[getter]
    fn provider(&self) -> &'static str {
        self.inner.provider().as_str()
    }

    /// The operation, as the provider names it (`"StopInstances"`, `"StopInvocation"`, ...).
    #[getter]
    fn action(&self) -> &'static str {
        self.inner.action()
    }

    /// The request headers that were sent, in order, with session tokens redacted: a record of
    /// exactly what was signed.
    #[getter]
    fn sent_headers(&self) -> &[(String, String)] {
        self.inner.sent_headers()
    }

    /// Every RequestId the provider answered, in the order of the attempts (retries included).
    #[getter]
    fn request_ids(&self) -> &[String] {
        self.inner.request_ids()
    }

    /// How many requests were sent in all (retries included).
    #[getter]
    fn attempts(&self) -> u32 {
        self.inner.attempts()
    }

    /// Every input ID (or the one InvocationId / InvokeId / RefreshActivityId of a call without
    /// an instance list) to its outcome, `"done"` or `"already"` (done before, by an attempt
    /// whose answer was lost), in input order.
    #[getter]
    fn outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for o in self.inner.outcomes() {
            dict.set_item(o.id(), o.outcome().as_str())?;
        }
        Ok(dict)
    }

    /// The per-ID record as `cloudhalt.IdOutcome` tuples (`id`, `outcome`, `code`,
    /// `request_id`), in input order: the RequestId of each ID's request, and the provider's
    /// code where an `"already"` answer carried one.
    #[getter]
    fn id_outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::fleet::id_outcomes(py, self.inner.outcomes())
    }

    /// After a wait (`wait=True`, or a standalone `wait_*` method): every waited-for ID to the
    /// provider's final state (`"STOPPED"`, `"SHUTDOWN"`, `"CANCELLED"`, `"Stopped"`, ...;
    /// `"gone"` when the Describe answer no longer lists it). For `cancel_invocation` and
    /// `stop_invocation` the IDs are the instances of the invocation (every task's instance when
    /// no instance list was given). Without a wait, only the IDs cloudhalt had to describe to
    /// settle them (TerminateInstances IDs whose answer was lost, a resume's held-back IDs);
    /// usually empty.
    #[getter]
    fn states<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        states(py, self.inner.states())
    }

    /// The same IDs as `states`, to what the state means: `"stopped"`, `"gone"`,
    /// `"recycle bin"`, `"cancelled"`, `"finished before the cancel landed"`,
    /// `"finished before the stop landed"`, ...
    #[getter]
    fn wait_results<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        wait_results(py, self.inner.states())
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let data = self.data_dict(py)?.repr()?;
        let request_id = pyo3::types::PyString::new(py, self.inner.request_id()).repr()?;
        Ok(format!(
            "Response(provider='{}', action='{}', request_id={request_id}, attempts={}, ids={}, \
             data={data})",
            self.inner.provider().as_str(),
            self.inner.action(),
            self.inner.attempts(),
            self.inner.outcomes().len()
        ))
    }
}
