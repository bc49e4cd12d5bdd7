//! `cloudhalt.Alibaba`: ECS Cloud Assistant.

use cloudhalt::Request;
use cloudhalt::{AlibabaCredentials, AlibabaEndpoint, StopInvocation};
use pyo3::prelude::*;

use super::{CoreResult, finish, ids_arg, lift, py_repr, timeouts};
use crate::convert::{opt_text, params_to_json, text};
use crate::fleet::{Retry, Settings};
use crate::response::Response;

/// An Alibaba Cloud client for ECS StopInvocation (Cloud Assistant). Safe to share between
/// threads; `repr()` never shows the AccessKey secret or security token.
#[pyclass(frozen, module = "cloudhalt", name = "Alibaba")]
pub struct Alibaba {
    inner: cloudhalt::Alibaba,
}

impl Alibaba {
    fn configure(
        py: Python<'_>,
        credentials: CoreResult<AlibabaCredentials>,
        endpoint: Option<String>,
        timeout: Option<f64>,
        settings: Settings,
    ) -> PyResult<Alibaba> {
        let timeout = timeouts(py, timeout)?;
        let credentials = lift(py, credentials)?;
        let mut inner = cloudhalt::Alibaba::new(credentials);
        if let Some(t) = timeout {
            inner = lift(py, inner.with_timeouts(t))?;
        }
        if let Some(url) = endpoint {
            inner = lift(py, inner.with_endpoint_url(&url))?;
        }
        let inner = settings.apply(py, inner)?;
        Ok(Alibaba { inner })
    }

    fn endpoint_text(&self) -> String {
        match self.inner.endpoint() {
            AlibabaEndpoint::Url(u) => u.to_string(),
            AlibabaEndpoint::Vpc => "https://ecs-vpc.<region>.aliyuncs.com".into(),
            AlibabaEndpoint::Central => "https://ecs.aliyuncs.com".into(),
            _ => "https://ecs.<region>.aliyuncs.com".into(),
        }
    }
}

#[pymethods]
impl Alibaba {
    /// A client with explicit AccessKey credentials; `security_token` for STS credentials.
    /// `endpoint` (e.g. `"http://127.0.0.1:8123"`) sends every request there; `timeout` is the
    /// total seconds per request (default 30; above 0, at most one day).
    ///
    /// Fleet settings: `retry` a `cloudhalt.Retry` (`None`: the default, 3 attempts;
    /// `Retry(max_attempts=1)`: no retry); `rate_limit` `True` (each action at its documented
    /// rate; StopInvocation, whose rate is unpublished, at 10 per second), `False` (no
    /// client-side limit) or a number of requests per second; `concurrency` how many requests of
    /// one batch are in flight at once (1 to 64); `audit_log` a file path (str or
    /// `os.PathLike`) that gets one JSON line before each request is sent and one after its
    /// answer, each fsync'ed first.
    #[new]
    #[pyo3(
        signature = (access_key_id, access_key_secret, security_token = None, *, endpoint = None, timeout = None, retry = None, rate_limit = None, concurrency = None, audit_log = None),
        text_signature = "(access_key_id, access_key_secret, security_token=None, *, endpoint=None, timeout=None, retry=None, rate_limit=True, concurrency=4, audit_log=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn new(
        py: Python<'_>,
        access_key_id: &Bound<'_, PyAny>,
        access_key_secret: &Bound<'_, PyAny>,
        security_token: Option<&Bound<'_, PyAny>>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Alibaba> {
        let access_key_id = text(access_key_id, "access_key_id")?;
        let access_key_secret = text(access_key_secret, "access_key_secret")?;
        let security_token = opt_text(security_token, "security_token")?;
        let endpoint = opt_text(endpoint, "endpoint")?;
        let settings = Settings::read(py, retry, rate_limit, concurrency, audit_log)?;
        let credentials = AlibabaCredentials::new(access_key_id, access_key_secret, security_token);
        Alibaba::configure(py, credentials, endpoint, timeout, settings)
    }

    /// A client with credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set, `ALIBABA_CLOUD_SECURITY_TOKEN`. Raises
    /// `CredentialsError` when they are missing. The other arguments are those of the
    /// constructor.
    #[staticmethod]
    #[pyo3(
        signature = (*, endpoint = None, timeout = None, retry = None, rate_limit = None, concurrency = None, audit_log = None),
        text_signature = "(*, endpoint=None, timeout=None, retry=None, rate_limit=True, concurrency=4, audit_log=None)"
    )]
    fn from_env(
        py: Python<'_>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Alibaba> {
        let endpoint = opt_text(endpoint, "endpoint")?;
        let settings = Settings::read(py, retry, rate_limit, concurrency, audit_log)?;
        Alibaba::configure(
            py,
            AlibabaCredentials::from_env(),
            endpoint,
            timeout,
            settings,
        )
    }

    /// The AccessKey ID (not secret: every request carries it).
    #[getter]
    fn access_key_id(&self) -> &str {
        self.inner.key_id()
    }

    /// Where requests go: the `endpoint` URL, or the provider's host pattern.
    #[getter]
    fn endpoint(&self) -> String {
        self.endpoint_text()
    }

    /// The total timeout of one request, in seconds.
    #[getter]
    fn timeout(&self) -> f64 {
        self.inner.timeouts().total.as_secs_f64()
    }

    /// The retry policy.
    #[getter]
    fn retry(&self) -> Retry {
        Retry {
            inner: self.inner.retry(),
        }
    }

    /// The client-side rate limit: `True` (the documented rates), `False` (off) or the requests
    /// per second of every action.
    #[getter]
    fn rate_limit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::fleet::rate_limit_value(py, self.inner.rate_limit())
    }

    /// How many requests of one batch may be in flight at once.
    #[getter]
    fn concurrency(&self) -> usize {
        self.inner.concurrency()
    }

    /// The audit log's path, or `None`.
    #[getter]
    fn audit_log(&self) -> Option<String> {
        crate::fleet::audit_path(&self.inner)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<cloudhalt.Alibaba access_key_id={} endpoint={} timeout={:?} {}>",
            py_repr(py, self.inner.key_id())?,
            py_repr(py, &self.endpoint_text())?,
            self.timeout(),
            crate::fleet::settings_repr(py, &self.inner)?
        ))
    }

    /// Finishes the interrupted batch recorded in the audit log `audit_file` (str or
    /// `os.PathLike`): IDs already done are skipped, the rest is sent. Returns the `Response` of
    /// what was sent; raises `InvalidInputError` when nothing is left or the log is not an
    /// Alibaba one. Give this client the same `audit_log` to record the resume too.
    fn resume(&self, py: Python<'_>, audit_file: &Bound<'_, PyAny>) -> PyResult<Response> {
        super::resume(py, &self.inner, audit_file)
    }

    /// ECS `StopInvocation`: stops a Cloud Assistant command task on all its instances, or on
    /// `instance_ids` (`i-...` IDs, any number, sent 50 per request) only.
    #[pyo3(signature = (region_id, invoke_id, instance_ids = None))]
    fn stop_invocation(
        &self,
        py: Python<'_>,
        region_id: &Bound<'_, PyAny>,
        invoke_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region_id = text(region_id, "region_id")?;
        let invoke_id = text(invoke_id, "invoke_id")?;
        let mut request = StopInvocation::new(region_id, invoke_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids", StopInvocation::OP)?);
        let client = &self.inner;
        let result = py.detach(|| client.stop_invocation(&request));
        finish(py, result)
    }

    /// An operation by its provider name (`"StopInvocation"`) with the provider's parameters
    /// (`{"RegionId": ..., "InvokeId": ..., "InstanceId": [...]}`).
    fn call(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let params = params_to_json(params)?;
        let client = &self.inner;
        let result = py.detach(|| client.call_json(&action, &params));
        finish(py, result)
    }
}
