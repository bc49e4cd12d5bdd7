//! `cloudhalt_set_log_callback`: the core's `log` records, forwarded to a C function.
//!
//! One `log::Log` is installed the first time a callback is set (the `log` crate allows one per
//! process); later calls only replace the callback it reads. The callback is copied out of its
//! lock before it is called, so a slow callback holds up only its own thread, and a callback that
//! sets another callback (or logs through cloudhalt again) cannot deadlock.

use std::ffi::{c_char, c_int, c_void};
use std::sync::RwLock;

use cloudhalt::Error;
use log::{LevelFilter, Log, Metadata, Record};

use crate::status::cloudhalt_status;
use crate::strings::to_c_string;

/// A log callback: `level` 1 (error) to 5 (trace), `message` a NUL-terminated UTF-8 line valid
/// only during the call, `user` the pointer given to cloudhalt_set_log_callback().
pub type cloudhalt_log_fn =
    Option<unsafe extern "C" fn(level: c_int, message: *const c_char, user: *mut c_void)>;

/// The callback and what it was given.
#[derive(Clone, Copy)]
struct Sink {
    callback: unsafe extern "C" fn(c_int, *const c_char, *mut c_void),
    user: *mut c_void,
    max: LevelFilter,
}

// SAFETY: `user` is only handed back to the caller's callback; the header documents that the
// callback is called on whichever thread logs, so the caller makes `user` usable from any thread.
unsafe impl Send for Sink {}
// SAFETY: as above; the sink itself is never mutated through a shared reference.
unsafe impl Sync for Sink {}

static SINK: RwLock<Option<Sink>> = RwLock::new(None);

/// The installed logger: forwards the core's records to the current sink.
struct CallbackLogger;

static LOGGER: CallbackLogger = CallbackLogger;

fn sink() -> Option<Sink> {
    // A poisoned lock only means a panic elsewhere; the Copy value inside is whole.
    *SINK.read().unwrap_or_else(|e| e.into_inner())
}

/// Only cloudhalt's own records are forwarded: the HTTP and TLS libraries underneath log at
/// debug and trace level with request details (headers) that are not ours to vouch for.
fn ours(target: &str) -> bool {
    target == "cloudhalt" || target.starts_with("cloudhalt::") || target.starts_with("cloudhalt_")
}

impl Log for CallbackLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        ours(metadata.target()) && sink().is_some_and(|s| metadata.level() <= s.max)
    }

    fn log(&self, record: &Record<'_>) {
        if !ours(record.target()) {
            return;
        }
        let Some(sink) = sink() else { return };
        if record.level() > sink.max {
            return;
        }
        // Formatted before the call and outside the lock.
        let line = to_c_string(&format!("{}: {}", record.target(), record.args()));
        // `log::Level` is 1 (Error) to 5 (Trace), the values the header documents.
        let level = record.level() as usize as c_int;
        // SAFETY: the caller's callback, with the arguments the header documents.
        unsafe { (sink.callback)(level, line.as_ptr(), sink.user) };
    }

    fn flush(&self) {}
}

/// The level filter for `max_level` (1 error .. 5 trace), or an error naming it.
fn level_filter(max_level: c_int) -> Result<LevelFilter, Error> {
    Ok(match max_level {
        1 => LevelFilter::Error,
        2 => LevelFilter::Warn,
        3 => LevelFilter::Info,
        4 => LevelFilter::Debug,
        5 => LevelFilter::Trace,
        other => {
            return Err(Error::invalid_input(
                "max_level",
                format!(
                    "max_level {other} is not a level: give 1 (error), 2 (warn), 3 (info: one \
                     line per attempt), 4 (debug: one line per credential source) or 5 (trace)"
                ),
            ));
        }
    })
}

/// Sends cloudhalt's log lines to `callback`, or stops when `callback` is NULL.
///
/// - `level` passed to the callback, and `max_level`: 1 error, 2 warn (a failed attempt, a failed
///   credential refresh), 3 info (one line per attempt: provider, operation, host, status, code,
///   RequestId, attempt number, duration; one per STS call), 4 debug (one line per credential
///   source tried, and why it did or did not yield), 5 trace. Lines above `max_level` are
///   neither formatted nor passed.
/// - `message`: one line, `target: text` (targets `cloudhalt::batch`,
///   `cloudhalt::credentials::chain`, ...), NUL-terminated UTF-8, valid only during the call.
///   No line ever holds a secret key, token or signature. Only cloudhalt's own lines are passed,
///   not those of the HTTP and TLS libraries inside.
/// - `user`: passed back unchanged to every call.
///
/// The callback is called on the thread that logs (the one making the cloudhalt call), possibly
/// on several threads at once, and never while cloudhalt holds a lock: it may be slow, and may
/// call cloudhalt (a line it causes is passed to it in turn). It must not unwind (no C++
/// exception, no longjmp) out of the call. A call already logging on another thread when the
/// callback is replaced may still reach the previous one: keep its `user` valid until those
/// calls have returned. The setting is process-wide.
///
/// Returns CLOUDHALT_INVALID_INPUT when `max_level` is not 1 to 5 with a non-NULL `callback`
/// (the last error names `max_level`; the previous callback stays), or when another `log`
/// implementation was installed in this process before cloudhalt's (by Rust code linked into
/// the same program; the last error names `callback`).
///
/// # Safety
/// `callback` is NULL or a function with this signature that stays callable (and `user` usable
/// from any thread) until it is replaced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cloudhalt_set_log_callback(
    callback: cloudhalt_log_fn,
    user: *mut c_void,
    max_level: c_int,
) -> cloudhalt_status {
    boundary!(fallible {
        let sink = match callback {
            None => None,
            Some(callback) => Some(Sink {
                callback,
                user,
                max: level_filter(max_level)?,
            }),
        };
        install()?;
        *SINK.write().unwrap_or_else(|e| e.into_inner()) = sink;
        log::set_max_level(sink.map_or(LevelFilter::Off, |s| s.max));
        Ok(())
    })
}

/// Installs [`CallbackLogger`] once; later calls find it installed.
fn install() -> Result<(), Error> {
    static INSTALLED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *INSTALLED.get_or_init(|| log::set_logger(&LOGGER).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "callback",
            "another log implementation is installed in this process: cloudhalt's lines go to \
             it, and no callback can be set",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    static LINES: Mutex<Vec<(c_int, String)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn collect(level: c_int, message: *const c_char, _user: *mut c_void) {
        // SAFETY: the logger passes a NUL-terminated line valid during the call.
        let line = unsafe { std::ffi::CStr::from_ptr(message) };
        LINES
            .lock()
            .unwrap()
            .push((level, line.to_string_lossy().into_owned()));
    }

    fn emit(target: &str, level: log::Level, text: &str) {
        log::logger().log(
            &Record::builder()
                .target(target)
                .level(level)
                .args(format_args!("{text}"))
                .build(),
        );
    }

    /// The only test in this crate that installs the logger (it is process-wide).
    #[test]
    fn only_cloudhalt_lines_up_to_the_level_reach_the_callback() {
        // SAFETY: `collect` has the documented signature and lives for the process.
        let status = unsafe { cloudhalt_set_log_callback(Some(collect), std::ptr::null_mut(), 3) };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
        emit(
            "cloudhalt::batch",
            log::Level::Info,
            "StopInstances attempt=1",
        );
        emit("cloudhalt::batch", log::Level::Warn, "failed attempt");
        emit(
            "cloudhalt::credentials::chain",
            log::Level::Debug,
            "too detailed",
        );
        emit(
            "ureq::unit",
            log::Level::Info,
            "Authorization: TC3-HMAC-SHA256 ...",
        );
        // SAFETY: NULL turns the callback off.
        let status = unsafe { cloudhalt_set_log_callback(None, std::ptr::null_mut(), 0) };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_OK);
        emit("cloudhalt::batch", log::Level::Error, "after off");
        let lines = LINES.lock().unwrap().clone();
        assert_eq!(
            lines,
            vec![
                (3, "cloudhalt::batch: StopInstances attempt=1".to_owned()),
                (2, "cloudhalt::batch: failed attempt".to_owned()),
            ]
        );
        // SAFETY: a bad level is refused, and the callback stays off.
        let status = unsafe { cloudhalt_set_log_callback(Some(collect), std::ptr::null_mut(), 9) };
        assert_eq!(status, cloudhalt_status::CLOUDHALT_INVALID_INPUT);
    }
}
