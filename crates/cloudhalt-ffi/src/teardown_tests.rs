//! A call made while a thread is being torn down (from a thread-local's destructor, after the
//! last error's own thread-local is gone) answers its status instead of aborting the host.
//!
//! Before the fix such a call panicked outside `catch_unwind`, which aborts the whole process,
//! so the calls run in a child process: the parent sees an abort as a failed child.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use crate::status::cloudhalt_status;

const CHILD_TEST: &str = "teardown_tests::calls_from_a_thread_local_destructor_in_this_process";

static STATUS: AtomicI32 = AtomicI32::new(-1);
static MESSAGE_IS_NULL: AtomicBool = AtomicBool::new(false);
static NAME_OK: AtomicBool = AtomicBool::new(false);

/// Calls cloudhalt when its thread-local is destroyed.
struct CallsOnDrop;

impl Drop for CallsOnDrop {
    fn drop(&mut self) {
        // A fallible call: it clears and sets the (gone) last error.
        // SAFETY: NULL is a valid handle argument (refused with CLOUDHALT_INVALID_INPUT).
        let status = unsafe { crate::cloudhalt_tencent_set_timeout_ms(std::ptr::null_mut(), 0) };
        STATUS.store(status as c_int, Ordering::SeqCst);
        // Accessors: no details are left, so NULL.
        MESSAGE_IS_NULL.store(
            crate::cloudhalt_last_error_message().is_null(),
            Ordering::SeqCst,
        );
        NAME_OK.store(
            !crate::cloudhalt_status_name(status as c_int).is_null(),
            Ordering::SeqCst,
        );
    }
}

thread_local! {
    static GUARD: CallsOnDrop = const { CallsOnDrop };
}

/// Run only in the child process started by the test below.
#[test]
#[ignore = "runs in a child process started by thread_teardown_calls_do_not_abort"]
fn calls_from_a_thread_local_destructor_in_this_process() {
    std::thread::spawn(|| {
        // Thread-local destructors run in reverse order of first use: touching GUARD before
        // the last error makes GUARD's destructor run after the last error is destroyed.
        GUARD.with(|_| {});
        // SAFETY: as above.
        let status = unsafe { crate::cloudhalt_tencent_set_timeout_ms(std::ptr::null_mut(), 0) };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
        assert!(!crate::cloudhalt_last_error_message().is_null());
    })
    .join()
    .unwrap();
    assert_eq!(
        STATUS.load(Ordering::SeqCst),
        cloudhalt_status::CLOUDHALT_INVALID_INPUT as c_int,
        "the call during teardown still answers its status"
    );
    assert!(MESSAGE_IS_NULL.load(Ordering::SeqCst));
    assert!(NAME_OK.load(Ordering::SeqCst));
    println!("teardown calls answered");
}

#[test]
fn thread_teardown_calls_do_not_abort() {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            CHILD_TEST,
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("teardown calls answered"),
        "the child calling cloudhalt during thread teardown failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
}
