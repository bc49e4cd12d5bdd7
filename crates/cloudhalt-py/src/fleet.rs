//! The fleet settings of a client (`retry=`, `rate_limit=`, `concurrency=`, `audit_log=`), the
//! `cloudhalt.Retry` value class, and the per-ID record (`IdOutcome`) that responses and errors
//! carry. All checks are the core's; this file only reads Python values into core ones.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;

use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyString, PyTuple};

use crate::errors::{invalid_input, map_error};

/// A retry policy: how many times a request is attempted (1 = no retry), and the backoff between
/// attempts (exponential from `base_delay` seconds, full jitter, capped at `max_delay` seconds;
/// no sleep after the last attempt). Immutable; equal when every field is.
///
/// Throttling and refusals are retried for every operation; ambiguous failures (a timeout after
/// the request was written, `InternalError`) only for the operations that are harmless to
/// repeat, never for TerminateInstances.
#[pyclass(frozen, module = "cloudhalt", name = "Retry")]
pub struct Retry {
    pub(crate) inner: cloudhalt::Retry,
}

/// Reads an `int` argument that is not a `bool`, as `i64`; an `int` outside `i64` is `None`
/// (out of every range the core accepts).
fn int_arg(obj: &Bound<'_, PyAny>, name: &str, what: &str) -> PyResult<Option<i64>> {
    if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an int ({what}), not {}",
            crate::convert::type_name(obj)
        )));
    }
    Ok(obj.extract::<i64>().ok())
}

/// Reads a number of seconds: an `int` or `float`, not a `bool`.
fn seconds_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<f64> {
    if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyFloat>() || obj.is_instance_of::<PyInt>())
    {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a number of seconds (int or float), not {}",
            crate::convert::type_name(obj)
        )));
    }
    // An int too large for a float is out of range all the same.
    Ok(obj.extract::<f64>().unwrap_or(f64::INFINITY))
}

#[pymethods]
impl Retry {
    /// A policy of `max_attempts` attempts in all (1 to 20; 1 = no retry) with a backoff from
    /// `base_delay` up to `max_delay` seconds (0 to 3600, base no longer than max). A bad value
    /// raises `InvalidInputError` naming the field.
    #[new]
    #[pyo3(
        signature = (max_attempts = None, base_delay = None, max_delay = None),
        text_signature = "(max_attempts=3, base_delay=0.2, max_delay=5.0)"
    )]
    fn new(
        py: Python<'_>,
        max_attempts: Option<&Bound<'_, PyAny>>,
        base_delay: Option<&Bound<'_, PyAny>>,
        max_delay: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Retry> {
        let default = cloudhalt::Retry::default();
        let attempts = match max_attempts {
            None => default.max_attempts,
            Some(obj) => {
                let n = int_arg(obj, "max_attempts", "attempts in all")?;
                // A negative or huge count is out of the core's range too; said here with the
                // caller's own value, which has no u32 form to hand over.
                match n.and_then(|n| u32::try_from(n).ok()) {
                    Some(n) => n,
                    None => {
                        return Err(invalid_input(
                            py,
                            "max_attempts",
                            format!(
                                "max_attempts {} is out of range: give 1 (no retry) to {}",
                                obj.repr()?,
                                cloudhalt::Retry::MAX_ATTEMPTS
                            ),
                        ));
                    }
                }
            }
        };
        let base = base_delay
            .map(|o| seconds_arg(o, "base_delay"))
            .transpose()?
            .unwrap_or(default.base_delay.as_secs_f64());
        let max = max_delay
            .map(|o| seconds_arg(o, "max_delay"))
            .transpose()?
            .unwrap_or(default.max_delay.as_secs_f64());
        cloudhalt::Retry::from_secs_f64(attempts, base, max)
            .map(|inner| Retry { inner })
            .map_err(|e| map_error(py, &e))
    }

    /// Attempts in all (1 = no retry).
    #[getter]
    fn max_attempts(&self) -> u32 {
        self.inner.max_attempts
    }

    /// The backoff's base, in seconds.
    #[getter]
    fn base_delay(&self) -> f64 {
        self.inner.base_delay.as_secs_f64()
    }

    /// The longest delay between two attempts, in seconds.
    #[getter]
    fn max_delay(&self) -> f64 {
        self.inner.max_delay.as_secs_f64()
    }

    fn __repr__(&self) -> String {
        retry_repr(&self.inner)
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<Retry>() else {
            return Ok(py.NotImplemented());
        };
        let same = self.inner == other.get().inner;
        Ok(match op {
            CompareOp::Eq => PyBool::new(py, same).to_owned().into_any().unbind(),
            CompareOp::Ne => PyBool::new(py, !same).to_owned().into_any().unbind(),
            _ => py.NotImplemented(),
        })
    }

    fn __hash__(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            self.inner.max_attempts,
            self.inner.base_delay,
            self.inner.max_delay,
        )
            .hash(&mut h);
        h.finish()
    }

    /// Pickles as `Retry(max_attempts, base_delay, max_delay)`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let r = slf.get();
        let args = (r.max_attempts(), r.base_delay(), r.max_delay()).into_pyobject(py)?;
        PyTuple::new(py, [slf.get_type().into_any(), args.into_any()])
    }
}

/// `cloudhalt.Retry(max_attempts=3, base_delay=0.2, max_delay=5.0)`.
pub(crate) fn retry_repr(r: &cloudhalt::Retry) -> String {
    format!(
        "cloudhalt.Retry(max_attempts={}, base_delay={:?}, max_delay={:?})",
        r.max_attempts,
        r.base_delay.as_secs_f64(),
        r.max_delay.as_secs_f64()
    )
}

/// A client's fleet settings, read from Python before the client is made.
pub(crate) struct Settings {
    pub retry: Option<cloudhalt::Retry>,
    pub pacing: cloudhalt::Pacing,
    pub concurrency: Option<usize>,
    pub audit: Option<PathBuf>,
}

impl Settings {
    /// Reads the keyword arguments (`None` = the default). Wrong types raise `TypeError`; values
    /// are checked by the core, raising `InvalidInputError` naming the field.
    pub fn read(
        py: Python<'_>,
        retry: Option<&Bound<'_, PyAny>>,
        rate_limit: Option<&Bound<'_, PyAny>>,
        concurrency: Option<&Bound<'_, PyAny>>,
        audit_log: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Settings> {
        let retry = match retry {
            None => None,
            Some(obj) if obj.is_none() => None,
            Some(obj) => match obj.cast::<Retry>() {
                Ok(r) => Some(r.get().inner),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "retry must be a cloudhalt.Retry or None, not {}: e.g. \
                         retry=cloudhalt.Retry(max_attempts=1) for no retry",
                        crate::convert::type_name(obj)
                    )));
                }
            },
        };
        let pacing = match rate_limit {
            None => cloudhalt::Pacing::Documented,
            Some(obj) if obj.is_instance_of::<PyBool>() => {
                if obj.extract::<bool>()? {
                    cloudhalt::Pacing::Documented
                } else {
                    cloudhalt::Pacing::Off
                }
            }
            Some(obj) if obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>() => {
                let rate = obj.extract::<f64>().unwrap_or(f64::INFINITY);
                cloudhalt::Pacing::PerSecond(rate)
                    .check()
                    .map_err(|e| map_error(py, &e))?
            }
            Some(obj) => {
                return Err(PyTypeError::new_err(format!(
                    "rate_limit must be True (the documented rates), False (off) or a number of \
                     requests per second, not {}",
                    crate::convert::type_name(obj)
                )));
            }
        };
        let concurrency = match concurrency {
            None => None,
            Some(obj) => {
                let max = cloudhalt::MAX_CONCURRENCY;
                let n = int_arg(obj, "concurrency", "requests at once")?;
                match n.and_then(|n| usize::try_from(n).ok()) {
                    Some(n) => Some(n),
                    None => {
                        return Err(invalid_input(
                            py,
                            "concurrency",
                            format!(
                                "concurrency {} is out of range: give 1 to {max} requests at once",
                                obj.repr()?
                            ),
                        ));
                    }
                }
            }
        };
        let audit = match audit_log {
            None => None,
            Some(obj) if obj.is_none() => None,
            Some(obj) => Some(path_arg(obj, "audit_log")?),
        };
        Ok(Settings {
            retry,
            pacing,
            concurrency,
            audit,
        })
    }

    /// Applies the settings to a new core client; the audit log is opened last, so that a bad
    /// setting never leaves a new empty file behind.
    pub fn apply<C: cloudhalt::Cloud>(
        self,
        py: Python<'_>,
        mut client: cloudhalt::Client<C>,
    ) -> PyResult<cloudhalt::Client<C>> {
        let lift =
            |r: Result<cloudhalt::Client<C>, cloudhalt::Error>| r.map_err(|e| map_error(py, &e));
        if let Some(retry) = self.retry {
            client = lift(client.with_retry(retry))?;
        }
        client = lift(client.with_rate_limit(self.pacing))?;
        // Ctrl-C ends a wait (it would otherwise hold the thread until its deadline).
        client = client.with_interrupt(Some(crate::interrupt::hook()));
        if let Some(n) = self.concurrency {
            client = lift(client.with_concurrency(n))?;
        }
        if let Some(path) = self.audit {
            let log = cloudhalt::AuditLog::open(&path).map_err(|e| map_error(py, &e))?;
            client = client.with_audit_log(Some(log));
        }
        Ok(client)
    }
}

/// Reads a file path: a `str` or an `os.PathLike` (`pathlib.Path`), through `os.fspath`.
pub(crate) fn path_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<PathBuf> {
    let is_path = obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")?;
    if !is_path {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a file path (str or os.PathLike), not {}",
            crate::convert::type_name(obj)
        )));
    }
    obj.extract::<PathBuf>().map_err(|_| {
        invalid_input(
            obj.py(),
            name,
            format!("{name} is not a usable file path: give a str or pathlib.Path"),
        )
    })
}

/// The client's rate limit as Python shows it: `True` (documented rates), `False` (off) or the
/// requests per second.
pub(crate) fn rate_limit_value<'py>(
    py: Python<'py>,
    pacing: cloudhalt::Pacing,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match pacing {
        cloudhalt::Pacing::Off => PyBool::new(py, false).to_owned().into_any(),
        cloudhalt::Pacing::PerSecond(rate) => PyFloat::new(py, rate).into_any(),
        _ => PyBool::new(py, true).to_owned().into_any(),
    })
}

/// The Python spelling of the rate limit, for reprs.
pub(crate) fn rate_limit_text(pacing: cloudhalt::Pacing) -> String {
    match pacing {
        cloudhalt::Pacing::Off => "False".into(),
        cloudhalt::Pacing::PerSecond(rate) => format!("{rate:?}"),
        _ => "True".into(),
    }
}

/// The audit log's path as a `str`, if there is one.
pub(crate) fn audit_path<C: cloudhalt::Cloud>(client: &cloudhalt::Client<C>) -> Option<String> {
    client
        .audit_log()
        .map(|log| log.path().to_string_lossy().into_owned())
}

/// The `", retry=... audit_log=..."` tail of a client's repr.
pub(crate) fn settings_repr<C: cloudhalt::Cloud>(
    py: Python<'_>,
    client: &cloudhalt::Client<C>,
) -> PyResult<String> {
    let audit = match audit_path(client) {
        Some(p) => crate::clients::py_repr(py, &p)?,
        None => "None".into(),
    };
    Ok(format!(
        "retry={} rate_limit={} concurrency={} audit_log={audit}",
        retry_repr(&client.retry()),
        rate_limit_text(client.rate_limit()),
        client.concurrency()
    ))
}

/// The per-ID record as `cloudhalt.IdOutcome` named tuples (`id`, `outcome`, `code`,
/// `request_id`), in input order.
pub(crate) fn id_outcomes<'py>(
    py: Python<'py>,
    outcomes: &[cloudhalt::IdOutcome],
) -> PyResult<Bound<'py, PyList>> {
    let class = py.import("cloudhalt._types")?.getattr("IdOutcome")?;
    let list = PyList::empty(py);
    for o in outcomes {
        list.append(class.call1((o.id(), o.outcome().as_str(), o.code(), o.request_id()))?)?;
    }
    Ok(list)
}
