//! `cloudhalt_alibaba`: the Alibaba Cloud client and ECS StopInvocation.

use std::ffi::c_char;
use std::ptr;

use cloudhalt::ops::alibaba::MAX_INSTANCE_IDS;
use cloudhalt::{Alibaba, Error, StopInvocation};

use crate::client::{self, ClientHandle};
use crate::handle::write_out;
use crate::json::{parse_params, write_json};
use crate::response::cloudhalt_response;
use crate::status::cloudhalt_status;
use crate::strings::{Instances, arg_instances};

/// An Alibaba Cloud client (ECS Cloud Assistant).
///
/// Ownership: created by cloudhalt_alibaba_new() or cloudhalt_alibaba_from_env(), released with
/// cloudhalt_alibaba_free(). Thread-safe: one client may be shared by any number of threads, and
/// the setters may be called while other threads send (a call in flight keeps its settings).
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

/// Creates an Alibaba Cloud client with credentials from the environment:
/// `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set,
/// `ALIBABA_CLOUD_SECURITY_TOKEN`.
///
/// Returns CLOUDHALT_CREDENTIALS when a variable is missing or malformed (the message names the
/// variable, never its value). On CLOUDHALT_OK, `*out` receives a client owned by the caller
/// (release with cloudhalt_alibaba_free()).
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
/// `invoke_id` (`"t-..."`) in `region_id` (e.g. `"cn-hangzhou"`) on 1 to 50 instances.
///
/// - `instance_ids`, `n`: 1 to 50 `"i-..."` IDs, each once. An empty list (`n == 0`, with or
///   without NULL) is refused with CLOUDHALT_INVALID_INPUT, never taken as "every instance": use
///   cloudhalt_alibaba_stop_invocation_all_instances() for that.
/// - `out`: on CLOUDHALT_OK receives a response owned by the caller (cloudhalt_response_free());
///   may be NULL.
///
/// Every argument is checked before anything is sent (CLOUDHALT_INVALID_INPUT names it); a
/// provider refusal answers its status with details from cloudhalt_last_error_*(). Thread-safe.
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
            MAX_INSTANCE_IDS,
            "instance_ids",
            mode,
            "cloudhalt_alibaba_stop_invocation_all_instances",
        )
    }?;
    let mut request = StopInvocation::new(region_id, invoke_id);
    request.set_instance_ids(ids);
    let response = c.0.client().stop_invocation(&request)?;
    // SAFETY: `out` is NULL or valid for writes by contract.
    unsafe { write_out(out, cloudhalt_response::new(&response)) };
    Ok(())
}

/// An Alibaba operation by its provider name (`"StopInvocation"`) with the provider's JSON
/// parameters (`{"RegionId":"cn-hangzhou","InvokeId":"t-...","InstanceId":["i-..."]}`, or the
/// wire form `"InstanceId.1"` ...), for legacy automation. The same validation applies, and
/// unknown parameters are refused.
///
/// `out_json`: on CLOUDHALT_OK receives the provider's whole answer as JSON, an *owned* string
/// released with cloudhalt_string_free() (never free()); may be NULL.
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
