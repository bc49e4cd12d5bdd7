//! What every provider's client handle shares: [`ClientHandle`], and the one body of `_new`,
//! `_from_env`, the setters, `_resume` and `_free` that both providers' exports call.
//!
//! The exports themselves stay one documented `extern "C"` function each (cbindgen reads them,
//! and does not expand macros); each body is a single call into this module.

use std::ffi::{CString, c_char};
use std::sync::RwLock;
use std::time::Duration;

use cloudhalt::{
    Alibaba, AlibabaCloud, AlibabaCredentials, AuditLog, Client, Cloud, Error, Network, Pacing,
    ProxySetting, Response, Resume, Retry, Tencent, TencentCloud, TencentCredentials, Wait,
};

use crate::boundary::{arg_handle, null_out};
use crate::chain_options::cloudhalt_chain_options;
use crate::handle::{Handle, write_out};
use crate::response::cloudhalt_response;
use crate::strings::{arg_opt_str, arg_secret, arg_str, to_c_string};

/// What differs between the clouds for the C ABI: the credential arguments. Everything else is
/// the core's one generic [`Client`].
pub(crate) trait CloudArgs: Cloud {
    /// The C names of the `_new` arguments, in order: key ID, secret, session token.
    const CREDENTIAL_ARGS: [&'static str; 3];

    /// A client from explicit credentials.
    fn client(id: &str, secret: &str, token: Option<String>) -> Result<Client<Self>, Error>;
}

impl CloudArgs for TencentCloud {
    const CREDENTIAL_ARGS: [&'static str; 3] = ["secret_id", "secret_key", "token"];

    fn client(id: &str, secret: &str, token: Option<String>) -> Result<Tencent, Error> {
        Ok(Tencent::new(TencentCredentials::new(id, secret, token)?))
    }
}

impl CloudArgs for AlibabaCloud {
    const CREDENTIAL_ARGS: [&'static str; 3] =
        ["access_key_id", "access_key_secret", "security_token"];

    fn client(id: &str, secret: &str, token: Option<String>) -> Result<Alibaba, Error> {
        Ok(Alibaba::new(AlibabaCredentials::new(id, secret, token)?))
    }
}

/// A client shared with C: the core client behind a lock, so that the setters may run while
/// other threads send. A call clones the client (an `Arc`) and sends without holding the lock,
/// so a call in flight keeps the settings it started with.
pub(crate) struct ClientHandle<C> {
    client: RwLock<C>,
    /// `credential_source()` of the client, NUL-terminated for C. The setters keep the
    /// credential provider, so it stays true (and its pointer valid) for the handle's life.
    source: CString,
}

impl<K: Cloud> ClientHandle<Client<K>> {
    fn new(client: Client<K>) -> ClientHandle<Client<K>> {
        ClientHandle {
            source: to_c_string(client.credential_source()),
            client: RwLock::new(client),
        }
    }

    /// Where the credentials came from, borrowed for the life of the handle.
    pub(crate) fn source(&self) -> &CString {
        &self.source
    }
}

impl<C: Clone> ClientHandle<C> {
    /// The current client; cheap, and the lock is not held while sending.
    pub(crate) fn client(&self) -> C {
        // A poisoned lock only means a panic elsewhere; the client inside is still whole.
        self.client
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the client with `f(current)`; on error the client is unchanged.
    pub(crate) fn update(&self, f: impl FnOnce(&C) -> Result<C, Error>) -> Result<(), Error> {
        let mut guard = self.client.write().unwrap_or_else(|e| e.into_inner());
        *guard = f(&guard)?;
        Ok(())
    }
}

/// A C client type (`cloudhalt_tencent`, `cloudhalt_alibaba`): an opaque, Box-owned wrapper of a
/// [`ClientHandle`].
pub(crate) trait ClientObject: Handle {
    /// The cloud of the core client inside.
    type Cloud: CloudArgs;

    /// Wraps a new handle.
    fn wrap(handle: ClientHandle<Client<Self::Cloud>>) -> Self;

    /// The handle inside.
    fn handle(&self) -> &ClientHandle<Client<Self::Cloud>>;
}

/// Makes `$c`, a newtype over `ClientHandle<Client<$cloud>>` declared where cbindgen can see it,
/// a Box-owned handle and a [`ClientObject`].
macro_rules! client_object {
    ($c:ident, $cloud:ty) => {
        impl $crate::handle::Handle for $c {}

        impl $crate::client::ClientObject for $c {
            type Cloud = $cloud;

            fn wrap(handle: $crate::client::ClientHandle<cloudhalt::Client<$cloud>>) -> Self {
                $c(handle)
            }

            fn handle(&self) -> &$crate::client::ClientHandle<cloudhalt::Client<$cloud>> {
                &self.0
            }
        }
    };
}

/// The body of `cloudhalt_<provider>_new`.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is NULL or valid for writes.
pub(crate) unsafe fn new<H: ClientObject>(
    id: *const c_char,
    secret: *const c_char,
    token: *const c_char,
    out: *mut *mut H,
) -> Result<(), Error> {
    let [id_name, secret_name, token_name] = H::Cloud::CREDENTIAL_ARGS;
    if out.is_null() {
        return Err(null_out("out"));
    }
    // SAFETY: by the caller's contract.
    let id = unsafe { arg_str(id, id_name) }?;
    // SAFETY: by the caller's contract.
    let secret = unsafe { arg_secret(secret, secret_name) }?;
    // The token is a secret too: `arg_opt_str` never quotes a value either.
    // SAFETY: by the caller's contract.
    let token = unsafe { arg_opt_str(token, token_name) }?;
    let client = H::Cloud::client(id, secret, token.map(str::to_owned))?;
    // SAFETY: `out` checked non-NULL above.
    unsafe { write_out(out, H::wrap(ClientHandle::new(client))) };
    Ok(())
}

/// The body of `cloudhalt_<provider>_from_env`.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn from_env<H: ClientObject>(out: *mut *mut H) -> Result<(), Error> {
    if out.is_null() {
        return Err(null_out("out"));
    }
    let client = Client::<H::Cloud>::from_env()?;
    // SAFETY: `out` checked non-NULL above.
    unsafe { write_out(out, H::wrap(ClientHandle::new(client))) };
    Ok(())
}

/// The body of `cloudhalt_<provider>_from_profile`.
///
/// # Safety
/// `profile` is NULL or NUL-terminated; `out` is NULL or valid for writes.
pub(crate) unsafe fn from_profile<H: ClientObject>(
    profile: *const c_char,
    out: *mut *mut H,
) -> Result<(), Error> {
    if out.is_null() {
        return Err(null_out("out"));
    }
    // SAFETY: by the caller's contract.
    let profile = unsafe { arg_str(profile, "profile") }?;
    if profile.is_empty() {
        return Err(Error::invalid_input(
            "profile",
            "profile is empty: give a profile name such as \"default\", or call _from_env \
             for the default chain",
        ));
    }
    let client = Client::<H::Cloud>::from_profile(profile)?;
    // SAFETY: `out` checked non-NULL above.
    unsafe { write_out(out, H::wrap(ClientHandle::new(client))) };
    Ok(())
}

/// The body of `cloudhalt_<provider>_from_chain`.
///
/// # Safety
/// `options` is NULL or a live options handle; `out` is NULL or valid for writes.
pub(crate) unsafe fn from_chain<H: ClientObject>(
    options: *const cloudhalt_chain_options,
    out: *mut *mut H,
) -> Result<(), Error> {
    if out.is_null() {
        return Err(null_out("out"));
    }
    // SAFETY: by the caller's contract.
    let options = unsafe { arg_handle(options, "options") }?.get();
    let client = Client::<H::Cloud>::from_chain(&options)?;
    // SAFETY: `out` checked non-NULL above.
    unsafe { write_out(out, H::wrap(ClientHandle::new(client))) };
    Ok(())
}

/// The body of `cloudhalt_<provider>_credential_source`: NULL for a NULL handle.
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn credential_source<H: ClientObject>(c: *const H) -> *const c_char {
    // SAFETY: by the caller's contract.
    match unsafe { H::borrow(c) } {
        Some(c) => c.handle().source().as_ptr(),
        None => std::ptr::null(),
    }
}

/// The proxy setting a C `url` argument means: NULL the environment's, "" none, else that URL.
pub(crate) fn proxy_setting(url: Option<&str>) -> ProxySetting {
    match url {
        None => ProxySetting::FromEnv,
        Some("") => ProxySetting::Off,
        Some(url) => ProxySetting::Url(url.to_owned()),
    }
}

/// The body of `cloudhalt_<provider>_set_proxy`.
///
/// # Safety
/// `c` is NULL or a live client; `url` is NULL or NUL-terminated.
pub(crate) unsafe fn set_proxy<H: ClientObject>(
    c: *const H,
    url: *const c_char,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // SAFETY: by the caller's contract.
    let proxy = proxy_setting(unsafe { arg_opt_str(url, "url") }?);
    c.handle().update(|client| {
        let mut network = client.network().clone();
        network.proxy = proxy;
        client.with_network(network)
    })
}

/// The body of `cloudhalt_<provider>_set_ca_bundle`.
///
/// # Safety
/// `c` is NULL or a live client; `path` is NULL or NUL-terminated.
pub(crate) unsafe fn set_ca_bundle<H: ClientObject>(
    c: *const H,
    path: *const c_char,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // SAFETY: by the caller's contract.
    let path = unsafe { arg_opt_str(path, "path") }?;
    c.handle().update(|client| {
        let mut network: Network = client.network().clone();
        network.ca_bundle = path.map(std::path::PathBuf::from);
        client.with_network(network)
    })
}

/// Checks network settings as a client would use them (proxy URL, CA bundle file), so that the
/// chain-options setters refuse a bad value at once, naming the field, rather than when the
/// chain runs.
pub(crate) fn check_network(network: &Network) -> Result<(), Error> {
    // Placeholder credentials: the client is only built, never used.
    let probe = Tencent::new(TencentCredentials::new("AKIDcheck", "check", None)?);
    probe.with_network(network.clone()).map(drop)
}

/// The body of `cloudhalt_<provider>_set_endpoint`.
///
/// # Safety
/// `c` is NULL or a live client; `url` is NULL or NUL-terminated.
pub(crate) unsafe fn set_endpoint<H: ClientObject>(
    c: *const H,
    url: *const c_char,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // SAFETY: by the caller's contract.
    let url = unsafe { arg_str(url, "url") }?;
    c.handle().update(|client| client.with_endpoint_url(url))
}

/// The body of `cloudhalt_<provider>_set_timeout_ms`.
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn set_timeout_ms<H: ClientObject>(c: *const H, ms: u32) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // The core checks the range; its error is relabelled with the C argument's name and unit.
    c.handle().update(|client| {
        client
            .with_timeout(Duration::from_millis(u64::from(ms)))
            .map_err(|_| {
                Error::invalid_input(
                    "ms",
                    format!(
                        "ms {ms} is out of range: give 1 to {} milliseconds (one day); the \
                         default is 30000",
                        cloudhalt::Timeouts::MAX.as_millis()
                    ),
                )
            })
    })
}

/// The body of `cloudhalt_<provider>_set_retry`. The core checks the policy; its error names
/// the field (`max_attempts`, `base_delay`, `max_delay`).
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn set_retry<H: ClientObject>(
    c: *const H,
    max_attempts: u32,
    base_delay_ms: u32,
    max_delay_ms: u32,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    let retry = Retry {
        max_attempts,
        base_delay: Duration::from_millis(u64::from(base_delay_ms)),
        max_delay: Duration::from_millis(u64::from(max_delay_ms)),
    };
    c.handle().update(|client| client.with_retry(retry))
}

/// The body of `cloudhalt_<provider>_set_rate_limit` and `_set_rate_limit_per_second`.
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn set_rate_limit<H: ClientObject>(
    c: *const H,
    pacing: Pacing,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    c.handle().update(|client| client.with_rate_limit(pacing))
}

/// The body of `cloudhalt_<provider>_set_concurrency`. The core checks the range (field
/// `concurrency`).
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn set_concurrency<H: ClientObject>(c: *const H, n: u32) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // A u32 that does not fit a usize is far above the core's maximum: saturate, so the core
    // refuses it with its own message.
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    c.handle().update(|client| client.with_concurrency(n))
}

/// The wait a C `set_wait(timeout_ms, min_delay_ms, max_delay_ms)` means: all three 0 is no wait
/// (`None`); otherwise a wait of `timeout_ms` (0 polls once), a 0 delay being `None` for the
/// core, which picks its default (as for Python's `wait_min_delay=None`), so both bindings read
/// the same values the same way. The core checks the values; its error names the field
/// (`wait_timeout`, `wait_min_delay`, `wait_max_delay`).
pub(crate) fn wait_setting(
    timeout_ms: u32,
    min_delay_ms: u32,
    max_delay_ms: u32,
) -> Result<Option<Wait>, Error> {
    if (timeout_ms, min_delay_ms, max_delay_ms) == (0, 0, 0) {
        return Ok(None);
    }
    let secs = |ms: u32| f64::from(ms) / 1000.0;
    let delay = |ms: u32| (ms != 0).then(|| secs(ms));
    Wait::from_secs_f64(secs(timeout_ms), delay(min_delay_ms), delay(max_delay_ms)).map(Some)
}

/// The body of `cloudhalt_<provider>_set_wait`: see [`wait_setting`].
///
/// # Safety
/// `c` is NULL or a live client.
pub(crate) unsafe fn set_wait<H: ClientObject>(
    c: *const H,
    timeout_ms: u32,
    min_delay_ms: u32,
    max_delay_ms: u32,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    let wait = wait_setting(timeout_ms, min_delay_ms, max_delay_ms)?;
    c.handle().update(|client| client.with_wait(wait))
}

/// The body of `cloudhalt_<provider>_set_audit_log`: NULL stops logging.
///
/// # Safety
/// `c` is NULL or a live client; `path` is NULL or NUL-terminated.
pub(crate) unsafe fn set_audit_log<H: ClientObject>(
    c: *const H,
    path: *const c_char,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // SAFETY: by the caller's contract.
    let path = unsafe { arg_opt_str(path, "path") }?;
    // Opened before the lock is taken: a slow disk does not hold up other threads' calls.
    let audit = path.map(AuditLog::open).transpose()?;
    c.handle()
        .update(move |client| Ok(client.with_audit_log(audit)))
}

/// The body of `cloudhalt_<provider>_resume`: finishes the last batch of the audit log at
/// `audit_path`. The resume is itself logged, to the client's audit log when it has one, else
/// appended to `audit_path`, so that a resume interrupted in turn can be resumed from the same file.
///
/// # Safety
/// `c` is NULL or a live client; `audit_path` is NULL or NUL-terminated; `out` is NULL or valid
/// for writes.
pub(crate) unsafe fn resume<H: ClientObject>(
    c: *const H,
    audit_path: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> Result<(), Error> {
    // SAFETY: by the caller's contract.
    let c = unsafe { arg_handle(c, "c") }?;
    // SAFETY: by the caller's contract.
    let path = unsafe { arg_str(audit_path, "audit_path") }?;
    let resume = Resume::read(path)?;
    let mut client = c.handle().client();
    if client.audit_log().is_none() {
        client = client.with_audit_log(Some(AuditLog::open(path)?));
    }
    // SAFETY: forwarded contract.
    unsafe { finish(client.resume(&resume), out) }
}

/// Writes the response handle (if wanted) after a successful call.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn finish(
    result: Result<Response, Error>,
    out: *mut *mut cloudhalt_response,
) -> Result<(), Error> {
    let response = result?;
    // SAFETY: by the caller's contract.
    unsafe { write_out(out, cloudhalt_response::new(response)) };
    Ok(())
}

/// The body of `cloudhalt_<provider>_free`.
///
/// # Safety
/// `c` is NULL or a live client, not used afterwards.
pub(crate) unsafe fn free<H: ClientObject>(c: *mut H) {
    // SAFETY: by the caller's contract.
    unsafe { H::free(c) }
}
