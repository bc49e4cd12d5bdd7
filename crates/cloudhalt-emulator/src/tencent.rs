//! The four Tencent actions: parameter checks as the services make them, then the state change.

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Map, Value};

use crate::model::Model;
use crate::state::RefreshActivity;

/// A Tencent error answer: `Response.Error.{Code, Message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ApiError {
    pub code: &'static str,
    pub message: String,
}

fn err(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError {
        code,
        message: message.into(),
    }
}

/// The JSON type of a top-level parameter that is not a string: the query cannot say, so the
/// action declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scalar {
    /// `true` or `false` in any letter case (the Python SDK writes `True`, the Go SDK `true`).
    /// (Integers, for the Describe actions' `Limit` and `Offset`, would be a second variant.)
    Boolean,
}

/// An action this emulator answers: its service and version.
pub(crate) struct ActionInfo {
    pub service: &'static str,
    pub version: &'static str,
    /// Its parameters that are not strings, lists or objects: a GET query must say so.
    pub scalars: Vec<(&'static str, Scalar)>,
}

/// The service, version and typed parameters of `action`, from the core's operation table.
pub(crate) fn action_info(action: &str) -> Option<ActionInfo> {
    let op = cloudhalt::operation(cloudhalt::Provider::Tencent, action)?;
    let scalars = op
        .params
        .iter()
        .filter_map(|p| match p.kind {
            cloudhalt::ops::ParamKind::Bool => Some((p.name, Scalar::Boolean)),
            _ => None,
        })
        .collect();
    Some(ActionInfo {
        service: op.service,
        version: op.version,
        scalars,
    })
}

/// The parameters of a POST: its JSON body, an object (or nothing at all).
pub(crate) fn body_parameters(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(err(
            "InvalidParameter",
            "The request body is not a JSON object.",
        )),
    }
}

/// What a write knows of the request that makes it.
pub(crate) struct Write<'a> {
    /// The RequestId its answer carries (recorded as `LatestOperationRequestId`).
    pub request_id: &'a str,
    /// An `operation_fails` fault fired for it: the operation is accepted, then fails.
    pub fails: bool,
}

/// Runs the write action `action` with `params` (from a POST body or a GET query) in `region`,
/// changing `model`; answers the fields that go into `Response` beside `RequestId` (none). The
/// Describe actions are answered by `describe` instead.
pub(crate) fn handle(
    model: &mut Model,
    action: &str,
    region: Option<&str>,
    params: &Map<String, Value>,
    write: &Write<'_>,
) -> Result<Map<String, Value>, ApiError> {
    change(model, action, region, params, write).map(|()| Map::new())
}

/// The write actions.
fn change(
    model: &mut Model,
    action: &str,
    region: Option<&str>,
    params: &Map<String, Value>,
    write: &Write<'_>,
) -> Result<(), ApiError> {
    let p = Params(params);
    match action {
        "StopInstances" => {
            p.only(&["InstanceIds", "ForceStop", "StopType", "StoppedMode"])?;
            let region = require_region(region)?;
            let ids = p.instance_ids(true)?.unwrap_or_default();
            let force = p.bool("ForceStop")?;
            let stop_type = p.string("StopType")?;
            if let Some(t) = &stop_type
                && !["SOFT", "HARD", "SOFT_FIRST"].contains(&t.as_str())
            {
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "The value `{t}` of parameter `StopType` is invalid: use SOFT, HARD or SOFT_FIRST."
                    ),
                ));
            }
            if let Some(m) = p.string("StoppedMode")?
                && !["KEEP_CHARGING", "STOP_CHARGING"].contains(&m.as_str())
            {
                return Err(err(
                    "InvalidParameterValue",
                    format!(
                        "The value `{m}` of parameter `StoppedMode` is invalid: use KEEP_CHARGING or STOP_CHARGING."
                    ),
                ));
            }
            if force && stop_type.is_some() {
                return Err(err(
                    "InvalidParameterCombination",
                    "The parameters `ForceStop` and `StopType` cannot be specified at the same time.",
                ));
            }
            stop_instances(model, region, &ids, write)
        }
        "TerminateInstances" => {
            p.only(&["InstanceIds", "ReleaseAddress", "ReleasePrepaidDataDisks"])?;
            let region = require_region(region)?;
            let ids = p.instance_ids(true)?.unwrap_or_default();
            p.bool("ReleaseAddress")?;
            p.bool("ReleasePrepaidDataDisks")?;
            terminate_instances(model, region, &ids, write)
        }
        "CancelInvocation" => {
            p.only(&["InvocationId", "InstanceIds"])?;
            let region = require_region(region)?;
            let invocation_id = p.required_string("InvocationId")?;
            if !well_formed(&invocation_id, &["inv-"]) {
                return Err(err(
                    "InvalidParameterValue.InvalidInvocationId",
                    format!(
                        "The invocation ID `{invocation_id}` is malformed: expected inv- followed by 8 lower-case letters or digits."
                    ),
                ));
            }
            let ids = p.instance_ids(false)?;
            let cancelled = cancel_invocation(model, region, &invocation_id, ids.as_deref());
            // Tasks may have begun CANCELLING.
            model.rescan();
            cancelled
        }
        "CancelInstanceRefresh" | "StopInstanceRefresh" => {
            p.only(&["AutoScalingGroupId", "RefreshActivityId"])?;
            let group = p.required_string("AutoScalingGroupId")?;
            let activity = p.required_string("RefreshActivityId")?;
            if !well_formed(&group, &["asg-"]) {
                return Err(err(
                    "InvalidParameterValue.InvalidAutoScalingGroupId",
                    format!(
                        "The scaling group ID `{group}` is malformed: expected asg- followed by 8 lower-case letters or digits."
                    ),
                ));
            }
            if !well_formed(&activity, &["asr-"]) {
                return Err(err(
                    "InvalidParameterValue.InvalidRefreshActivityId",
                    format!(
                        "The refresh activity ID `{activity}` is malformed: expected asr- followed by 8 lower-case letters or digits."
                    ),
                ));
            }
            let activity = find_activity(model, region, &group, &activity)?;
            let changed = if action == "StopInstanceRefresh" {
                stop_instance_refresh(activity)
            } else {
                cancel_instance_refresh(activity)
            };
            // A paused activity's refreshing batch may have begun its transition.
            model.rescan();
            changed
        }
        _ => Err(err(
            "InvalidAction",
            format!("The action `{action}` is not supported."),
        )),
    }
}

/// Tencent IDs: a prefix and 8 lower-case letters or digits.
fn well_formed(id: &str, prefixes: &[&str]) -> bool {
    prefixes.iter().any(|p| {
        id.strip_prefix(p).is_some_and(|rest| {
            rest.len() == 8
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    })
}

pub(crate) fn require_region(region: Option<&str>) -> Result<&str, ApiError> {
    match region.map(str::trim) {
        Some(r) if !r.is_empty() => Ok(r),
        _ => Err(err(
            "MissingParameter",
            "The request is missing a required parameter `Region` (header X-TC-Region).",
        )),
    }
}

struct Params<'a>(&'a Map<String, Value>);

impl Params<'_> {
    fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        match self.0.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(err(
                "UnknownParameter",
                format!("The parameter `{k}` is not recognized."),
            )),
            None => Ok(()),
        }
    }

    fn string(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(err(
                "InvalidParameter",
                format!("The parameter `{name}` must be a string."),
            )),
        }
    }

    fn required_string(&self, name: &str) -> Result<String, ApiError> {
        self.string(name)?.filter(|s| !s.is_empty()).ok_or_else(|| {
            err(
                "MissingParameter",
                format!("The request is missing a required parameter `{name}`."),
            )
        })
    }

    fn bool(&self, name: &str) -> Result<bool, ApiError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(err(
                "InvalidParameter",
                format!("The parameter `{name}` must be a boolean."),
            )),
        }
    }

    /// `InstanceIds`: required for CVM (1 to 100 `ins-` IDs), optional for TAT (which also takes
    /// `lhins-` and `mi-`).
    fn instance_ids(&self, cvm: bool) -> Result<Option<Vec<String>>, ApiError> {
        let items = match self.0.get("InstanceIds") {
            None | Some(Value::Null) if cvm => {
                return Err(err(
                    "MissingParameter",
                    "The request is missing a required parameter `InstanceIds`.",
                ));
            }
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Array(items)) => items,
            Some(_) => {
                return Err(err(
                    "InvalidParameter",
                    "The parameter `InstanceIds` must be an array of strings.",
                ));
            }
        };
        if items.is_empty() {
            return Err(err(
                "InvalidParameterValue",
                "The parameter `InstanceIds` must not be empty.",
            ));
        }
        let max = cloudhalt::ops::tencent::MAX_INSTANCE_IDS;
        if items.len() > max {
            return Err(err(
                "InvalidParameterValue.LimitExceeded",
                format!(
                    "The number of instances in `InstanceIds` ({}) exceeds the limit of {max}.",
                    items.len()
                ),
            ));
        }
        let prefixes: &[&str] = if cvm {
            &["ins-"]
        } else {
            &["ins-", "lhins-", "mi-"]
        };
        let mut ids = Vec::with_capacity(items.len());
        for item in items {
            let Some(id) = item.as_str() else {
                return Err(err(
                    "InvalidParameter",
                    "The parameter `InstanceIds` must be an array of strings.",
                ));
            };
            if !well_formed(id, prefixes) {
                return Err(err(
                    "InvalidParameterValue.InstanceIdMalformed",
                    format!("The instance ID `{id}` is malformed."),
                ));
            }
            ids.push(id.to_owned());
        }
        Ok(Some(ids))
    }
}

/// Finds every instance or fails on the first unknown one, as the service checks the whole
/// request before changing anything.
fn find_instances(model: &mut Model, region: &str, ids: &[String]) -> Result<Vec<usize>, ApiError> {
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for id in ids {
        if !seen.insert(id.as_str()) {
            continue;
        }
        let index = model.cvm_position(id, region).ok_or_else(|| {
            err(
                "InvalidInstanceId.NotFound",
                format!("The instance `{id}` is not found in region {region}."),
            )
        })?;
        found.push(index);
    }
    Ok(found)
}

fn stop_instances(
    model: &mut Model,
    region: &str,
    ids: &[String],
    write: &Write<'_>,
) -> Result<(), ApiError> {
    let found = find_instances(model, region, ids)?;
    let instances = &mut model.resources.tencent.instances;
    for &i in &found {
        let instance = &instances[i];
        let conflict = match instance.instance_state.as_str() {
            "RUNNING" => continue,
            "STOPPED" => "UnsupportedOperation.InstanceStateStopped",
            "STOPPING" => "UnsupportedOperation.InstanceStateStopping",
            "TERMINATING" | "SHUTDOWN" => "UnsupportedOperation.InstanceStateTerminating",
            _ => "UnsupportedOperation.InstanceStatePending",
        };
        return Err(err(
            conflict,
            format!(
                "The instance `{}` is {}: the operation is not supported in this state.",
                instance.instance_id, instance.instance_state
            ),
        ));
    }
    let now = Instant::now();
    for i in found {
        let instance = &mut model.resources.tencent.instances[i];
        instance.begin(
            "StopInstances",
            write.request_id,
            "STOPPING",
            write.fails,
            now,
        );
        let own = instance.transition_ms;
        model.begun(now, own);
    }
    Ok(())
}

/// Postpaid instances are destroyed (TERMINATING, then gone); a prepaid one's first terminate
/// moves it to the recycle bin (`SHUTDOWN`, `OPERATING` until the delay has passed), and a
/// terminate of an instance in the recycle bin destroys it, as the CVM documentation says.
fn terminate_instances(
    model: &mut Model,
    region: &str,
    ids: &[String],
    write: &Write<'_>,
) -> Result<(), ApiError> {
    let found = find_instances(model, region, ids)?;
    let instances = &mut model.resources.tencent.instances;
    if let Some(&i) = found
        .iter()
        .find(|&&i| instances[i].instance_state == "TERMINATING")
    {
        return Err(err(
            "UnsupportedOperation.InstanceStateTerminating",
            format!(
                "The instance `{}` is already TERMINATING.",
                instances[i].instance_id
            ),
        ));
    }
    if let Some(&i) = found.iter().find(|&&i| {
        instances[i].instance_state == "SHUTDOWN"
            && instances[i].latest_operation_state.as_deref() == Some("OPERATING")
    }) {
        return Err(err(
            "OperationDenied.InstanceOperationInProgress",
            format!(
                "The instance `{}` is still being moved to the recycle bin (LatestOperationState OPERATING): retry once the operation has ended.",
                instances[i].instance_id
            ),
        ));
    }
    if let Some(&first) = found.first()
        && let Some(&other) = found
            .iter()
            .find(|&&i| instances[i].instance_charge_type != instances[first].instance_charge_type)
    {
        return Err(err(
            "UnsupportedOperation.InstanceMixedPricingModel",
            format!(
                "The instances `{}` ({}) and `{}` ({}) have different charge types: every instance of one TerminateInstances request must have the same charge type; send them in separate requests.",
                instances[first].instance_id,
                instances[first].instance_charge_type,
                instances[other].instance_id,
                instances[other].instance_charge_type
            ),
        ));
    }
    let now = Instant::now();
    for i in found {
        let instance = &mut model.resources.tencent.instances[i];
        let to_recycle_bin =
            instance.instance_charge_type == "PREPAID" && instance.instance_state != "SHUTDOWN";
        let state = if to_recycle_bin {
            "SHUTDOWN"
        } else {
            "TERMINATING"
        };
        instance.begin(
            "TerminateInstances",
            write.request_id,
            state,
            write.fails,
            now,
        );
        let own = instance.transition_ms;
        model.begun(now, own);
    }
    Ok(())
}

/// PENDING, DELIVERING and DELIVER_DELAYED tasks are CANCELLED at once; RUNNING ones go
/// CANCELLING, and TERMINATED after the delay.
fn cancel_invocation(
    model: &mut Model,
    region: &str,
    invocation_id: &str,
    ids: Option<&[String]>,
) -> Result<(), ApiError> {
    let invocation = model
        .resources
        .tencent
        .invocations
        .iter_mut()
        .find(|inv| inv.invocation_id == invocation_id && inv.region == region)
        .ok_or_else(|| {
            err(
                "ResourceNotFound.InvocationNotFound",
                format!("The invocation `{invocation_id}` is not found in region {region}."),
            )
        })?;
    if let Some(ids) = ids
        && let Some(id) = ids
            .iter()
            .find(|id| !invocation.tasks.iter().any(|t| t.instance_id == **id))
    {
        return Err(err(
            "InvalidParameterValue.InstanceIsNotRelatedToInvocation",
            format!("The instance `{id}` is not related to the invocation `{invocation_id}`."),
        ));
    }
    let now = Instant::now();
    for task in &mut invocation.tasks {
        if ids.is_some_and(|ids| !ids.contains(&task.instance_id)) {
            continue;
        }
        match task.task_status.as_str() {
            "PENDING" | "DELIVERING" | "DELIVER_DELAYED" => task.task_status = "CANCELLED".into(),
            "RUNNING" => {
                task.task_status = "CANCELLING".into();
                task.since = Some(now);
            }
            _ => {}
        }
    }
    invocation.settle_after_cancel();
    Ok(())
}

fn find_activity<'m>(
    model: &'m mut Model,
    region: Option<&str>,
    group_id: &str,
    activity_id: &str,
) -> Result<&'m mut RefreshActivity, ApiError> {
    let group = model
        .resources
        .tencent
        .scaling_groups
        .iter_mut()
        .find(|g| g.auto_scaling_group_id == group_id && region.is_none_or(|r| g.region == r))
        .ok_or_else(|| {
            err(
                "ResourceNotFound.AutoScalingGroupNotFound",
                format!("The scaling group `{group_id}` is not found."),
            )
        })?;
    group
        .refresh_activities
        .iter_mut()
        .find(|a| a.refresh_activity_id == activity_id)
        .ok_or_else(|| {
            err(
                "ResourceNotFound.RefreshActivityNotFound",
                format!(
                    "The refresh activity `{activity_id}` is not found in scaling group `{group_id}`."
                ),
            )
        })
}

const ACTIVITY_CONFLICT: &str = "ResourceUnavailable.RefreshActivityStatusConflictWithOperation";

/// An unfinished activity with no batch refreshing is CANCELLED at once, and its WAITING
/// batches with it; a refreshing batch blocks the cancel (pause first).
fn cancel_instance_refresh(activity: &mut RefreshActivity) -> Result<(), ApiError> {
    let id = &activity.refresh_activity_id;
    if !matches!(
        activity.status.as_str(),
        "INIT" | "RUNNING" | "FAILED_PAUSE" | "AUTO_PAUSE" | "MANUAL_PAUSE"
    ) {
        return Err(err(
            ACTIVITY_CONFLICT,
            format!(
                "The refresh activity `{id}` is {}: only an unfinished activity can be cancelled.",
                activity.status
            ),
        ));
    }
    if let Some(batch) = activity
        .batches
        .iter()
        .find(|b| b.batch_status == "RUNNING")
    {
        return Err(err(
            ACTIVITY_CONFLICT,
            format!(
                "The refresh activity `{id}` has a batch refreshing (batch {} is RUNNING), so it cannot be cancelled now: pause it first (StopInstanceRefresh), wait until no batch is RUNNING, then cancel.",
                batch.batch_number
            ),
        ));
    }
    activity.status = "CANCELLED".into();
    for batch in &mut activity.batches {
        if matches!(batch.batch_status.as_str(), "WAITING" | "INIT") {
            batch.batch_status = "CANCELLED".into();
        }
    }
    Ok(())
}

/// An INIT or RUNNING activity is paused (`MANUAL_PAUSE`) at once; its refreshing batch
/// finishes (SUCCESSFUL) after the delay and the WAITING ones stay WAITING.
fn stop_instance_refresh(activity: &mut RefreshActivity) -> Result<(), ApiError> {
    if !matches!(activity.status.as_str(), "INIT" | "RUNNING") {
        return Err(err(
            ACTIVITY_CONFLICT,
            format!(
                "The refresh activity `{}` is {}: only an INIT or RUNNING activity can be paused.",
                activity.refresh_activity_id, activity.status
            ),
        ));
    }
    activity.status = "MANUAL_PAUSE".into();
    let now = Instant::now();
    for batch in &mut activity.batches {
        if batch.batch_status == "RUNNING" {
            batch.since = Some(now);
        }
    }
    Ok(())
}
