//! `cloudhalt.Alibaba`: ECS Cloud Assistant.

use cloudhalt::Request;
use cloudhalt::{AlibabaCredentials, AlibabaEndpoint, StopInvocation};
use pyo3::prelude::*;

use super::describe::Params;
use super::{
    CoreResult, Options, ca_bundle_value, chain_client, configured, detach, explicit_client,
    finish, ids_arg, lift, network_repr, proxy_value, py_repr, waiting, write_wait,
};
use crate::convert::{opt_text, params_to_json, text};
use crate::fleet::Retry;
use crate::response::Response;

/// An Alibaba Cloud client for ECS StopInvocation (Cloud Assistant). Safe to share between
/// threads; `repr()` never shows the AccessKey secret or security token.
#[pyclass(frozen, module = "cloudhalt", name = "Alibaba")]
pub struct Alibaba {
    inner: cloudhalt::Alibaba,
}

impl Alibaba {
    /// Applies the options to the client the credentials gave.
    fn configure(
        py: Python<'_>,
        client: CoreResult<cloudhalt::Alibaba>,
        options: Options,
    ) -> PyResult<Alibaba> {
        let mut inner = lift(py, client)?;
        if let Some(t) = options.timeout {
            inner = lift(py, inner.with_timeouts(t))?;
        }
        if let Some(url) = options.endpoint {
            inner = lift(py, inner.with_endpoint_url(&url))?;
        }
        let inner = options.settings.apply(py, inner)?;
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
    ///
    /// Network settings: `proxy` a proxy URL (`"http://proxy.example:3128"`), `False` for no
    /// proxy, or `None` (the default) for the environment's `HTTPS_PROXY` / `HTTP_PROXY` /
    /// `ALL_PROXY` minus `NO_PROXY`; `ca_bundle` a PEM file of CA certificates (str or
    /// `os.PathLike`) that REPLACES the built-in roots, `None`: `SSL_CERT_FILE` if set, else
    /// the built-in roots. A bad value raises `InvalidInputError` naming `proxy` or `ca_bundle`.
    #[new]
    #[pyo3(
        signature = (access_key_id, access_key_secret, security_token = None, *, endpoint = None, timeout = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None),
        text_signature = "(access_key_id, access_key_secret, security_token=None, *, endpoint=None, timeout=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None)"
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
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Alibaba> {
        let access_key_id = text(access_key_id, "access_key_id")?;
        let access_key_secret = text(access_key_secret, "access_key_secret")?;
        let security_token = opt_text(security_token, "security_token")?;
        let options = Options::read(
            py,
            endpoint,
            timeout,
            None,
            retry,
            rate_limit,
            concurrency,
            audit_log,
            proxy,
            ca_bundle,
        )?;
        let credentials = lift(
            py,
            AlibabaCredentials::new(access_key_id, access_key_secret, security_token),
        )?;
        let network = options.network.clone();
        let client = explicit_client(cloudhalt::Alibaba::new(credentials), network);
        Alibaba::configure(py, client, options)
    }

    /// A client with credentials from the default chain, the first source that yields
    /// winning: (1) `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` /
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`; (2) OIDC / RRSA (`ALIBABA_CLOUD_ROLE_ARN`,
    /// `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`, `ALIBABA_CLOUD_OIDC_TOKEN_FILE`: STS
    /// AssumeRoleWithOIDC); (3) aliyun-cli's `~/.aliyun/config.json` (profile
    /// `ALIBABA_CLOUD_PROFILE`, else the file's `current`; modes `AK`, `StsToken`,
    /// `RamRoleArn`, `EcsRamRole`; another mode raises "unsupported mode"); (4) the credentials
    /// file (`ALIBABA_CLOUD_CREDENTIALS_FILE`, `~/.alibabacloud/credentials.ini`,
    /// `~/.alibabacloud/credentials`); (5) the ECS RAM role from the metadata service (IMDSv2,
    /// 1 s timeouts); (6) `ALIBABA_CLOUD_CREDENTIALS_URI`. Temporary credentials are refreshed
    /// before they expire. Raises `CredentialsError` listing every source tried and why it did
    /// not yield; `credential_source` tells which one was used. The GIL is released while it
    /// runs. The other arguments are those of the constructor; `proxy` and `ca_bundle` also
    /// apply to the STS and credentials-URI calls (never to the metadata service).
    /// `metadata_endpoint` and `sts_endpoint` are base URLs of the instance metadata service and
    /// of STS, for tests and private networks (they override
    /// `CLOUDHALT_*_METADATA_ENDPOINT` / `CLOUDHALT_*_STS_ENDPOINT`).
    #[staticmethod]
    #[pyo3(
        signature = (*, endpoint = None, timeout = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None, metadata_endpoint = None, sts_endpoint = None),
        text_signature = "(*, endpoint=None, timeout=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None, metadata_endpoint=None, sts_endpoint=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn from_env(
        py: Python<'_>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
        metadata_endpoint: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Alibaba> {
        let options = Options::read(
            py,
            endpoint,
            timeout,
            None,
            retry,
            rate_limit,
            concurrency,
            audit_log,
            proxy,
            ca_bundle,
        )?;
        let client = chain_client(
            py,
            None,
            options.network.clone(),
            super::Endpoints::read(metadata_endpoint, sts_endpoint)?,
        );
        Alibaba::configure(py, client, options)
    }

    /// A client with credentials from the profile `profile` of aliyun-cli's
    /// `~/.aliyun/config.json` or of the credentials file (its `[<profile>]` section), then the
    /// rest of the default chain; the credential environment variables are skipped, as
    /// aliyun-cli skips them for `--profile`. The other arguments are those of `from_env`.
    #[staticmethod]
    #[pyo3(
        signature = (profile, *, endpoint = None, timeout = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None, metadata_endpoint = None, sts_endpoint = None),
        text_signature = "(profile, *, endpoint=None, timeout=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None, metadata_endpoint=None, sts_endpoint=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn from_profile(
        py: Python<'_>,
        profile: &Bound<'_, PyAny>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
        metadata_endpoint: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Alibaba> {
        let profile = text(profile, "profile")?;
        let options = Options::read(
            py,
            endpoint,
            timeout,
            None,
            retry,
            rate_limit,
            concurrency,
            audit_log,
            proxy,
            ca_bundle,
        )?;
        let client = chain_client(
            py,
            Some(profile),
            options.network.clone(),
            super::Endpoints::read(metadata_endpoint, sts_endpoint)?,
        );
        Alibaba::configure(py, client, options)
    }

    /// Where the credentials came from, never the secret: `"explicit values"`,
    /// `"env ALIBABA_CLOUD_ACCESS_KEY_ID"`, `"aliyun-cli profile default (...)"`,
    /// `"ECS RAM role (...)"`, ...
    #[getter]
    fn credential_source(&self) -> &str {
        self.inner.credential_source()
    }

    /// The proxy: its URL (a password redacted), `False` (none) or `None` (the environment's).
    #[getter]
    fn proxy<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        proxy_value(py, &self.inner)
    }

    /// The CA bundle's path, or `None` (`SSL_CERT_FILE`, else the built-in roots).
    #[getter]
    fn ca_bundle(&self) -> Option<String> {
        ca_bundle_value(&self.inner)
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
            "<cloudhalt.Alibaba access_key_id={} endpoint={} timeout={:?} {} {}>",
            py_repr(py, self.inner.key_id())?,
            py_repr(py, &self.endpoint_text())?,
            self.timeout(),
            crate::fleet::settings_repr(py, &self.inner)?,
            network_repr(py, &self.inner)?
        ))
    }

    /// Finishes the interrupted batch recorded in the audit log `audit_file` (str or
    /// `os.PathLike`): IDs already done are skipped, the rest is sent. Returns the `Response` of
    /// what was sent; raises `InvalidInputError` when nothing is left or the log is not an
    /// Alibaba one. Give this client the same `audit_log` to record the resume too. `wait=True`
    /// (and `wait_timeout`, `wait_min_delay`, `wait_max_delay`) waits for what was sent, as
    /// `stop_invocation` does.
    #[pyo3(signature = (audit_file, *, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    fn resume(
        &self,
        py: Python<'_>,
        audit_file: &Bound<'_, PyAny>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        super::resume(py, &self.inner, audit_file, wait)
    }

    /// ECS `StopInvocation`: stops a Cloud Assistant command task on all its instances, or on
    /// `instance_ids` (`i-...` IDs, any number, sent 50 per request) only.
    ///
    /// `wait=True` then waits until every instance's run is over, reading each instance's
    /// `InvocationStatus` in DescribeInvocations (never the aggregate alone, and never
    /// re-sending the stop): `Stopped`, `Cancelled`, `Terminated`; one that ended `Success` or
    /// `Failed` first is reported as "finished before the stop landed" (a started run-once
    /// execution is not interrupted). `wait_timeout` seconds (default 300; 0 looks once),
    /// `wait_min_delay` to `wait_max_delay` seconds between looks (default 1 to 10, with jitter).
    /// The `Response` then carries `states` and `wait_results` keyed by instance ID; a wait
    /// that does not get there raises `WaitTimeoutError` or `WaitFailedError`, with the states
    /// reached. The GIL is released while waiting.
    #[pyo3(signature = (region_id, invoke_id, instance_ids = None, *, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn stop_invocation(
        &self,
        py: Python<'_>,
        region_id: &Bound<'_, PyAny>,
        invoke_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region_id = text(region_id, "region_id")?;
        let invoke_id = text(invoke_id, "invoke_id")?;
        let mut request = StopInvocation::new(region_id, invoke_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids", StopInvocation::OP)?);
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.stop_invocation(&request));
        finish(py, result)
    }

    /// ECS `DescribeInvocations` (read-only): the Cloud Assistant invocations of `region_id`,
    /// narrowed to the task `invoke_id` (`t-...`) and to the instance `instance_id` (`i-...`)
    /// when given. Every page is fetched (`NextToken`): `data["Invocations"]["Invocation"]` holds
    /// every invocation, each with every instance's `InvocationStatus` under
    /// `InvokeInstances.InvokeInstance`. `max_results` is the page size (1 to 50, default 50).
    #[pyo3(signature = (region_id, invoke_id = None, *, instance_id = None, max_results = None))]
    fn describe_invocations(
        &self,
        py: Python<'_>,
        region_id: &Bound<'_, PyAny>,
        invoke_id: Option<&Bound<'_, PyAny>>,
        instance_id: Option<&Bound<'_, PyAny>>,
        max_results: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region_id = text(region_id, "region_id")?;
        let mut params = Params::default();
        params
            .set("RegionId", region_id)
            .text("InvokeId", invoke_id, "invoke_id")?
            .text("InstanceId", instance_id, "instance_id")?
            .page_size("MaxResults", max_results, "max_results", 50)?;
        let params = params.build();
        let client = &self.inner;
        let result = detach(py, || client.call_json("DescribeInvocations", &params));
        finish(py, result)
    }

    /// An operation by its provider name (`"StopInvocation"`, `"DescribeInvocations"`) with the
    /// provider's parameters (`{"RegionId": ..., "InvokeId": ..., "InstanceId": [...]}`).
    /// `wait=True` (and `wait_timeout`, `wait_min_delay`, `wait_max_delay`) waits after
    /// StopInvocation as `stop_invocation` does.
    #[pyo3(signature = (action, params, *, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn call(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let params = params_to_json(params)?;
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.call_json(&action, &params));
        finish(py, result)
    }

    /// Waits until every instance's run of the Cloud Assistant task `invoke_id` (on
    /// `instance_ids` only, when given) is over, as `stop_invocation(wait=True)` does, reading
    /// DescribeInvocations; `states` is keyed by instance ID.
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(signature = (region_id, invoke_id, instance_ids = None, *, timeout = 300.0, min_delay = None, max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn wait_invocation(
        &self,
        py: Python<'_>,
        region_id: &Bound<'_, PyAny>,
        invoke_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region_id = text(region_id, "region_id")?;
        let invoke_id = text(invoke_id, "invoke_id")?;
        let mut request = StopInvocation::new(region_id, invoke_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids", StopInvocation::OP)?);
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait(&request));
        finish(py, result)
    }

    /// The waiter of the write `action` (`"StopInvocation"`) for the IDs its `params` name, the
    /// params `call` would take: what `call(action, params, wait=True)` waits for, without
    /// sending the write.
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(signature = (action, params, *, timeout = 300.0, min_delay = None, max_delay = None))]
    fn wait(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let params = params_to_json(params)?;
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait_json(&action, None, &params));
        finish(py, result)
    }
}
