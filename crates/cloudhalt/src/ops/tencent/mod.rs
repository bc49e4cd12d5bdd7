//! Tencent Cloud operations (API 3.0, JSON body, TC3-signed).

mod autoscaling;
mod cvm;
mod tat;

pub use autoscaling::CancelInstanceRefresh;
pub use cvm::{StopInstances, StopType, StoppedMode, TerminateInstances};
pub use tat::CancelInvocation;

use crate::error::Error;

/// At most this many instance IDs per Tencent request (CVM and TAT docs).
pub const MAX_INSTANCE_IDS: usize = 100;

/// A validated Tencent call, ready to sign: what the client needs and nothing more.
#[derive(Debug, Clone)]
pub(crate) struct TencentCall {
    pub action: &'static str,
    pub service: &'static str,
    pub version: &'static str,
    pub region: Option<String>,
    pub body: Vec<u8>,
}

/// Implemented by the four Tencent request types.
pub(crate) trait TencentOperation {
    /// The provider's name of the operation, for errors raised before a call exists.
    const ACTION: &'static str;

    /// Validates and serialises the request.
    fn to_call(&self) -> Result<TencentCall, Error>;
}

/// Names of the Tencent operations `call_json` accepts.
pub const ACTIONS: [&str; 4] = [
    "StopInstances",
    "TerminateInstances",
    "CancelInvocation",
    "CancelInstanceRefresh",
];

/// Builds the typed request for `action` from the provider's JSON parameters (as in the API
/// reference: `{"InstanceIds": [...], "StopType": "SOFT"}`), refusing unknown parameters.
pub(crate) fn call_from_json(
    action: &str,
    region: Option<&str>,
    params: &serde_json::Value,
) -> Result<TencentCall, Error> {
    match action {
        "StopInstances" => StopInstances::from_json(region, params)?.to_call(),
        "TerminateInstances" => TerminateInstances::from_json(region, params)?.to_call(),
        "CancelInvocation" => CancelInvocation::from_json(region, params)?.to_call(),
        "CancelInstanceRefresh" => CancelInstanceRefresh::from_json(region, params)?.to_call(),
        other => Err(Error::invalid_input(
            "action",
            format!(
                "action {} is not one cloudhalt sends to Tencent Cloud: use one of {}",
                super::quoted(other),
                ACTIONS.join(", ")
            ),
        )),
    }
}

pub(crate) fn required_region(region: &str) -> Result<(), Error> {
    crate::endpoint::check_region("Region", region)
}

pub(crate) fn check_instance_id(field: &str, id: &str) -> Result<(), Error> {
    super::check_tencent_id(field, id, &["ins-"], "CVM instance ID", "ins-r8hr2upy")
}

fn to_body<T: serde::Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain structs of strings and booleans cannot fail.
    serde_json::to_vec(value).expect("request bodies serialise")
}

fn is_false(b: &bool) -> bool {
    !*b
}
