//! The waiters: for each write of the table, the Describe call that confirms it and the
//! acceptors that read its answer, as data (the README's "Waiters" table is this file).
//!
//! An acceptor list is read in order for each ID: the first acceptor whose [`When`] holds
//! decides ([`Then::Success`], [`Then::Failure`]); when none holds the ID keeps waiting. A waiter
//! only ever sends its Describe call: never the write it confirms.
//!
//! Sources: `shared/research/waiters-and-needs.md` §1.1-1.4 (the provider's state names, what
//! each write does, Terraform's and botocore's acceptors).

use crate::error::{Error, Provider};
use crate::ops::alibaba::ecs::{DESCRIBE_INVOCATIONS, DescribeInvocations};
use crate::ops::tencent::autoscaling::{DESCRIBE_REFRESH_ACTIVITIES, DescribeRefreshActivities};
use crate::ops::tencent::cvm::{DESCRIBE_INSTANCES, DescribeInstances};
use crate::ops::tencent::tat::{DESCRIBE_INVOCATION_TASKS, DescribeInvocationTasks};
use crate::ops::{Operation, Plan, Request};

/// What an acceptor decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Then {
    /// The ID reached what the write asked for (or an end state that is reported as such).
    Success,
    /// The ID can no longer get there: the wait fails (`wait_failed`).
    Failure,
    /// Not there yet: keep polling (or, at the deadline, `wait_timeout`).
    Wait,
}

impl Then {
    /// `"success"`, `"failure"` or `"wait"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Then::Success => "success",
            Then::Failure => "failure",
            Then::Wait => "wait",
        }
    }
}

/// A condition on one item of a Describe answer.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum When {
    /// The answer no longer lists the ID (a destroyed instance: Tencent answers an empty
    /// `InstanceSet`, not an error).
    Gone,
    /// The waiter's state field is one of these values.
    State(&'static [&'static str]),
    /// The field is one of these values.
    Field(&'static str, &'static [&'static str]),
    /// The field is absent or none of these values.
    NotField(&'static str, &'static [&'static str]),
    /// CVM's `LatestOperation` is the waited operation, its `LatestOperationState` is this
    /// value, and (when the RequestIds of the write are known) its `LatestOperationRequestId`
    /// is one of them: the operation seen is ours, not an older or a later one.
    OurOperation(&'static str),
    /// No element of the array `list` has `field` among `values` (no refresh batch RUNNING).
    NoneIn {
        /// The array (`RefreshBatchSet`).
        list: &'static str,
        /// The field of each element (`RefreshBatchStatus`).
        field: &'static str,
        /// The values that must not appear.
        values: &'static [&'static str],
    },
    /// Every condition holds.
    All(&'static [When]),
}

/// One acceptor: when its condition holds, the ID's wait ends (or, for [`Then::Wait`], goes on)
/// with this result.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Acceptor {
    /// The condition.
    pub when: When,
    /// What it decides.
    pub then: Then,
    /// What it means, as reported per ID (`"stopped"`, `"recycle bin"`, `"gone"`, ...).
    pub result: &'static str,
}

const fn accept(when: When, then: Then, result: &'static str) -> Acceptor {
    Acceptor { when, then, result }
}

/// The IDs a wait follows, and what the write was.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub region: Option<String>,
    /// The write's parameters in the provider's JSON form.
    pub params: serde_json::Value,
    /// The IDs to follow; `None`: every item of the Describe answer (a cancel of every instance
    /// of an invocation).
    pub keys: Option<Vec<String>>,
    /// The RequestIds of the write, to recognise its `LatestOperationRequestId`.
    pub request_ids: Vec<String>,
}

impl Target {
    fn param(&self, name: &str) -> String {
        self.params[name].as_str().unwrap_or_default().to_owned()
    }

    fn region(&self) -> String {
        self.region.clone().unwrap_or_default()
    }
}

/// The confirmation of one write.
#[non_exhaustive]
pub struct Waiter {
    /// The provider of the write.
    pub provider: Provider,
    /// The write it confirms (`StopInstances`).
    pub action: &'static str,
    /// The read-only call it polls.
    pub describe: &'static Operation,
    /// Where the items are in the Describe answer; `"*"` goes into every element of an array.
    pub items: &'static [&'static str],
    /// The field of an item that holds the ID followed.
    pub key: &'static str,
    /// The field of an item that holds its state.
    pub state: &'static str,
    /// The acceptors, in order.
    pub acceptors: &'static [Acceptor],
    /// Error codes (prefixes) of a definite refusal of a whole request because of some of its
    /// instances (their states, or an ID that does not exist): the instances are then described
    /// and [`settle`](Waiter::settle) read; an ID refused as not found and absent from the
    /// answer stays refused.
    pub refusals: &'static [&'static str],
    /// After such a refusal: [`Then::Success`] means already done (`already`), [`Then::Wait`]
    /// means send it again for this ID (the refused request did nothing), [`Then::Failure`]
    /// leaves the ID refused.
    pub settle: &'static [Acceptor],
    /// For an ID whose outcome is unknown (the answer was lost): [`Then::Success`] means the
    /// provider shows the write took effect (`done`); anything else leaves it `unknown`, and it
    /// is never re-sent on its own.
    pub resolve: &'static [Acceptor],
    pub(crate) poll: fn(&Target, &[String]) -> Result<Plan, Error>,
}

impl std::fmt::Debug for Waiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiter")
            .field("provider", &self.provider)
            .field("action", &self.action)
            .field("describe", &self.describe.action)
            .field("items", &self.items)
            .field("key", &self.key)
            .field("state", &self.state)
            .field("acceptors", &self.acceptors)
            .field("refusals", &self.refusals)
            .field("settle", &self.settle)
            .field("resolve", &self.resolve)
            .finish_non_exhaustive()
    }
}

fn describe_instances(target: &Target, pending: &[String]) -> Result<Plan, Error> {
    DescribeInstances::new(target.region(), pending.to_vec()).plan()
}

/// The refusal of a whole CVM request because one of its IDs does not exist: the others are
/// sent again; the unknown ones stay refused with this code (never `already`: an ID that was
/// mistyped and one that was destroyed look the same).
pub const NOT_FOUND: &str = "InvalidInstanceId.NotFound";

/// The instance gone from `InstanceSet`: for a stop, it vanished.
const CVM_GONE: Acceptor = accept(When::Gone, Then::Failure, "gone");

/// CVM `StopInstances`: stopped at `STOPPED`; failed when our stop's `LatestOperationState` is
/// `FAILED`, at `LAUNCH_FAILED`, or when the instance vanished; `STOPPING` or an `OPERATING`
/// latest operation keeps waiting.
pub static STOP_INSTANCES: Waiter = Waiter {
    provider: Provider::Tencent,
    action: "StopInstances",
    describe: &DESCRIBE_INSTANCES,
    items: &["Response", "InstanceSet"],
    key: "InstanceId",
    state: "InstanceState",
    acceptors: &[
        CVM_GONE,
        accept(When::OurOperation("FAILED"), Then::Failure, "failed"),
        accept(
            When::State(&["LAUNCH_FAILED"]),
            Then::Failure,
            "launch failed",
        ),
        accept(When::State(&["STOPPED"]), Then::Success, "stopped"),
    ],
    refusals: &["UnsupportedOperation.InstanceState", NOT_FOUND],
    settle: &[
        accept(
            When::State(&["STOPPED", "STOPPING"]),
            Then::Success,
            "already stopped",
        ),
        accept(When::State(&["RUNNING"]), Then::Wait, "running"),
    ],
    // A lost StopInstances answer is retried (it is harmless to repeat), not looked up.
    resolve: &[],
    poll: describe_instances,
};

/// CVM `TerminateInstances`: a postpaid instance is done when gone from `InstanceSet`; a
/// prepaid one when it is `SHUTDOWN` in the recycle bin with no operation running (a second
/// TerminateInstances would destroy it: cloudhalt never sends one); failed when our
/// terminate's `LatestOperationState` is `FAILED`.
pub static TERMINATE_INSTANCES: Waiter = Waiter {
    provider: Provider::Tencent,
    action: "TerminateInstances",
    describe: &DESCRIBE_INSTANCES,
    items: &["Response", "InstanceSet"],
    key: "InstanceId",
    state: "InstanceState",
    acceptors: &[
        accept(When::Gone, Then::Success, "gone"),
        accept(When::OurOperation("FAILED"), Then::Failure, "failed"),
        RECYCLE_BIN,
    ],
    refusals: &["UnsupportedOperation.InstanceState", NOT_FOUND],
    settle: &[
        accept(When::Gone, Then::Success, "gone"),
        accept(
            When::State(&["TERMINATING", "SHUTDOWN"]),
            Then::Success,
            "already terminating",
        ),
        accept(
            When::State(&["RUNNING", "STOPPED", "LAUNCH_FAILED"]),
            Then::Wait,
            "not terminated",
        ),
    ],
    resolve: &[
        accept(When::Gone, Then::Success, "gone"),
        RECYCLE_BIN,
        accept(
            When::State(&["TERMINATING", "SHUTDOWN"]),
            Then::Success,
            "terminating",
        ),
        accept(
            When::Field("LatestOperation", &["TerminateInstances"]),
            Then::Success,
            "terminating",
        ),
        accept(
            When::Field("LatestOperationState", &["OPERATING"]),
            Then::Wait,
            "operating",
        ),
        accept(
            When::State(&["RUNNING", "STOPPED"]),
            Then::Wait,
            "no terminate seen",
        ),
    ],
    poll: describe_instances,
};

/// A prepaid instance moved to the recycle bin by its first TerminateInstances.
const RECYCLE_BIN: Acceptor = accept(
    When::All(&[
        When::State(&["SHUTDOWN"]),
        When::Field("InstanceChargeType", &["PREPAID"]),
        When::NotField("LatestOperationState", &["OPERATING"]),
    ]),
    Then::Success,
    "recycle bin",
);

/// TAT `CancelInvocation`: done when every target task is in an end state: `CANCELLED` (before
/// it started) or `TERMINATED` (while running) are the cancel; `SUCCESS`, `FAILED` and the other
/// end states mean the task finished before the cancel landed (not a hang, not a failure).
pub static CANCEL_INVOCATION: Waiter = Waiter {
    provider: Provider::Tencent,
    action: "CancelInvocation",
    describe: &DESCRIBE_INVOCATION_TASKS,
    items: &["Response", "InvocationTaskSet"],
    key: "InstanceId",
    state: "TaskStatus",
    acceptors: &[
        accept(When::Gone, Then::Failure, "gone"),
        accept(
            When::State(&["CANCELLED", "TERMINATED"]),
            Then::Success,
            "cancelled",
        ),
        accept(
            When::State(&[
                "SUCCESS",
                "FAILED",
                "TIMEOUT",
                "TASK_TIMEOUT",
                "DELIVER_FAILED",
                "START_FAILED",
            ]),
            Then::Success,
            "finished before the cancel landed",
        ),
    ],
    refusals: &[],
    settle: &[],
    resolve: &[],
    poll: |target, _| {
        DescribeInvocationTasks::for_invocation(target.region(), target.param("InvocationId"))
            .plan()
    },
};

fn describe_activity(target: &Target, _: &[String]) -> Result<Plan, Error> {
    let mut describe = DescribeRefreshActivities::new(vec![target.param("RefreshActivityId")]);
    describe.set_region(target.region.clone());
    describe.plan()
}

/// AS `CancelInstanceRefresh`: done at `CANCELLED`; `SUCCESSFUL` or `FAILED` mean the refresh
/// ended before it could be cancelled (too late).
pub static CANCEL_INSTANCE_REFRESH: Waiter = Waiter {
    provider: Provider::Tencent,
    action: "CancelInstanceRefresh",
    describe: &DESCRIBE_REFRESH_ACTIVITIES,
    items: &["Response", "RefreshActivitySet"],
    key: "RefreshActivityId",
    state: "Status",
    acceptors: &[
        accept(When::Gone, Then::Failure, "gone"),
        accept(When::State(&["CANCELLED"]), Then::Success, "cancelled"),
        accept(
            When::State(&["SUCCESSFUL", "FAILED"]),
            Then::Failure,
            "too late to cancel",
        ),
    ],
    refusals: &[],
    settle: &[],
    resolve: &[],
    poll: describe_activity,
};

/// AS `StopInstanceRefresh` (the pause before a blocked cancel): done at `MANUAL_PAUSE` once no
/// batch is `RUNNING` (the instances being updated when it paused have finished).
pub static STOP_INSTANCE_REFRESH: Waiter = Waiter {
    provider: Provider::Tencent,
    action: "StopInstanceRefresh",
    describe: &DESCRIBE_REFRESH_ACTIVITIES,
    items: &["Response", "RefreshActivitySet"],
    key: "RefreshActivityId",
    state: "Status",
    acceptors: &[
        accept(When::Gone, Then::Failure, "gone"),
        accept(
            When::All(&[
                When::State(&["MANUAL_PAUSE"]),
                When::NoneIn {
                    list: "RefreshBatchSet",
                    field: "RefreshBatchStatus",
                    values: &["RUNNING"],
                },
            ]),
            Then::Success,
            "paused",
        ),
        accept(
            When::State(&["SUCCESSFUL", "FAILED", "CANCELLED"]),
            Then::Failure,
            "ended",
        ),
    ],
    refusals: &[],
    settle: &[],
    resolve: &[],
    poll: describe_activity,
};

/// ECS `StopInvocation`: read per instance (`InvokeInstances.InvokeInstance[].InvocationStatus`,
/// never the aggregate, which can say `Success` over stopped instances): `Stopped`, `Cancelled`
/// or `Terminated` are the stop; `Success`, `Failed` and the other end states mean the run
/// finished before the stop landed (a started run-once execution is not interrupted).
pub static STOP_INVOCATION: Waiter = Waiter {
    provider: Provider::Alibaba,
    action: "StopInvocation",
    describe: &DESCRIBE_INVOCATIONS,
    items: &[
        "Invocations",
        "Invocation",
        "*",
        "InvokeInstances",
        "InvokeInstance",
    ],
    key: "InstanceId",
    state: "InvocationStatus",
    acceptors: &[
        accept(When::Gone, Then::Failure, "gone"),
        accept(
            When::State(&["Stopped", "Cancelled", "Terminated"]),
            Then::Success,
            "stopped",
        ),
        accept(
            When::State(&[
                "Success", "Failed", "Error", "Timeout", "Invalid", "Aborted",
            ]),
            Then::Success,
            "finished before the stop landed",
        ),
    ],
    refusals: &[],
    settle: &[],
    resolve: &[],
    poll: |target, _| DescribeInvocations::new(target.region(), target.param("InvokeId")).plan(),
};

/// Every waiter: one per write of the table.
pub static WAITERS: [&Waiter; 6] = [
    &STOP_INSTANCES,
    &TERMINATE_INSTANCES,
    &CANCEL_INVOCATION,
    &CANCEL_INSTANCE_REFRESH,
    &STOP_INVOCATION,
    &STOP_INSTANCE_REFRESH,
];

/// The waiter that confirms `op`, if it is a write.
pub fn waiter(op: &Operation) -> Option<&'static Waiter> {
    WAITERS
        .iter()
        .copied()
        .find(|w| w.provider == op.provider && w.action == op.action)
}

impl Waiter {
    /// Every item of a Describe answer, as (ID, item); `None` when the answer does not have
    /// the documented array at all (then nothing can be said to be gone).
    pub(crate) fn items<'a>(
        &self,
        data: &'a serde_json::Value,
    ) -> Option<Vec<(&'a str, &'a serde_json::Value)>> {
        let top = self.items.iter().take_while(|s| **s != "*");
        let mut at = data;
        for step in top {
            at = at.get(step)?;
        }
        at.as_array()?;
        let mut level = vec![data];
        for step in self.items {
            level = level
                .into_iter()
                .flat_map(|v| -> Vec<&serde_json::Value> {
                    if *step == "*" {
                        v.as_array().map(|a| a.iter().collect()).unwrap_or_default()
                    } else {
                        v.get(step).into_iter().collect()
                    }
                })
                .collect();
        }
        level
            .into_iter()
            .flat_map(|v| v.as_array().into_iter().flatten())
            .filter_map(|item| Some((item.get(self.key)?.as_str()?, item)))
            .collect::<Vec<_>>()
            .into()
    }

    /// The first acceptor of `list` that holds for `item` (`None`: gone from the answer).
    pub(crate) fn decide<'l>(
        &self,
        list: &'l [Acceptor],
        item: Option<&serde_json::Value>,
        request_ids: &[String],
    ) -> Option<&'l Acceptor> {
        list.iter().find(|a| self.holds(&a.when, item, request_ids))
    }

    fn holds(&self, when: &When, item: Option<&serde_json::Value>, ours: &[String]) -> bool {
        let text = |name: &str| item.and_then(|i| i.get(name)).and_then(|v| v.as_str());
        match when {
            When::Gone => item.is_none(),
            _ if item.is_none() => false,
            When::State(values) => text(self.state).is_some_and(|s| values.contains(&s)),
            When::Field(name, values) => text(name).is_some_and(|s| values.contains(&s)),
            When::NotField(name, values) => !text(name).is_some_and(|s| values.contains(&s)),
            When::OurOperation(state) => {
                text("LatestOperation") == Some(self.action)
                    && text("LatestOperationState") == Some(*state)
                    && (ours.is_empty()
                        || text("LatestOperationRequestId")
                            .is_some_and(|id| ours.iter().any(|o| o == id)))
            }
            When::NoneIn {
                list,
                field,
                values,
            } => !item
                .and_then(|i| i.get(list))
                .and_then(|l| l.as_array())
                .into_iter()
                .flatten()
                .any(|e| {
                    e.get(field)
                        .and_then(|v| v.as_str())
                        .is_some_and(|s| values.contains(&s))
                }),
            When::All(all) => all.iter().all(|w| self.holds(w, item, ours)),
        }
    }

    /// The item's state, or `"gone"`.
    pub(crate) fn state_of(&self, item: Option<&serde_json::Value>) -> String {
        match item {
            None => "gone".to_owned(),
            Some(item) => item
                .get(self.state)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decide(w: &Waiter, item: serde_json::Value, ours: &[&str]) -> (Then, &'static str) {
        let ours: Vec<String> = ours.iter().map(|s| s.to_string()).collect();
        let item = (!item.is_null()).then_some(&item);
        w.decide(w.acceptors, item, &ours)
            .map_or((Then::Wait, "waiting"), |a| (a.then, a.result))
    }

    #[test]
    fn every_write_of_the_table_has_a_waiter_on_a_read_only_call() {
        for op in crate::OPERATIONS {
            let is_write = op.mutating;
            assert_eq!(waiter(op).is_some(), is_write, "{}", op.action);
            if let Some(w) = waiter(op) {
                assert!(!w.describe.mutating && w.describe.provider == op.provider);
            }
        }
    }

    #[test]
    fn a_stop_succeeds_at_stopped_and_fails_on_our_failed_operation_only() {
        let w = &STOP_INSTANCES;
        let i = |state: &str, op_state: &str, rid: &str| {
            json!({"InstanceId": "ins-1", "InstanceState": state, "LatestOperation": "StopInstances",
                   "LatestOperationState": op_state, "LatestOperationRequestId": rid})
        };
        assert_eq!(
            decide(w, i("STOPPED", "SUCCESS", "r1"), &["r1"]).0,
            Then::Success
        );
        assert_eq!(
            decide(w, i("STOPPING", "OPERATING", "r1"), &["r1"]).0,
            Then::Wait
        );
        assert_eq!(
            decide(w, i("RUNNING", "FAILED", "r1"), &["r1"]),
            (Then::Failure, "failed")
        );
        // Another request's failure is not ours: keep waiting.
        assert_eq!(
            decide(w, i("RUNNING", "FAILED", "r0"), &["r1"]).0,
            Then::Wait
        );
        assert_eq!(
            decide(w, serde_json::Value::Null, &[]),
            (Then::Failure, "gone")
        );
    }

    #[test]
    fn a_terminate_ends_gone_or_in_the_recycle_bin_only_when_prepaid_and_idle() {
        let w = &TERMINATE_INSTANCES;
        let i = |state: &str, charge: &str, op_state: &str| {
            json!({"InstanceId": "ins-1", "InstanceState": state, "InstanceChargeType": charge,
                   "LatestOperation": "TerminateInstances", "LatestOperationState": op_state})
        };
        assert_eq!(
            decide(w, serde_json::Value::Null, &[]),
            (Then::Success, "gone")
        );
        assert_eq!(
            decide(w, i("SHUTDOWN", "PREPAID", "SUCCESS"), &[]),
            (Then::Success, "recycle bin")
        );
        assert_eq!(
            decide(w, i("SHUTDOWN", "PREPAID", "OPERATING"), &[]).0,
            Then::Wait
        );
        assert_eq!(
            decide(w, i("TERMINATING", "POSTPAID_BY_HOUR", "OPERATING"), &[]).0,
            Then::Wait
        );
        assert_eq!(
            decide(w, i("RUNNING", "PREPAID", "FAILED"), &[]).0,
            Then::Failure
        );
    }

    #[test]
    fn cancels_report_work_that_finished_first_as_such() {
        let t = |s: &str| json!({"InstanceId": "ins-1", "TaskStatus": s});
        assert_eq!(
            decide(&CANCEL_INVOCATION, t("TERMINATED"), &[]),
            (Then::Success, "cancelled")
        );
        assert_eq!(
            decide(&CANCEL_INVOCATION, t("SUCCESS"), &[]),
            (Then::Success, "finished before the cancel landed")
        );
        assert_eq!(
            decide(&CANCEL_INVOCATION, t("CANCELLING"), &[]).0,
            Then::Wait
        );
        let a = |s: &str, b: &str| {
            json!({"RefreshActivityId": "asr-1", "Status": s,
                   "RefreshBatchSet": [{"RefreshBatchNum": 1, "RefreshBatchStatus": b}]})
        };
        assert_eq!(
            decide(&CANCEL_INSTANCE_REFRESH, a("SUCCESSFUL", "SUCCESSFUL"), &[]).0,
            Then::Failure
        );
        assert_eq!(
            decide(&STOP_INSTANCE_REFRESH, a("MANUAL_PAUSE", "RUNNING"), &[]).0,
            Then::Wait
        );
        assert_eq!(
            decide(&STOP_INSTANCE_REFRESH, a("MANUAL_PAUSE", "SUCCESSFUL"), &[]).0,
            Then::Success
        );
    }

    /// The values a condition names.
    fn values(when: &When) -> Vec<&'static str> {
        match when {
            When::State(v)
            | When::Field(_, v)
            | When::NotField(_, v)
            | When::NoneIn { values: v, .. } => v.to_vec(),
            When::OurOperation(state) => vec![state],
            When::All(all) => all.iter().flat_map(values).collect(),
            When::Gone => Vec::new(),
        }
    }

    #[test]
    fn the_readme_table_says_what_the_acceptors_say() {
        let readme = include_str!("../../../../README.md");
        for w in WAITERS {
            let row = readme
                .lines()
                .skip_while(|l| !l.starts_with("| operation | Describe call"))
                .find(|l| l.starts_with(&format!("| {} ", w.action)))
                .unwrap_or_else(|| panic!("README has no waiter row for {}", w.action));
            assert!(row.contains(w.describe.action), "{row}");
            for a in w.acceptors {
                for value in values(&a.when) {
                    assert!(
                        row.contains(&format!("`{value}`")),
                        "{}: {value} in {row}",
                        w.action
                    );
                }
                if a.then != Then::Wait && a.result != "gone" {
                    assert!(
                        row.contains(&format!("\"{}\"", a.result)),
                        "{}: {}",
                        w.action,
                        a.result
                    );
                }
            }
        }
    }

    #[test]
    fn ecs_items_are_read_per_instance_inside_every_invocation() {
        let data = json!({"Invocations": {"Invocation": [
            {"InvokeId": "t-1", "InvocationStatus": "Success", "InvokeInstances": {"InvokeInstance": [
                {"InstanceId": "i-a", "InvocationStatus": "Stopped"},
                {"InstanceId": "i-b", "InvocationStatus": "Success"}]}}]}});
        let items = STOP_INVOCATION.items(&data).unwrap();
        assert!(STOP_INVOCATION.items(&json!({"RequestId": "x"})).is_none());
        assert_eq!(items.len(), 2);
        let (id, item) = items[0];
        assert_eq!(id, "i-a");
        assert_eq!(
            STOP_INVOCATION
                .decide(STOP_INVOCATION.acceptors, Some(item), &[])
                .unwrap()
                .result,
            "stopped"
        );
    }
}
