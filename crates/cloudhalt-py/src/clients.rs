//! `cloudhalt.Tencent` and `cloudhalt.Alibaba`: frozen classes over the core clients.
//!
//! Every method first turns its Python arguments into owned Rust values (a wrong type raises
//! `TypeError` here), then releases the GIL with `py.detach` while the core validates, signs and
//! sends, so threads sharing one client run their requests in parallel.

use cloudhalt::{
    AlibabaCredentials, AlibabaEndpoint, CancelInstanceRefresh, CancelInvocation, Language,
    StopInstances, StopInvocation, StopType, StoppedMode, TencentCredentials, TencentEndpoint,
    TerminateInstances, Timeouts,
};
use pyo3::prelude::*;

use crate::convert::{opt_text, params_to_json, string_list, text};
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

/// Checks `timeout` (seconds): a positive, finite number.
/// The core checks the number (zero, negative, NaN, infinite and over-one-day values are refused).
fn timeouts(py: Python<'_>, timeout: Option<f64>) -> PyResult<Option<Timeouts>> {
    timeout
        .map(|t| lift(py, Timeouts::from_secs_f64(t)))
        .transpose()
}

/// Python's `repr()` of a string, so reprs quote as Python does.
fn py_repr(py: Python<'_>, s: &str) -> PyResult<String> {
    Ok(pyo3::types::PyString::new(py, s).repr()?.to_string())
}

fn ids_arg(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<Vec<String>>> {
    obj.map(|o| string_list(o, name)).transpose()
}

/// A Tencent Cloud client for CVM StopInstances/TerminateInstances, TAT CancelInvocation and
/// Auto Scaling CancelInstanceRefresh. Safe to share between threads; `repr()` never shows the
/// SecretKey or token.
#[pyclass(frozen, module = "cloudhalt", name = "Tencent")]
pub struct Tencent {
    inner: cloudhalt::Tencent,
    secret_id: String,
    language: Option<Language>,
}

impl Tencent {
    fn configure(
        py: Python<'_>,
        credentials: CoreResult<TencentCredentials>,
        endpoint: Option<String>,
        timeout: Option<f64>,
        language: Option<String>,
    ) -> PyResult<Tencent> {
        let timeout = timeouts(py, timeout)?;
        let language = lift(py, language.as_deref().map(Language::parse).transpose())?;
        let credentials = lift(py, credentials)?;
        let secret_id = credentials.secret_id().to_owned();
        let mut inner = cloudhalt::Tencent::new(credentials);
        if let Some(t) = timeout {
            inner = lift(py, inner.with_timeouts(t))?;
        }
        if let Some(url) = endpoint {
            inner = lift(py, inner.with_endpoint_url(&url))?;
        }
        if language.is_some() {
            inner = inner.with_language(language);
        }
        Ok(Tencent {
            inner,
            secret_id,
            language,
        })
    }

    fn endpoint_text(&self) -> String {
        match self.inner.endpoint() {
            TencentEndpoint::Url(u) => u.to_string(),
            TencentEndpoint::Regional => "https://<service>.<region>.tencentcloudapi.com".into(),
            TencentEndpoint::International => "https://<service>.intl.tencentcloudapi.com".into(),
            _ => "https://<service>.tencentcloudapi.com".into(),
        }
    }
}

#[pymethods]
impl Tencent {
    /// A client with explicit credentials. `token` is the session token of temporary (STS)
    /// credentials. `endpoint` (e.g. `"http://127.0.0.1:8123"`) sends every request there;
    /// `timeout` is the total seconds per request (default 30); `language` (`"zh-CN"` or
    /// `"en-US"`) picks the language of Tencent's error messages.
    #[new]
    #[pyo3(signature = (secret_id, secret_key, token = None, *, endpoint = None, timeout = None, language = None))]
    fn new(
        py: Python<'_>,
        secret_id: &Bound<'_, PyAny>,
        secret_key: &Bound<'_, PyAny>,
        token: Option<&Bound<'_, PyAny>>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        language: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tencent> {
        let secret_id = text(secret_id, "secret_id")?;
        let secret_key = text(secret_key, "secret_key")?;
        let token = opt_text(token, "token")?;
        let endpoint = opt_text(endpoint, "endpoint")?;
        let language = opt_text(language, "language")?;
        let credentials = TencentCredentials::new(secret_id, secret_key, token);
        Tencent::configure(py, credentials, endpoint, timeout, language)
    }

    /// A client with credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and,
    /// if set, `TENCENTCLOUD_SESSION_TOKEN`. Raises `CredentialsError` when they are missing.
    #[staticmethod]
    #[pyo3(signature = (*, endpoint = None, timeout = None, language = None))]
    fn from_env(
        py: Python<'_>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        language: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tencent> {
        let endpoint = opt_text(endpoint, "endpoint")?;
        let language = opt_text(language, "language")?;
        let credentials = TencentCredentials::from_env();
        Tencent::configure(py, credentials, endpoint, timeout, language)
    }

    /// The SecretId (not secret: every request carries it).
    #[getter]
    fn secret_id(&self) -> &str {
        &self.secret_id
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

    /// The language of Tencent's error messages, or `None` for the provider's default.
    #[getter]
    fn language(&self) -> Option<&'static str> {
        self.language.map(Language::as_str)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<cloudhalt.Tencent secret_id={} endpoint={} timeout={:?}>",
            py_repr(py, &self.secret_id)?,
            py_repr(py, &self.endpoint_text())?,
            self.timeout()
        ))
    }

    /// CVM `StopInstances`: shuts down 1 to 100 RUNNING instances. `stop_type` is `"SOFT"`,
    /// `"HARD"` or `"SOFT_FIRST"`; `stopped_mode` is `"KEEP_CHARGING"` or `"STOP_CHARGING"`.
    #[pyo3(signature = (region, instance_ids, *, force_stop = false, stop_type = None, stopped_mode = None))]
    fn stop_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: &Bound<'_, PyAny>,
        force_stop: bool,
        stop_type: Option<&Bound<'_, PyAny>>,
        stopped_mode: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let stop_type = opt_text(stop_type, "stop_type")?;
        let stopped_mode = opt_text(stopped_mode, "stopped_mode")?;
        let mut request = StopInstances::new(region, string_list(instance_ids, "instance_ids")?);
        request.set_force_stop(force_stop);
        request.set_stop_type(lift(
            py,
            stop_type.as_deref().map(StopType::parse).transpose(),
        )?);
        request.set_stopped_mode(lift(
            py,
            stopped_mode.as_deref().map(StoppedMode::parse).transpose(),
        )?);
        let client = &self.inner;
        let result = py.detach(|| client.stop_instances(&request));
        finish(py, result)
    }

    /// CVM `TerminateInstances`: returns (destroys) 1 to 100 instances. A prepaid instance goes
    /// to the recycle bin first; cloudhalt never re-sends this request by itself.
    #[pyo3(signature = (region, instance_ids, *, release_prepaid_data_disks = false, release_address = false))]
    fn terminate_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: &Bound<'_, PyAny>,
        release_prepaid_data_disks: bool,
        release_address: bool,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let mut request =
            TerminateInstances::new(region, string_list(instance_ids, "instance_ids")?);
        request.set_release_prepaid_data_disks(release_prepaid_data_disks);
        request.set_release_address(release_address);
        let client = &self.inner;
        let result = py.detach(|| client.terminate_instances(&request));
        finish(py, result)
    }

    /// TAT `CancelInvocation`: cancels a command invocation on all its instances, or on
    /// `instance_ids` only.
    #[pyo3(signature = (region, invocation_id, instance_ids = None))]
    fn cancel_invocation(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        invocation_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let invocation_id = text(invocation_id, "invocation_id")?;
        let mut request = CancelInvocation::new(region, invocation_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids")?);
        let client = &self.inner;
        let result = py.detach(|| client.cancel_invocation(&request));
        finish(py, result)
    }

    /// Auto Scaling `CancelInstanceRefresh`: cancels the pending batches of an instance refresh
    /// activity. `region` is optional for this operation.
    #[pyo3(signature = (auto_scaling_group_id, refresh_activity_id, *, region = None))]
    fn cancel_instance_refresh(
        &self,
        py: Python<'_>,
        auto_scaling_group_id: &Bound<'_, PyAny>,
        refresh_activity_id: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let auto_scaling_group_id = text(auto_scaling_group_id, "auto_scaling_group_id")?;
        let refresh_activity_id = text(refresh_activity_id, "refresh_activity_id")?;
        let region = opt_text(region, "region")?;
        let mut request = CancelInstanceRefresh::new(auto_scaling_group_id, refresh_activity_id);
        request.set_region(region);
        let client = &self.inner;
        let result = py.detach(|| client.cancel_instance_refresh(&request));
        finish(py, result)
    }

    /// Any of the four operations by its provider name (`"StopInstances"`, ...) with the
    /// provider's JSON parameters (`{"InstanceIds": ["ins-..."], "StopType": "SOFT"}`). The same
    /// validation applies; unknown parameters are refused.
    #[pyo3(signature = (action, params, *, region = None))]
    fn call(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let region = opt_text(region, "region")?;
        let params = params_to_json(params)?;
        let client = &self.inner;
        let result = py.detach(|| client.call_json(&action, region.as_deref(), &params));
        finish(py, result)
    }
}

/// An Alibaba Cloud client for ECS StopInvocation (Cloud Assistant). Safe to share between
/// threads; `repr()` never shows the AccessKey secret or security token.
#[pyclass(frozen, module = "cloudhalt", name = "Alibaba")]
pub struct Alibaba {
    inner: cloudhalt::Alibaba,
    access_key_id: String,
}

impl Alibaba {
    fn configure(
        py: Python<'_>,
        credentials: CoreResult<AlibabaCredentials>,
        endpoint: Option<String>,
        timeout: Option<f64>,
    ) -> PyResult<Alibaba> {
        let timeout = timeouts(py, timeout)?;
        let credentials = lift(py, credentials)?;
        let access_key_id = credentials.access_key_id().to_owned();
        let mut inner = cloudhalt::Alibaba::new(credentials);
        if let Some(t) = timeout {
            inner = lift(py, inner.with_timeouts(t))?;
        }
        if let Some(url) = endpoint {
            inner = lift(py, inner.with_endpoint_url(&url))?;
        }
        Ok(Alibaba {
            inner,
            access_key_id,
        })
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
    /// total seconds per request (default 30).
    #[new]
    #[pyo3(signature = (access_key_id, access_key_secret, security_token = None, *, endpoint = None, timeout = None))]
    fn new(
        py: Python<'_>,
        access_key_id: &Bound<'_, PyAny>,
        access_key_secret: &Bound<'_, PyAny>,
        security_token: Option<&Bound<'_, PyAny>>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Alibaba> {
        let access_key_id = text(access_key_id, "access_key_id")?;
        let access_key_secret = text(access_key_secret, "access_key_secret")?;
        let security_token = opt_text(security_token, "security_token")?;
        let endpoint = opt_text(endpoint, "endpoint")?;
        let credentials = AlibabaCredentials::new(access_key_id, access_key_secret, security_token);
        Alibaba::configure(py, credentials, endpoint, timeout)
    }

    /// A client with credentials from `ALIBABA_CLOUD_ACCESS_KEY_ID`,
    /// `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set, `ALIBABA_CLOUD_SECURITY_TOKEN`. Raises
    /// `CredentialsError` when they are missing.
    #[staticmethod]
    #[pyo3(signature = (*, endpoint = None, timeout = None))]
    fn from_env(
        py: Python<'_>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Alibaba> {
        let endpoint = opt_text(endpoint, "endpoint")?;
        Alibaba::configure(py, AlibabaCredentials::from_env(), endpoint, timeout)
    }

    /// The AccessKey ID (not secret: every request carries it).
    #[getter]
    fn access_key_id(&self) -> &str {
        &self.access_key_id
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

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<cloudhalt.Alibaba access_key_id={} endpoint={} timeout={:?}>",
            py_repr(py, &self.access_key_id)?,
            py_repr(py, &self.endpoint_text())?,
            self.timeout()
        ))
    }

    /// ECS `StopInvocation`: stops a Cloud Assistant command task on all its instances, or on
    /// `instance_ids` (1 to 50 `i-...` IDs) only.
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
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids")?);
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
