//! Alibaba Cloud operations (RPC style, parameters in the query, ACS3-signed).

pub(crate) mod ecs;

pub use ecs::{DescribeInvocations, StopInvocation};

/// At most this many `InstanceId.N` per StopInvocation request.
pub const MAX_INSTANCE_IDS: usize = 50;
