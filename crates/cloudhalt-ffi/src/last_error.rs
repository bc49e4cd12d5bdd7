//! The thread-local details of the last failed call (the libgit2 pattern).
//!
//! Every fallible export clears them on entry and fills them on failure, so the strings stay valid
//! until the same thread's next fallible cloudhalt call. They never contain a secret: the core's
//! messages never echo one, and argument errors here never quote a secret's bytes.

use std::any::Any;
use std::cell::RefCell;
use std::ffi::{CStr, CString, c_char};
use std::os::raw::c_int;
use std::ptr;

use crate::outcome::{NO_OUTCOME, Record};
use crate::status::{cloudhalt_status, kind_name, send_state_name, status_for};
use crate::strings::to_c_string;

struct LastError {
    status: cloudhalt_status,
    kind: &'static CStr,
    message: CString,
    code: Option<CString>,
    request_id: Option<CString>,
    field: Option<CString>,
    send_state: &'static CStr,
    http_status: c_int,
    record: Record,
}

thread_local! {
    static LAST: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's last error, or does nothing once the thread-local is gone: a call
/// made while the thread is being torn down (from another thread-local's destructor) still
/// answers its status, it just has no details to leave behind.
fn with_slot(f: impl FnOnce(&mut Option<LastError>)) {
    let _gone = LAST.try_with(|last| f(&mut last.borrow_mut()));
}

pub(crate) fn clear() {
    with_slot(|last| *last = None);
}

/// Records `error` as this thread's last error and answers its status.
pub(crate) fn set(error: &cloudhalt::Error) -> cloudhalt_status {
    let status = status_for(error.kind());
    let record = LastError {
        status,
        kind: kind_name(error.kind()),
        message: to_c_string(&error.to_string()),
        code: error.code().map(to_c_string),
        request_id: error.request_id().map(to_c_string),
        field: error.field().map(to_c_string),
        send_state: send_state_name(error.send_state()),
        http_status: error.http_status().map_or(0, c_int::from),
        record: Record::new(
            error.outcomes(),
            error.request_ids(),
            error.attempts(),
            error.states(),
        ),
    };
    with_slot(|last| *last = Some(record));
    status
}

/// Records a caught panic. The payload is our own panic message, never user data.
pub(crate) fn set_panic(payload: &(dyn Any + Send)) {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    let message = format!(
        "cloudhalt panicked (a bug in cloudhalt, caught at the C boundary; please report it): {what}"
    );
    let record = LastError {
        status: cloudhalt_status::CLOUDHALT_PANIC,
        kind: c"panic",
        message: to_c_string(&message),
        code: None,
        request_id: None,
        field: None,
        send_state: send_state_name(cloudhalt::SendState::NotBuilt),
        http_status: 0,
        record: Record::default(),
    };
    with_slot(|last| *last = Some(record));
}

/// Reads this thread's last error; `none` when there is none or the thread-local is gone.
fn with_last<T: Copy>(f: impl FnOnce(&LastError) -> T, none: T) -> T {
    LAST.try_with(|last| last.borrow().as_ref().map_or(none, f))
        .unwrap_or(none)
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(ptr::null(), |s| s.as_ptr())
}

/// The message of the last failed call on the calling thread: for input errors it names the
/// argument, the bad value (never a secret) and the fix; for provider errors it carries the
/// provider, operation, code, message and RequestId. NULL when the last call succeeded.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_message() -> *const c_char {
    boundary!({ with_last(|e| e.message.as_ptr(), ptr::null()) })
}

/// The provider's error code of the last failed call on the calling thread
/// (`"InvalidInstanceId.NotFound"`), or NULL when the provider answered none (input, credential,
/// transport and timeout errors) or the last call succeeded.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_code() -> *const c_char {
    boundary!({ with_last(|e| opt_ptr(&e.code), ptr::null()) })
}

/// The provider's RequestId of the last failed call on the calling thread (quote it when asking
/// the provider), or NULL when no answer carried one.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_request_id() -> *const c_char {
    boundary!({ with_last(|e| opt_ptr(&e.request_id), ptr::null()) })
}

/// The HTTP status of the answer to the last failed call on the calling thread, or 0 when there
/// was no answer (or the last call succeeded). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_http_status() -> c_int {
    boundary!({ with_last(|e| e.http_status, 0) })
}

/// The status of the last failed call on the calling thread (a `cloudhalt_status` value), or 0
/// (`CLOUDHALT_OK`) when the last call succeeded. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_status() -> c_int {
    boundary!({ with_last(|e| e.status as c_int, 0) })
}

/// The kind of the last failed call on the calling thread, spelled as in
/// `tests/vectors/errors.json` (`"not_found"`, `"invalid_input"` ..., or `"panic"`), or NULL when
/// the last call succeeded.
///
/// Ownership: static; do not free. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_kind() -> *const c_char {
    boundary!({ with_last(|e| e.kind.as_ptr(), ptr::null()) })
}

/// For an input error of the last failed call on the calling thread: the offending field,
/// spelled as the provider spells it (`"InstanceIds"`) or as the C argument is named
/// (`"instance_ids"`). NULL otherwise.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_field() -> *const c_char {
    boundary!({ with_last(|e| opt_ptr(&e.field), ptr::null()) })
}

/// How far the last failed request on the calling thread got, which decides whether it is safe
/// to send again: `"not_built"` (nothing left this process), `"not_sent"` (the connection failed
/// before a byte was sent), `"sent_no_answer"` (it may have taken effect) or `"answered"`.
/// NULL when the last call succeeded.
///
/// Ownership: static; do not free. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_send_state() -> *const c_char {
    boundary!({ with_last(|e| e.send_state.as_ptr(), ptr::null()) })
}

/// The number of IDs in the per-ID record of the last failed call on the calling thread: every
/// input ID once, in input order, whether its request failed or not (a batch with one failed
/// request reports the others `done`). 0 when nothing was sent (an input error) or the last
/// call succeeded. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_outcome_count() -> usize {
    boundary!({ with_last(|e| e.record.outcome_count(), 0) })
}

/// The ID of entry `i` (0-based) of the last failed call's per-ID record on the calling thread;
/// NULL when `i` is not below cloudhalt_last_error_outcome_count().
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_outcome_id(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.outcome_id(i), ptr::null()) })
}

/// The outcome of entry `i` of the last failed call's per-ID record on the calling thread: a
/// `cloudhalt_outcome` value, or -1 when `i` is out of range. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_outcome(i: usize) -> c_int {
    boundary!(or NO_OUTCOME, { with_last(|e| e.record.outcome(i), NO_OUTCOME) })
}

/// The provider's error code of the last answer to entry `i`'s request in the last failed call
/// on the calling thread, or NULL when it answered none or `i` is out of range.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_outcome_code(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.outcome_code(i), ptr::null()) })
}

/// The RequestId of the last answer to entry `i`'s request in the last failed call on the
/// calling thread, or NULL when no answer carried one or `i` is out of range.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_outcome_request_id(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.outcome_request_id(i), ptr::null()) })
}

/// The number of RequestIds the last failed call on the calling thread collected, one per
/// answer, every retried attempt included. 0 when no answer came back. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_request_id_count() -> usize {
    boundary!({ with_last(|e| e.record.request_id_count(), 0) })
}

/// RequestId `i` (0-based, in the order the answers came) of the last failed call on the
/// calling thread; NULL when `i` is not below cloudhalt_last_error_request_id_count().
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_request_id_at(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.request_id_at(i), ptr::null()) })
}

/// The number of requests the last failed call on the calling thread sent, retries included;
/// 0 when nothing was sent (or the last call succeeded). Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_attempts() -> u32 {
    boundary!({ with_last(|e| e.record.attempts(), 0) })
}

/// The number of per-ID states on the last failed call of the calling thread: when a wait ran
/// (CLOUDHALT_WAIT_TIMEOUT, CLOUDHALT_WAIT_FAILED, or a failed write whose sent IDs were then
/// waited for), one entry per waited ID, in the order of the IDs, those that reached success
/// included; 0 otherwise. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_state_count() -> usize {
    boundary!({ with_last(|e| e.record.state_count(), 0) })
}

/// The ID of state entry `i` (0-based) of the last failed call on the calling thread; NULL when
/// `i` is not below cloudhalt_last_error_state_count().
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_state_id(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.state_id(i), ptr::null()) })
}

/// The provider's state that entry `i` of the last failed call on the calling thread reached
/// (`"STOPPING"`, `"RUNNING"`, `"gone"` ..., as cloudhalt_response_state()); NULL when `i` is out
/// of range.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_state(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.state(i), ptr::null()) })
}

/// What the state of entry `i` of the last failed call on the calling thread means (`"waiting"`
/// at the deadline, `"failed"`, `"too late to cancel"` ..., as cloudhalt_response_state_result());
/// NULL when `i` is out of range.
///
/// Ownership: thread-local; valid until this thread's next fallible cloudhalt call. Do not free.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_state_result(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.state_result(i), ptr::null()) })
}

/// How the waiter classed the state of entry `i` of the last failed call on the calling thread:
/// `"success"`, `"failure"` (what made a CLOUDHALT_WAIT_FAILED) or `"wait"` (still waiting at the
/// deadline); NULL when `i` is out of range.
///
/// Ownership: static; never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn cloudhalt_last_error_state_then(i: usize) -> *const c_char {
    boundary!({ with_last(|e| e.record.state_then(i), ptr::null()) })
}
