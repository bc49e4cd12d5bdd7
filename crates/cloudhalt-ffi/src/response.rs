//! `cloudhalt_response`: a successful answer.

use std::ffi::{CString, c_char};
use std::ptr;

use crate::handle::Handle;
use crate::strings::to_c_string;

/// A successful answer: the provider's RequestId and its whole JSON answer.
///
/// Ownership: returned by an operation through `cloudhalt_response **out`; owned by the caller
/// and released with cloudhalt_response_free(). Immutable, so it may be read from any thread.
pub struct cloudhalt_response {
    request_id: CString,
    json: CString,
}

impl Handle for cloudhalt_response {}

impl cloudhalt_response {
    pub(crate) fn new(response: &cloudhalt::Response) -> cloudhalt_response {
        cloudhalt_response {
            request_id: to_c_string(response.request_id()),
            json: to_c_string(&response.data().to_string()),
        }
    }
}

/// The provider's RequestId of this answer: quote it when asking the provider about the call.
/// NULL when `r` is NULL.
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
/// `{"RequestId":"..."}` for Alibaba). NULL when `r` is NULL.
///
/// Ownership: borrowed from `r`; valid until cloudhalt_response_free(r). Do not free.
///
/// # Safety
/// `r` is NULL or a live response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_response_json(r: *const cloudhalt_response) -> *const c_char {
    boundary!({
        // SAFETY: by the caller's contract.
        unsafe { cloudhalt_response::borrow(r) }.map_or(ptr::null(), |r| r.json.as_ptr())
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
