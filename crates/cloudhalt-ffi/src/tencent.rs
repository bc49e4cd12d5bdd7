//! `cloudhalt_tencent`: the Tencent Cloud client and its four operations.

use std::ffi::c_char;
use std::ptr;

use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, Error, Language, Pacing, StopInstances, StopType,
    StoppedMode, Tencent, TerminateInstances,
};

use crate::client::{self, ClientHandle, finish};
use crate::json::{parse_params, write_json};
use crate::response::cloudhalt_response;
use crate::status::cloudhalt_status;
use crate::strings::{Instances, arg_instances};

/// A Tencent Cloud client (CVM, TAT and Auto Scaling).
///
/// Ownership: created by cloudhalt_tencent_new(), _from_env(), _from_profile() or _from_chain(),
/// released with cloudhalt_tencent_free(). Thread-safe: one client may be shared by any number
/// of threads, and the setters may be called while other threads send (a call in flight keeps
/// the settings it started with). Clones of the connection pool are shared by all calls.
pub struct cloudhalt_tencent(ClientHandle<Tencent>);

client_object!(cloudhalt_tencent, cloudhalt::TencentCloud);

/// Creates a Tencent Cloud client from explicit credentials, sending to the default endpoint
/// (`{service}.tencentcloudapi.com`) with a 30 s timeout.
///
/// `secret_id` and `secret_key` are required; `token` is the STS session token, or NULL (or "")
/// for permanent keys. The strings are copied; the secret key and token are wiped from memory
/// when the client is freed and never appear in any message.
///
/// Returns CLOUDHALT_INVALID_INPUT for a NULL or non-UTF-8 argument, CLOUDHALT_CREDENTIALS for an
/// empty or malformed credential. On CLOUDHALT_OK, `*out` receives a client that the caller owns
/// and releases with cloudhalt_tencent_free(); otherwise `*out` is left untouched.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_new(
    secret_id: *const c_char,
    secret_key: *const c_char,
    token: *const c_char,
    out: *mut *mut cloudhalt_tencent,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::new(secret_id, secret_key, token, out) }
    })
}

/// Creates a Tencent Cloud client with credentials from the default chain: the first source that
/// yields wins, in the order of the README's "Credentials" table:
/// 1. `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` (token from
///    `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_TOKEN` or `TENCENTCLOUD_SECURITY_TOKEN`);
/// 2. the tccli profile (`TENCENTCLOUD_PROFILE` / `TCCLI_PROFILE` / `default`) in
///    `~/.tccli/<profile>.credential` (keys, `cvm-role`, or `role-arn` for STS AssumeRole),
///    then the SDK file (`TENCENTCLOUD_CREDENTIALS_FILE`, `~/.tencentcloud/credentials`,
///    `/etc/tencentcloud/credentials`);
/// 3. TKE OIDC (`TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`);
/// 4. the CVM instance role from the metadata service (1 s connect, 2 s total).
///
/// Temporary credentials (roles, STS) are cached by the client, shared by its threads, and
/// refreshed before they expire by the thread that needs them. The metadata and STS addresses
/// can be moved with `CLOUDHALT_TENCENT_METADATA_ENDPOINT` and
/// `CLOUDHALT_TENCENT_STS_ENDPOINT` (or cloudhalt_tencent_from_chain()).
/// cloudhalt_tencent_credential_source() tells which source was used.
///
/// Returns CLOUDHALT_CREDENTIALS when no source yields: the message lists every source tried and
/// why each did not yield (not set, file missing, malformed at line N, metadata not reachable),
/// and never a secret; off-cloud, with nothing configured, this takes at most about 3 s. On
/// CLOUDHALT_OK, `*out` receives a client owned by the caller (release with
/// cloudhalt_tencent_free()).
///
/// # Safety
/// `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_from_env(
    out: *mut *mut cloudhalt_tencent,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_env(out) }
    })
}

/// Creates a Tencent Cloud client from the profile `profile` of the official tools' files:
/// tccli's `~/.tccli/<profile>.credential` (JSON `secretId`, `secretKey`, `token`;
/// `type: "cvm-role"`; `role-arn` + `role-session-name` for STS AssumeRole), else the
/// `[profile]` section of the SDK file (`TENCENTCLOUD_CREDENTIALS_FILE`,
/// `~/.tencentcloud/credentials`, `/etc/tencentcloud/credentials`); then, as the default
/// chain goes on, the instance role. The credential environment variables
/// (`TENCENTCLOUD_SECRET_ID` ...) are skipped, as the official CLIs skip them for `--profile`.
///
/// Returns CLOUDHALT_INVALID_INPUT when `profile` or `out` is NULL, or `profile` is "" or not
/// UTF-8; CLOUDHALT_CREDENTIALS when the profile yields nothing (the message names every source
/// tried and why, never a secret). On CLOUDHALT_OK, `*out` receives a client owned by the
/// caller (release with cloudhalt_tencent_free()).
///
/// # Safety
/// `profile` is NULL or NUL-terminated; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_from_profile(
    profile: *const c_char,
    out: *mut *mut cloudhalt_tencent,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_profile(profile, out) }
    })
}

/// Creates a Tencent Cloud client from the default chain run with `options`
/// (cloudhalt_chain_options_new(): profile, metadata and STS addresses, proxy, CA bundle). The
/// client sends through the options' proxy and CA bundle too, and so do its credential
/// refreshes through STS. `options` is only read: free it when convenient.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` or `out` is NULL, CLOUDHALT_CREDENTIALS when
/// no source yields (as cloudhalt_tencent_from_env()). On CLOUDHALT_OK, `*out` receives a client
/// owned by the caller (release with cloudhalt_tencent_free()).
///
/// # Safety
/// `options` is NULL or live options; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_from_chain(
    options: *const crate::cloudhalt_chain_options,
    out: *mut *mut cloudhalt_tencent,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_chain(options, out) }
    })
}

/// Where the credentials of `c` came from, without any secret: `explicit values`,
/// `env TENCENTCLOUD_SECRET_ID`, `tccli profile default (/home/me/.tccli/default.credential)`,
/// `CVM role (http://metadata.tencentyun.com/)`, ...
///
/// Borrowed from `c`: valid until cloudhalt_tencent_free(c). NULL when `c` is NULL. Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_credential_source(
    c: *const cloudhalt_tencent,
) -> *const c_char {
    boundary!({
        // SAFETY: forwarded contract.
        unsafe { client::credential_source(c) }
    })
}

/// Sends every later request of `c` to `url` (`http://127.0.0.1:8123`, a proxy, the emulator):
/// scheme, host and optional port, no path. Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT for NULL or a malformed URL (the client is then unchanged).
///
/// # Safety
/// `c` is NULL or a live client; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_endpoint(
    c: *mut cloudhalt_tencent,
    url: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_endpoint(c, url) }
    })
}

/// Sets the total timeout of each later request of `c` to `ms` milliseconds (connecting included;
/// the default is 30000). Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL, or `ms` is 0 or more than 86400000 (one day);
/// the last error then names `ms`.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_timeout_ms(
    c: *mut cloudhalt_tencent,
    ms: u32,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_timeout_ms(c, ms) }
    })
}

/// Sends every later request of `c` through the proxy `url` (`http://proxy.example:3128`,
/// optionally `http://user:password@host:port`; HTTPS goes through it with CONNECT, and
/// `NO_PROXY` does not apply). `""` turns the proxy off, whatever the environment says. NULL:
/// back to the environment's (`ALL_PROXY`, else `HTTPS_PROXY`, else `HTTP_PROXY`, each also in
/// lower case, minus the hosts in `NO_PROXY`), which is the default. The client gets a new
/// connection pool. Credential refreshes through STS keep the proxy the chain ran with: to
/// send those through the proxy too, give it to cloudhalt_chain_options_set_proxy() and
/// cloudhalt_tencent_from_chain(). Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `url` is not a proxy URL (the last error
/// names `proxy`, never a password; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_proxy(
    c: *mut cloudhalt_tencent,
    url: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_proxy(c, url) }
    })
}

/// Makes every later request of `c` trust only the CA certificates of the PEM file `path`. The
/// bundle REPLACES the built-in (Mozilla) roots: for corporate TLS inspection give a file
/// holding both the system roots and the inspecting CA (on most Linux systems
/// `/etc/ssl/certs/ca-certificates.crt` already does). NULL: back to `SSL_CERT_FILE` if set,
/// else the built-in roots (the default). The file is read now; the client gets a new
/// connection pool. Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or the file cannot be read or holds no
/// certificate (the last error names `ca_bundle`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_ca_bundle(
    c: *mut cloudhalt_tencent,
    path: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_ca_bundle(c, path) }
    })
}

/// Asks Tencent Cloud for error messages in `language` (`"zh-CN"` or `"en-US"`, sent as
/// `X-TC-Language`), or NULL for the provider's default. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `language` is another value.
///
/// # Safety
/// `c` is NULL or a live client; `language` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_language(
    c: *mut cloudhalt_tencent,
    language: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let language = arg_opt_str!(language, "language").map(Language::parse).transpose()?;
        c.0.update(|client| Ok(client.with_language(language)))
    })
}

/// Sets the retry policy of every later call of `c`: up to `max_attempts` attempts per request
/// (1 = never retry, at most 20), with exponential backoff and full jitter from `base_delay_ms`
/// up to `max_delay_ms` between attempts (at most one hour). The default is 3 attempts, 200 ms,
/// 5000 ms. What is retried is decided per operation by the core: refusals (throttling, a bare
/// 503) always; ambiguous failures only where repeating is harmless (never TerminateInstances).
/// Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL, `max_attempts` is 0 or above 20,
/// `max_delay_ms` is above 3600000 or `base_delay_ms` above `max_delay_ms`; the last error then
/// names the field (`max_attempts`, `max_delay`, `base_delay`) and the client is unchanged.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_retry(
    c: *mut cloudhalt_tencent,
    max_attempts: u32,
    base_delay_ms: u32,
    max_delay_ms: u32,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_retry(c, max_attempts, base_delay_ms, max_delay_ms) }
    })
}

/// Switches the client-side rate limit of `c` on (`true`, the default: each action paced at
/// its documented rate per region, with a 10 % margin) or off (`false`). The limiter is shared
/// by every thread using `c`. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_rate_limit(
    c: *mut cloudhalt_tencent,
    enabled: bool,
) -> cloudhalt_status {
    boundary!(fallible {
        let pacing = if enabled { Pacing::Documented } else { Pacing::Off };
        // SAFETY: forwarded contract.
        unsafe { client::set_rate_limit(c, pacing) }
    })
}

/// Paces every action of `c` at `rate` requests per second per region (0.01 to 10000, with the
/// 10 % margin) instead of the documented rates: for an account whose limits were changed.
/// Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `rate` is out of range, NaN or infinite
/// (the last error names `rate_limit`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_rate_limit_per_second(
    c: *mut cloudhalt_tencent,
    rate: f64,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_rate_limit(c, Pacing::PerSecond(rate)) }
    })
}

/// Lets a call of `c` split into several requests (more than 100 IDs) send up to `n` of them
/// at once (1 to 64; the default is 4), still paced by the rate limit. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `n` is out of range (the last error
/// names `concurrency`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_concurrency(
    c: *mut cloudhalt_tencent,
    n: u32,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_concurrency(c, n) }
    })
}

/// Records every later request of `c` in the audit log at `path` (UTF-8; created with mode 0600,
/// appended to): one JSON line before each attempt is sent and one after its answer, each
/// fsync'ed first, so a crash at any moment leaves a log from which nothing sent is missing
/// (cloudhalt_tencent_resume() reads it back). NULL stops logging. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or the file cannot be opened (the last
/// error names `audit`; the client is unchanged). A later write failure fails that call with
/// CLOUDHALT_AUDIT, before its request is sent.
///
/// # Safety
/// `c` is NULL or a live client; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_audit_log(
    c: *mut cloudhalt_tencent,
    path: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_audit_log(c, path) }
    })
}

/// Makes every later write of `c` wait until it is confirmed: after StopInstances,
/// TerminateInstances, CancelInvocation and CancelInstanceRefresh (the typed functions, their
/// `_call_json` forms and cloudhalt_tencent_resume()), the IDs the write did (outcome `done` or
/// `already`) are polled with the matching Describe call, never by sending the write again,
/// until each reaches success (StopInstances: `STOPPED`; TerminateInstances: gone, or `SHUTDOWN`
/// in the recycle bin for a prepaid instance; CancelInvocation: every task in an end state;
/// CancelInstanceRefresh: `CANCELLED`), until one reaches a failure state, or until the deadline.
///
/// - `timeout_ms`: how long to wait, at most 86400000 (one day); 0 polls once.
/// - `min_delay_ms`, `max_delay_ms`: the pause between two polls grows, with jitter, from
///   `min_delay_ms` to `max_delay_ms` (each at most 3600000, and `min_delay_ms <= max_delay_ms`).
///   `min_delay_ms` 0 is the default, 1000; `max_delay_ms` 0 is the default, 10000, or
///   `min_delay_ms` when that is larger (so a `max_delay_ms` below 1000 needs a `min_delay_ms`
///   too). The last pause is cut short at the deadline, and polls are paced by the rate limit and
///   retried by the retry policy.
/// - `(0, 0, 0)`: no wait, the default: the call returns once the write is answered.
///
/// The standalone waits (cloudhalt_tencent_wait_instances(), cloudhalt_tencent_wait_json()) use
/// this setting too, or 300000 ms with 1000 to 10000 ms between polls when none is set.
///
/// A waiting call's response gives each ID's final state (cloudhalt_response_state() and its
/// siblings). A wait that ends otherwise fails the call with CLOUDHALT_WAIT_TIMEOUT or
/// CLOUDHALT_WAIT_FAILED; the write's per-ID outcomes and the states reached are then on the last
/// error (cloudhalt_last_error_outcome(), cloudhalt_last_error_state()). Thread-safe; calls
/// already in flight keep the setting they started with.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or a value is out of range (the last error
/// names `wait_timeout`, `wait_min_delay` or `wait_max_delay`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_wait(
    c: *mut cloudhalt_tencent,
    timeout_ms: u32,
    min_delay_ms: u32,
    max_delay_ms: u32,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_wait(c, timeout_ms, min_delay_ms, max_delay_ms) }
    })
}

/// With `pause_first` true, a later CancelInstanceRefresh of `c` that the provider refuses because
/// a batch is refreshing (`ResourceUnavailable.RefreshActivityStatusConflictWithOperation`) pauses
/// the refresh activity first (Auto Scaling `StopInstanceRefresh`), waits until it is
/// `MANUAL_PAUSE` with no batch running, then sends the cancel again (and, with a wait set,
/// waits for `CANCELLED`). The pause's wait lasts up to the client's wait setting
/// (cloudhalt_tencent_set_wait()), or 300000 ms when none is set. False, the default: that
/// refusal fails the call with CLOUDHALT_STATE_CONFLICT, whose message says so and how to ask
/// for the pause. Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_set_pause_first(
    c: *mut cloudhalt_tencent,
    pause_first: bool,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        c.0.update(|client| Ok(client.with_pause_first(pause_first)))
    })
}

/// Finishes the interrupted batch recorded last in the audit log at `audit_path` (written by a
/// client with an audit log, cloudhalt_tencent_set_audit_log()): IDs already `done` or `already` are
/// skipped; TerminateInstances IDs whose outcome is `unknown` are never sent again (check their
/// state with DescribeInstances first); every other ID is sent again with the batch's original
/// parameters. The resume is logged too: to the audit log of `c` if it has one, else appended to
/// `audit_path`, so that it can itself be resumed.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller, whose per-ID record lists
///   the IDs sent now; may be NULL.
///
/// Returns CLOUDHALT_INVALID_INPUT (field `audit`) when the log cannot be read, holds no batch,
/// is of an Alibaba Cloud batch, or has nothing left to send; otherwise as the operation.
/// Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; `audit_path` is NULL or NUL-terminated; `out` is NULL or valid
/// for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_resume(
    c: *mut cloudhalt_tencent,
    audit_path: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::resume(c, audit_path, out) }
    })
}

/// Releases a client. NULL is a no-op. No call on `c` may be in flight on another thread.
///
/// # Safety
/// `c` is NULL or a live client, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_free(c: *mut cloudhalt_tencent) {
    boundary!({
        // SAFETY: forwarded contract.
        unsafe { client::free(c) }
    })
}

/// CVM `StopInstances` (2017-03-12): shuts down RUNNING instances of `region`.
///
/// - `region`: e.g. `"ap-guangzhou"`; required.
/// - `instance_ids`, `n`: one or more `"ins-xxxxxxxx"` IDs, each once, any number: the whole
///   list is checked first (nothing is sent if one is bad), then sent in requests of at most 100
///   IDs, paced by the rate limit, up to the concurrency at a time (cloudhalt_tencent_set_*()).
/// - `force_stop`: the provider's deprecated ForceStop; never together with `stop_type`.
/// - `stop_type`: `"SOFT"` (the provider's default), `"HARD"` or `"SOFT_FIRST"`, or NULL.
/// - `stopped_mode`: `"KEEP_CHARGING"` (default) or `"STOP_CHARGING"`, or NULL.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free());
///   NULL when the response is not needed.
///
/// Every argument is checked before anything is sent (CLOUDHALT_INVALID_INPUT names it). Each
/// request is retried by the client's policy (cloudhalt_tencent_set_retry()); an ID already
/// stopping or stopped after a retry is reported `already`, a success. The response tells every
/// ID's outcome (cloudhalt_response_outcome()). When a request fails, the call answers the
/// status of the first failed request with details from cloudhalt_last_error_*(), including
/// every ID's outcome and every RequestId (cloudhalt_last_error_outcome()). Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `instance_ids` is NULL or
/// points to `n` string pointers; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_stop_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    force_stop: bool,
    stop_type: *const c_char,
    stopped_mode: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let region = arg_str!(region, "region");
        if instance_ids.is_null() && n == 0 {
            return Err(Error::invalid_input(
                "instance_ids",
                "instance_ids is NULL: give one or more instance IDs",
            ));
        }
        let ids = arg_list!(instance_ids, n, "instance_ids");
        let stop_type = arg_opt_str!(stop_type, "stop_type").map(StopType::parse).transpose()?;
        let stopped_mode = arg_opt_str!(stopped_mode, "stopped_mode")
            .map(StoppedMode::parse)
            .transpose()?;
        let mut request = StopInstances::new(region, ids);
        request
            .set_force_stop(force_stop)
            .set_stop_type(stop_type)
            .set_stopped_mode(stopped_mode);
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().stop_instances(&request), out) }
    })
}

/// CVM `TerminateInstances` (2017-03-12): returns instances of `region` (pay-as-you-go
/// instances are destroyed; prepaid ones go to the recycle bin, and a second call destroys them,
/// so cloudhalt never re-sends a request after an ambiguous failure: its IDs are reported
/// CLOUDHALT_OUTCOME_UNKNOWN; check their state before calling again). Keeps the instances' elastic IPs: use
/// cloudhalt_tencent_terminate_instances_ex() to release them too.
///
/// - `release_prepaid_data_disks`: also release prepaid data disks mounted on the instances.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller; may be NULL.
///
/// Arguments and statuses as cloudhalt_tencent_stop_instances(). Thread-safe.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_terminate_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    release_prepaid_data_disks: bool,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe {
            terminate_instances(c, region, instance_ids, n, false, release_prepaid_data_disks, out)
        }
    })
}

/// CVM `TerminateInstances` (2017-03-12) with every option the provider offers: as
/// cloudhalt_tencent_terminate_instances(), plus
///
/// - `release_address`: also release the elastic IPs bound to the instances (the provider's
///   `ReleaseAddress`); false keeps them, as cloudhalt_tencent_terminate_instances() does.
/// - `release_prepaid_data_disks`: also release prepaid data disks mounted on the instances.
///
/// Never re-sent by cloudhalt (see cloudhalt_tencent_terminate_instances()). Thread-safe.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_terminate_instances_ex(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    release_address: bool,
    release_prepaid_data_disks: bool,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe {
            terminate_instances(c, region, instance_ids, n, release_address, release_prepaid_data_disks, out)
        }
    })
}

/// The body of both TerminateInstances exports.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
unsafe fn terminate_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    release_address: bool,
    release_prepaid_data_disks: bool,
    out: *mut *mut cloudhalt_response,
) -> Result<(), Error> {
    let c = arg_handle!(c, "c");
    let region = arg_str!(region, "region");
    if instance_ids.is_null() && n == 0 {
        return Err(Error::invalid_input(
            "instance_ids",
            "instance_ids is NULL: give one or more instance IDs",
        ));
    }
    let ids = arg_list!(instance_ids, n, "instance_ids");
    let mut request = TerminateInstances::new(region, ids);
    request
        .set_release_address(release_address)
        .set_release_prepaid_data_disks(release_prepaid_data_disks);
    // SAFETY: `out` is NULL or valid for writes by contract.
    unsafe { finish(c.0.client().terminate_instances(&request), out) }
}

/// TAT `CancelInvocation` (2020-10-28) on the listed instances: cancels command invocation
/// `invocation_id` (`"inv-xxxxxxxx"`) in `region` on CVM (`ins-`), Lighthouse
/// (`lhins-`) or managed (`mi-`) instances. Undelivered tasks become CANCELLED, running ones
/// TERMINATED.
///
/// - `instance_ids`, `n`: one or more IDs (any number, sent 100 per request). An empty list (`n == 0`, with or without NULL) is
///   refused with CLOUDHALT_INVALID_INPUT, never taken as "every instance": use
///   cloudhalt_tencent_cancel_invocation_all_instances() for that.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller; may be NULL.
///
/// Statuses as cloudhalt_tencent_stop_instances(). Thread-safe.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_cancel_invocation_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    invocation_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe {
            cancel_invocation(c, region, invocation_id, instance_ids, n, Instances::Listed, out)
        }
    })
}

/// TAT `CancelInvocation` (2020-10-28) on every instance of the invocation: cancels command
/// invocation `invocation_id` (`"inv-xxxxxxxx"`) in `region` wherever it runs.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller; may be NULL.
///
/// Statuses as cloudhalt_tencent_stop_instances(). Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out` is NULL or valid for
/// writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_cancel_invocation_all_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    invocation_id: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract; no list is read.
        unsafe {
            cancel_invocation(c, region, invocation_id, ptr::null(), 0, Instances::All, out)
        }
    })
}

/// TAT `CancelInvocation` (2020-10-28), original form: as
/// cloudhalt_tencent_cancel_invocation_instances(), except that NULL `instance_ids` with
/// `n == 0` cancels on every instance of the invocation, which is also how C writes an empty
/// array. Deprecated: call cloudhalt_tencent_cancel_invocation_instances() or
/// cloudhalt_tencent_cancel_invocation_all_instances(), which say which one is meant. It keeps
/// working unchanged within ABI epoch libcloudhalt.so.0.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
#[deprecated(
    note = "use cloudhalt_tencent_cancel_invocation_instances or cloudhalt_tencent_cancel_invocation_all_instances"
)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_cancel_invocation(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    invocation_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe {
            cancel_invocation(c, region, invocation_id, instance_ids, n, Instances::NullMeansAll, out)
        }
    })
}

/// The body of the three CancelInvocation exports.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
unsafe fn cancel_invocation(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    invocation_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    mode: Instances,
    out: *mut *mut cloudhalt_response,
) -> Result<(), Error> {
    let c = arg_handle!(c, "c");
    let region = arg_str!(region, "region");
    let invocation_id = arg_str!(invocation_id, "invocation_id");
    // SAFETY: by the caller's contract.
    let ids = unsafe {
        arg_instances(
            instance_ids,
            n,
            "instance_ids",
            mode,
            "cloudhalt_tencent_cancel_invocation_all_instances",
        )
    }?;
    let mut request = CancelInvocation::new(region, invocation_id);
    request.set_instance_ids(ids);
    // SAFETY: `out` is NULL or valid for writes by contract.
    unsafe { finish(c.0.client().cancel_invocation(&request), out) }
}

/// Auto Scaling `CancelInstanceRefresh` (2018-04-19): cancels the waiting batches of refresh
/// activity `refresh_activity_id` (`"asr-xxxxxxxx"`) of scaling group `auto_scaling_group_id`
/// (`"asg-xxxxxxxx"`).
///
/// - `region`: optional for this operation; NULL sends no region.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller; may be NULL.
///
/// Statuses as cloudhalt_tencent_stop_instances(). Thread-safe.
///
/// # Safety
/// As cloudhalt_tencent_stop_instances().
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_cancel_instance_refresh(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    auto_scaling_group_id: *const c_char,
    refresh_activity_id: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let region = arg_opt_str!(region, "region");
        let group = arg_str!(auto_scaling_group_id, "auto_scaling_group_id");
        let activity = arg_str!(refresh_activity_id, "refresh_activity_id");
        let mut request = CancelInstanceRefresh::new(group, activity);
        request.set_region(region.map(str::to_owned));
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().cancel_instance_refresh(&request), out) }
    })
}

/// Any of the four Tencent operations by its provider name (`"StopInstances"`,
/// `"TerminateInstances"`, `"CancelInvocation"`, `"CancelInstanceRefresh"`) with the provider's
/// JSON parameters (`{"InstanceIds":["ins-r8hr2upy"],"StopType":"SOFT"}`), for legacy automation.
/// The same validation applies, and unknown parameters are refused.
///
/// - `region`: the region, or NULL (only CancelInstanceRefresh accepts none).
/// - `out_json`: on CLOUDHALT_OK receives the provider's whole answer as JSON, an *owned* string
///   released with cloudhalt_string_free() (never free()); may be NULL. For a list of more than
///   100 IDs, sent in several requests, it is the answer to the first request.
///
/// Batches, retries and pacing are those of the typed functions. The per-ID outcomes are on the
/// last error when the call fails; to read them after a success, call
/// cloudhalt_tencent_call_json_response() instead, which returns a `cloudhalt_response`.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out_json` is NULL or valid
/// for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_call_json(
    c: *mut cloudhalt_tencent,
    action: *const c_char,
    region: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let region = arg_opt_str!(region, "region");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        let response = c.0.client().call_json(action, region, &params)?;
        // SAFETY: `out_json` is NULL or valid for writes by contract.
        unsafe { write_json(out_json, &response) };
        Ok(())
    })
}

/// As cloudhalt_tencent_call_json(), answering a `cloudhalt_response` instead of a string: its
/// cloudhalt_response_json() is the provider's answer (to the first request of a batch), and
/// its per-ID accessors (cloudhalt_response_outcome() ...) tell what happened to every ID.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free());
///   may be NULL.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out` is NULL or valid for
/// writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_call_json_response(
    c: *mut cloudhalt_tencent,
    action: *const c_char,
    region: *const c_char,
    params_json: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let region = arg_opt_str!(region, "region");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().call_json(action, region, &params), out) }
    })
}

/// Waits, without sending any write, until the CVM instances `instance_ids` of `region` reach
/// `state`, polling DescribeInstances (2017-03-12; 100 IDs per request, paced by the rate limit
/// and retried by the retry policy). For instances stopped or terminated earlier, by this
/// library or another tool.
///
/// - `region`: e.g. `"ap-guangzhou"`; required.
/// - `instance_ids`, `n`: the `"ins-xxxxxxxx"` IDs, each once, any number. An empty list (`n == 0`,
///   with or without NULL) answers CLOUDHALT_OK at once, with no state and nothing sent.
/// - `state`: `"STOPPED"` (the StopInstances waiter: success at `STOPPED`; failure when the
///   instance's latest StopInstances operation FAILED or it vanished) or `"TERMINATED"` (the
///   TerminateInstances waiter: success when the instance is gone, or `SHUTDOWN` in the
///   recycle bin for a prepaid one; failure when the termination FAILED).
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free()),
///   whose cloudhalt_response_state() and siblings give each ID's final state; may be NULL. It
///   has no per-ID outcomes (nothing was written); its RequestId and JSON are those of the last
///   DescribeInstances answer (`""` for an empty list), cloudhalt_response_attempts() counts
///   the Describe requests.
///
/// The wait lasts up to the client's wait setting (cloudhalt_tencent_set_wait()), or 300000 ms
/// with 1000 to 10000 ms between polls when none is set.
///
/// Returns CLOUDHALT_INVALID_INPUT for a NULL or malformed argument or another `state` (the last
/// error names it); CLOUDHALT_WAIT_TIMEOUT when the deadline came first; CLOUDHALT_WAIT_FAILED
/// when an ID reached a failure state (the message names the IDs; every ID's state is on
/// cloudhalt_last_error_state()); otherwise the status of a failed Describe call. Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `instance_ids` is NULL or
/// points to `n` string pointers; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_wait_instances(
    c: *mut cloudhalt_tencent,
    region: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    state: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let region = arg_str!(region, "region");
        let ids = arg_list!(instance_ids, n, "instance_ids");
        let state = arg_str!(state, "state");
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().wait_instances(region, &ids, state), out) }
    })
}

/// The standalone wait of a Tencent write, by its provider name (`"StopInstances"`,
/// `"TerminateInstances"`, `"CancelInvocation"`, `"CancelInstanceRefresh"`,
/// `"StopInstanceRefresh"`) and the JSON parameters it was sent with, as
/// cloudhalt_tencent_call_json_response() takes them: waits until what that write asks for holds
/// for the IDs the parameters name, polling the matching Describe call only (the write itself is
/// never sent). The same validation as the write applies.
///
/// - `region`: the region, or NULL (only the Auto Scaling actions accept none).
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free()),
///   with each ID's final state (cloudhalt_response_state()); may be NULL. For CancelInvocation
///   the states are keyed by instance ID (every task of the invocation when the parameters list
///   no instance).
///
/// The wait lasts up to the client's wait setting (cloudhalt_tencent_set_wait()), or 300000 ms
/// when none is set. Statuses as cloudhalt_tencent_wait_instances(). Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out` is NULL or valid for
/// writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_tencent_wait_json(
    c: *mut cloudhalt_tencent,
    action: *const c_char,
    region: *const c_char,
    params_json: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let region = arg_opt_str!(region, "region");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().wait_json(action, region, &params), out) }
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use crate::test_server::{OneShot, TENCENT_OK};
    use crate::*;

    /// A final provider error (never retried), with its RequestId.
    const TENCENT_NOT_FOUND: &str = r#"{"Response":{"Error":{"Code":"InvalidInstanceId.NotFound","Message":"The instance ins-r8hr2upy does not exist."},"RequestId":"6a1b2c3d-0000-4000-8000-000000000003"}}"#;

    fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }

    fn client(url: &CStr) -> *mut cloudhalt_tencent {
        let mut c = ptr::null_mut();
        unsafe {
            let status = cloudhalt_tencent_new(
                c"AKIDcloudhaltTEST".as_ptr(),
                c"cloudhalt-test-key".as_ptr(),
                ptr::null(),
                &mut c,
            );
            assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
            assert_eq!(
                cloudhalt_tencent_set_endpoint(c, url.as_ptr()),
                cloudhalt_status::CLOUDHALT_OK
            );
        }
        c
    }

    fn last_message() -> String {
        let p = cloudhalt_last_error_message();
        assert!(!p.is_null());
        unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned()
    }

    /// Sends one call to a loopback peer; answers the request it read.
    fn sent(call: impl FnOnce(*mut cloudhalt_tencent) -> cloudhalt_status) -> String {
        let server = OneShot::start(TENCENT_OK);
        let c = client(&server.url);
        let status = call(c);
        unsafe { cloudhalt_tencent_free(c) };
        let request = server.request();
        assert_eq!(status, cloudhalt_status::CLOUDHALT_OK, "{request}");
        request
    }

    #[test]
    fn the_per_id_record_is_on_the_response_and_on_the_last_error() {
        let ids = [c"ins-r8hr2upy".as_ptr()];
        let stop = |c, out| unsafe {
            cloudhalt_tencent_stop_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                ids.as_ptr(),
                1,
                false,
                ptr::null(),
                ptr::null(),
                out,
            )
        };
        let server = OneShot::start(TENCENT_OK);
        let c = client(&server.url);
        let mut r = ptr::null_mut();
        assert_eq!(stop(c, &mut r), cloudhalt_status::CLOUDHALT_OK);
        unsafe {
            assert_eq!(cloudhalt_response_outcome_count(r), 1);
            assert_eq!(
                text(cloudhalt_response_outcome_id(r, 0)).as_deref(),
                Some("ins-r8hr2upy")
            );
            assert_eq!(cloudhalt_response_outcome(r, 0), 0);
            assert_eq!(cloudhalt_response_outcome(r, 1), -1);
            assert!(cloudhalt_response_outcome_code(r, 0).is_null());
            let first = "6a1b2c3d-0000-4000-8000-000000000001";
            assert_eq!(
                text(cloudhalt_response_outcome_request_id(r, 0)).as_deref(),
                Some(first)
            );
            assert_eq!(cloudhalt_response_request_id_count(r), 1);
            assert_eq!(
                text(cloudhalt_response_request_id_at(r, 0)).as_deref(),
                Some(first)
            );
            assert!(cloudhalt_response_request_id_at(r, 1).is_null());
            assert_eq!(cloudhalt_response_attempts(r), 1);
            cloudhalt_response_free(r);
            cloudhalt_tencent_free(c);
        }
        server.request();

        let server = OneShot::start(TENCENT_NOT_FOUND);
        let c = client(&server.url);
        assert_eq!(
            stop(c, ptr::null_mut()),
            cloudhalt_status::CLOUDHALT_NOT_FOUND
        );
        assert_eq!(cloudhalt_last_error_outcome_count(), 1);
        assert_eq!(cloudhalt_last_error_outcome(0), 2, "failed");
        assert_eq!(
            text(cloudhalt_last_error_outcome_code(0)).as_deref(),
            Some("InvalidInstanceId.NotFound")
        );
        let id = "6a1b2c3d-0000-4000-8000-000000000003";
        assert_eq!(
            text(cloudhalt_last_error_outcome_request_id(0)).as_deref(),
            Some(id)
        );
        assert_eq!(cloudhalt_last_error_request_id_count(), 1);
        assert_eq!(
            text(cloudhalt_last_error_request_id_at(0)).as_deref(),
            Some(id)
        );
        assert_eq!(cloudhalt_last_error_attempts(), 1);
        unsafe { cloudhalt_tencent_free(c) };
        server.request();
    }

    #[test]
    fn fleet_setters_answer_the_core_field_and_leave_the_client_unchanged() {
        let c = client(c"http://127.0.0.1:1");
        let field = || text(cloudhalt_last_error_field());
        unsafe {
            let bad = cloudhalt_status::CLOUDHALT_INVALID_INPUT;
            assert_eq!(cloudhalt_tencent_set_retry(c, 0, 200, 5000), bad);
            assert_eq!(field().as_deref(), Some("max_attempts"));
            assert_eq!(cloudhalt_tencent_set_retry(c, 3, 9000, 5000), bad);
            assert_eq!(field().as_deref(), Some("base_delay"));
            assert_eq!(cloudhalt_tencent_set_concurrency(c, 0), bad);
            assert_eq!(field().as_deref(), Some("concurrency"));
            assert_eq!(
                cloudhalt_tencent_set_rate_limit_per_second(c, f64::NAN),
                bad
            );
            assert_eq!(field().as_deref(), Some("rate_limit"));
            assert_eq!(
                cloudhalt_tencent_set_audit_log(c, c"/nonexistent/dir/a.log".as_ptr()),
                bad
            );
            assert_eq!(field().as_deref(), Some("audit"));
            // The refused values left the defaults in place.
            let client = (*c).0.client();
            assert_eq!(client.retry(), cloudhalt::Retry::default());
            assert_eq!(client.concurrency(), cloudhalt::DEFAULT_CONCURRENCY);
            assert_eq!(client.rate_limit(), Pacing::Documented);
            assert!(client.audit_log().is_none());
            // Good values take effect.
            let ok = cloudhalt_status::CLOUDHALT_OK;
            assert_eq!(cloudhalt_tencent_set_retry(c, 5, 10, 100), ok);
            assert_eq!(cloudhalt_tencent_set_concurrency(c, 9), ok);
            assert_eq!(cloudhalt_tencent_set_rate_limit(c, false), ok);
            let client = (*c).0.client();
            assert_eq!(client.retry().max_attempts, 5);
            assert_eq!(
                client.retry().max_delay,
                std::time::Duration::from_millis(100)
            );
            assert_eq!(client.concurrency(), 9);
            assert_eq!(client.rate_limit(), Pacing::Off);
            assert_eq!(cloudhalt_tencent_set_rate_limit_per_second(c, 2.5), ok);
            assert_eq!((*c).0.client().rate_limit(), Pacing::PerSecond(2.5));
            cloudhalt_tencent_free(c);
        }
    }

    #[test]
    fn set_wait_maps_zeros_to_defaults_and_names_the_core_field() {
        let c = client(c"http://127.0.0.1:1");
        let ok = cloudhalt_status::CLOUDHALT_OK;
        let bad = cloudhalt_status::CLOUDHALT_INVALID_INPUT;
        let field = || text(cloudhalt_last_error_field());
        let ms = std::time::Duration::from_millis;
        unsafe {
            // No wait is the default.
            assert_eq!((*c).0.client().wait_setting(), None);
            assert!(!(*c).0.client().pause_first());
            // A timeout alone: the core's default delays.
            assert_eq!(cloudhalt_tencent_set_wait(c, 60_000, 0, 0), ok);
            let wait = (*c).0.client().wait_setting().expect("a wait is set");
            let default = cloudhalt::Wait::default();
            assert_eq!(wait.timeout, ms(60_000));
            assert_eq!(
                (wait.min_delay, wait.max_delay),
                (default.min_delay, default.max_delay)
            );
            assert_eq!(cloudhalt_tencent_set_wait(c, 2_000, 50, 200), ok);
            let wait = (*c).0.client().wait_setting().expect("a wait is set");
            assert_eq!(
                (wait.timeout, wait.min_delay, wait.max_delay),
                (ms(2_000), ms(50), ms(200))
            );
            // Out of range: refused, naming the core's field; the setting is unchanged.
            assert_eq!(cloudhalt_tencent_set_wait(c, 86_400_001, 0, 0), bad);
            assert_eq!(field().as_deref(), Some("wait_timeout"));
            assert_eq!(
                cloudhalt_tencent_set_wait(c, 1_000, 3_000_000, 4_000_000),
                bad
            );
            assert!(
                field().is_some_and(|f| f.starts_with("wait_")),
                "{:?}",
                field()
            );
            assert_eq!(
                (*c).0.client().wait_setting().map(|w| w.timeout),
                Some(ms(2_000))
            );
            // All zero: back to no wait.
            assert_eq!(cloudhalt_tencent_set_wait(c, 0, 0, 0), ok);
            assert_eq!((*c).0.client().wait_setting(), None);
            // A timeout of 0 with a delay given: poll once.
            assert_eq!(cloudhalt_tencent_set_wait(c, 0, 1_000, 0), ok);
            assert_eq!(
                (*c).0.client().wait_setting().map(|w| w.timeout),
                Some(ms(0))
            );
            assert_eq!(cloudhalt_tencent_set_pause_first(c, true), ok);
            assert!((*c).0.client().pause_first());
            assert_eq!(
                cloudhalt_tencent_set_pause_first(ptr::null_mut(), true),
                bad
            );
            assert_eq!(field().as_deref(), Some("c"));
            assert_eq!(cloudhalt_tencent_set_wait(ptr::null_mut(), 1, 1, 1), bad);
            cloudhalt_tencent_free(c);
        }
    }

    #[test]
    fn a_wait_on_no_instance_answers_at_once_with_no_state() {
        // Nothing listens on port 1: a wait that sent a Describe call would fail.
        let c = client(c"http://127.0.0.1:1");
        let ids = [c"ins-r8hr2upy".as_ptr()];
        for list in [ptr::null(), ids.as_ptr()] {
            let mut r = ptr::null_mut();
            let status = unsafe {
                cloudhalt_tencent_wait_instances(
                    c,
                    c"ap-guangzhou".as_ptr(),
                    list,
                    0,
                    c"STOPPED".as_ptr(),
                    &mut r,
                )
            };
            assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
            unsafe {
                assert!(!r.is_null());
                assert_eq!(cloudhalt_response_state_count(r), 0);
                assert!(cloudhalt_response_state_id(r, 0).is_null());
                assert!(cloudhalt_response_state(r, 0).is_null());
                assert!(cloudhalt_response_state_result(r, 0).is_null());
                assert!(cloudhalt_response_state_then(r, 0).is_null());
                cloudhalt_response_free(r);
            }
        }
        // NULL arguments name themselves, with nothing written.
        let mut r = ptr::null_mut();
        let status = unsafe {
            cloudhalt_tencent_wait_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                ids.as_ptr(),
                1,
                ptr::null(),
                &mut r,
            )
        };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
        assert!(r.is_null());
        assert!(last_message().contains("state"));
        let status = unsafe {
            cloudhalt_tencent_wait_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                ptr::null(),
                2,
                c"STOPPED".as_ptr(),
                &mut r,
            )
        };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
        assert!(last_message().contains("instance_ids"));
        unsafe { cloudhalt_tencent_free(c) };
    }

    #[test]
    fn terminate_instances_ex_sends_release_address() {
        let ids = [c"ins-r8hr2upy".as_ptr()];
        let request = sent(|c| unsafe {
            let mut r = ptr::null_mut();
            let status = cloudhalt_tencent_terminate_instances_ex(
                c,
                c"ap-guangzhou".as_ptr(),
                ids.as_ptr(),
                1,
                true,
                false,
                &mut r,
            );
            cloudhalt_response_free(r);
            status
        });
        assert!(request.contains("\"ReleaseAddress\":true"), "{request}");
        assert!(request.contains("TerminateInstances"), "{request}");
        // The frozen original keeps the address: it sends no ReleaseAddress at all.
        let request = sent(|c| unsafe {
            cloudhalt_tencent_terminate_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                ids.as_ptr(),
                1,
                true,
                ptr::null_mut(),
            )
        });
        assert!(!request.contains("ReleaseAddress"), "{request}");
        assert!(
            request.contains("\"ReleasePrepaidDataDisks\":true"),
            "{request}"
        );
    }

    #[test]
    fn cancel_invocation_instances_refuses_an_empty_list_before_sending() {
        // Nothing listens on port 1: a call that reached the network would be CLOUDHALT_TRANSPORT.
        let c = client(c"http://127.0.0.1:1");
        let ids = [c"ins-r8hr2upy".as_ptr()];
        for (list, n) in [(ptr::null(), 0), (ids.as_ptr(), 0)] {
            let status = unsafe {
                cloudhalt_tencent_cancel_invocation_instances(
                    c,
                    c"ap-guangzhou".as_ptr(),
                    c"inv-abcdefgh".as_ptr(),
                    list,
                    n,
                    ptr::null_mut(),
                )
            };
            assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
            let message = last_message();
            assert!(message.contains("instance_ids"), "{message}");
            assert!(
                message.contains("cloudhalt_tencent_cancel_invocation_all_instances"),
                "{message}"
            );
        }
        unsafe { cloudhalt_tencent_free(c) };
    }

    #[test]
    fn cancel_invocation_sends_the_list_or_none_as_asked() {
        let ids = [c"ins-r8hr2upy".as_ptr()];
        let request = sent(|c| unsafe {
            cloudhalt_tencent_cancel_invocation_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                c"inv-abcdefgh".as_ptr(),
                ids.as_ptr(),
                1,
                ptr::null_mut(),
            )
        });
        assert!(
            request.contains("\"InstanceIds\":[\"ins-r8hr2upy\"]"),
            "{request}"
        );
        let request = sent(|c| unsafe {
            cloudhalt_tencent_cancel_invocation_all_instances(
                c,
                c"ap-guangzhou".as_ptr(),
                c"inv-abcdefgh".as_ptr(),
                ptr::null_mut(),
            )
        });
        assert!(request.contains("inv-abcdefgh"), "{request}");
        assert!(!request.contains("InstanceIds"), "{request}");
        // The deprecated original keeps its meaning: (NULL, 0) is every instance.
        #[allow(deprecated)]
        let request = sent(|c| unsafe {
            cloudhalt_tencent_cancel_invocation(
                c,
                c"ap-guangzhou".as_ptr(),
                c"inv-abcdefgh".as_ptr(),
                ptr::null(),
                0,
                ptr::null_mut(),
            )
        });
        assert!(!request.contains("InstanceIds"), "{request}");
    }
}
