//! `cloudhalt_response`: a successful answer.

use std::ffi::{CString, c_char};
use std::ptr;

use std::os::raw::c_int;

use crate::handle::Handle;
use crate::outcome::{NO_OUTCOME, Record};
use crate::strings::to_c_string;

/// A successful answer: the provider's RequestId and its whole JSON answer, and the per-ID
/// record of the call (the outcome of every input ID, every RequestId, the requests sent, and,
/// when a wait ran, the state each ID reached: cloudhalt_response_state()).
///
/// Ownership: returned by an operation through `cloudhalt_response **out`; owned by the caller
/// and released with cloudhalt_response_free(). Immutable, so it may be read from any thread.
pub struct cloudhalt_response {
    request_id: CString,
    /// The provider's answer; serialised on the first cloudhalt_response_json() (most callers
    /// read only the outcomes, and a loop of calls should not pay for JSON it never reads).
    data: serde_json::Value,
    json: std::sync::OnceLock<CString>,
    record: Record,
}

impl Handle for cloudhalt_response {}

impl cloudhalt_response {
    pub(crate) fn new(response: cloudhalt::Response) -> cloudhalt_response {
        let request_id = to_c_string(response.request_id());
        let record = Record::new(
            response.outcomes(),
            response.request_ids(),
            response.attempts(),
            response.states(),
        );
        cloudhalt_response {
            request_id,
            data: response.into_data(),
            json: std::sync::OnceLock::new(),
            record,
        }
    }
}

/// Reads `r`'s record, or answers `none` for NULL.
///
/// # Safety
/// `r` is NULL or a live response.
unsafe fn with_record<T>(r: *const cloudhalt_response, none: T, f: impl FnOnce(&Record) -> T) -> T {
    // SAFETY: by the caller's contract.
    unsafe { cloudhalt_response::borrow(r) }.map_or(none, |r| f(&r.record))
}

/// The provider's RequestId of this answer: quote it when asking the provider about the call.
/// For a call split into several requests, that of the first; every one is listed by
/// cloudhalt_response_request_id_at(). `""` when no answer of the call carries one (a wait on
/// an empty list; a TerminateInstances whose only request went unanswered and whose IDs were
/// then found terminating by describing them). NULL when `r` is NULL.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_request_id(
    r: *const cloudhalt_response,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { cloudhalt_response::borrow(r) }.map_or(ptr::null(), |r| r.request_id.as_ptr())
    })
}

/// The provider's whole answer as compact JSON (`{"Response":{"RequestId":"..."}}` for Tencent,
/// `{"RequestId":"..."}` for Alibaba). For a call split into several requests, the answer to
/// the first; what happened to each ID is told by cloudhalt_response_outcome() and its
/// siblings, never by this JSON. When a retry found the work already done (an ID reported
/// CLOUDHALT_OUTCOME_ALREADY), the answer is the provider's "already stopping/stopped" refusal,
/// `{"Response":{"Error":{...}}}`, although the call succeeded. NULL when `r` is NULL.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_json(r: *const cloudhalt_response) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { cloudhalt_response::borrow(r) }.map_or(ptr::null(), |r| {
            r.json
                .get_or_init(|| to_c_string(&r.data.to_string()))
                .as_ptr()
        })
    })
}

/// The number of IDs in the per-ID record of `r`: every input ID of the call once, in input
/// order (for a call without an instance list, one entry: the InvocationId, InvokeId or
/// RefreshActivityId). 0 when `r` is NULL.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_outcome_count(r: *const cloudhalt_response) -> usize {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, 0, Record::outcome_count) }
    })
}

/// The ID of entry `i` (0-based) of the per-ID record of `r`; NULL when `r` is NULL or `i` is
/// not below cloudhalt_response_outcome_count().
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_outcome_id(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.outcome_id(i)) }
    })
}

/// The outcome of entry `i` of the per-ID record of `r`: a `cloudhalt_outcome` value
/// (CLOUDHALT_OUTCOME_DONE or CLOUDHALT_OUTCOME_ALREADY in a successful call), or -1 when `r`
/// is NULL or `i` is out of range.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_outcome(
    r: *const cloudhalt_response,
    i: usize,
) -> c_int {
    boundary!(or NO_OUTCOME, {
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, NO_OUTCOME, |rec| rec.outcome(i)) }
    })
}

/// The provider's error code of the last answer to entry `i`'s request (e.g.
/// `"UnsupportedOperation.InstanceStateStopped"` for an `already` ID), or NULL when it answered
/// none, `r` is NULL or `i` is out of range.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_outcome_code(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.outcome_code(i)) }
    })
}

/// The RequestId of the last answer to entry `i`'s request, or NULL when no answer carried one,
/// `r` is NULL or `i` is out of range.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_outcome_request_id(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.outcome_request_id(i)) }
    })
}

/// The number of RequestIds the call collected: one per answer, retried attempts included.
/// 0 when `r` is NULL.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_request_id_count(
    r: *const cloudhalt_response,
) -> usize {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, 0, Record::request_id_count) }
    })
}

/// RequestId `i` (0-based, in the order the answers came) of the call; NULL when `r` is NULL or
/// `i` is not below cloudhalt_response_request_id_count().
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_request_id_at(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.request_id_at(i)) }
    })
}

/// The number of requests the call sent, retries included (1 for a single request answered at
/// once). 0 when `r` is NULL.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_attempts(r: *const cloudhalt_response) -> u32 {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, 0, Record::attempts) }
    })
}

/// The number of per-ID states in `r`: when the call waited (a client with
/// cloudhalt_tencent_set_wait(), or a standalone wait such as cloudhalt_tencent_wait_instances()),
/// one entry per waited ID, in the order of the IDs; 0 when no wait ran, for a wait on an empty
/// list, or when `r` is NULL. For CancelInvocation and StopInvocation the entries are keyed by
/// instance ID (every task of the invocation when no instance list was given); for the other
/// operations by the outcome's ID. Thread-safe.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_state_count(r: *const cloudhalt_response) -> usize {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, 0, Record::state_count) }
    })
}

/// The ID of state entry `i` (0-based) of `r` (`"ins-r8hr2upy"`); NULL when `r` is NULL or `i`
/// is not below cloudhalt_response_state_count().
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_state_id(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.state_id(i)) }
    })
}

/// The provider's state that entry `i` of `r` reached, as the provider spells it (`"STOPPED"`,
/// `"SHUTDOWN"`, `"CANCELLED"`, `"Stopped"` ...), or `"gone"` when the Describe answer no longer
/// lists the ID; NULL when `r` is NULL or `i` is out of range.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_state(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.state(i)) }
    })
}

/// What the state of entry `i` of `r` means, as the core's waiter tables word it: `"stopped"`,
/// `"gone"`, `"recycle bin"`, `"cancelled"`, `"paused"`, `"finished before the cancel landed"`,
/// `"finished before the stop landed"`, `"failed"`, `"too late to cancel"`, `"waiting"` (the
/// deadline came first) ...; NULL when `r` is NULL or `i` is out of range.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_state_result(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.state_result(i)) }
    })
}

/// How the waiter classed the state of entry `i` of `r`: `"success"` (every entry of a
/// successful call), `"failure"` or `"wait"` (still waiting when the wait ended); NULL when `r`
/// is NULL or `i` is out of range.
///
/// Ownership: static; never free it.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_state_then(
    r: *const cloudhalt_response,
    i: usize,
) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { with_record(r, ptr::null(), |rec| rec.state_then(i)) }
    })
}

/// Releases a response and the strings borrowed from it. NULL is a no-op.
///
/// # Safety
/// `r` is NULL or a live response, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_free(r: *mut cloudhalt_response) {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { cloudhalt_response::free(r) }
    })
}
