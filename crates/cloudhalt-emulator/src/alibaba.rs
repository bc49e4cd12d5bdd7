//! Alibaba ECS StopInvocation (RPC: parameters in the query).

use crate::model::Model;

/// An Alibaba error answer: `Code`, `Message` and the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

fn err(code: &'static str, status: u16, message: impl Into<String>) -> ApiError {
    ApiError {
        code,
        message: message.into(),
        status,
    }
}

/// The version of `action`, if this emulator answers it, from the core's operation table.
pub(crate) fn action_version(action: &str) -> Option<&'static str> {
    cloudhalt::operation(cloudhalt::Provider::Alibaba, action).map(|op| op.version)
}

fn missing(name: &str) -> ApiError {
    err(
        "MissingParameter",
        400,
        format!(
            "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
        ),
    )
}

/// Runs StopInvocation with the decoded `params`, changing `model`.
pub(crate) fn stop_invocation(
    model: &mut Model,
    params: &[(String, String)],
) -> Result<(), ApiError> {
    let mut region = None;
    let mut invoke_id = None;
    let mut numbered: Vec<(usize, String)> = Vec::new();
    for (name, value) in params {
        match name.as_str() {
            "RegionId" => region = Some(value.clone()),
            "InvokeId" => invoke_id = Some(value.clone()),
            n if n.starts_with("InstanceId.") => {
                let index = n["InstanceId.".len()..]
                    .parse::<usize>()
                    .ok()
                    .filter(|i| *i >= 1)
                    .ok_or_else(|| {
                        err(
                            "InvalidParameter",
                            400,
                            format!("The specified parameter \"{n}\" is not valid: use InstanceId.1, InstanceId.2, ..."),
                        )
                    })?;
                numbered.push((index, value.clone()));
            }
            other => {
                return Err(err(
                    "UnknownParameter",
                    400,
                    format!("The specified parameter \"{other}\" cannot be recognized."),
                ));
            }
        }
    }
    let region = region
        .filter(|r| !r.is_empty())
        .ok_or_else(|| missing("RegionId"))?;
    let invoke_id = invoke_id
        .filter(|r| !r.is_empty())
        .ok_or_else(|| missing("InvokeId"))?;
    let max = cloudhalt::ops::alibaba::MAX_INSTANCE_IDS;
    if numbered.len() > max {
        return Err(err(
            "InstanceIds.ExceedLimit",
            403,
            format!(
                "The number of instance IDs ({}) exceeds the upper limit of {max}.",
                numbered.len()
            ),
        ));
    }
    numbered.sort();
    let ids: Vec<String> = numbered.into_iter().map(|(_, id)| id).collect();
    let at = model
        .resources
        .alibaba
        .invocations
        .iter()
        .position(|inv| inv.invoke_id == invoke_id && inv.region_id == region)
        .ok_or_else(|| {
            err(
                "InvalidInvokeId.NotFound",
                404,
                "The specified invoke ID does not exist.",
            )
        })?;
    // Where each named instance is in the invocation (every instance when none is named), so
    // that a large invocation is not searched once per ID.
    let mut positions = Vec::with_capacity(ids.len());
    for id in &ids {
        match model.ecs_positions(at, id) {
            Some(found) => positions.extend(found),
            None => {
                return Err(err(
                    "InvalidInstanceId.NotFound",
                    404,
                    format!(
                        "The specified instance {id} does not exist in the invocation {invoke_id}."
                    ),
                ));
            }
        }
    }
    let invocation = &mut model.resources.alibaba.invocations[at];
    if ids.is_empty() {
        positions.extend(0..invocation.invoke_instances.len());
    }
    // Not started yet: Cancelled at once; started: Stopping, then Stopped after the delay.
    let now = std::time::Instant::now();
    let mut began = false;
    for p in positions {
        let instance = &mut invocation.invoke_instances[p];
        match instance.invocation_status.as_str() {
            "Pending" | "Scheduled" => instance.invocation_status = "Cancelled".into(),
            "Running" => {
                instance.invocation_status = "Stopping".into();
                instance.since = Some(now);
                began = true;
            }
            _ => {}
        }
    }
    invocation.settle();
    if began {
        let own = invocation.transition_ms;
        model.begun(now, own);
    }
    Ok(())
}
