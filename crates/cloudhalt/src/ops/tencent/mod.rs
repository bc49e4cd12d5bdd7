//! Tencent Cloud operations (API 3.0, JSON body, TC3-signed).

pub(crate) mod autoscaling;
pub(crate) mod cvm;
pub(crate) mod tat;

pub use autoscaling::CancelInstanceRefresh;
pub use cvm::{StopInstances, StopType, StoppedMode, TerminateInstances};
pub use tat::CancelInvocation;

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
