//! The emulated resources: the JSON shape of `GET /_emulator/state` and of `--state FILE`, the
//! built-in seed, and the timed transitions (STOPPING -> STOPPED, TERMINATING -> removed).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Every emulated resource of both clouds. Serialises to the documented state shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Tencent Cloud: CVM instances, TAT invocations, Auto Scaling groups.
    #[serde(default)]
    pub tencent: TencentResources,
    /// Alibaba Cloud: ECS instances and Cloud Assistant invocations.
    #[serde(default)]
    pub alibaba: AlibabaResources,
}

/// Tencent Cloud resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TencentResources {
    /// CVM instances.
    #[serde(default)]
    pub instances: Vec<CvmInstance>,
    /// TAT command invocations.
    #[serde(default)]
    pub invocations: Vec<TatInvocation>,
    /// Auto Scaling groups with their instance refresh activities.
    #[serde(default)]
    pub scaling_groups: Vec<ScalingGroup>,
}

/// A CVM instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CvmInstance {
    /// `ins-xxxxxxxx`.
    pub instance_id: String,
    /// `ap-guangzhou`, ...
    pub region: String,
    /// `RUNNING`, `STOPPING`, `STOPPED`, `SHUTDOWN` (the recycle bin), `TERMINATING`, ...
    pub instance_state: String,
    /// `POSTPAID_BY_HOUR` (the default) or `PREPAID` (terminating it first moves it to the
    /// recycle bin, `SHUTDOWN`); `SPOTPAID`, `CDHPAID` and `CDCPAID` behave as postpaid.
    #[serde(default = "postpaid")]
    pub instance_charge_type: String,
    /// The last write applied to it (`StopInstances`, `TerminateInstances`), if any.
    #[serde(default)]
    pub latest_operation: Option<String>,
    /// `SUCCESS`, `OPERATING` or `FAILED`.
    #[serde(default)]
    pub latest_operation_state: Option<String>,
    /// The RequestId of the request that made the latest operation.
    #[serde(default)]
    pub latest_operation_request_id: Option<String>,
    /// Why the latest operation failed (only when `FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_operation_error_msg: Option<String>,
    /// This instance's transition delay in milliseconds, instead of `transitionMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
    /// Writes that fail on this instance, each entry once (`"StopInstances"`,
    /// `"TerminateInstances"`): the request is accepted, the instance goes through its
    /// transitional state and then returns to where it was with `LatestOperationState`
    /// `FAILED`. An entry is used up when a request applies that write to the instance.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fail_operations: Vec<String>,
    /// The transition under way (not part of the JSON shape).
    #[serde(skip)]
    pub(crate) pending: Option<Pending>,
}

/// A CVM instance's transition under way.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pending {
    /// When it began.
    pub since: Instant,
    /// Whether it ends `FAILED`.
    pub fails: bool,
    /// The state a failed operation returns the instance to.
    pub before: String,
}

/// The writes a `FailOperations` entry or an `operation_fails` fault can make fail.
pub const FAILABLE_OPERATIONS: &[&str] = &["StopInstances", "TerminateInstances"];

/// The CVM charge types the emulator knows.
pub const CHARGE_TYPES: &[&str] = &[
    "POSTPAID_BY_HOUR",
    "PREPAID",
    "SPOTPAID",
    "CDHPAID",
    "CDCPAID",
];

fn postpaid() -> String {
    "POSTPAID_BY_HOUR".into()
}

impl CvmInstance {
    /// A postpaid instance in `state`, with no latest operation.
    pub fn new(
        instance_id: impl Into<String>,
        region: impl Into<String>,
        state: impl Into<String>,
    ) -> CvmInstance {
        CvmInstance {
            instance_id: instance_id.into(),
            region: region.into(),
            instance_state: state.into(),
            instance_charge_type: postpaid(),
            latest_operation: None,
            latest_operation_state: None,
            latest_operation_request_id: None,
            latest_operation_error_msg: None,
            transition_ms: None,
            fail_operations: Vec::new(),
            pending: None,
        }
    }

    /// Begins the write `operation` of request `request_id`: `state` now, `OPERATING` until
    /// the delay has passed. A `FailOperations` entry for it is used up and makes it fail.
    pub(crate) fn begin(
        &mut self,
        operation: &str,
        request_id: &str,
        state: &str,
        fails: bool,
        now: Instant,
    ) {
        let listed = self.fail_operations.iter().position(|o| o == operation);
        if let Some(index) = listed {
            self.fail_operations.remove(index);
        }
        // A failed operation leaves the instance as it was; a stop under way counts as done.
        let before = match self.instance_state.as_str() {
            "STOPPING" => "STOPPED".to_owned(),
            other => other.to_owned(),
        };
        self.instance_state = state.into();
        self.latest_operation = Some(operation.into());
        self.latest_operation_state = Some("OPERATING".into());
        self.latest_operation_request_id = Some(request_id.into());
        self.latest_operation_error_msg = None;
        self.pending = Some(Pending {
            since: now,
            fails: fails || listed.is_some(),
            before,
        });
    }

    /// Ends the transition under way; false when the instance is destroyed by it.
    fn finish(&mut self) -> bool {
        let Some(pending) = self.pending.take() else {
            return true;
        };
        if pending.fails {
            let operation = self.latest_operation.as_deref().unwrap_or("the operation");
            self.latest_operation_error_msg = Some(format!(
                "{operation} failed on instance {}: the instance is {} again (a failure injected \
                 by the cloudhalt emulator: FailOperations or an operation_fails fault)",
                self.instance_id, pending.before
            ));
            self.instance_state = pending.before;
            self.latest_operation_state = Some("FAILED".into());
            return true;
        }
        match self.instance_state.as_str() {
            "TERMINATING" => return false,
            "STOPPING" => self.instance_state = "STOPPED".into(),
            _ => {}
        }
        self.latest_operation_state = Some("SUCCESS".into());
        true
    }

    /// Whether a transition is under way as loaded from a state: a transitional state or an
    /// `OPERATING` latest operation.
    fn in_transition(&self) -> bool {
        matches!(self.instance_state.as_str(), "STOPPING" | "TERMINATING")
            || self.latest_operation_state.as_deref() == Some("OPERATING")
    }
}

/// A TAT invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TatInvocation {
    /// `inv-xxxxxxxx`.
    pub invocation_id: String,
    /// The region.
    pub region: String,
    /// `RUNNING`, `CANCELLING`, `CANCELLED`, `SUCCESS`, ...
    pub invocation_status: String,
    /// One task per instance.
    pub tasks: Vec<TatTask>,
    /// This invocation's delay of CANCELLING -> TERMINATED in milliseconds, instead of
    /// `transitionMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
}

/// One instance's task of a TAT invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TatTask {
    /// The CVM (`ins-`), Lighthouse (`lhins-`) or managed (`mi-`) instance.
    pub instance_id: String,
    /// `PENDING`, `DELIVERING`, `DELIVER_DELAYED`, `RUNNING`, `CANCELLING`, `SUCCESS`,
    /// `CANCELLED`, `TERMINATED`, ...
    pub task_status: String,
    /// When CANCELLING began (not part of the JSON shape).
    #[serde(skip)]
    pub(crate) since: Option<Instant>,
}

impl TatTask {
    /// The task on `instance_id` in `status`.
    pub fn new(instance_id: impl Into<String>, status: impl Into<String>) -> TatTask {
        TatTask {
            instance_id: instance_id.into(),
            task_status: status.into(),
            since: None,
        }
    }
}

impl TatInvocation {
    /// After a cancel: `CANCELLING` while a cancelled task is still stopping, `CANCELLED` once
    /// no task is active. An invocation with tasks that were not cancelled keeps its status.
    pub(crate) fn settle_after_cancel(&mut self) {
        if !matches!(
            self.invocation_status.as_str(),
            "PENDING" | "RUNNING" | "CANCELLING"
        ) {
            return;
        }
        let status = |s: &[&str]| {
            self.tasks
                .iter()
                .any(|t| s.contains(&t.task_status.as_str()))
        };
        if status(&["PENDING", "DELIVERING", "DELIVER_DELAYED", "RUNNING"]) {
            return;
        }
        self.invocation_status = if status(&["CANCELLING"]) {
            "CANCELLING".into()
        } else {
            "CANCELLED".into()
        };
    }
}

/// An Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingGroup {
    /// `asg-xxxxxxxx`.
    pub auto_scaling_group_id: String,
    /// The region.
    pub region: String,
    /// Its instance refresh activities.
    pub refresh_activities: Vec<RefreshActivity>,
}

/// An instance refresh activity of a scaling group. It does not progress on its own: a
/// `RUNNING` batch stays refreshing until the activity is paused (StopInstanceRefresh), and
/// then finishes (`SUCCESSFUL`) after the delay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshActivity {
    /// `asr-xxxxxxxx`.
    pub refresh_activity_id: String,
    /// `INIT`, `RUNNING`, `SUCCESSFUL`, `CANCELLED`, `FAILED`, `*_PAUSE`.
    pub status: String,
    /// The refresh batches.
    pub batches: Vec<RefreshBatch>,
    /// This activity's delay for a refreshing batch to finish once paused, in milliseconds,
    /// instead of `transitionMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
}

/// One batch of an instance refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshBatch {
    /// 1, 2, 3 ...
    pub batch_number: u32,
    /// `WAITING`, `RUNNING` (refreshing: the activity cannot be cancelled), `SUCCESSFUL`,
    /// `CANCELLED`, `FAILED`.
    pub batch_status: String,
    /// When the activity was paused with this batch refreshing (not part of the JSON shape).
    #[serde(skip)]
    pub(crate) since: Option<Instant>,
}

impl RefreshBatch {
    /// Batch `number` in `status`.
    pub fn new(number: u32, status: impl Into<String>) -> RefreshBatch {
        RefreshBatch {
            batch_number: number,
            batch_status: status.into(),
            since: None,
        }
    }
}

impl RefreshActivity {
    /// Whether the activity is paused (a refreshing batch then finishes after the delay).
    pub(crate) fn paused(&self) -> bool {
        self.status.ends_with("_PAUSE")
    }
}

/// Alibaba Cloud resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AlibabaResources {
    /// ECS instances.
    #[serde(default)]
    pub instances: Vec<EcsInstance>,
    /// Cloud Assistant invocations.
    #[serde(default)]
    pub invocations: Vec<EcsInvocation>,
}

/// An ECS instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInstance {
    /// `i-...`.
    pub instance_id: String,
    /// `cn-hangzhou`, ...
    pub region_id: String,
    /// `Running`, `Stopped`, ...
    pub status: String,
}

/// A Cloud Assistant invocation (command task).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInvocation {
    /// `t-...`.
    pub invoke_id: String,
    /// The region.
    pub region_id: String,
    /// The aggregate: `Pending`, `Scheduled`, `Running`, `Stopping`, `Stopped`, `Success`,
    /// `Failed`, `PartialFailed`; computed from the instances' statuses whenever they change.
    pub invocation_status: String,
    /// One entry per instance.
    pub invoke_instances: Vec<EcsInvokeInstance>,
    /// This invocation's delay of Stopping -> Stopped in milliseconds, instead of
    /// `transitionMs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
}

/// One instance's execution of a Cloud Assistant invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInvokeInstance {
    /// `i-...`.
    pub instance_id: String,
    /// `Pending`, `Scheduled`, `Running`, `Stopping`, `Stopped`, `Success`, `Failed`,
    /// `Cancelled`, `Terminated`, `Timeout`, `Error`, `Invalid`, `Aborted`.
    pub invocation_status: String,
    /// When Stopping began (not part of the JSON shape).
    #[serde(skip)]
    pub(crate) since: Option<Instant>,
}

impl EcsInvokeInstance {
    /// The execution on `instance_id` in `status`.
    pub fn new(instance_id: impl Into<String>, status: impl Into<String>) -> EcsInvokeInstance {
        EcsInvokeInstance {
            instance_id: instance_id.into(),
            invocation_status: status.into(),
            since: None,
        }
    }
}

/// The aggregate `InvocationStatus` of executions in `statuses`, as the ECS API documents it:
/// while any is active, the most advanced active one (`Running`, `Stopping`, `Pending`,
/// `Scheduled`); then `Stopped` when all were stopped (`Stopped`, `Cancelled`, `Terminated`),
/// `Success` when some succeeded and the rest succeeded or were stopped, `PartialFailed` when
/// some succeeded and some failed, `Failed` when none succeeded (`Failed`, `Invalid`,
/// `Aborted`, `Timeout`, `Error` count as failed). `None` for no executions.
pub fn ecs_aggregate<'a>(statuses: impl IntoIterator<Item = &'a str>) -> Option<&'static str> {
    let statuses: Vec<&str> = statuses.into_iter().collect();
    if statuses.is_empty() {
        return None;
    }
    for active in ["Running", "Stopping", "Pending", "Scheduled"] {
        if statuses.contains(&active) {
            return Some(active);
        }
    }
    let stopped = |s: &&str| matches!(*s, "Stopped" | "Cancelled" | "Terminated");
    let succeeded = statuses.iter().filter(|s| **s == "Success").count();
    let failed = statuses
        .iter()
        .filter(|s| **s != "Success" && !stopped(s))
        .count();
    Some(match (succeeded, failed) {
        (0, 0) => "Stopped",
        (_, 0) => "Success",
        (0, _) => "Failed",
        _ => "PartialFailed",
    })
}

impl EcsInvocation {
    /// Recomputes the aggregate status from the instances' statuses.
    pub(crate) fn settle(&mut self) {
        if let Some(status) = ecs_aggregate(
            self.invoke_instances
                .iter()
                .map(|i| i.invocation_status.as_str()),
        ) {
            self.invocation_status = status.into();
        }
    }
}

impl Resources {
    /// Reads the state shape (a `"requests"` member, as `GET /_emulator/state` answers it, is
    /// ignored), so a saved state can be fed back with `--state FILE`.
    pub fn from_json(text: &str) -> Result<Resources, String> {
        let resources: Resources = serde_json::from_str(text).map_err(|e| {
            format!(
                "the state JSON is not valid: {e}; expected {{\"tencent\": {{\"instances\": [...], \
                 \"invocations\": [...], \"scalingGroups\": [...]}}, \"alibaba\": {{\"instances\": \
                 [...], \"invocations\": [...]}}}} as GET /_emulator/state answers it"
            )
        })?;
        resources.validate()?;
        Ok(resources)
    }

    /// Checks the values the emulator acts on, naming the bad one.
    pub fn validate(&self) -> Result<(), String> {
        for i in &self.tencent.instances {
            if !CHARGE_TYPES.contains(&i.instance_charge_type.as_str()) {
                return Err(format!(
                    "instance {}: InstanceChargeType {:?} is not one of {}",
                    i.instance_id,
                    i.instance_charge_type,
                    CHARGE_TYPES.join(", ")
                ));
            }
            if let Some(state) = &i.latest_operation_state
                && !["SUCCESS", "OPERATING", "FAILED"].contains(&state.as_str())
            {
                return Err(format!(
                    "instance {}: LatestOperationState {state:?} is not SUCCESS, OPERATING or FAILED",
                    i.instance_id
                ));
            }
            if let Some(op) = i
                .fail_operations
                .iter()
                .find(|o| !FAILABLE_OPERATIONS.contains(&o.as_str()))
            {
                return Err(format!(
                    "instance {}: FailOperations entry {op:?} is not one of {}",
                    i.instance_id,
                    FAILABLE_OPERATIONS.join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The built-in seed state documented in the README.
    pub fn builtin() -> Resources {
        let mut instances: Vec<CvmInstance> = (0..150)
            .map(|i| CvmInstance::new(format!("ins-run{i:05}"), "ap-guangzhou", "RUNNING"))
            .collect();
        instances.extend(
            (0..10).map(|i| CvmInstance::new(format!("ins-stp{i:05}"), "ap-guangzhou", "STOPPED")),
        );
        instances.push(CvmInstance::new("ins-sha00000", "ap-shanghai", "RUNNING"));

        let task = TatTask::new;
        let invocations = vec![
            TatInvocation {
                invocation_id: "inv-inv00001".into(),
                region: "ap-guangzhou".into(),
                invocation_status: "RUNNING".into(),
                tasks: vec![
                    task("ins-run00000", "PENDING"),
                    task("ins-run00001", "RUNNING"),
                    task("ins-run00002", "SUCCESS"),
                    task("lhins-lh000001", "DELIVERING"),
                ],
                transition_ms: None,
            },
            TatInvocation {
                invocation_id: "inv-inv00002".into(),
                region: "ap-guangzhou".into(),
                invocation_status: "RUNNING".into(),
                tasks: vec![
                    task("ins-run00003", "DELIVER_DELAYED"),
                    task("ins-run00004", "RUNNING"),
                ],
                transition_ms: None,
            },
        ];
        let batch = RefreshBatch::new;
        let activity = |id: &str, status: &str, batches| RefreshActivity {
            refresh_activity_id: id.into(),
            status: status.into(),
            batches,
            transition_ms: None,
        };
        let scaling_groups = vec![ScalingGroup {
            auto_scaling_group_id: "asg-grp00001".into(),
            region: "ap-guangzhou".into(),
            refresh_activities: vec![
                activity(
                    "asr-act00001",
                    "RUNNING",
                    vec![
                        batch(1, "SUCCESSFUL"),
                        batch(2, "WAITING"),
                        batch(3, "WAITING"),
                    ],
                ),
                activity("asr-act00002", "SUCCESSFUL", vec![batch(1, "SUCCESSFUL")]),
                // Batch 2 is refreshing: a cancel is refused until the activity is paused and
                // the batch has finished.
                activity(
                    "asr-act00003",
                    "RUNNING",
                    vec![
                        batch(1, "SUCCESSFUL"),
                        batch(2, "RUNNING"),
                        batch(3, "WAITING"),
                    ],
                ),
            ],
        }];

        let ecs_id = |n: u32| format!("i-bp67acfmxazb4p{n:04}");
        let ecs_instances = (1..=60)
            .map(|n| EcsInstance {
                instance_id: ecs_id(n),
                region_id: "cn-hangzhou".into(),
                status: "Running".into(),
            })
            .collect();
        let run = |ids: &mut dyn Iterator<Item = u32>, status: &str| -> Vec<EcsInvokeInstance> {
            ids.map(|n| EcsInvokeInstance::new(ecs_id(n), status))
                .collect()
        };
        let ecs_invocation = |id: &str, status: &str, instances| EcsInvocation {
            invoke_id: id.into(),
            region_id: "cn-hangzhou".into(),
            invocation_status: status.into(),
            invoke_instances: instances,
            transition_ms: None,
        };
        let ecs_invocations = vec![
            ecs_invocation("t-hz0jdfwd9f0001", "Running", run(&mut (1..=3), "Running")),
            ecs_invocation("t-hz0jdfwd9f0002", "Success", run(&mut (4..=4), "Success")),
            ecs_invocation("t-hz0jdfwd9f0003", "Running", run(&mut (1..=60), "Running")),
        ];
        Resources {
            tencent: TencentResources {
                instances,
                invocations,
                scaling_groups,
            },
            alibaba: AlibabaResources {
                instances: ecs_instances,
                invocations: ecs_invocations,
            },
        }
    }

    /// Marks every transition the state holds as beginning `now`: instances STOPPING,
    /// TERMINATING or with an `OPERATING` latest operation, CANCELLING TAT tasks, refreshing
    /// batches of paused activities and Stopping Cloud Assistant executions.
    pub(crate) fn begin_transitions(&mut self, now: Instant) {
        for i in &mut self.tencent.instances {
            if i.in_transition() && i.pending.is_none() {
                let before = match i.instance_state.as_str() {
                    "STOPPING" => "RUNNING",
                    "TERMINATING" => "STOPPED",
                    other => other,
                };
                i.pending = Some(Pending {
                    since: now,
                    fails: false,
                    before: before.to_owned(),
                });
                i.latest_operation_state = Some("OPERATING".into());
            }
        }
        for task in self
            .tencent
            .invocations
            .iter_mut()
            .flat_map(|inv| &mut inv.tasks)
        {
            if task.task_status == "CANCELLING" && task.since.is_none() {
                task.since = Some(now);
            }
        }
        for activity in self
            .tencent
            .scaling_groups
            .iter_mut()
            .flat_map(|g| &mut g.refresh_activities)
            .filter(|a| a.paused())
        {
            for batch in &mut activity.batches {
                if batch.batch_status == "RUNNING" && batch.since.is_none() {
                    batch.since = Some(now);
                }
            }
        }
        for run in self
            .alibaba
            .invocations
            .iter_mut()
            .flat_map(|inv| &mut inv.invoke_instances)
        {
            if run.invocation_status == "Stopping" && run.since.is_none() {
                run.since = Some(now);
            }
        }
    }

    /// The earliest instant at which a transition under way falls due (the resource's
    /// `TransitionMs`, else `delay`, after its start; `now` for one with no start), or `None`
    /// when none is under way: the same transitions, and the same test, as [`Resources::advance`].
    pub(crate) fn next_due(&self, now: Instant, delay: Duration) -> Option<Instant> {
        // `None` for a delay too long to fall due at all.
        let due = |since: Option<Instant>, own: Option<u64>| match since {
            Some(s) => s.checked_add(own.map_or(delay, Duration::from_millis)),
            None => Some(now),
        };
        let instances = self
            .tencent
            .instances
            .iter()
            .filter_map(|i| due(Some(i.pending.as_ref()?.since), i.transition_ms));
        let tasks = self.tencent.invocations.iter().flat_map(|inv| {
            inv.tasks
                .iter()
                .filter(|t| t.task_status == "CANCELLING")
                .filter_map(|t| due(t.since, inv.transition_ms))
        });
        let batches = self
            .tencent
            .scaling_groups
            .iter()
            .flat_map(|g| &g.refresh_activities)
            .filter(|a| a.paused())
            .flat_map(|a| {
                a.batches
                    .iter()
                    .filter(|b| b.batch_status == "RUNNING")
                    .filter_map(|b| due(b.since, a.transition_ms))
            });
        let runs = self.alibaba.invocations.iter().flat_map(|inv| {
            inv.invoke_instances
                .iter()
                .filter(|r| r.invocation_status == "Stopping")
                .filter_map(|r| due(r.since, inv.transition_ms))
        });
        instances.chain(tasks).chain(batches).chain(runs).min()
    }

    /// Finishes the transitions whose delay (the resource's `TransitionMs`, else `delay`) has
    /// passed: STOPPING -> STOPPED (or back to RUNNING, `FAILED`), TERMINATING instances are
    /// removed, a prepaid instance's move to the recycle bin ends (`SHUTDOWN`, `SUCCESS`), TAT
    /// CANCELLING -> TERMINATED, a paused activity's refreshing batch -> SUCCESSFUL, Cloud
    /// Assistant Stopping -> Stopped; the invocations' statuses follow.
    pub(crate) fn advance(&mut self, now: Instant, delay: Duration) {
        let due = |since: Option<Instant>, own: Option<u64>| {
            let delay = own.map_or(delay, Duration::from_millis);
            since.is_none_or(|s| now.duration_since(s) >= delay)
        };
        self.tencent.instances.retain_mut(|i| match &i.pending {
            Some(p) if due(Some(p.since), i.transition_ms) => i.finish(),
            _ => true,
        });
        for inv in &mut self.tencent.invocations {
            let mut changed = false;
            for task in &mut inv.tasks {
                if task.task_status == "CANCELLING" && due(task.since, inv.transition_ms) {
                    task.task_status = "TERMINATED".into();
                    task.since = None;
                    changed = true;
                }
            }
            if changed {
                inv.settle_after_cancel();
            }
        }
        for activity in self
            .tencent
            .scaling_groups
            .iter_mut()
            .flat_map(|g| &mut g.refresh_activities)
            .filter(|a| a.paused())
        {
            let own = activity.transition_ms;
            for batch in &mut activity.batches {
                if batch.batch_status == "RUNNING" && due(batch.since, own) {
                    batch.batch_status = "SUCCESSFUL".into();
                    batch.since = None;
                }
            }
        }
        for inv in &mut self.alibaba.invocations {
            let mut changed = false;
            for run in &mut inv.invoke_instances {
                if run.invocation_status == "Stopping" && due(run.since, inv.transition_ms) {
                    run.invocation_status = "Stopped".into();
                    run.since = None;
                    changed = true;
                }
            }
            if changed {
                inv.settle();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cloud_assistant_aggregate_follows_the_documented_rules() {
        let cases: &[(&[&str], Option<&str>)] = &[
            (&[], None),
            (&["Running", "Stopped"], Some("Running")),
            (&["Stopping", "Cancelled"], Some("Stopping")),
            (&["Pending", "Success"], Some("Pending")),
            (&["Stopped", "Cancelled", "Terminated"], Some("Stopped")),
            (&["Success", "Stopped"], Some("Success")),
            (&["Success", "Success"], Some("Success")),
            (&["Success", "Timeout"], Some("PartialFailed")),
            (&["Failed", "Stopped"], Some("Failed")),
            (&["Invalid", "Aborted", "Error"], Some("Failed")),
        ];
        for (statuses, expected) in cases {
            assert_eq!(
                ecs_aggregate(statuses.iter().copied()),
                *expected,
                "{statuses:?}"
            );
        }
    }

    fn one_instance(state: &str, charge: &str) -> Resources {
        let mut instance = CvmInstance::new("ins-aaaaaaaa", "ap-guangzhou", state);
        instance.instance_charge_type = charge.into();
        let mut resources = Resources::default();
        resources.tencent.instances.push(instance);
        resources
    }

    #[test]
    fn an_operation_ends_only_after_its_delay() {
        let delay = Duration::from_millis(500);
        let start = Instant::now();
        let mut r = one_instance("RUNNING", "POSTPAID_BY_HOUR");
        r.tencent.instances[0].begin("StopInstances", "req-1", "STOPPING", false, start);
        r.advance(start + Duration::from_millis(499), delay);
        assert_eq!(r.tencent.instances[0].instance_state, "STOPPING");
        assert_eq!(
            r.tencent.instances[0].latest_operation_state.as_deref(),
            Some("OPERATING")
        );
        r.advance(start + delay, delay);
        let i = &r.tencent.instances[0];
        assert_eq!(i.instance_state, "STOPPED");
        assert_eq!(i.latest_operation_state.as_deref(), Some("SUCCESS"));
        assert_eq!(i.latest_operation_request_id.as_deref(), Some("req-1"));
        assert!(i.pending.is_none());
    }

    #[test]
    fn an_own_transition_ms_wins_and_a_failure_restores_the_state() {
        let start = Instant::now();
        let mut r = one_instance("STOPPED", "PREPAID");
        r.tencent.instances[0].transition_ms = Some(10);
        r.tencent.instances[0].fail_operations = vec!["TerminateInstances".into()];
        r.tencent.instances[0].begin("TerminateInstances", "req-2", "SHUTDOWN", false, start);
        assert!(r.tencent.instances[0].fail_operations.is_empty());
        r.advance(start + Duration::from_millis(10), Duration::from_secs(3600));
        let i = &r.tencent.instances[0];
        assert_eq!(i.instance_state, "STOPPED");
        assert_eq!(i.latest_operation_state.as_deref(), Some("FAILED"));
        assert!(
            i.latest_operation_error_msg
                .as_deref()
                .is_some_and(|m| m.contains("TerminateInstances"))
        );
    }

    #[test]
    fn a_terminating_instance_is_removed_and_the_recycle_bin_keeps_one() {
        let start = Instant::now();
        let mut r = one_instance("RUNNING", "POSTPAID_BY_HOUR");
        r.tencent.instances[0].begin("TerminateInstances", "req", "TERMINATING", false, start);
        r.advance(start, Duration::ZERO);
        assert!(r.tencent.instances.is_empty());

        let mut r = one_instance("RUNNING", "PREPAID");
        r.tencent.instances[0].begin("TerminateInstances", "req", "SHUTDOWN", false, start);
        r.advance(start, Duration::ZERO);
        assert_eq!(r.tencent.instances[0].instance_state, "SHUTDOWN");
        assert_eq!(
            r.tencent.instances[0].latest_operation_state.as_deref(),
            Some("SUCCESS")
        );
    }

    #[test]
    fn a_loaded_transition_begins_when_loaded() {
        let json = r#"{"tencent": {"instances": [
            {"InstanceId": "ins-aaaaaaaa", "Region": "ap-guangzhou", "InstanceState": "STOPPING"}],
            "invocations": [{"InvocationId": "inv-aaaaaaaa", "Region": "ap-guangzhou",
                "InvocationStatus": "CANCELLING",
                "Tasks": [{"InstanceId": "ins-aaaaaaaa", "TaskStatus": "CANCELLING"}]}]}}"#;
        let mut r = Resources::from_json(json).unwrap();
        let start = Instant::now();
        r.begin_transitions(start);
        let delay = Duration::from_millis(100);
        r.advance(start + Duration::from_millis(50), delay);
        assert_eq!(r.tencent.instances[0].instance_state, "STOPPING");
        assert_eq!(r.tencent.invocations[0].tasks[0].task_status, "CANCELLING");
        r.advance(start + delay, delay);
        assert_eq!(r.tencent.instances[0].instance_state, "STOPPED");
        assert_eq!(r.tencent.invocations[0].tasks[0].task_status, "TERMINATED");
        assert_eq!(r.tencent.invocations[0].invocation_status, "CANCELLED");
    }

    #[test]
    fn a_cancel_leaves_an_invocation_with_uncancelled_tasks_running() {
        let mut inv = TatInvocation {
            invocation_id: "inv-aaaaaaaa".into(),
            region: "ap-guangzhou".into(),
            invocation_status: "RUNNING".into(),
            tasks: vec![
                TatTask::new("ins-aaaaaaaa", "CANCELLING"),
                TatTask::new("ins-bbbbbbbb", "RUNNING"),
            ],
            transition_ms: None,
        };
        inv.settle_after_cancel();
        assert_eq!(inv.invocation_status, "RUNNING");
        inv.tasks[1].task_status = "SUCCESS".into();
        inv.settle_after_cancel();
        assert_eq!(inv.invocation_status, "CANCELLING");
    }
}
