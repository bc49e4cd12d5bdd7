//! The core's `log` records, sent to Python's `logging` module (logger `"cloudhalt"`).
//!
//! The records come from whichever thread the core runs on: the caller's (with the GIL
//! released by `py.detach`) or a batch worker. So the message is formatted in Rust first and
//! the GIL is taken only to hand the finished text to `logging`, with no lock of ours held
//! while waiting for it: a thread that holds the GIL can never be waiting on this one.
//!
//! Python's `logging` has no "level changed" hook, so the logger's effective level is read
//! whenever a client method starts (it holds the GIL then anyway, see [`sync_level`]) and set
//! as `log`'s own max level: the core's records below it are then skipped by the `log!`
//! macros themselves, before any record is built, and never touch the GIL. The logger object
//! is looked up once and kept, as a Python library's module-level `logging.getLogger(...)`
//! would be: `getLogger` takes logging's module lock, which is most of a per-call lookup's cost.

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// The name of the Python logger every record goes to.
const LOGGER: &str = "cloudhalt";

/// True once [`install`] made [`PythonLogger`] `log`'s logger: only then is `log`'s max level
/// ours to set (another logger's level is left alone).
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// `logging.getLogger("cloudhalt")`, looked up on first use.
static PY_LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `"cloudhalt"` logger (the same object `logging.getLogger` returns every time).
fn py_logger(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    PY_LOGGER
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("logging")?
                    .call_method1("getLogger", (LOGGER,))?
                    .unbind(),
            )
        })
        .map(|l| l.bind(py))
}

/// The `logging` level number of a `log` level.
fn python_level(level: log::Level) -> u32 {
    match level {
        log::Level::Error => 40,
        log::Level::Warn => 30,
        log::Level::Info => 20,
        log::Level::Debug | log::Level::Trace => 10,
    }
}

/// The most verbose `log` level a `logging` effective level lets through.
fn filter_for(python_level: i64) -> log::LevelFilter {
    match python_level {
        l if l <= 10 => log::LevelFilter::Trace,
        l if l <= 20 => log::LevelFilter::Info,
        l if l <= 30 => log::LevelFilter::Warn,
        l if l <= 40 => log::LevelFilter::Error,
        _ => log::LevelFilter::Off,
    }
}

/// Reads the `"cloudhalt"` logger's effective level (called with the GIL, before a client
/// method releases it). A failure keeps the last level: logging must never fail a call.
pub(crate) fn sync_level(py: Python<'_>) {
    if !INSTALLED.load(Ordering::Relaxed) {
        return;
    }
    let level = py_logger(py)
        .and_then(|l| l.call_method0(pyo3::intern!(py, "getEffectiveLevel")))
        .and_then(|l| l.extract::<i64>());
    if let Ok(level) = level {
        log::set_max_level(filter_for(level));
    }
}

/// The `log::Log` installed once, when the module is imported.
struct PythonLogger;

impl log::Log for PythonLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        // The core's records only: the HTTP and TLS crates log through `log` too, and their
        // debug lines may show request headers (the Authorization signature, a token).
        metadata.target().starts_with("cloudhalt") && metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // Formatted before the GIL is asked for (the core's messages never hold a secret).
        let message = record.args().to_string();
        let level = python_level(record.level());
        let target = record.target().to_owned();
        // `try_attach`: during interpreter shutdown the record is dropped rather than panic.
        Python::try_attach(|py| {
            let emit = || -> PyResult<()> {
                let logger = py_logger(py)?;
                if logger
                    .call_method1(pyo3::intern!(py, "isEnabledFor"), (level,))?
                    .is_truthy()?
                {
                    let extra = pyo3::types::PyDict::new(py);
                    extra.set_item("rust_target", target)?;
                    let kwargs = pyo3::types::PyDict::new(py);
                    kwargs.set_item("extra", extra)?;
                    logger.call_method(
                        pyo3::intern!(py, "log"),
                        (level, "%s", message),
                        Some(&kwargs),
                    )?;
                }
                Ok(())
            };
            // A failing handler must not turn into an exception in an unrelated call.
            if let Err(e) = emit() {
                e.print(py);
            }
        });
    }

    fn flush(&self) {}
}

/// Installs the logger, once per process (a second import, or another library's logger
/// already installed, leaves things as they are). Everything is let through until the first
/// [`sync_level`], so that nothing is lost before the level was read.
pub(crate) fn install() {
    static LOGGER_INSTANCE: PythonLogger = PythonLogger;
    if log::set_logger(&LOGGER_INSTANCE).is_ok() {
        log::set_max_level(log::LevelFilter::Trace);
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_levels_map_to_log_filters() {
        assert_eq!(filter_for(0), log::LevelFilter::Trace);
        assert_eq!(filter_for(10), log::LevelFilter::Trace);
        assert_eq!(filter_for(20), log::LevelFilter::Info);
        assert_eq!(filter_for(30), log::LevelFilter::Warn);
        assert_eq!(filter_for(40), log::LevelFilter::Error);
        assert_eq!(filter_for(50), log::LevelFilter::Off);
        assert_eq!(python_level(log::Level::Warn), 30);
    }
}
