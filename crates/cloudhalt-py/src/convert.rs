//! Conversions between Python objects and owned Rust values, done while the GIL is held so that
//! signing and sending can run without it.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

use crate::errors::invalid_input;

/// Deeper `params` are refused: the provider's parameters are at most two levels deep, and a
/// self-referencing list would otherwise recurse forever.
const MAX_DEPTH: usize = 32;

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Reads `instance_ids`: any iterable of `str`, of any length (the core splits it into requests
/// of at most the provider's limit). A `str` (or bytes) is refused with `TypeError`, because
/// iterating it would silently send one ID per character.
pub(crate) fn string_list(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>()
    {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an iterable of str, not a single {}: wrap one ID in a list, e.g. \
             {name}=[\"...\"]",
            type_name(obj)
        )));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err(format!(
            "{name} must be an iterable of str (a list, tuple, set...), not {}",
            type_name(obj)
        ))
    })?;
    // Sized up front only from a list or tuple, whose length is real (any other `__len__`
    // could claim anything).
    let known = if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.len().unwrap_or(0)
    } else {
        0
    };
    let mut out = Vec::with_capacity(known);
    for (i, item) in iter.enumerate() {
        let item = item?;
        if !item.is_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(format!(
                "{name}[{i}] must be str, not {}",
                type_name(&item)
            )));
        }
        // The item's name (`instance_ids[3]`) is formatted only for an error.
        let id = item
            .extract::<String>()
            .map_err(|_| not_utf8(&item, &format!("{name}[{i}]")))?;
        out.push(id);
    }
    Ok(out)
}

/// Reads `params`: a `dict` with `str` keys whose values have a JSON form.
pub(crate) fn params_to_json(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if !obj.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(format!(
            "params must be a dict of the provider's JSON parameters, not {}",
            type_name(obj)
        )));
    }
    to_json(obj, "params", 0)
}

fn to_json(obj: &Bound<'_, PyAny>, path: &str, depth: usize) -> PyResult<Value> {
    let py = obj.py();
    if depth > MAX_DEPTH {
        return Err(invalid_input(
            py,
            "params",
            format!(
                "{path} is nested more than {MAX_DEPTH} levels deep: the provider's parameters are never that deep"
            ),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(invalid_input(
            py,
            "params",
            format!("{path} is an integer outside the 64-bit range that JSON numbers carry"),
        ));
    }
    if obj.is_instance_of::<PyFloat>() {
        let f: f64 = obj.extract()?;
        return Number::from_f64(f).map(Value::Number).ok_or_else(|| {
            invalid_input(
                py,
                "params",
                format!("{path} is {f}, which has no JSON form: give a finite number"),
            )
        });
    }
    if obj.is_instance_of::<PyString>() {
        return Ok(Value::String(utf8(obj, path)?));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            if !k.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(format!(
                    "{path} has a key of type {}: JSON object keys must be str",
                    type_name(&k)
                )));
            }
            let key = utf8(&k, &format!("{path} key"))?;
            let child = format!("{path}[{key:?}]");
            map.insert(key, to_json(&v, &child, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(to_json(&item?, &format!("{path}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{path} is a {}, which has no JSON form: use str, int, float, bool, None, list, tuple or dict",
        type_name(obj)
    )))
}

/// Builds the Python form of a JSON value: `dict`, `list`, `str`, `int`, `float`, `bool`, `None`.
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Reads a `str` argument, naming it in the `TypeError` (Python before 3.11 has no exception
/// notes, where PyO3 would otherwise name it). Never echoes the value: it may be a secret.
pub(crate) fn text(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    if obj.is_instance_of::<PyString>() {
        return utf8(obj, name);
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be str, not {}",
        type_name(obj)
    )))
}

/// Argument names whose values are credentials: a bad one is a `CredentialsError`.
const CREDENTIAL_ARGS: [&str; 6] = [
    "secret_id",
    "secret_key",
    "token",
    "access_key_id",
    "access_key_secret",
    "security_token",
];

/// Reads a `str` that must be valid Unicode: a lone surrogate (e.g. from a mis-decoded file name
/// or `os.environ` on a non-UTF-8 system) has no UTF-8 form, so it is a bad value.
fn utf8(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    obj.extract::<String>().map_err(|_| not_utf8(obj, name))
}

/// The error for a `str` argument `name` that has no UTF-8 form (see [`utf8`]).
fn not_utf8(obj: &Bound<'_, PyAny>, name: &str) -> PyErr {
    let message = format!(
        "{name} contains a lone surrogate character, which is not valid Unicode and cannot be \
         sent: check how the value was read or decoded"
    );
    let err = if CREDENTIAL_ARGS.contains(&name) {
        cloudhalt::Error::credentials(message)
    } else {
        cloudhalt::Error::invalid_input(name, message)
    };
    crate::errors::map_error(obj.py(), &err)
}

/// Reads an optional `str` argument (`None` is allowed).
pub(crate) fn opt_text(obj: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<String>> {
    obj.map(|o| text(o, name)).transpose()
}
