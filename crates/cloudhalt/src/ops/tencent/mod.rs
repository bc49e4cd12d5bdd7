//! Tencent Cloud operations (API 3.0, JSON body, TC3-signed).

pub(crate) mod autoscaling;
pub(crate) mod cvm;
pub(crate) mod tat;

pub use autoscaling::{CancelInstanceRefresh, DescribeRefreshActivities};
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
