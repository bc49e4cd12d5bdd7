//! The keyword arguments of the typed Describe methods, read into the provider's JSON
//! parameters: the methods then go through `call_json`, so that the typed form and
//! `call("DescribeInstances", {...})` share one validation (the core's) and one paging loop.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Value};

use crate::convert::{string_list, text, type_name};

/// The JSON parameters being built.
#[derive(Default)]
pub(crate) struct Params {
    map: Map<String, Value>,
    filters: Vec<Value>,
}

impl Params {
    /// Sets `name` to `value`.
    pub(crate) fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Params {
        self.map.insert(name.to_owned(), value.into());
        self
    }

    /// Sets the ID list `name` (the Python argument `arg`) when it was given.
    pub(crate) fn ids(
        &mut self,
        name: &str,
        obj: Option<&Bound<'_, PyAny>>,
        arg: &str,
    ) -> PyResult<&mut Params> {
        if let Some(o) = obj.filter(|o| !o.is_none()) {
            let ids = string_list(o, arg)?;
            self.set(name, ids);
        }
        Ok(self)
    }

    /// Sets the string `name` (the Python argument `arg`) when it was given.
    pub(crate) fn text(
        &mut self,
        name: &str,
        obj: Option<&Bound<'_, PyAny>>,
        arg: &str,
    ) -> PyResult<&mut Params> {
        if let Some(o) = obj.filter(|o| !o.is_none()) {
            let value = text(o, arg)?;
            self.set(name, value);
        }
        Ok(self)
    }

    /// Adds the Tencent filter `name` with `values`.
    pub(crate) fn filter(&mut self, name: &str, values: Vec<String>) -> &mut Params {
        self.filters
            .push(serde_json::json!({"Name": name, "Values": values}));
        self
    }

    /// Adds the `filters=` argument: a mapping of filter name to one `str` or an iterable of
    /// them (`{"instance-state": ["RUNNING"]}`), or a list of the provider's own entries
    /// (`[{"Name": "instance-state", "Values": ["RUNNING"]}]`).
    pub(crate) fn filters(&mut self, obj: Option<&Bound<'_, PyAny>>) -> PyResult<&mut Params> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(self);
        };
        if let Ok(dict) = obj.cast::<PyDict>() {
            for (k, v) in dict.iter() {
                let name = text(&k, "filters key")?;
                let values = if v.is_instance_of::<PyString>() {
                    vec![text(&v, &format!("filters[{name:?}]"))?]
                } else {
                    string_list(&v, &format!("filters[{name:?}]"))?
                };
                self.filter(&name, values);
            }
            return Ok(self);
        }
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            for (i, entry) in obj.try_iter()?.enumerate() {
                let entry = entry?;
                let Ok(d) = entry.cast::<PyDict>() else {
                    return Err(PyTypeError::new_err(format!(
                        "filters[{i}] must be a dict {{\"Name\": ..., \"Values\": [...]}}, not {}",
                        type_name(&entry)
                    )));
                };
                self.filters
                    .push(crate::convert::params_to_json(d.as_any())?);
            }
            return Ok(self);
        }
        Err(PyTypeError::new_err(format!(
            "filters must be a dict of filter name to values ({{\"instance-state\": \
             [\"RUNNING\"]}}) or a list of {{\"Name\": ..., \"Values\": [...]}} dicts, not {}",
            type_name(obj)
        )))
    }

    /// Sets the page size `name` (the Python argument `arg`, an `int`) when given. A value no
    /// page size can be (below 1, or beyond 32 bits) is refused here, naming the argument; the
    /// core checks the provider's upper bound.
    pub(crate) fn page_size(
        &mut self,
        name: &str,
        obj: Option<&Bound<'_, PyAny>>,
        arg: &str,
        max: u32,
    ) -> PyResult<&mut Params> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else {
            return Ok(self);
        };
        if !obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyBool>() {
            return Err(PyTypeError::new_err(format!(
                "{arg} must be int, not {}",
                type_name(obj)
            )));
        }
        let value = obj
            .extract::<i64>()
            .ok()
            .filter(|v| (1..=i64::from(u32::MAX)).contains(v));
        let Some(value) = value else {
            return Err(crate::errors::invalid_input(
                obj.py(),
                name,
                format!(
                    "{arg} {} is out of range: give 1 to {max} (every page is fetched anyway)",
                    obj.str()?
                ),
            ));
        };
        self.set(name, value);
        Ok(self)
    }

    /// The JSON object.
    pub(crate) fn build(mut self) -> Value {
        if !self.filters.is_empty() {
            self.map.insert(
                "Filters".into(),
                Value::Array(std::mem::take(&mut self.filters)),
            );
        }
        Value::Object(self.map)
    }
}
