//! Alibaba Cloud operations (RPC style, parameters in the query, ACS3-signed).

mod ecs;

pub use ecs::StopInvocation;

use crate::error::Error;

/// At most this many `InstanceId.N` per StopInvocation request.
pub const MAX_INSTANCE_IDS: usize = 50;

/// A validated Alibaba RPC call, ready to sign.
#[derive(Debug, Clone)]
pub(crate) struct AlibabaCall {
    pub action: &'static str,
    pub version: &'static str,
    pub region: String,
    /// Unencoded `(name, value)` pairs; the signer encodes and sorts them.
    pub query: Vec<(String, String)>,
}

/// Names of the Alibaba operations `call_json` accepts.
pub const ACTIONS: [&str; 1] = ["StopInvocation"];

/// Builds the typed request for `action` from the provider's parameters.
pub(crate) fn call_from_json(
    action: &str,
    params: &serde_json::Value,
) -> Result<AlibabaCall, Error> {
    match action {
        "StopInvocation" => StopInvocation::from_json(params)?.to_call(),
        other => Err(Error::invalid_input(
            "action",
            format!(
                "action {} is not one cloudhalt sends to Alibaba Cloud: use one of {}",
                super::quoted(other),
                ACTIONS.join(", ")
            ),
        )),
    }
}
