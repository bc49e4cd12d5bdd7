//! The read-only Describe actions, answered from the state with the providers' paging:
//! Tencent `Offset` / `Limit` (default 20, at most 100) with `TotalCount`, Alibaba
//! `MaxResults` (default 10, at most 50) / `NextToken`.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::model::Model;

/// Answers a Tencent Describe action, or `None` for any other action.
pub(crate) fn tencent(
    model: &Model,
    action: &str,
    region: Option<&str>,
    params: &Map<String, Value>,
) -> Option<TencentResult> {
    let region_required = || crate::tencent::require_region(region);
    Some(match action {
        "DescribeInstances" => region_required().and_then(|r| describe_instances(model, r, params)),
        "DescribeInvocationTasks" => {
            region_required().and_then(|r| describe_invocation_tasks(model, r, params))
        }
        "DescribeRefreshActivities" => describe_refresh_activities(model, region, params),
        _ => return None,
    })
}

/// A Tencent answer's fields (merged into `Response` next to `RequestId`), or its error.
type TencentResult = Result<Map<String, Value>, crate::tencent::ApiError>;

fn tc_err(code: &'static str, message: impl Into<String>) -> crate::tencent::ApiError {
    crate::tencent::ApiError {
        code,
        message: message.into(),
    }
}

/// A whole number parameter, as JSON (POST) or as its decimal text (GET).
fn number(
    params: &Map<String, Value>,
    name: &str,
) -> Result<Option<u64>, crate::tencent::ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
        Some(Value::String(s)) if s.parse::<u64>().is_ok() => Ok(s.parse().ok()),
        Some(_) => Err(tc_err(
            "InvalidParameter",
            format!("The parameter `{name}` must be a non-negative integer."),
        )),
    }
}

fn strings(
    params: &Map<String, Value>,
    name: &str,
) -> Result<Option<Vec<String>>, crate::tencent::ApiError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_owned).ok_or_else(|| {
                    tc_err(
                        "InvalidParameter",
                        format!("The parameter `{name}` must be an array of strings."),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(tc_err(
            "InvalidParameter",
            format!("The parameter `{name}` must be an array of strings."),
        )),
    }
}

/// `Filters` as (name, values) pairs, with Tencent's limits (10 filters of 5 values).
fn filters(
    params: &Map<String, Value>,
) -> Result<Vec<(String, Vec<String>)>, crate::tencent::ApiError> {
    let Some(list) = params.get("Filters").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let bad = || {
        tc_err(
            "InvalidFilter",
            "The parameter `Filters` must be an array of {Name, Values}.",
        )
    };
    let list = list.as_array().ok_or_else(bad)?;
    if list.len() > 10 {
        return Err(tc_err(
            "InvalidParameterValue.LimitExceeded",
            "At most 10 filters are allowed.",
        ));
    }
    let mut out = Vec::new();
    for f in list {
        let name = f.get("Name").and_then(Value::as_str).ok_or_else(bad)?;
        let values: Vec<String> = f
            .get("Values")
            .and_then(Value::as_array)
            .ok_or_else(bad)?
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if values.is_empty() || values.len() > 5 {
            return Err(tc_err(
                "InvalidParameterValue.LimitExceeded",
                format!("The filter `{name}` must have 1 to 5 values."),
            ));
        }
        out.push((name.to_owned(), values));
    }
    Ok(out)
}

/// One page of `items`, with the total, by `Offset` / `Limit`.
fn page(params: &Map<String, Value>, set: &str, items: Vec<Value>) -> TencentResult {
    let offset = number(params, "Offset")?.unwrap_or(0) as usize;
    let limit = number(params, "Limit")?.unwrap_or(20);
    if limit == 0 || limit > 100 {
        return Err(tc_err(
            "InvalidParameterValue.LimitExceeded",
            format!("The value `{limit}` of parameter `Limit` is invalid: use 1 to 100."),
        ));
    }
    let total = items.len();
    let chosen: Vec<Value> = items
        .into_iter()
        .skip(offset)
        .take(limit as usize)
        .collect();
    let mut out = Map::new();
    out.insert("TotalCount".into(), total.into());
    out.insert(set.into(), chosen.into());
    Ok(out)
}

fn only(params: &Map<String, Value>, known: &[&str]) -> Result<(), crate::tencent::ApiError> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(tc_err(
            "UnknownParameter",
            format!("The parameter `{k}` is not recognized."),
        )),
        None => Ok(()),
    }
}

/// A stable `invt-` ID for the task of `invocation` on `instance`.
pub(crate) fn task_id(invocation: &str, instance: &str) -> String {
    let digest = Sha256::digest(format!("{invocation}/{instance}").as_bytes());
    let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let tail: String = digest[..8]
        .iter()
        .map(|b| alphabet[usize::from(*b) % alphabet.len()] as char)
        .collect();
    format!("invt-{tail}")
}

/// CVM `DescribeInstances`: `InstanceIds` or `Filters` (`instance-id`, `instance-state`,
/// `instance-charge-type`); each instance with its `LatestOperation*` fields.
pub(crate) fn describe_instances(
    model: &Model,
    region: &str,
    params: &Map<String, Value>,
) -> TencentResult {
    only(params, &["InstanceIds", "Filters", "Offset", "Limit"])?;
    let ids = strings(params, "InstanceIds")?;
    let filters = filters(params)?;
    if ids.is_some() && !filters.is_empty() {
        return Err(tc_err(
            "InvalidParameterCombination",
            "The parameters `InstanceIds` and `Filters` cannot be specified at the same time.",
        ));
    }
    if ids.as_ref().is_some_and(|ids| ids.len() > 100) {
        return Err(tc_err(
            "InvalidParameterValue.LimitExceeded",
            "At most 100 InstanceIds are allowed.",
        ));
    }
    let matches = |i: &crate::state::CvmInstance| {
        filters.iter().all(|(name, values)| match name.as_str() {
            "instance-id" => values.contains(&i.instance_id),
            "instance-state" => values.contains(&i.instance_state),
            "instance-charge-type" => values.contains(&i.instance_charge_type),
            _ => true,
        })
    };
    let items: Vec<Value> = model
        .resources
        .tencent
        .instances
        .iter()
        .filter(|i| i.region == region)
        .filter(|i| ids.as_ref().is_none_or(|ids| ids.contains(&i.instance_id)))
        .filter(|i| matches(i))
        .map(|i| {
            // What the console shows as "isolated": the recycle bin is a manual isolation.
            let isolated = if i.instance_state == "SHUTDOWN" {
                "MANMADE"
            } else {
                "NOTISOLATED"
            };
            json!({
                "InstanceId": i.instance_id,
                "InstanceState": i.instance_state,
                "InstanceChargeType": i.instance_charge_type,
                "LatestOperation": i.latest_operation,
                "LatestOperationState": i.latest_operation_state,
                "LatestOperationRequestId": i.latest_operation_request_id,
                "LatestOperationErrorMsg": i.latest_operation_error_msg,
                "RestrictState": "NORMAL",
                "IsolatedSource": isolated,
                "Placement": {"Zone": format!("{}-1", i.region)},
            })
        })
        .collect();
    page(params, "InstanceSet", items)
}

/// TAT `DescribeInvocationTasks`: `InvocationTaskIds` or `Filters` (`invocation-id`,
/// `instance-id`, `invocation-task-id`); output is never returned (`HideOutput`).
pub(crate) fn describe_invocation_tasks(
    model: &Model,
    region: &str,
    params: &Map<String, Value>,
) -> TencentResult {
    only(
        params,
        &[
            "InvocationTaskIds",
            "Filters",
            "Offset",
            "Limit",
            "HideOutput",
        ],
    )?;
    let ids = strings(params, "InvocationTaskIds")?;
    let filters = filters(params)?;
    if ids.is_some() && !filters.is_empty() {
        return Err(tc_err(
            "InvalidParameterCombination",
            "The parameters `InvocationTaskIds` and `Filters` cannot be specified at the same time.",
        ));
    }
    let mut items = Vec::new();
    for inv in model
        .resources
        .tencent
        .invocations
        .iter()
        .filter(|i| i.region == region)
    {
        for task in &inv.tasks {
            let id = task_id(&inv.invocation_id, &task.instance_id);
            let keep = ids.as_ref().is_none_or(|ids| ids.contains(&id))
                && filters.iter().all(|(name, values)| match name.as_str() {
                    "invocation-id" => values.contains(&inv.invocation_id),
                    "instance-id" => values.contains(&task.instance_id),
                    "invocation-task-id" => values.contains(&id),
                    _ => true,
                });
            if keep {
                items.push(json!({
                    "InvocationId": inv.invocation_id,
                    "InvocationTaskId": id,
                    "InstanceId": task.instance_id,
                    "TaskStatus": task.task_status,
                }));
            }
        }
    }
    page(params, "InvocationTaskSet", items)
}

/// AS `DescribeRefreshActivities`: `RefreshActivityIds` or `Filters`
/// (`auto-scaling-group-id`, `refresh-activity-id`, `refresh-activity-status-code`).
pub(crate) fn describe_refresh_activities(
    model: &Model,
    region: Option<&str>,
    params: &Map<String, Value>,
) -> TencentResult {
    only(
        params,
        &["RefreshActivityIds", "Filters", "Offset", "Limit"],
    )?;
    let ids = strings(params, "RefreshActivityIds")?;
    let filters = filters(params)?;
    let mut items = Vec::new();
    for group in model
        .resources
        .tencent
        .scaling_groups
        .iter()
        .filter(|g| region.is_none_or(|r| g.region == r))
    {
        for a in &group.refresh_activities {
            let keep = ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&a.refresh_activity_id))
                && filters.iter().all(|(name, values)| match name.as_str() {
                    "auto-scaling-group-id" => values.contains(&group.auto_scaling_group_id),
                    "refresh-activity-id" => values.contains(&a.refresh_activity_id),
                    "refresh-activity-status-code" => values.contains(&a.status),
                    _ => true,
                });
            if keep {
                let batches: Vec<Value> = a
                    .batches
                    .iter()
                    .map(|b| json!({"RefreshBatchNum": b.batch_number, "RefreshBatchStatus": b.batch_status}))
                    .collect();
                // The batch being refreshed, else the next one to be.
                let current = a
                    .batches
                    .iter()
                    .find(|b| b.batch_status == "RUNNING")
                    .or_else(|| a.batches.iter().find(|b| b.batch_status == "WAITING"))
                    .map(|b| b.batch_number);
                items.push(json!({
                    "AutoScalingGroupId": group.auto_scaling_group_id,
                    "RefreshActivityId": a.refresh_activity_id,
                    "ActivityType": "NORMAL",
                    "Status": a.status,
                    "CurrentRefreshBatchNum": current,
                    "RefreshBatchSet": batches,
                }));
            }
        }
    }
    page(params, "RefreshActivitySet", items)
}

/// ECS `DescribeInvocations`: by `InvokeId` and `InstanceId`, paged by `MaxResults` (default
/// 10, at most 50) and `NextToken` (the offset of the next page, as this emulator spells it).
pub(crate) fn describe_invocations(
    model: &Model,
    params: &[(String, String)],
) -> Result<Map<String, Value>, crate::alibaba::ApiError> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let bad = |code: &'static str, status: u16, message: String| crate::alibaba::ApiError {
        code,
        message,
        status,
    };
    for (name, _) in params {
        if ![
            "RegionId",
            "InvokeId",
            "InstanceId",
            "MaxResults",
            "NextToken",
            "InvokeStatus",
        ]
        .contains(&name.as_str())
        {
            return Err(bad(
                "UnknownParameter",
                400,
                format!("The parameter \"{name}\" is not recognized."),
            ));
        }
    }
    let region = get("RegionId").filter(|r| !r.is_empty()).ok_or_else(|| {
        bad(
            "MissingParameter",
            400,
            "The input parameter \"RegionId\" that is mandatory for processing this request is not supplied.".into(),
        )
    })?;
    let max = match get("MaxResults") {
        None => 10,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=50).contains(&n) => n,
            _ => {
                return Err(bad(
                    "InvalidParameter.MaxResults",
                    400,
                    format!(
                        "The specified parameter \"MaxResults\" {v:?} is not valid: use 1 to 50."
                    ),
                ));
            }
        },
    };
    let start = match get("NextToken") {
        None | Some("") => 0,
        Some(t) => t.parse::<usize>().map_err(|_| {
            bad(
                "InvalidParam.NextToken",
                400,
                format!("The specified parameter \"NextToken\" {t:?} is not valid."),
            )
        })?,
    };
    let all: Vec<Value> = model
        .resources
        .alibaba
        .invocations
        .iter()
        .filter(|i| i.region_id == region)
        .filter(|i| get("InvokeId").is_none_or(|id| i.invoke_id == id))
        .filter(|i| get("InvokeStatus").is_none_or(|s| i.invocation_status == s))
        .filter(|i| {
            get("InstanceId").is_none_or(|id| i.invoke_instances.iter().any(|x| x.instance_id == id))
        })
        .map(|i| {
            let instances: Vec<Value> = i
                .invoke_instances
                .iter()
                .map(|x| json!({"InstanceId": x.instance_id, "InvocationStatus": x.invocation_status}))
                .collect();
            json!({
                "InvokeId": i.invoke_id,
                "InvocationStatus": i.invocation_status,
                "InvokeInstances": {"InvokeInstance": instances},
            })
        })
        .collect();
    let total = all.len();
    let chosen: Vec<Value> = all.into_iter().skip(start).take(max).collect();
    let next = if start + chosen.len() < total {
        (start + chosen.len()).to_string()
    } else {
        String::new()
    };
    let mut out = Map::new();
    out.insert("TotalCount".into(), total.into());
    out.insert("MaxResults".into(), max.into());
    out.insert("NextToken".into(), next.into());
    out.insert("Invocations".into(), json!({"Invocation": chosen}));
    Ok(out)
}
