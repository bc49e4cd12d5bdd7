//! The panic boundary and the argument macros every export uses.

use std::ffi::c_char;
use std::os::raw::c_int;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::handle::Handle;
use crate::last_error;
use crate::status::cloudhalt_status;

/// What an export returns when its body panicked: `CLOUDHALT_PANIC` for status-returning calls,
/// NULL or 0 for accessors.
pub(crate) trait PanicDefault {
    fn panic_default() -> Self;
}

impl PanicDefault for cloudhalt_status {
    fn panic_default() -> Self {
        cloudhalt_status::CLOUDHALT_PANIC
    }
}

impl PanicDefault for *const c_char {
    fn panic_default() -> Self {
        std::ptr::null()
    }
}

impl PanicDefault for c_int {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for usize {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for u32 {
    fn panic_default() -> Self {
        0
    }
}

impl PanicDefault for () {
    fn panic_default() -> Self {}
}

/// Wraps the body of every export.
///
/// `boundary!(fallible { ... })`: the body evaluates to `Result<(), cloudhalt::Error>`; the
/// thread's last error is cleared on entry and set on failure, and the call answers a status.
/// `boundary!({ ... })`: an infallible accessor or `_free`; a panic answers NULL, 0 or nothing.
/// `boundary!(or value, { ... })`: an accessor whose panic answer must be `value` because 0
/// means something (an outcome accessor: 0 is `done`).
macro_rules! boundary {
    (fallible $body:block) => {
        $crate::boundary::run_fallible(|| -> Result<(), cloudhalt::Error> { $body })
    };
    (or $default:expr, $body:block) => {
        $crate::boundary::run_or($default, || $body)
    };
    ($body:block) => {
        $crate::boundary::run(|| $body)
    };
}

/// Runs a fallible export body: see [`boundary!`].
///
/// The last error is cleared and set inside `catch_unwind` too, and only through `try_with`: a
/// call from another thread-local's destructor, after this thread's last error is gone, must
/// still answer its status rather than panic outside the boundary (which aborts the host).
pub(crate) fn run_fallible(
    body: impl FnOnce() -> Result<(), cloudhalt::Error>,
) -> cloudhalt_status {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        last_error::clear();
        match body() {
            Ok(()) => cloudhalt_status::CLOUDHALT_OK,
            Err(error) => last_error::set(&error),
        }
    }));
    match outcome {
        Ok(status) => status,
        Err(payload) => {
            record_panic(payload);
            cloudhalt_status::CLOUDHALT_PANIC
        }
    }
}

/// Runs an infallible export body: see [`boundary!`].
pub(crate) fn run<T: PanicDefault>(body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            record_panic(payload);
            T::panic_default()
        }
    }
}

/// Runs an infallible export body that answers `default` if it panics: see [`boundary!`].
pub(crate) fn run_or<T>(default: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            record_panic(payload);
            default
        }
    }
}

/// Records a caught panic as the last error and drops its payload, both inside `catch_unwind`:
/// neither may unwind out of an `extern "C"` function.
fn record_panic(payload: Box<dyn std::any::Any + Send>) {
    let recorded = catch_unwind(AssertUnwindSafe(move || {
        last_error::set_panic(payload.as_ref());
        drop(payload);
    }));
    // A payload whose own drop panicked: keep it rather than risk a second unwind.
    if let Err(second) = recorded {
        std::mem::forget(second);
    }
}

/// A required NUL-terminated UTF-8 string argument, as `&str`; NULL or invalid UTF-8 is an input
/// error naming the argument. Use only inside `boundary!(fallible ...)` of an `unsafe` export.
macro_rules! arg_str {
    ($p:expr, $name:literal) => {
        unsafe { $crate::strings::arg_str($p, $name) }?
    };
}

/// An optional string argument: NULL is `None`.
macro_rules! arg_opt_str {
    ($p:expr, $name:literal) => {
        unsafe { $crate::strings::arg_opt_str($p, $name) }?
    };
}

/// A list of `n` strings (`const char *const *`), refused when NULL with `n > 0`, when `n` is
/// larger than any array can be, or when an entry is NULL or invalid UTF-8. Any real length is
/// read: the core checks the list and splits it into requests.
macro_rules! arg_list {
    ($p:expr, $n:expr, $name:literal) => {
        unsafe { $crate::strings::arg_list($p, $n, $name) }?
    };
}

/// A handle argument, borrowed for the call; NULL is an input error naming the argument.
macro_rules! arg_handle {
    ($p:expr, $name:literal) => {
        unsafe { $crate::boundary::arg_handle($p, $name) }?
    };
}

/// Borrows the handle argument `name` for the call: see [`arg_handle!`].
///
/// # Safety
/// `p` is NULL or a live pointer from [`Handle::into_raw`].
pub(crate) unsafe fn arg_handle<'a, H: Handle>(
    p: *const H,
    name: &str,
) -> Result<&'a H, cloudhalt::Error> {
    // SAFETY: by the caller's contract.
    unsafe { H::borrow(p) }.ok_or_else(|| {
        cloudhalt::Error::invalid_input(
            name,
            format!("{name} is NULL: pass a handle returned by a _new function"),
        )
    })
}

/// The error for a NULL output pointer `name`.
pub(crate) fn null_out(name: &str) -> cloudhalt::Error {
    cloudhalt::Error::invalid_input(
        name,
        format!("{name} is NULL: pass the address of a variable to receive the result"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::last_error::*;

    #[test]
    fn a_panic_becomes_cloudhalt_panic_with_a_message() {
        let status = boundary!(fallible {
            if std::hint::black_box(true) {
                panic!("deliberate test panic");
            }
            Ok(())
        });
        assert_eq!(status, cloudhalt_status::CLOUDHALT_PANIC);
        let message = unsafe { std::ffi::CStr::from_ptr(cloudhalt_last_error_message()) };
        let message = message.to_str().unwrap();
        assert!(message.contains("deliberate test panic"), "{message}");
        assert!(message.contains("bug"), "{message}");
    }

    #[test]
    fn a_panicking_outcome_accessor_answers_its_default_not_done() {
        let value: c_int = boundary!(or - 1, {
            if std::hint::black_box(true) {
                panic!("outcome accessor panic");
            }
            0
        });
        assert_eq!(value, -1);
    }

    #[test]
    fn a_panicking_accessor_answers_null() {
        let p: *const c_char = boundary!({
            if std::hint::black_box(true) {
                panic!("accessor panic");
            }
            c"x".as_ptr()
        });
        assert!(p.is_null());
    }

    #[test]
    fn a_fallible_call_clears_the_previous_error() {
        let status = boundary!(fallible {
            Err(cloudhalt::Error::invalid_input("region", "bad"))
        });
        assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
        assert!(!cloudhalt_last_error_message().is_null());
        let status = boundary!(fallible { Ok(()) });
        assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
        assert!(cloudhalt_last_error_message().is_null());
    }
}
