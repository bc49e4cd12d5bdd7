//! `cloudhalt_alibaba`: the Alibaba Cloud client and ECS StopInvocation.

use std::ffi::c_char;
use std::ptr;

use cloudhalt::{Alibaba, Error, Pacing, StopInvocation};

use crate::client::{self, ClientHandle, finish};
use crate::json::{parse_params, write_json};
use crate::response::cloudhalt_response;
use crate::status::cloudhalt_status;
use crate::strings::{Instances, arg_instances};

/// An Alibaba Cloud client (ECS Cloud Assistant).
///
/// Ownership: created by cloudhalt_alibaba_new(), _from_env(), _from_profile() or _from_chain(),
/// released with cloudhalt_alibaba_free(). Thread-safe: one client may be shared by any number
/// of threads, and the setters may be called while other threads send (a call in flight keeps
/// its settings).
pub struct cloudhalt_alibaba(ClientHandle<Alibaba>);

client_object!(cloudhalt_alibaba, cloudhalt::AlibabaCloud);

/// Creates an Alibaba Cloud client from explicit credentials, sending to the regional endpoint
/// (`ecs.{region}.aliyuncs.com`) with a 30 s timeout.
///
/// `access_key_id` and `access_key_secret` are required; `security_token` is the STS token, or
/// NULL (or "") for a permanent AccessKey. The strings are copied; the secret and token are wiped
/// when the client is freed and never appear in any message.
///
/// Returns CLOUDHALT_INVALID_INPUT for a NULL or non-UTF-8 argument, CLOUDHALT_CREDENTIALS for an
/// empty or malformed credential. On CLOUDHALT_OK, `*out` receives a client owned by the caller
/// (release with cloudhalt_alibaba_free()); otherwise `*out` is left untouched.
///
/// # Safety
/// String arguments are NULL or NUL-terminated; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_new(
    access_key_id: *const c_char,
    access_key_secret: *const c_char,
    security_token: *const c_char,
    out: *mut *mut cloudhalt_alibaba,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::new(access_key_id, access_key_secret, security_token, out) }
    })
}

/// Creates an Alibaba Cloud client with credentials from the default chain: the first source that
/// yields wins, in the order of the README's "Credentials" table:
/// 1. `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` /
///    `ALIBABA_CLOUD_SECURITY_TOKEN`;
/// 2. OIDC / RRSA (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
///    `ALIBABA_CLOUD_OIDC_TOKEN_FILE`: STS AssumeRoleWithOIDC);
/// 3. aliyun-cli's `~/.aliyun/config.json` (profile `ALIBABA_CLOUD_PROFILE`, else the
///    file's `current`; modes AK, StsToken, RamRoleArn, EcsRamRole);
/// 4. the credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE`,
///    `~/.alibabacloud/credentials.ini`, `~/.alibabacloud/credentials`);
/// 5. the ECS RAM role from the metadata service (IMDSv2, then v1; 1 s timeouts);
/// 6. `ALIBABA_CLOUD_CREDENTIALS_URI`.
///
/// Temporary credentials (roles, STS) are cached by the client, shared by its threads, and
/// refreshed before they expire by the thread that needs them. The metadata and STS addresses
/// can be moved with `CLOUDHALT_ALIBABA_METADATA_ENDPOINT` and
/// `CLOUDHALT_ALIBABA_STS_ENDPOINT` (or cloudhalt_alibaba_from_chain()).
/// cloudhalt_alibaba_credential_source() tells which source was used.
///
/// Returns CLOUDHALT_CREDENTIALS when no source yields: the message lists every source tried and
/// why each did not yield (not set, file missing, malformed at line N, metadata not reachable),
/// and never a secret; off-cloud, with nothing configured, this takes at most about 3 s. On
/// CLOUDHALT_OK, `*out` receives a client owned by the caller (release with
/// cloudhalt_alibaba_free()).
///
/// # Safety
/// `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_from_env(
    out: *mut *mut cloudhalt_alibaba,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_env(out) }
    })
}

/// Creates an Alibaba Cloud client from the profile `profile` of the official tools' files:
/// aliyun-cli's `~/.aliyun/config.json` profile `profile`, else the `[profile]`
/// section of the credentials file (`ALIBABA_CLOUD_CREDENTIALS_FILE`,
/// `~/.alibabacloud/credentials.ini`, `~/.alibabacloud/credentials`); then, as the default
/// chain goes on, the instance role. The credential environment variables
/// (`ALIBABA_CLOUD_ACCESS_KEY_ID` ...) are skipped, as the official CLIs skip them for
/// `--profile`.
///
/// Returns CLOUDHALT_INVALID_INPUT when `profile` or `out` is NULL, or `profile` is "" or not
/// UTF-8; CLOUDHALT_CREDENTIALS when the profile yields nothing (the message names every source
/// tried and why, never a secret). On CLOUDHALT_OK, `*out` receives a client owned by the
/// caller (release with cloudhalt_alibaba_free()).
///
/// # Safety
/// `profile` is NULL or NUL-terminated; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_from_profile(
    profile: *const c_char,
    out: *mut *mut cloudhalt_alibaba,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_profile(profile, out) }
    })
}

/// Creates an Alibaba Cloud client from the default chain run with `options`
/// (cloudhalt_chain_options_new(): profile, metadata and STS addresses, proxy, CA bundle). The
/// client sends through the options' proxy and CA bundle too, and so do its credential
/// refreshes through STS. `options` is only read: free it when convenient.
///
/// Returns CLOUDHALT_INVALID_INPUT when `options` or `out` is NULL, CLOUDHALT_CREDENTIALS when
/// no source yields (as cloudhalt_alibaba_from_env()). On CLOUDHALT_OK, `*out` receives a client
/// owned by the caller (release with cloudhalt_alibaba_free()).
///
/// # Safety
/// `options` is NULL or live options; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_from_chain(
    options: *const crate::cloudhalt_chain_options,
    out: *mut *mut cloudhalt_alibaba,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::from_chain(options, out) }
    })
}

/// Where the credentials of `c` came from, without any secret: `explicit values`,
/// `env ALIBABA_CLOUD_ACCESS_KEY_ID`,
/// `aliyun-cli config /home/me/.aliyun/config.json profile default (mode AK)`,
/// `ECS RAM role (http://100.100.100.200/)`, ...
///
/// Borrowed from `c`: valid until cloudhalt_alibaba_free(c). NULL when `c` is NULL. Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_credential_source(
    c: *const cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_endpoint(
    c: *mut cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_timeout_ms(
    c: *mut cloudhalt_alibaba,
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
/// cloudhalt_alibaba_from_chain(). Thread-safe; calls already in flight are unaffected.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `url` is not a proxy URL (the last error
/// names `proxy`, never a password; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client; `url` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_set_proxy(
    c: *mut cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_ca_bundle(
    c: *mut cloudhalt_alibaba,
    path: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_ca_bundle(c, path) }
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_retry(
    c: *mut cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_rate_limit(
    c: *mut cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_set_rate_limit_per_second(
    c: *mut cloudhalt_alibaba,
    rate: f64,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_rate_limit(c, Pacing::PerSecond(rate)) }
    })
}

/// Lets a call of `c` split into several requests (more than 50 IDs) send up to `n` of them
/// at once (1 to 64; the default is 4), still paced by the rate limit. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or `n` is out of range (the last error
/// names `concurrency`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_set_concurrency(
    c: *mut cloudhalt_alibaba,
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
/// (cloudhalt_alibaba_resume() reads it back). NULL stops logging. Thread-safe.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or the file cannot be opened (the last
/// error names `audit`; the client is unchanged). A later write failure fails that call with
/// CLOUDHALT_AUDIT, before its request is sent.
///
/// # Safety
/// `c` is NULL or a live client; `path` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_set_audit_log(
    c: *mut cloudhalt_alibaba,
    path: *const c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_audit_log(c, path) }
    })
}

/// Makes every later StopInvocation of `c` (typed, cloudhalt_alibaba_call_json() and
/// cloudhalt_alibaba_resume()) wait until it is confirmed: the invocation is polled with ECS
/// DescribeInvocations, per instance and never by sending the stop again, until every targeted
/// instance's `InvocationStatus` is an end state (`Stopped`, `Cancelled`, `Terminated` are
/// success; `Success` and `Failed` are reported "finished before the stop landed"), until one
/// reaches a failure state, or until the deadline.
///
/// Arguments as cloudhalt_tencent_set_wait(): `timeout_ms` at most 86400000 (0 polls once);
/// `min_delay_ms <= max_delay_ms`, each at most 3600000; `min_delay_ms` 0 is 1000, `max_delay_ms`
/// 0 is 10000 or `min_delay_ms` when that is larger; `(0, 0, 0)` is no wait, the default. cloudhalt_alibaba_wait_json() uses this
/// setting too, or 300000 ms when none is set.
///
/// A waiting call's response gives each instance's final state (cloudhalt_response_state()); a
/// wait that ends otherwise fails the call with CLOUDHALT_WAIT_TIMEOUT or CLOUDHALT_WAIT_FAILED,
/// the states reached on the last error (cloudhalt_last_error_state()). Thread-safe; calls
/// already in flight keep the setting they started with.
///
/// Returns CLOUDHALT_INVALID_INPUT when `c` is NULL or a value is out of range (the last error
/// names `wait_timeout`, `wait_min_delay` or `wait_max_delay`; the client is unchanged).
///
/// # Safety
/// `c` is NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_set_wait(
    c: *mut cloudhalt_alibaba,
    timeout_ms: u32,
    min_delay_ms: u32,
    max_delay_ms: u32,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { client::set_wait(c, timeout_ms, min_delay_ms, max_delay_ms) }
    })
}

/// Finishes the interrupted batch recorded last in the audit log at `audit_path` (written by a
/// client with an audit log, cloudhalt_alibaba_set_audit_log()): IDs already `done` or `already` are
/// skipped; TerminateInstances IDs whose outcome is `unknown` are never sent again (check their
/// state with DescribeInstances first); every other ID is sent again with the batch's original
/// parameters. The resume is logged too: to the audit log of `c` if it has one, else appended to
/// `audit_path`, so that it can itself be resumed.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller, whose per-ID record lists
///   the IDs sent now; may be NULL.
///
/// Returns CLOUDHALT_INVALID_INPUT (field `audit`) when the log cannot be read, holds no batch,
/// is of a Tencent Cloud batch, or has nothing left to send; otherwise as the operation.
/// Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; `audit_path` is NULL or NUL-terminated; `out` is NULL or valid
/// for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_resume(
    c: *mut cloudhalt_alibaba,
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
pub unsafe extern "C" fn cloudhalt_alibaba_free(c: *mut cloudhalt_alibaba) {
    boundary!({
        // SAFETY: forwarded contract.
        unsafe { client::free(c) }
    })
}

/// ECS `StopInvocation` (2014-05-26) on the listed instances: stops Cloud Assistant task
/// `invoke_id` (`"t-..."`) in `region_id` (e.g. `"cn-hangzhou"`) on the listed instances.
///
/// - `instance_ids`, `n`: one or more `"i-..."` IDs, each once, any number: the whole list is
///   checked first, then sent in requests of at most 50 IDs, paced by the rate limit, up to the
///   concurrency at a time (cloudhalt_alibaba_set_*()). An empty list (`n == 0`, with or
///   without NULL) is refused with CLOUDHALT_INVALID_INPUT, never taken as "every instance": use
///   cloudhalt_alibaba_stop_invocation_all_instances() for that.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free());
///   may be NULL.
///
/// Every argument is checked before anything is sent (CLOUDHALT_INVALID_INPUT names it). Each
/// request is retried by the client's policy (cloudhalt_alibaba_set_retry()), signed afresh with
/// a new nonce; the response tells every ID's outcome (cloudhalt_response_outcome()). When a
/// request fails, the call answers the status of the first failed request with details from
/// cloudhalt_last_error_*(), including every ID's outcome and every RequestId. Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `instance_ids` is NULL or
/// points to `n` string pointers; `out` is NULL or valid for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_stop_invocation_instances(
    c: *mut cloudhalt_alibaba,
    region_id: *const c_char,
    invoke_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe { stop_invocation(c, region_id, invoke_id, instance_ids, n, Instances::Listed, out) }
    })
}

/// ECS `StopInvocation` (2014-05-26) on every instance: stops Cloud Assistant task `invoke_id`
/// (`"t-..."`) in `region_id` wherever it runs.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller; may be NULL.
///
/// Statuses as cloudhalt_alibaba_stop_invocation_instances(). Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out` is NULL or valid for
/// writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_stop_invocation_all_instances(
    c: *mut cloudhalt_alibaba,
    region_id: *const c_char,
    invoke_id: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract; no list is read.
        unsafe { stop_invocation(c, region_id, invoke_id, ptr::null(), 0, Instances::All, out) }
    })
}

/// ECS `StopInvocation` (2014-05-26), original form: as
/// cloudhalt_alibaba_stop_invocation_instances(), except that NULL `instance_ids` with `n == 0`
/// stops the task on every instance, which is also how C writes an empty array. Deprecated: call
/// cloudhalt_alibaba_stop_invocation_instances() or
/// cloudhalt_alibaba_stop_invocation_all_instances(), which say which one is meant. It keeps
/// working unchanged within ABI epoch libcloudhalt.so.0.
///
/// # Safety
/// As cloudhalt_alibaba_stop_invocation_instances().
#[deprecated(
    note = "use cloudhalt_alibaba_stop_invocation_instances or cloudhalt_alibaba_stop_invocation_all_instances"
)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_stop_invocation(
    c: *mut cloudhalt_alibaba,
    region_id: *const c_char,
    invoke_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        // SAFETY: forwarded contract.
        unsafe {
            stop_invocation(c, region_id, invoke_id, instance_ids, n, Instances::NullMeansAll, out)
        }
    })
}

/// The body of the three StopInvocation exports.
///
/// # Safety
/// As cloudhalt_alibaba_stop_invocation_instances().
unsafe fn stop_invocation(
    c: *mut cloudhalt_alibaba,
    region_id: *const c_char,
    invoke_id: *const c_char,
    instance_ids: *const *const c_char,
    n: usize,
    mode: Instances,
    out: *mut *mut cloudhalt_response,
) -> Result<(), Error> {
    let c = arg_handle!(c, "c");
    let region_id = arg_str!(region_id, "region_id");
    let invoke_id = arg_str!(invoke_id, "invoke_id");
    // SAFETY: by the caller's contract.
    let ids = unsafe {
        arg_instances(
            instance_ids,
            n,
            "instance_ids",
            mode,
            "cloudhalt_alibaba_stop_invocation_all_instances",
        )
    }?;
    let mut request = StopInvocation::new(region_id, invoke_id);
    request.set_instance_ids(ids);
    // SAFETY: `out` is NULL or valid for writes by contract.
    unsafe { finish(c.0.client().stop_invocation(&request), out) }
}

/// An Alibaba operation by its provider name (`"StopInvocation"`) with the provider's JSON
/// parameters (`{"RegionId":"cn-hangzhou","InvokeId":"t-...","InstanceId":["i-..."]}`, or the
/// wire form `"InstanceId.1"` ...), for legacy automation. The same validation applies, and
/// unknown parameters are refused.
///
/// `out_json`: on CLOUDHALT_OK receives the provider's whole answer as JSON, an *owned* string
/// released with cloudhalt_string_free() (never free()); may be NULL. For a list of more than
/// 50 IDs, sent in several requests, it is the answer to the first request.
///
/// Batches, retries and pacing are those of the typed functions. The per-ID outcomes are on the
/// last error when the call fails; to read them after a success, call
/// cloudhalt_alibaba_call_json_response() instead, which returns a `cloudhalt_response`.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out_json` is NULL or valid
/// for writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_call_json(
    c: *mut cloudhalt_alibaba,
    action: *const c_char,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        let response = c.0.client().call_json(action, &params)?;
        // SAFETY: `out_json` is NULL or valid for writes by contract.
        unsafe { write_json(out_json, &response) };
        Ok(())
    })
}

/// As cloudhalt_alibaba_call_json(), answering a `cloudhalt_response` instead of a string: its
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
pub unsafe extern "C" fn cloudhalt_alibaba_call_json_response(
    c: *mut cloudhalt_alibaba,
    action: *const c_char,
    params_json: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().call_json(action, &params), out) }
    })
}

/// The standalone wait of an Alibaba write, by its provider name (`"StopInvocation"`) and the
/// JSON parameters it was sent with, as cloudhalt_alibaba_call_json_response() takes them
/// (`{"RegionId":"cn-hangzhou","InvokeId":"t-...","InstanceId":["i-..."]}`): polls ECS
/// DescribeInvocations only (the stop itself is never sent) until every targeted instance is in
/// an end state, as cloudhalt_alibaba_set_wait() describes. The same validation as the write
/// applies.
///
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free()),
///   with each instance's final state (cloudhalt_response_state(), keyed by instance ID: every
///   instance of the invocation when the parameters list none); may be NULL.
///
/// The wait lasts up to the client's wait setting (cloudhalt_alibaba_set_wait()), or 300000 ms
/// with 1000 to 10000 ms between polls when none is set. Returns CLOUDHALT_INVALID_INPUT for a
/// NULL or malformed argument, CLOUDHALT_WAIT_TIMEOUT when the deadline came first,
/// CLOUDHALT_WAIT_FAILED when an instance reached a failure state (states on
/// cloudhalt_last_error_state()), otherwise the status of a failed Describe call. Thread-safe.
///
/// # Safety
/// `c` is NULL or a live client; strings are NULL or NUL-terminated; `out` is NULL or valid for
/// writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_alibaba_wait_json(
    c: *mut cloudhalt_alibaba,
    action: *const c_char,
    params_json: *const c_char,
    out: *mut *mut cloudhalt_response,
) -> cloudhalt_status {
    boundary!(fallible {
        let c = arg_handle!(c, "c");
        let action = arg_str!(action, "action");
        let params = parse_params(arg_str!(params_json, "params_json"))?;
        // SAFETY: `out` is NULL or valid for writes by contract.
        unsafe { finish(c.0.client().wait_json(action, None, &params), out) }
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;
    use std::ptr;

    use super::*;
    use crate::cloudhalt_last_error_message;
    use crate::test_server::{ALIBABA_OK, OneShot};

    fn client(url: &CStr) -> *mut cloudhalt_alibaba {
        let mut c = ptr::null_mut();
        unsafe {
            let status = cloudhalt_alibaba_new(
                c"LTAIcloudhaltTEST".as_ptr(),
                c"cloudhalt-test-secret".as_ptr(),
                ptr::null(),
                &mut c,
            );
            assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
            assert_eq!(
                cloudhalt_alibaba_set_endpoint(c, url.as_ptr()),
                cloudhalt_status::CLOUDHALT_OK
            );
        }
        c
    }

    fn sent(call: impl FnOnce(*mut cloudhalt_alibaba) -> cloudhalt_status) -> String {
        let server = OneShot::start(ALIBABA_OK);
        let c = client(&server.url);
        let status = call(c);
        unsafe { cloudhalt_alibaba_free(c) };
        let request = server.request();
        assert_eq!(status, cloudhalt_status::CLOUDHALT_OK, "{request}");
        request
    }

    #[test]
    fn stop_invocation_instances_refuses_an_empty_list_before_sending() {
        let c = client(c"http://127.0.0.1:1");
        let ids = [c"i-bp67acfmxazb4p0001".as_ptr()];
        for (list, n) in [(ptr::null(), 0), (ids.as_ptr(), 0)] {
            let status = unsafe {
                cloudhalt_alibaba_stop_invocation_instances(
                    c,
                    c"cn-hangzhou".as_ptr(),
                    c"t-hz0jdfwd9f0001".as_ptr(),
                    list,
                    n,
                    ptr::null_mut(),
                )
            };
            assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
            let message = unsafe { CStr::from_ptr(cloudhalt_last_error_message()) };
            let message = message.to_str().unwrap();
            assert!(message.contains("instance_ids"), "{message}");
            assert!(
                message.contains("cloudhalt_alibaba_stop_invocation_all_instances"),
                "{message}"
            );
        }
        unsafe { cloudhalt_alibaba_free(c) };
    }

    #[test]
    fn stop_invocation_sends_the_list_or_none_as_asked() {
        let ids = [c"i-bp67acfmxazb4p0001".as_ptr()];
        let request = sent(|c| unsafe {
            cloudhalt_alibaba_stop_invocation_instances(
                c,
                c"cn-hangzhou".as_ptr(),
                c"t-hz0jdfwd9f0001".as_ptr(),
                ids.as_ptr(),
                1,
                ptr::null_mut(),
            )
        });
        assert!(request.contains("i-bp67acfmxazb4p0001"), "{request}");
        let request = sent(|c| unsafe {
            cloudhalt_alibaba_stop_invocation_all_instances(
                c,
                c"cn-hangzhou".as_ptr(),
                c"t-hz0jdfwd9f0001".as_ptr(),
                ptr::null_mut(),
            )
        });
        assert!(request.contains("t-hz0jdfwd9f0001"), "{request}");
        assert!(!request.contains("InstanceId"), "{request}");
        #[allow(deprecated)]
        let request = sent(|c| unsafe {
            cloudhalt_alibaba_stop_invocation(
                c,
                c"cn-hangzhou".as_ptr(),
                c"t-hz0jdfwd9f0001".as_ptr(),
                ptr::null(),
                0,
                ptr::null_mut(),
            )
        });
        assert!(!request.contains("InstanceId"), "{request}");
    }
}
