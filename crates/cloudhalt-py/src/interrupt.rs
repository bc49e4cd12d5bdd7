//! Ctrl-C during a wait. A wait runs with the GIL released, so Python's signal handlers cannot
//! run; the core asks [`check`] every 100 ms or so while it sleeps, which runs them. When one
//! raises (`KeyboardInterrupt`), the wait ends and that exception, kept here for the thread,
//! is what the call raises.

use std::cell::RefCell;
use std::sync::Arc;

use pyo3::prelude::*;

thread_local! {
    /// The exception a signal handler raised during this thread's current call.
    static RAISED: RefCell<Option<PyErr>> = const { RefCell::new(None) };
}

/// The core's interrupt check: runs Python's pending signal handlers (only the main thread
/// has any); true when one raised.
fn check() -> bool {
    Python::attach(|py| match py.check_signals() {
        Ok(()) => false,
        Err(e) => {
            RAISED.with(|r| *r.borrow_mut() = Some(e));
            true
        }
    })
}

/// The check, as a client option.
pub(crate) fn hook() -> cloudhalt::InterruptFn {
    Arc::new(check)
}

/// The exception a signal handler raised during the call that just returned, if any.
pub(crate) fn take() -> Option<PyErr> {
    RAISED.with(|r| r.borrow_mut().take())
}
