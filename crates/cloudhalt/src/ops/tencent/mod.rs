//! Tencent Cloud operations (API 3.0, JSON body, TC3-signed).

pub(crate) mod autoscaling;
pub(crate) mod cvm;
pub(crate) mod tat;

pub use autoscaling::{CancelInstanceRefresh, DescribeRefreshActivities, StopInstanceRefresh};
pub use cvm::{DescribeInstances, StopInstances, StopType, StoppedMode, TerminateInstances};
pub use tat::{CancelInvocation, DescribeInvocationTasks};

use super::{Call, Operation};

/// At most this many instance IDs per Tencent request (CVM and TAT docs).
pub const MAX_INSTANCE_IDS: usize = 100;

/// The call of `op` with `body` serialised as compact JSON.
fn call<T: serde::Serialize>(op: &'static Operation, region: Option<&str>, body: &T) -> Call {
    Call {
        op,
        region: region.map(str::to_owned),
        // Serialising plain structs of strings and booleans cannot fail.
        body: serde_json::to_vec(body).expect("request bodies serialise"),
        query: Vec::new(),
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The CVM instance ID list of StopInstances and TerminateInstances.
const CVM_INSTANCE_IDS: super::IdField = super::IdField {
    name: "InstanceIds",
    prefixes: &["ins-"],
    shape: super::IdShape::Tencent,
    what: "CVM instance ID",
    example: "ins-r8hr2upy",
    list: true,
    max: MAX_INSTANCE_IDS,
    omittable: false,
};

/// One Tencent `Filters` entry of a Describe call: `{"Name": ..., "Values": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Filter {
    /// The filter's name (`instance-state`, `invocation-id`, ...).
    pub name: String,
    /// Its values (at most 5).
    pub values: Vec<String>,
}

impl Filter {
    /// The filter `name` with `values`.
    pub fn new(name: impl Into<String>, values: Vec<String>) -> Filter {
        Filter {
            name: name.into(),
            values,
        }
    }
}

/// Checks Tencent's documented limits on `Filters`: at most 10 filters of at most 5 values each,
/// named, none empty.
pub(crate) fn check_filters(filters: &[Filter]) -> Result<(), crate::Error> {
    use crate::Error;
    if filters.len() > 10 {
        return Err(Error::invalid_input(
            "Filters",
            format!("Filters has {} entries: give at most 10", filters.len()),
        ));
    }
    for (i, f) in filters.iter().enumerate() {
        if f.name.is_empty() || f.name.len() > 64 || !f.name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Error::invalid_input(
                "Filters",
                format!(
                    "Filters[{i}].Name {} is not a filter name, e.g. instance-state",
                    super::quoted(&f.name)
                ),
            ));
        }
        if f.values.is_empty() || f.values.len() > 5 {
            return Err(Error::invalid_input(
                "Filters",
                format!(
                    "Filters[{i}] ({}) has {} values: give 1 to 5",
                    f.name,
                    f.values.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a Describe page size: 1 to `max`.
pub(crate) fn check_limit(limit: Option<u32>, max: u32) -> Result<(), crate::Error> {
    match limit {
        Some(l) if l == 0 || l > max => Err(crate::Error::invalid_input(
            "Limit",
            format!("Limit {l} is out of range: give 1 to {max} (every page is fetched anyway)"),
        )),
        _ => Ok(()),
    }
}

/// The request of a Tencent Describe call: an ID list or `Filters` (never both: the provider
/// refuses the combination), and the page size. Every rule is checked here, once for the three
/// Describe calls, before anything is built.
pub(crate) struct Describe<'a> {
    pub op: &'static Operation,
    pub region: Option<&'a str>,
    /// The ID list's field and the IDs, if given.
    pub ids: Option<(&'static super::IdField, &'a [String])>,
    pub filters: &'a [Filter],
    pub offset: Option<u32>,
    pub limit: Option<u32>,
    /// Further fixed fields (TAT's `HideOutput`).
    pub extra: &'a [(&'static str, bool)],
}

impl Describe<'_> {
    /// Validates and serialises the call.
    pub(crate) fn call(&self) -> Result<Call, crate::Error> {
        super::check_region(self.op, self.region)?;
        let mut body = serde_json::Map::new();
        if let Some((field, ids)) = self.ids {
            field.check_list(ids)?;
            if !self.filters.is_empty() {
                return Err(crate::Error::invalid_input(
                    "Filters",
                    format!(
                        "{} and Filters cannot be given together (the provider refuses the \
                         combination): give one of them",
                        field.name
                    ),
                ));
            }
            body.insert(field.name.into(), ids.into());
        }
        check_filters(self.filters)?;
        check_limit(self.limit, MAX_INSTANCE_IDS as u32)?;
        if !self.filters.is_empty() {
            // Serialising a list of two-string structs cannot fail.
            body.insert(
                "Filters".into(),
                serde_json::to_value(self.filters).expect("filters serialise"),
            );
        }
        for (name, value) in self.extra {
            body.insert((*name).into(), (*value).into());
        }
        if let Some(offset) = self.offset {
            body.insert("Offset".into(), offset.into());
        }
        let limit = self.limit.unwrap_or(MAX_INSTANCE_IDS as u32);
        body.insert("Limit".into(), limit.into());
        Ok(call(self.op, self.region, &body))
    }
}
