//! `cloudhalt.Tencent`: CVM, TAT and Auto Scaling.

use cloudhalt::Request;
use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, Language, StopInstances, StopType, StoppedMode,
    TencentCredentials, TencentEndpoint, TerminateInstances,
};
use pyo3::prelude::*;

use super::describe::Params;
use super::{
    CoreResult, Options, ca_bundle_value, chain_client, configured, detach, explicit_client,
    finish, id_list, ids_arg, lift, network_repr, proxy_value, py_repr, waiting, write_wait,
};
use crate::convert::{opt_text, params_to_json, string_list, text};
use crate::fleet::Retry;
use crate::response::Response;

/// A Tencent Cloud client for CVM StopInstances/TerminateInstances, TAT CancelInvocation and
/// Auto Scaling CancelInstanceRefresh. Safe to share between threads; `repr()` never shows the
/// SecretKey or token.
#[pyclass(frozen, module = "cloudhalt", name = "Tencent")]
pub struct Tencent {
    inner: cloudhalt::Tencent,
}

impl Tencent {
    /// Applies the options to the client the credentials gave.
    fn configure(
        py: Python<'_>,
        client: CoreResult<cloudhalt::Tencent>,
        options: Options,
    ) -> PyResult<Tencent> {
        let mut inner = lift(py, client)?;
        if let Some(t) = options.timeout {
            inner = lift(py, inner.with_timeouts(t))?;
        }
        if let Some(url) = options.endpoint {
            inner = lift(py, inner.with_endpoint_url(&url))?;
        }
        if options.language.is_some() {
            inner = inner.with_language(options.language);
        }
        let inner = options.settings.apply(py, inner)?;
        Ok(Tencent { inner })
    }

    /// Sends the Describe call `action` with the parameters built from the typed arguments.
    fn describe(
        &self,
        py: Python<'_>,
        action: &str,
        region: Option<String>,
        params: Params,
    ) -> PyResult<Response> {
        let params = params.build();
        let client = &self.inner;
        let result = detach(py, || client.call_json(action, region.as_deref(), &params));
        finish(py, result)
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
    /// `timeout` is the total seconds per request (default 30; above 0, at most one day);
    /// `language` (`"zh-CN"` or `"en-US"`) picks the language of Tencent's error messages.
    ///
    /// Fleet settings: `retry` a `cloudhalt.Retry` (`None`: the default, 3 attempts;
    /// `Retry(max_attempts=1)`: no retry); `rate_limit` `True` (each action at its documented
    /// rate), `False` (no client-side limit) or a number of requests per second for every
    /// action; `concurrency` how many requests of one batch are in flight at once (1 to 64);
    /// `audit_log` a file path (str or `os.PathLike`) that gets one JSON line before each
    /// request is sent and one after its answer, each fsync'ed first.
    ///
    /// Network settings: `proxy` a proxy URL (`"http://proxy.example:3128"`; HTTPS goes through
    /// it with CONNECT), `False` for no proxy, or `None` (the default) for the environment's
    /// `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY` minus `NO_PROXY`; `ca_bundle` a PEM file of CA
    /// certificates (str or `os.PathLike`) that REPLACES the built-in roots (give one holding
    /// every root you need), `None`: `SSL_CERT_FILE` if set, else the built-in roots. A bad
    /// value raises `InvalidInputError` naming `proxy` or `ca_bundle`.
    #[new]
    #[pyo3(
        signature = (secret_id, secret_key, token = None, *, endpoint = None, timeout = None, language = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None),
        text_signature = "(secret_id, secret_key, token=None, *, endpoint=None, timeout=None, language=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn new(
        py: Python<'_>,
        secret_id: &Bound<'_, PyAny>,
        secret_key: &Bound<'_, PyAny>,
        token: Option<&Bound<'_, PyAny>>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        language: Option<&Bound<'_, PyAny>>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tencent> {
        let secret_id = text(secret_id, "secret_id")?;
        let secret_key = text(secret_key, "secret_key")?;
        let token = opt_text(token, "token")?;
        let options = Options::read(
            py,
            endpoint,
            timeout,
            language,
            retry,
            rate_limit,
            concurrency,
            audit_log,
            proxy,
            ca_bundle,
        )?;
        let credentials = lift(py, TencentCredentials::new(secret_id, secret_key, token))?;
        let network = options.network.clone();
        let client = explicit_client(cloudhalt::Tencent::new(credentials), network);
        Tencent::configure(py, client, options)
    }

    /// A client with credentials from the default chain, the first source that yields
    /// winning: (1) `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` with the session token
    /// from `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_TOKEN` or `TENCENTCLOUD_SECURITY_TOKEN`;
    /// (2) the profile (`TENCENTCLOUD_PROFILE` / `TCCLI_PROFILE` / `default`) of tccli's
    /// `~/.tccli/<profile>.credential` (keys, `cvm-role`, or STS AssumeRole with `role-arn`),
    /// then of the SDK file (`TENCENTCLOUD_CREDENTIALS_FILE`, `~/.tencentcloud/credentials`,
    /// `/etc/tencentcloud/credentials`); (3) TKE OIDC (`TKE_*` variables, STS
    /// AssumeRoleWithWebIdentity); (4) the CVM instance role from the metadata service (1 s
    /// connect, 2 s total). Temporary credentials are refreshed before they expire. Raises
    /// `CredentialsError` listing every source tried and why it did not yield;
    /// `credential_source` tells which one was used. The GIL is released while it runs. The
    /// other arguments are those of the constructor; `proxy` and `ca_bundle` also apply to the
    /// STS calls of the chain and of later refreshes (never to the metadata service).
    /// `metadata_endpoint` and `sts_endpoint` are base URLs of the instance metadata service and
    /// of STS, for tests and private networks (they override
    /// `CLOUDHALT_*_METADATA_ENDPOINT` / `CLOUDHALT_*_STS_ENDPOINT`).
    #[staticmethod]
    #[pyo3(
        signature = (*, endpoint = None, timeout = None, language = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None, metadata_endpoint = None, sts_endpoint = None),
        text_signature = "(*, endpoint=None, timeout=None, language=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None, metadata_endpoint=None, sts_endpoint=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn from_env(
        py: Python<'_>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        language: Option<&Bound<'_, PyAny>>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
        metadata_endpoint: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tencent> {
        let options = Options::read(
            py,
            endpoint,
            timeout,
            language,
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
        Tencent::configure(py, client, options)
    }

    /// A client with credentials from the profile `profile` of tccli
    /// (`~/.tccli/<profile>.credential`) or of the SDK file (its `[<profile>]` section), then
    /// the rest of the default chain (TKE OIDC, the CVM role); the credential environment
    /// variables are skipped, as tccli skips them for `--profile`. The other arguments are
    /// those of `from_env`.
    #[staticmethod]
    #[pyo3(
        signature = (profile, *, endpoint = None, timeout = None, language = None, retry = None, rate_limit = None, concurrency = None, audit_log = None, proxy = None, ca_bundle = None, metadata_endpoint = None, sts_endpoint = None),
        text_signature = "(profile, *, endpoint=None, timeout=None, language=None, retry=None, rate_limit=True, concurrency=4, audit_log=None, proxy=None, ca_bundle=None, metadata_endpoint=None, sts_endpoint=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn from_profile(
        py: Python<'_>,
        profile: &Bound<'_, PyAny>,
        endpoint: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        language: Option<&Bound<'_, PyAny>>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        ca_bundle: Option<&Bound<'_, PyAny>>,
        metadata_endpoint: Option<&Bound<'_, PyAny>>,
        sts_endpoint: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Tencent> {
        let profile = text(profile, "profile")?;
        let options = Options::read(
            py,
            endpoint,
            timeout,
            language,
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
        Tencent::configure(py, client, options)
    }

    /// Where the credentials came from, never the secret: `"explicit values"`,
    /// `"env TENCENTCLOUD_SECRET_ID"`, `"tccli profile default (...)"`, `"CVM role (...)"`, ...
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

    /// The SecretId (not secret: every request carries it).
    #[getter]
    fn secret_id(&self) -> &str {
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

    /// The language of Tencent's error messages, or `None` for the provider's default.
    #[getter]
    fn language(&self) -> Option<&'static str> {
        self.inner.language().map(Language::as_str)
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
            "<cloudhalt.Tencent secret_id={} endpoint={} timeout={:?} {} {}>",
            py_repr(py, self.inner.key_id())?,
            py_repr(py, &self.endpoint_text())?,
            self.timeout(),
            crate::fleet::settings_repr(py, &self.inner)?,
            network_repr(py, &self.inner)?
        ))
    }

    /// Finishes the interrupted batch recorded in the audit log `audit_file` (str or
    /// `os.PathLike`): IDs already done are skipped, TerminateInstances IDs whose outcome is
    /// unknown are never sent again (check their state with DescribeInstances), the rest is sent.
    /// Returns the `Response` of what was sent; raises `InvalidInputError` when nothing is left
    /// or the log is not a Tencent one. Give this client the same `audit_log` to record the
    /// resume too. `wait=True` (and `wait_timeout`, `wait_min_delay`, `wait_max_delay`) waits
    /// for what was sent, as the operation's method does.
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

    /// CVM `StopInstances`: shuts down RUNNING instances, any number (sent 100 per request). `stop_type` is `"SOFT"`,
    /// `"HARD"` or `"SOFT_FIRST"`; `stopped_mode` is `"KEEP_CHARGING"` or `"STOP_CHARGING"`.
    /// A request refused as a whole because some instances are already STOPPED or STOPPING is
    /// described: those become `"already"` and only the running ones are sent again.
    ///
    /// `wait=True` then waits until every ID reaches its end state (`"STOPPED"`; a stop that fails or an instance that vanishes is a failure), polling DescribeInstances
    /// only (never re-sending the write) for up to `wait_timeout` seconds (default 300; 0 looks
    /// once), `wait_min_delay` to `wait_max_delay` seconds apart (default 1 to 10, with jitter).
    /// The `Response` then carries `states` and `wait_results`; a wait that does not get there
    /// raises `WaitTimeoutError` (the deadline came first) or `WaitFailedError` (an ID reached a
    /// failure state), both with the states reached. The GIL is released while waiting.
    #[pyo3(signature = (region, instance_ids, *, force_stop = false, stop_type = None, stopped_mode = None, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn stop_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: &Bound<'_, PyAny>,
        force_stop: bool,
        stop_type: Option<&Bound<'_, PyAny>>,
        stopped_mode: Option<&Bound<'_, PyAny>>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let stop_type = opt_text(stop_type, "stop_type")?;
        let stopped_mode = opt_text(stopped_mode, "stopped_mode")?;
        let mut request = StopInstances::new(
            region,
            id_list(instance_ids, "instance_ids", StopInstances::OP)?,
        );
        request
            .set_force_stop(force_stop)
            .set_stop_type(lift(
                py,
                stop_type.as_deref().map(StopType::parse).transpose(),
            )?)
            .set_stopped_mode(lift(
                py,
                stopped_mode.as_deref().map(StoppedMode::parse).transpose(),
            )?);
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.stop_instances(&request));
        finish(py, result)
    }

    /// CVM `TerminateInstances`: returns (destroys) instances, any number (sent 100 per request).
    /// A prepaid instance goes to the recycle bin first; cloudhalt never re-sends this request
    /// after a failure that may have taken effect (its IDs are then described: what the
    /// provider shows is reported, and a running one stays `unknown`).
    ///
    /// `wait=True` then waits until every ID reaches its end state (gone for a postpaid instance, `"SHUTDOWN"` in the recycle bin for a prepaid one), polling DescribeInstances
    /// only (never re-sending the write) for up to `wait_timeout` seconds (default 300; 0 looks
    /// once), `wait_min_delay` to `wait_max_delay` seconds apart (default 1 to 10, with jitter).
    /// The `Response` then carries `states` and `wait_results`; a wait that does not get there
    /// raises `WaitTimeoutError` (the deadline came first) or `WaitFailedError` (an ID reached a
    /// failure state), both with the states reached. The GIL is released while waiting.
    #[pyo3(signature = (region, instance_ids, *, release_prepaid_data_disks = false, release_address = false, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn terminate_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: &Bound<'_, PyAny>,
        release_prepaid_data_disks: bool,
        release_address: bool,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let mut request = TerminateInstances::new(
            region,
            id_list(instance_ids, "instance_ids", TerminateInstances::OP)?,
        );
        request
            .set_release_prepaid_data_disks(release_prepaid_data_disks)
            .set_release_address(release_address);
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.terminate_instances(&request));
        finish(py, result)
    }

    /// TAT `CancelInvocation`: cancels a command invocation on all its instances, or on
    /// `instance_ids` only.
    ///
    /// `wait=True` then waits until every ID reaches its end state (every task terminal, keyed by instance ID: `CANCELLED`, `TERMINATED`, ...; a task that ended `SUCCESS` or `FAILED` first is reported as "finished before the cancel landed"), polling DescribeInvocationTasks
    /// only (never re-sending the write) for up to `wait_timeout` seconds (default 300; 0 looks
    /// once), `wait_min_delay` to `wait_max_delay` seconds apart (default 1 to 10, with jitter).
    /// The `Response` then carries `states` and `wait_results`; a wait that does not get there
    /// raises `WaitTimeoutError` (the deadline came first) or `WaitFailedError` (an ID reached a
    /// failure state), both with the states reached. The GIL is released while waiting.
    #[pyo3(signature = (region, invocation_id, instance_ids = None, *, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn cancel_invocation(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        invocation_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let invocation_id = text(invocation_id, "invocation_id")?;
        let mut request = CancelInvocation::new(region, invocation_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids", CancelInvocation::OP)?);
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.cancel_invocation(&request));
        finish(py, result)
    }

    /// Auto Scaling `CancelInstanceRefresh`: cancels the pending batches of an instance refresh
    /// activity. `region` is optional for this operation.
    ///
    /// A batch being refreshed blocks the cancel
    /// (`ResourceUnavailable.RefreshActivityStatusConflictWithOperation`): with
    /// `pause_first=True` the activity is paused first (AS `StopInstanceRefresh`, a second
    /// write), cloudhalt waits for `MANUAL_PAUSE` with no batch running, then cancels again;
    /// without it the error says so.
    ///
    /// `wait=True` then waits until every ID reaches its end state (`CANCELLED`; `SUCCESSFUL` or `FAILED` first means too late to cancel, a failure), polling DescribeRefreshActivities
    /// only (never re-sending the write) for up to `wait_timeout` seconds (default 300; 0 looks
    /// once), `wait_min_delay` to `wait_max_delay` seconds apart (default 1 to 10, with jitter).
    /// The `Response` then carries `states` and `wait_results`; a wait that does not get there
    /// raises `WaitTimeoutError` (the deadline came first) or `WaitFailedError` (an ID reached a
    /// failure state), both with the states reached. The GIL is released while waiting.
    #[pyo3(signature = (auto_scaling_group_id, refresh_activity_id, *, region = None, pause_first = false, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn cancel_instance_refresh(
        &self,
        py: Python<'_>,
        auto_scaling_group_id: &Bound<'_, PyAny>,
        refresh_activity_id: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
        pause_first: bool,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let auto_scaling_group_id = text(auto_scaling_group_id, "auto_scaling_group_id")?;
        let refresh_activity_id = text(refresh_activity_id, "refresh_activity_id")?;
        let region = opt_text(region, "region")?;
        let mut request = CancelInstanceRefresh::new(auto_scaling_group_id, refresh_activity_id);
        request.set_region(region);
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, pause_first)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.cancel_instance_refresh(&request));
        finish(py, result)
    }

    /// CVM `DescribeInstances` (read-only): the instances `instance_ids` (any number, asked for
    /// 100 per request), or every instance of `region` that `filters` selects. Every page is
    /// fetched: the `Response.data` is the provider's JSON with every instance in
    /// `data["Response"]["InstanceSet"]` (and `TotalCount` their number). An ID that does not
    /// exist is simply absent. `filters` is a dict of filter name to values
    /// (`{"instance-state": ["RUNNING"]}`) or a list of the provider's `{"Name": ...,
    /// "Values": [...]}` entries (at most 10, of 1 to 5 values each), never together with
    /// `instance_ids`; `limit` is the page size (1 to 100, default 100).
    #[pyo3(signature = (region, instance_ids = None, *, filters = None, limit = None))]
    fn describe_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let mut params = Params::default();
        params
            .ids("InstanceIds", instance_ids, "instance_ids")?
            .filters(filters)?
            .page_size("Limit", limit, "limit", 100)?;
        self.describe(py, "DescribeInstances", Some(region), params)
    }

    /// TAT `DescribeInvocationTasks` (read-only): the tasks (one per instance) of the invocation
    /// `invocation_id` (the filter `invocation-id`), narrowed to `instance_ids` (the filter
    /// `instance-id`, at most 5), or the tasks `invocation_task_ids` (`invt-...`), or those
    /// `filters` selects (as for `describe_instances`). Every page is fetched into
    /// `data["Response"]["InvocationTaskSet"]`, each task with its `TaskStatus`. The tasks'
    /// output is never fetched (`HideOutput` is always sent true): cloudhalt reads states.
    #[pyo3(signature = (region, invocation_id = None, *, instance_ids = None, invocation_task_ids = None, filters = None, limit = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn describe_invocation_tasks(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        invocation_id: Option<&Bound<'_, PyAny>>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        invocation_task_ids: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let mut params = Params::default();
        if let Some(id) = opt_text(invocation_id, "invocation_id")? {
            params.filter("invocation-id", vec![id]);
        }
        if let Some(ids) = instance_ids.filter(|o| !o.is_none()) {
            params.filter("instance-id", string_list(ids, "instance_ids")?);
        }
        params
            .ids(
                "InvocationTaskIds",
                invocation_task_ids,
                "invocation_task_ids",
            )?
            .filters(filters)?
            .page_size("Limit", limit, "limit", 100)?;
        self.describe(py, "DescribeInvocationTasks", Some(region), params)
    }

    /// Auto Scaling `DescribeRefreshActivities` (read-only): the refresh activities
    /// `refresh_activity_ids` (`asr-...`), or every activity of the scaling group
    /// `auto_scaling_group_id` (the filter `auto-scaling-group-id`), or those `filters` selects
    /// (`refresh-activity-status-code`, ...). Every page is fetched into
    /// `data["Response"]["RefreshActivitySet"]`, each with its `Status` and its batches'
    /// statuses. `region` is optional, as for `cancel_instance_refresh`.
    #[pyo3(signature = (refresh_activity_ids = None, *, auto_scaling_group_id = None, filters = None, region = None, limit = None))]
    fn describe_refresh_activities(
        &self,
        py: Python<'_>,
        refresh_activity_ids: Option<&Bound<'_, PyAny>>,
        auto_scaling_group_id: Option<&Bound<'_, PyAny>>,
        filters: Option<&Bound<'_, PyAny>>,
        region: Option<&Bound<'_, PyAny>>,
        limit: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Response> {
        let region = opt_text(region, "region")?;
        let mut params = Params::default();
        if let Some(id) = opt_text(auto_scaling_group_id, "auto_scaling_group_id")? {
            params.filter("auto-scaling-group-id", vec![id]);
        }
        params
            .ids(
                "RefreshActivityIds",
                refresh_activity_ids,
                "refresh_activity_ids",
            )?
            .filters(filters)?
            .page_size("Limit", limit, "limit", 100)?;
        self.describe(py, "DescribeRefreshActivities", region, params)
    }

    /// Any operation of the table by its provider name (the four stops, `"StopInstanceRefresh"`
    /// and the Describe calls `"DescribeInstances"`, `"DescribeInvocationTasks"`,
    /// `"DescribeRefreshActivities"`) with the provider's JSON parameters (`{"InstanceIds":
    /// ["ins-..."], "StopType": "SOFT"}`). The same validation applies; unknown parameters are
    /// refused. A Describe call fetches every page. `wait=True` (and `wait_timeout`,
    /// `wait_min_delay`, `wait_max_delay`) waits after a write as its typed method does.
    #[pyo3(signature = (action, params, *, region = None, wait = false, wait_timeout = 300.0, wait_min_delay = None, wait_max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn call(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
        wait: bool,
        wait_timeout: f64,
        wait_min_delay: Option<f64>,
        wait_max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let region = opt_text(region, "region")?;
        let params = params_to_json(params)?;
        let wait = write_wait(py, wait, wait_timeout, wait_min_delay, wait_max_delay)?;
        let derived = configured(py, &self.inner, wait, false)?;
        let client = derived.as_ref().unwrap_or(&self.inner);
        let result = detach(py, || client.call_json(&action, region.as_deref(), &params));
        finish(py, result)
    }

    /// Waits until the CVM instances `instance_ids` of `region` reach `state`: `"STOPPED"`
    /// (what `stop_instances(wait=True)` waits for) or `"TERMINATED"` (gone, or a prepaid
    /// instance in the recycle bin: what `terminate_instances(wait=True)` waits for), reading
    /// DescribeInstances. An empty `instance_ids` returns at once with no states.
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(
        signature = (region, instance_ids, state = None, *, timeout = 300.0, min_delay = None, max_delay = None),
        text_signature = "($self, region, instance_ids, state=\"STOPPED\", *, timeout=300.0, min_delay=None, max_delay=None)"
    )]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn wait_instances(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        instance_ids: &Bound<'_, PyAny>,
        state: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let ids = string_list(instance_ids, "instance_ids")?;
        let state = opt_text(state, "state")?.unwrap_or_else(|| "STOPPED".to_owned());
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait_instances(&region, &ids, &state));
        finish(py, result)
    }

    /// Waits until the tasks of the TAT invocation `invocation_id` (on `instance_ids` only, when
    /// given) are terminal, as `cancel_invocation(wait=True)` does, reading
    /// DescribeInvocationTasks; `states` is keyed by instance ID.
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(signature = (region, invocation_id, instance_ids = None, *, timeout = 300.0, min_delay = None, max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn wait_invocation(
        &self,
        py: Python<'_>,
        region: &Bound<'_, PyAny>,
        invocation_id: &Bound<'_, PyAny>,
        instance_ids: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let region = text(region, "region")?;
        let invocation_id = text(invocation_id, "invocation_id")?;
        let mut request = CancelInvocation::new(region, invocation_id);
        request.set_instance_ids(ids_arg(instance_ids, "instance_ids", CancelInvocation::OP)?);
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait(&request));
        finish(py, result)
    }

    /// Waits until the instance refresh activity `refresh_activity_id` of the scaling group
    /// `auto_scaling_group_id` is `CANCELLED`, as `cancel_instance_refresh(wait=True)` does,
    /// reading DescribeRefreshActivities (`SUCCESSFUL` / `FAILED`: too late to cancel).
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(signature = (auto_scaling_group_id, refresh_activity_id, *, region = None, timeout = 300.0, min_delay = None, max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn wait_instance_refresh(
        &self,
        py: Python<'_>,
        auto_scaling_group_id: &Bound<'_, PyAny>,
        refresh_activity_id: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let auto_scaling_group_id = text(auto_scaling_group_id, "auto_scaling_group_id")?;
        let refresh_activity_id = text(refresh_activity_id, "refresh_activity_id")?;
        let region = opt_text(region, "region")?;
        let mut request = CancelInstanceRefresh::new(auto_scaling_group_id, refresh_activity_id);
        request.set_region(region);
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait(&request));
        finish(py, result)
    }

    /// The waiter of the write `action` (`"StopInstances"`, `"TerminateInstances"`,
    /// `"CancelInvocation"`, `"CancelInstanceRefresh"`, `"StopInstanceRefresh"`: paused) for the
    /// IDs its JSON `params` name, the params `call` would take for it: what
    /// `call(action, params, wait=True)` waits for, without sending the write.
    /// Polls only: nothing is written. Waits up to `timeout` seconds (default 300; 0 looks
    /// once), `min_delay` to `max_delay` seconds apart (default 1 to 10, with jitter), with the
    /// GIL released. Returns a `Response` with `states` and `wait_results`; raises
    /// `WaitTimeoutError` or `WaitFailedError` (with the states reached) when the IDs do not get
    /// there.
    #[pyo3(signature = (action, params, *, region = None, timeout = 300.0, min_delay = None, max_delay = None))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn wait(
        &self,
        py: Python<'_>,
        action: &Bound<'_, PyAny>,
        params: &Bound<'_, PyAny>,
        region: Option<&Bound<'_, PyAny>>,
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> PyResult<Response> {
        let action = text(action, "action")?;
        let region = opt_text(region, "region")?;
        let params = params_to_json(params)?;
        let client = waiting(py, &self.inner, timeout, min_delay, max_delay)?;
        let result = detach(py, || client.wait_json(&action, region.as_deref(), &params));
        finish(py, result)
    }
}
