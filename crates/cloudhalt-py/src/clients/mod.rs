//! `cloudhalt.Tencent` and `cloudhalt.Alibaba`: frozen classes over the core clients.
//!
//! Every method first turns its Python arguments into owned Rust values (a wrong type raises
//! `TypeError` here), then releases the GIL with `py.detach` while the core validates, signs and
//! sends, so threads sharing one client run their requests in parallel.
//!
//! One file per provider; this one holds what both share: turning core results into Python
//! ones, the timeout check, reading ID lists, and resuming from an audit log.

mod alibaba;
mod describe;
mod tencent;

pub(crate) use alibaba::Alibaba;
pub(crate) use tencent::Tencent;

use pyo3::prelude::*;

use crate::convert::string_list;
use crate::errors::map_error;
use crate::response::Response;

/// The keyword arguments every constructor shares, read and checked before any credential
/// source is tried.
pub(crate) struct Options {
    endpoint: Option<String>,
    timeout: Option<cloudhalt::Timeouts>,
    language: Option<cloudhalt::Language>,
    settings: crate::fleet::Settings,
    network: cloudhalt::Network,
}

impl Options {
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn read(
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
    ) -> PyResult<Options> {
        let endpoint = crate::convert::opt_text(endpoint, "endpoint")?;
        let language = crate::convert::opt_text(language, "language")?;
        let settings = crate::fleet::Settings::read(py, retry, rate_limit, concurrency, audit_log)?;
        let network = network_arg(proxy, ca_bundle)?;
        let timeout = timeouts(py, timeout)?;
        let language = lift(
            py,
            language
                .as_deref()
                .map(cloudhalt::Language::parse)
                .transpose(),
        )?;
        Ok(Options {
            endpoint,
            timeout,
            language,
            settings,
            network,
        })
    }
}

/// Releases the GIL for `f` (the core's validation, signing, sending), first reading the
/// `"cloudhalt"` logger's level so that the records `f` logs below it cost nothing.
fn detach<T: Send>(py: Python<'_>, f: impl FnOnce() -> T + Send) -> T {
    crate::logging::sync_level(py);
    py.detach(f)
}

/// Reads the `proxy=` and `ca_bundle=` keywords: `proxy` a URL `str`, `False` (no proxy,
/// whatever the environment says) or `None` (the environment's `HTTPS_PROXY` & co.);
/// `ca_bundle` a PEM file path (`str` or `os.PathLike`) or `None`.
fn network_arg(
    proxy: Option<&Bound<'_, PyAny>>,
    ca_bundle: Option<&Bound<'_, PyAny>>,
) -> PyResult<cloudhalt::Network> {
    use pyo3::types::{PyBool, PyString};
    let mut network = cloudhalt::Network::new();
    match proxy {
        None => {}
        Some(p) if p.is_none() => {}
        Some(p) if p.is_instance_of::<PyBool>() && !p.extract::<bool>()? => {
            network = network.without_proxy();
        }
        Some(p) if p.is_instance_of::<PyString>() => {
            network = network.with_proxy(p.extract::<String>()?);
        }
        Some(p) => {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "proxy must be a proxy URL (str, e.g. \"http://proxy.example:3128\"), False (no \
                 proxy) or None (the environment's HTTPS_PROXY), not {}",
                crate::convert::type_name(p)
            )));
        }
    }
    if let Some(path) = ca_bundle.filter(|c| !c.is_none()) {
        network = network.with_ca_bundle(crate::fleet::path_arg(path, "ca_bundle")?);
    }
    Ok(network)
}

/// A proxy URL as it may be shown: the user info (a password) replaced.
fn redact_proxy(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let shown = match rest[..authority_end].rfind('@') {
        Some(at) => format!("<redacted>@{}", &rest[at + 1..]),
        None => rest.to_owned(),
    };
    if scheme.is_empty() {
        shown
    } else {
        format!("{scheme}://{shown}")
    }
}

/// The `proxy` property: the URL (password redacted), `False` (off) or `None` (environment).
fn proxy_value<'py, C: cloudhalt::Cloud>(
    py: Python<'py>,
    client: &cloudhalt::Client<C>,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::IntoPyObjectExt;
    match &client.network().proxy {
        cloudhalt::ProxySetting::Url(u) => redact_proxy(u).into_bound_py_any(py),
        cloudhalt::ProxySetting::Off => false.into_bound_py_any(py),
        _ => Ok(py.None().into_bound(py)),
    }
}

/// The `ca_bundle` property.
fn ca_bundle_value<C: cloudhalt::Cloud>(client: &cloudhalt::Client<C>) -> Option<String> {
    client
        .network()
        .ca_bundle
        .as_ref()
        .map(|p| p.to_string_lossy().into_owned())
}

/// The `credential_source=... proxy=... ca_bundle=...` part of a client's repr.
fn network_repr<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
) -> PyResult<String> {
    let proxy = match &client.network().proxy {
        cloudhalt::ProxySetting::Url(u) => py_repr(py, &redact_proxy(u))?,
        cloudhalt::ProxySetting::Off => "False".into(),
        _ => "None".into(),
    };
    let ca = match ca_bundle_value(client) {
        Some(p) => py_repr(py, &p)?,
        None => "None".into(),
    };
    Ok(format!(
        "credential_source={} proxy={proxy} ca_bundle={ca}",
        py_repr(py, client.credential_source())?
    ))
}

/// Runs the default chain (with `profile`, if given) with the GIL released; the network
/// settings go to the chain so that STS refreshes use them too.
fn chain_client<C: cloudhalt::Cloud>(
    py: Python<'_>,
    profile: Option<String>,
    network: cloudhalt::Network,
    endpoints: Endpoints,
) -> CoreResult<cloudhalt::Client<C>> {
    let mut options = cloudhalt::ChainOptions::new().with_network(network);
    if let Some(name) = profile {
        options = options.with_profile(name);
    }
    if let Some(url) = endpoints.metadata {
        options = options.with_metadata_endpoint(url);
    }
    if let Some(url) = endpoints.sts {
        options = options.with_sts_endpoint(url);
    }
    detach(py, || cloudhalt::Client::<C>::from_chain(&options))
}

/// The `metadata_endpoint=` and `sts_endpoint=` keywords of `from_env` / `from_profile`: base
/// URLs of the metadata service and of STS, for tests and private networks (the same as
/// `CLOUDHALT_*_METADATA_ENDPOINT` / `CLOUDHALT_*_STS_ENDPOINT`, which they override).
pub(crate) struct Endpoints {
    metadata: Option<String>,
    sts: Option<String>,
}

impl Endpoints {
    pub(crate) fn read(
        metadata: Option<&Bound<'_, PyAny>>,
        sts: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Endpoints> {
        Ok(Endpoints {
            metadata: crate::convert::opt_text(metadata, "metadata_endpoint")?,
            sts: crate::convert::opt_text(sts, "sts_endpoint")?,
        })
    }
}

/// A client of explicit credentials with these network settings.
fn explicit_client<C: cloudhalt::Cloud>(
    client: cloudhalt::Client<C>,
    network: cloudhalt::Network,
) -> CoreResult<cloudhalt::Client<C>> {
    if network == cloudhalt::Network::default() {
        Ok(client)
    } else {
        client.with_network(network)
    }
}

type CoreResult<T> = Result<T, cloudhalt::Error>;

/// Turns the core's result into a `Response` or the matching exception.
fn finish(py: Python<'_>, result: CoreResult<cloudhalt::Response>) -> PyResult<Response> {
    if let Some(raised) = crate::interrupt::take() {
        return Err(raised);
    }
    match result {
        Ok(r) => Ok(Response::from_core(r)),
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

/// The wait after a write, from an operation's `wait=`, `wait_timeout=`, `wait_min_delay=` and
/// `wait_max_delay=` keywords (seconds; `None` delays: the core's 1 s and 10 s): `None` when
/// `wait` is false. Out-of-range values raise `InvalidInputError` naming the keyword before
/// anything is sent, even with `wait=False`: a bad value is a bug in the caller either way.
fn write_wait(
    py: Python<'_>,
    wait: bool,
    timeout: f64,
    min_delay: Option<f64>,
    max_delay: Option<f64>,
) -> PyResult<Option<cloudhalt::Wait>> {
    let setting = lift(
        py,
        cloudhalt::Wait::from_secs_f64(timeout, min_delay, max_delay),
    )?;
    Ok(wait.then_some(setting))
}

/// The wait of a standalone `wait_*` method, from its `timeout=`, `min_delay=` and
/// `max_delay=` keywords; an error names those keywords (the core's names are the operations'
/// `wait_timeout`, `wait_min_delay`, `wait_max_delay`).
fn standalone_wait(
    py: Python<'_>,
    timeout: f64,
    min_delay: Option<f64>,
    max_delay: Option<f64>,
) -> PyResult<cloudhalt::Wait> {
    cloudhalt::Wait::from_secs_f64(timeout, min_delay, max_delay).map_err(|e| {
        let renamed = |text: &str| {
            ["timeout", "min_delay", "max_delay"]
                .iter()
                .fold(text.to_owned(), |t, k| t.replace(&format!("wait_{k}"), k))
        };
        let field = renamed(e.field().unwrap_or("timeout"));
        map_error(
            py,
            &cloudhalt::Error::invalid_input(&field, renamed(e.message())),
        )
    })
}

/// `client` set up for a standalone `wait_*` method: waiting by its `timeout=`, `min_delay=`
/// and `max_delay=` keywords (see [`standalone_wait`]).
fn waiting<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
    timeout: f64,
    min_delay: Option<f64>,
    max_delay: Option<f64>,
) -> PyResult<cloudhalt::Client<C>> {
    let wait = standalone_wait(py, timeout, min_delay, max_delay)?;
    lift(py, client.with_wait(Some(wait)))
}

/// `client` waiting by `wait` and (for CancelInstanceRefresh) pausing first, or `None` when
/// neither is asked for and `client` itself does.
fn configured<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
    wait: Option<cloudhalt::Wait>,
    pause_first: bool,
) -> PyResult<Option<cloudhalt::Client<C>>> {
    if wait.is_none() && !pause_first {
        return Ok(None);
    }
    let mut derived = lift(py, client.with_wait(wait))?;
    if pause_first {
        derived = derived.with_pause_first(true);
    }
    Ok(Some(derived))
}

/// Reads an audit log and finishes its batch with `client` (GIL released): what
/// `cloudhalt::Resume::to_send` lists is sent; finished IDs are skipped and unknown
/// TerminateInstances IDs held back (their states are described and reported). With `wait`,
/// what was sent is waited for.
fn resume<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
    audit_file: &Bound<'_, PyAny>,
    wait: Option<cloudhalt::Wait>,
) -> PyResult<Response> {
    let path = crate::fleet::path_arg(audit_file, "audit_file")?;
    let derived = configured(py, client, wait, false)?;
    let client = derived.as_ref().unwrap_or(client);
    let result = detach(py, || {
        let resume = cloudhalt::Resume::read(&path)?;
        client.resume(&resume)
    });
    finish(py, result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_proxy_password_is_never_shown() {
        assert_eq!(
            super::redact_proxy("http://user:s3cr@t@proxy:3128/x"),
            "http://<redacted>@proxy:3128/x"
        );
        assert_eq!(
            super::redact_proxy("http://proxy:3128"),
            "http://proxy:3128"
        );
    }

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
