//! Alibaba Cloud operations (RPC style, parameters in the query, ACS3-signed).

pub(crate) mod ecs;

pub use ecs::StopInvocation;

use super::{Call, Request};
use crate::error::{Error, Provider};

/// At most this many `InstanceId.N` per StopInvocation request.
pub const MAX_INSTANCE_IDS: usize = 50;

/// Builds the call for `action` from the provider's parameters.
pub(crate) fn call_from_json(action: &str, params: &serde_json::Value) -> Result<Call, Error> {
    super::lookup(Provider::Alibaba, action)?;
    StopInvocation::from_json(params)?.to_call()
}
