//! What the waiters read, through the core client: transitions that take real time, the
//! `LatestOperation*` fields with the RequestId of the request that made them, stops that fail,
//! prepaid and postpaid termination, TAT and Cloud Assistant cancels that finish later, and a
//! refresh activity whose refreshing batch blocks the cancel until it is paused.

mod common;

use std::time::{Duration, Instant};

use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, DescribeInstances, DescribeInvocationTasks,
    DescribeInvocations, DescribeRefreshActivities, StopInstanceRefresh, StopInstances,
    StopInvocation, TerminateInstances,
};
use cloudhalt_emulator::{Config, Emulator, RunningEmulator, SettingsUpdate};
use common::*;
use serde_json::{Value, json};

/// An emulator whose transitions take `ms` milliseconds. Its Describe calls are not rate
/// limited: these tests read the state every 20 ms (`until`) with a client that neither paces
/// nor retries, and a second with a dozen polls and a few reads reached the documented 20/s.
fn emulator_with_delay(ms: u64) -> RunningEmulator {
    let emu = Emulator::start(Config::default()).expect("emulator starts");
    let unlimited = cloudhalt::OPERATIONS
        .iter()
        .filter(|op| op.action.starts_with("Describe"))
        .map(|op| (op.action.to_owned(), 100_000))
        .collect();
    emu.configure(SettingsUpdate {
        transition_ms: Some(ms),
        rate_limits: Some(unlimited),
        ..SettingsUpdate::default()
    });
    emu
}

/// Changes the delay: transitions under way end by the new one (their start stays), so a test
/// can look at the transitional state under a long delay, then let it end.
fn shorten(emu: &RunningEmulator, ms: u64) {
    emu.configure(SettingsUpdate {
        transition_ms: Some(ms),
        ..SettingsUpdate::default()
    });
}

/// DescribeInstances' entry for `id` in ap-guangzhou, or None when it is not listed.
fn describe(emu: &RunningEmulator, id: &str) -> Option<Value> {
    let r = tencent(emu)
        .describe_instances(&DescribeInstances::new("ap-guangzhou", vec![id.into()]))
        .unwrap();
    let response = &r.data()["Response"];
    let set = response["InstanceSet"].as_array().unwrap();
    assert_eq!(response["TotalCount"], set.len());
    set.first().cloned()
}

/// Polls `check` every 20 ms until it holds; panics after 10 s. Answers the time it took.
fn until(what: &str, mut check: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "never reached: {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    start.elapsed()
}

fn calls(emu: &RunningEmulator, action: &str, id: &str) -> (u64, u64) {
    let c = &emu.calls()[action]["ids"][id];
    (
        c["received"].as_u64().unwrap_or(0),
        c["applied"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_stop_is_operating_until_the_delay_has_passed_and_names_its_request() {
    let emu = emulator_with_delay(60_000);
    let answer = tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    let request_id = answer.request_id().to_owned();
    let i = describe(&emu, "ins-run00000").unwrap();
    assert_eq!(i["InstanceState"], "STOPPING");
    assert_eq!(i["LatestOperation"], "StopInstances");
    assert_eq!(i["LatestOperationState"], "OPERATING");
    assert_eq!(i["LatestOperationRequestId"], request_id.as_str());
    assert_eq!(i["LatestOperationErrorMsg"], Value::Null);
    assert_eq!(i["InstanceChargeType"], "POSTPAID_BY_HOUR");

    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        describe(&emu, "ins-run00000").unwrap()["InstanceState"],
        "STOPPING",
        "a transition lasts until its delay has passed"
    );
    shorten(&emu, 0);
    let i = describe(&emu, "ins-run00000").unwrap();
    assert_eq!(i["LatestOperationState"], "SUCCESS");
    assert_eq!(i["LatestOperationRequestId"], request_id.as_str());
    // The state JSON carries the same fields.
    let state = emu.state();
    let saved = state["tencent"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InstanceId"] == "ins-run00000")
        .unwrap();
    assert_eq!(saved["LatestOperation"], "StopInstances");
    assert_eq!(saved["LatestOperationState"], "SUCCESS");
    assert_eq!(saved["LatestOperationRequestId"], request_id.as_str());
    assert_eq!(saved["InstanceChargeType"], "POSTPAID_BY_HOUR");
    // Polling is not re-sending: one StopInstances, however many describes.
    assert_eq!(calls(&emu, "StopInstances", "ins-run00000"), (1, 1));
    assert!(
        emu.calls()["DescribeInstances"]["applied"]
            .as_u64()
            .unwrap()
            >= 3
    );
}

#[test]
fn a_transition_takes_at_least_its_delay() {
    let emu = emulator_with_delay(400);
    let sent = Instant::now();
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    until("STOPPED", || {
        describe(&emu, "ins-run00000").unwrap()["InstanceState"] == "STOPPED"
    });
    assert!(sent.elapsed() >= Duration::from_millis(400));
}

#[test]
fn a_stop_refused_for_one_instance_changes_none() {
    // Raw requests: the core client would settle the refusal (describe, re-send the rest).
    let emu = emulator_with_delay(60_000);
    let stop = |ids: &str| {
        let body = format!(r#"{{"InstanceIds": [{ids}]}}"#);
        let (_, answer) = RawTencent::new("StopInstances", Some("ap-guangzhou"), &body).send(&emu);
        tencent_code(&answer).to_owned()
    };
    assert_eq!(
        stop(r#""ins-run00000", "ins-stp00000""#),
        "UnsupportedOperation.InstanceStateStopped"
    );
    let i = describe(&emu, "ins-run00000").unwrap();
    assert_eq!(i["InstanceState"], "RUNNING");
    assert_eq!(i["LatestOperation"], Value::Null);
    assert_eq!(calls(&emu, "StopInstances", "ins-run00000"), (1, 0));

    assert_eq!(stop(r#""ins-run00001""#), "");
    assert_eq!(
        stop(r#""ins-run00002", "ins-run00001""#),
        "UnsupportedOperation.InstanceStateStopping"
    );
    assert_eq!(
        describe(&emu, "ins-run00002").unwrap()["InstanceState"],
        "RUNNING"
    );
}

#[test]
fn fail_operations_makes_the_next_stop_of_an_instance_fail() {
    let emu = emulator_with_delay(60_000);
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"tencent": {"instances": [
            {"InstanceId": "ins-fail0000", "Region": "ap-guangzhou", "InstanceState": "RUNNING",
             "FailOperations": ["StopInstances"]},
            {"InstanceId": "ins-good0000", "Region": "ap-guangzhou", "InstanceState": "RUNNING"}
        ]}}),
    );
    assert_eq!(status, 200, "{answer}");
    let stop = StopInstances::new(
        "ap-guangzhou",
        vec!["ins-fail0000".into(), "ins-good0000".into()],
    );
    let request_id = tencent(&emu)
        .stop_instances(&stop)
        .unwrap()
        .request_id()
        .to_owned();
    let i = describe(&emu, "ins-fail0000").unwrap();
    assert_eq!(i["InstanceState"], "STOPPING");
    assert_eq!(i["LatestOperationState"], "OPERATING");

    shorten(&emu, 200);
    until("the stop failed", || {
        describe(&emu, "ins-fail0000").unwrap()["LatestOperationState"] == "FAILED"
    });
    let i = describe(&emu, "ins-fail0000").unwrap();
    assert_eq!(i["InstanceState"], "RUNNING");
    assert_eq!(i["LatestOperation"], "StopInstances");
    assert_eq!(i["LatestOperationRequestId"], request_id.as_str());
    let message = i["LatestOperationErrorMsg"].as_str().unwrap();
    assert!(message.contains("StopInstances"), "{message}");
    until("the other one stopped", || {
        describe(&emu, "ins-good0000").unwrap()["InstanceState"] == "STOPPED"
    });
    assert_eq!(
        describe(&emu, "ins-good0000").unwrap()["LatestOperationState"],
        "SUCCESS"
    );

    // The entry was used up: the next stop of that instance succeeds.
    let state = emu.state();
    assert_eq!(
        state["tencent"]["instances"][0]["FailOperations"],
        Value::Null
    );
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-fail0000".into()],
        ))
        .unwrap();
    until("the second stop succeeded", || {
        describe(&emu, "ins-fail0000").unwrap()["InstanceState"] == "STOPPED"
    });
    let i = describe(&emu, "ins-fail0000").unwrap();
    assert_eq!(i["LatestOperationState"], "SUCCESS");
    assert_eq!(i["LatestOperationErrorMsg"], Value::Null);
}

#[test]
fn an_operation_fails_fault_fails_every_instance_of_the_next_stop() {
    let emu = emulator_with_delay(60_000);
    add_fault(
        &emu,
        json!({"kind": "operationFails", "action": "StopInstances"}),
    );
    let ids = vec!["ins-run00010".to_owned(), "ins-run00011".to_owned()];
    let answer = tencent(&emu)
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap();
    assert_eq!(answer.request_id().len(), 36, "accepted as usual");
    for id in &ids {
        shorten(&emu, 100);
        until("FAILED", || {
            describe(&emu, id).unwrap()["LatestOperationState"] == "FAILED"
        });
        assert_eq!(describe(&emu, id).unwrap()["InstanceState"], "RUNNING");
        assert_eq!(calls(&emu, "StopInstances", id), (1, 1));
    }
    // Used up: the next stop succeeds.
    tencent(&emu)
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap();
    until("STOPPED", || {
        describe(&emu, &ids[0]).unwrap()["InstanceState"] == "STOPPED"
    });

    // The fault needs a write to fail.
    for spec in [
        json!({"kind": "operation_fails"}),
        json!({"kind": "operation_fails", "action": "CancelInvocation"}),
    ] {
        let (status, answer) = control(&emu, "POST", "/_emulator/faults", &spec);
        assert_eq!(status, 400, "{spec} accepted");
        assert!(
            answer["error"].as_str().unwrap().contains("StopInstances"),
            "{answer}"
        );
    }
}

#[test]
fn a_resource_transition_ms_wins_over_the_setting() {
    let emu = emulator_with_delay(60_000);
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"tencent": {"instances": [
            {"InstanceId": "ins-fast0000", "Region": "ap-guangzhou", "InstanceState": "RUNNING",
             "TransitionMs": 0},
            {"InstanceId": "ins-slow0000", "Region": "ap-guangzhou", "InstanceState": "RUNNING"}
        ]}}),
    );
    assert_eq!(status, 200, "{answer}");
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-fast0000".into(), "ins-slow0000".into()],
        ))
        .unwrap();
    assert_eq!(
        describe(&emu, "ins-fast0000").unwrap()["InstanceState"],
        "STOPPED"
    );
    assert_eq!(
        describe(&emu, "ins-slow0000").unwrap()["InstanceState"],
        "STOPPING"
    );
    assert_eq!(emu.state()["tencent"]["instances"][0]["TransitionMs"], 0);

    // And through a generated fleet.
    let seeded = emu
        .seed(
            &serde_json::from_value(
                json!({"tencent": {"running": 2, "prefix": "ins-sd", "transitionMs": 150}}),
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(seeded["tencent"]["running"][0], "ins-sd000000");
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-sd000000".into()],
        ))
        .unwrap();
    until("the fleet instance stopped", || {
        describe(&emu, "ins-sd000000").unwrap()["InstanceState"] == "STOPPED"
    });
}

#[test]
fn a_postpaid_terminate_is_gone_after_the_delay() {
    let emu = emulator_with_delay(60_000);
    let answer = tencent(&emu)
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-run00005".into()],
        ))
        .unwrap();
    let i = describe(&emu, "ins-run00005").unwrap();
    assert_eq!(i["InstanceState"], "TERMINATING");
    assert_eq!(i["LatestOperation"], "TerminateInstances");
    assert_eq!(i["LatestOperationState"], "OPERATING");
    assert_eq!(i["LatestOperationRequestId"], answer.request_id());
    shorten(&emu, 250);
    until("gone", || describe(&emu, "ins-run00005").is_none());
    // Gone is an empty set, not an error.
    let r = tencent(&emu)
        .describe_instances(&DescribeInstances::new(
            "ap-guangzhou",
            vec!["ins-run00005".into()],
        ))
        .unwrap();
    assert_eq!(r.data()["Response"]["TotalCount"], 0);
    assert_eq!(r.data()["Response"]["InstanceSet"], json!([]));
    assert_eq!(calls(&emu, "TerminateInstances", "ins-run00005"), (1, 1));
}

#[test]
fn a_prepaid_terminate_goes_to_the_recycle_bin_and_a_second_destroys_it() {
    let emu = emulator_with_delay(60_000);
    emu.seed(
        &serde_json::from_value(
            json!({"tencent": {"running": 2, "prefix": "ins-pre", "chargeType": "PREPAID"}}),
        )
        .unwrap(),
    )
    .unwrap();
    let id = "ins-pre00000";
    assert_eq!(describe(&emu, id).unwrap()["InstanceChargeType"], "PREPAID");
    let terminate = TerminateInstances::new("ap-guangzhou", vec![id.into()]);
    let first = tencent(&emu).terminate_instances(&terminate).unwrap();
    let i = describe(&emu, id).unwrap();
    assert_eq!(i["InstanceState"], "SHUTDOWN");
    assert_eq!(i["LatestOperationState"], "OPERATING");
    assert_eq!(i["LatestOperationRequestId"], first.request_id());
    // While it is being moved, another terminate is refused.
    let err = tencent(&emu).terminate_instances(&terminate).unwrap_err();
    assert_eq!(
        err.code(),
        Some("OperationDenied.InstanceOperationInProgress")
    );
    shorten(&emu, 250);
    until("in the recycle bin", || {
        describe(&emu, id).unwrap()["LatestOperationState"] == "SUCCESS"
    });
    let i = describe(&emu, id).unwrap();
    assert_eq!(i["InstanceState"], "SHUTDOWN");
    assert_eq!(i["IsolatedSource"], "MANMADE");
    std::thread::sleep(Duration::from_millis(300));
    assert!(describe(&emu, id).is_some(), "the recycle bin keeps it");

    // A second terminate destroys it.
    shorten(&emu, 60_000);
    let second = tencent(&emu).terminate_instances(&terminate).unwrap();
    let i = describe(&emu, id).unwrap();
    assert_eq!(i["InstanceState"], "TERMINATING");
    assert_eq!(i["LatestOperationRequestId"], second.request_id());
    shorten(&emu, 0);
    until("destroyed", || describe(&emu, id).is_none());
    assert_eq!(calls(&emu, "TerminateInstances", id), (3, 2));
}

#[test]
fn one_terminate_takes_one_charge_type() {
    let emu = emulator_with_delay(60_000);
    emu.seed(
        &serde_json::from_value(
            json!({"tencent": {"running": 1, "prefix": "ins-pre", "chargeType": "PREPAID"}}),
        )
        .unwrap(),
    )
    .unwrap();
    let err = tencent(&emu)
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into(), "ins-pre00000".into()],
        ))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("UnsupportedOperation.InstanceMixedPricingModel")
    );
    assert!(err.message().contains("ins-pre00000"), "{}", err.message());
    assert_eq!(
        describe(&emu, "ins-run00000").unwrap()["InstanceState"],
        "RUNNING"
    );
    assert_eq!(
        describe(&emu, "ins-pre00000").unwrap()["InstanceState"],
        "RUNNING"
    );
}

#[test]
fn a_failed_terminate_leaves_the_instance_where_it_was() {
    let emu = emulator_with_delay(60_000);
    add_fault(
        &emu,
        json!({"kind": "operation_fails", "action": "TerminateInstances"}),
    );
    tencent(&emu)
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-stp00003".into()],
        ))
        .unwrap();
    assert_eq!(
        describe(&emu, "ins-stp00003").unwrap()["InstanceState"],
        "TERMINATING"
    );
    shorten(&emu, 100);
    until("FAILED", || {
        describe(&emu, "ins-stp00003").unwrap()["LatestOperationState"] == "FAILED"
    });
    let i = describe(&emu, "ins-stp00003").unwrap();
    assert_eq!(i["InstanceState"], "STOPPED");
    assert_eq!(i["LatestOperation"], "TerminateInstances");
}

#[test]
fn old_state_files_load_and_bad_values_are_named() {
    let emu = emulator();
    let (status, _) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"tencent": {"instances": [
            {"InstanceId": "ins-old00000", "Region": "ap-guangzhou", "InstanceState": "RUNNING"}
        ]}}),
    );
    assert_eq!(status, 200);
    let i = describe(&emu, "ins-old00000").unwrap();
    assert_eq!(i["InstanceChargeType"], "POSTPAID_BY_HOUR");
    assert_eq!(i["LatestOperationState"], Value::Null);

    for (instance, named) in [
        (
            json!({"InstanceId": "ins-bad00000", "Region": "ap-guangzhou", "InstanceState": "RUNNING", "InstanceChargeType": "MONTHLY"}),
            "MONTHLY",
        ),
        (
            json!({"InstanceId": "ins-bad00000", "Region": "ap-guangzhou", "InstanceState": "RUNNING", "FailOperations": ["Reboot"]}),
            "Reboot",
        ),
    ] {
        let (status, answer) = control(
            &emu,
            "POST",
            "/_emulator/state",
            &json!({"tencent": {"instances": [instance]}}),
        );
        assert_eq!(status, 400);
        assert!(
            answer["error"].as_str().unwrap().contains(named),
            "{answer}"
        );
    }
    assert!(
        describe(&emu, "ins-old00000").is_some(),
        "a refused state changes nothing"
    );
}

fn task_statuses(emu: &RunningEmulator, invocation: &str) -> Vec<(String, String)> {
    let r = tencent(emu)
        .describe_invocation_tasks(&DescribeInvocationTasks::for_invocation(
            "ap-guangzhou",
            invocation,
        ))
        .unwrap();
    r.data()["Response"]["InvocationTaskSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["InstanceId"].as_str().unwrap().to_owned(),
                t["TaskStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn invocation_status(emu: &RunningEmulator, invocation: &str) -> Value {
    emu.state()["tencent"]["invocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InvocationId"] == invocation)
        .unwrap()["InvocationStatus"]
        .clone()
}

#[test]
fn a_tat_cancel_terminates_running_tasks_after_the_delay() {
    let emu = emulator_with_delay(60_000);
    tencent(&emu)
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-inv00001"))
        .unwrap();
    let at_once = [
        ("ins-run00000", "CANCELLED"),
        ("ins-run00001", "CANCELLING"),
        ("ins-run00002", "SUCCESS"),
        ("lhins-lh000001", "CANCELLED"),
    ];
    let expect = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    };
    assert_eq!(task_statuses(&emu, "inv-inv00001"), expect(&at_once));
    assert_eq!(invocation_status(&emu, "inv-inv00001"), "CANCELLING");
    shorten(&emu, 250);
    until("TERMINATED", || {
        task_statuses(&emu, "inv-inv00001")[1].1 == "TERMINATED"
    });
    assert_eq!(
        task_statuses(&emu, "inv-inv00001"),
        expect(&[
            ("ins-run00000", "CANCELLED"),
            ("ins-run00001", "TERMINATED"),
            ("ins-run00002", "SUCCESS"),
            ("lhins-lh000001", "CANCELLED"),
        ])
    );
    assert_eq!(invocation_status(&emu, "inv-inv00001"), "CANCELLED");
    assert_eq!(calls(&emu, "CancelInvocation", "inv-inv00001"), (1, 1));
}

#[test]
fn a_tat_invocation_transition_ms_wins_over_the_setting() {
    let emu = emulator_with_delay(60_000);
    let seeded = emu
        .seed(
            &serde_json::from_value(
                json!({"tencent": {"running": 2, "prefix": "ins-tat", "transitionMs": 0}}),
            )
            .unwrap(),
        )
        .unwrap();
    let invocation = seeded["tencent"]["invocationId"].as_str().unwrap();
    assert_eq!(invocation, "inv-tat00000");
    tencent(&emu)
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", invocation))
        .unwrap();
    assert!(
        task_statuses(&emu, invocation)
            .iter()
            .all(|(_, s)| s == "TERMINATED")
    );
    assert_eq!(invocation_status(&emu, invocation), "CANCELLED");
    // The built-in invocation follows the (long) setting.
    tencent(&emu)
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-inv00002"))
        .unwrap();
    assert_eq!(task_statuses(&emu, "inv-inv00002")[1].1, "CANCELLING");
}

fn activity(emu: &RunningEmulator, id: &str) -> Value {
    let r = tencent(emu)
        .describe_refresh_activities(&DescribeRefreshActivities::new(vec![id.into()]))
        .unwrap();
    r.data()["Response"]["RefreshActivitySet"][0].clone()
}

fn batch_statuses(activity: &Value) -> Vec<(u64, String)> {
    activity["RefreshBatchSet"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["RefreshBatchNum"].as_u64().unwrap(),
                b["RefreshBatchStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_refreshing_batch_blocks_the_cancel_until_paused_and_finished() {
    let emu = emulator_with_delay(60_000);
    let tc = tencent(&emu);
    let a = activity(&emu, "asr-act00003");
    assert_eq!(a["Status"], "RUNNING");
    assert_eq!(a["CurrentRefreshBatchNum"], 2);
    assert_eq!(
        batch_statuses(&a),
        vec![
            (1, "SUCCESSFUL".into()),
            (2, "RUNNING".into()),
            (3, "WAITING".into())
        ]
    );
    let cancel = CancelInstanceRefresh::new("asg-grp00001", "asr-act00003");
    let err = tc.cancel_instance_refresh(&cancel).unwrap_err();
    assert_eq!(
        err.code(),
        Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation")
    );
    assert!(err.message().contains("pause"), "{}", err.message());
    assert_eq!(activity(&emu, "asr-act00003")["Status"], "RUNNING");

    // Pause: MANUAL_PAUSE at once; the refreshing batch finishes after the delay.
    tc.stop_instance_refresh(&StopInstanceRefresh::new("asg-grp00001", "asr-act00003"))
        .unwrap();
    let a = activity(&emu, "asr-act00003");
    assert_eq!(a["Status"], "MANUAL_PAUSE");
    assert_eq!(batch_statuses(&a)[1], (2, "RUNNING".into()));
    let err = tc.cancel_instance_refresh(&cancel).unwrap_err();
    assert_eq!(
        err.code(),
        Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation"),
        "still refreshing"
    );
    // Pausing a paused activity is a conflict too.
    let err = tc
        .stop_instance_refresh(&StopInstanceRefresh::new("asg-grp00001", "asr-act00003"))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation")
    );
    shorten(&emu, 300);
    until("no batch refreshing", || {
        batch_statuses(&activity(&emu, "asr-act00003"))[1].1 == "SUCCESSFUL"
    });
    let a = activity(&emu, "asr-act00003");
    assert_eq!(a["Status"], "MANUAL_PAUSE");
    assert_eq!(batch_statuses(&a)[2], (3, "WAITING".into()));

    // Now the cancel goes through, at once.
    tc.cancel_instance_refresh(&cancel).unwrap();
    let a = activity(&emu, "asr-act00003");
    assert_eq!(a["Status"], "CANCELLED");
    assert_eq!(
        batch_statuses(&a),
        vec![
            (1, "SUCCESSFUL".into()),
            (2, "SUCCESSFUL".into()),
            (3, "CANCELLED".into())
        ]
    );
    // A finished activity refuses both.
    for id in ["asr-act00003", "asr-act00002"] {
        let err = tc
            .stop_instance_refresh(&StopInstanceRefresh::new("asg-grp00001", id))
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation")
        );
        let err = tc
            .cancel_instance_refresh(&CancelInstanceRefresh::new("asg-grp00001", id))
            .unwrap_err();
        assert_eq!(
            err.code(),
            Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation")
        );
    }
    assert_eq!(calls(&emu, "StopInstanceRefresh", "asr-act00003"), (3, 1));
    assert_eq!(calls(&emu, "CancelInstanceRefresh", "asr-act00003"), (4, 1));
}

#[test]
fn stop_instance_refresh_is_checked_like_the_cancel() {
    let emu = emulator();
    let tc = tencent(&emu);
    let err = tc
        .stop_instance_refresh(&StopInstanceRefresh::new("asg-grp00001", "asr-zzzzzzzz"))
        .unwrap_err();
    assert_eq!(err.code(), Some("ResourceNotFound.RefreshActivityNotFound"));
    let err = tc
        .stop_instance_refresh(&StopInstanceRefresh::new("asg-zzzzzzzz", "asr-act00001"))
        .unwrap_err();
    assert_eq!(
        err.code(),
        Some("ResourceNotFound.AutoScalingGroupNotFound")
    );
    // With a region, as without.
    let mut pause = StopInstanceRefresh::new("asg-grp00001", "asr-act00001");
    pause.set_region(Some("ap-guangzhou".into()));
    tc.stop_instance_refresh(&pause).unwrap();
    assert_eq!(activity(&emu, "asr-act00001")["Status"], "MANUAL_PAUSE");
    // A paused activity with no batch refreshing is cancelled at once.
    tc.cancel_instance_refresh(&CancelInstanceRefresh::new("asg-grp00001", "asr-act00001"))
        .unwrap();
    let a = activity(&emu, "asr-act00001");
    assert_eq!(a["Status"], "CANCELLED");
    assert_eq!(batch_statuses(&a)[1], (2, "CANCELLED".into()));
}

fn ecs_instances(emu: &RunningEmulator, invoke_id: &str) -> (String, Vec<(String, String)>) {
    let r = alibaba(emu)
        .describe_invocations(&DescribeInvocations::new("cn-hangzhou", invoke_id))
        .unwrap();
    let inv = &r.data()["Invocations"]["Invocation"][0];
    let runs = inv["InvokeInstances"]["InvokeInstance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["InstanceId"].as_str().unwrap().to_owned(),
                i["InvocationStatus"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (inv["InvocationStatus"].as_str().unwrap().to_owned(), runs)
}

#[test]
fn a_cloud_assistant_stop_cancels_pending_and_stops_running_after_the_delay() {
    let emu = emulator_with_delay(60_000);
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"alibaba": {"invocations": [
            {"InvokeId": "t-mixed0001", "RegionId": "cn-hangzhou", "InvocationStatus": "Running",
             "InvokeInstances": [
                {"InstanceId": "i-pending", "InvocationStatus": "Pending"},
                {"InstanceId": "i-running", "InvocationStatus": "Running"},
                {"InstanceId": "i-done", "InvocationStatus": "Success"}]}
        ]}}),
    );
    assert_eq!(status, 200, "{answer}");
    alibaba(&emu)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-mixed0001"))
        .unwrap();
    let (aggregate, runs) = ecs_instances(&emu, "t-mixed0001");
    assert_eq!(aggregate, "Stopping");
    let status_of =
        |runs: &[(String, String)], id: &str| runs.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(status_of(&runs, "i-pending"), "Cancelled");
    assert_eq!(status_of(&runs, "i-running"), "Stopping");
    assert_eq!(status_of(&runs, "i-done"), "Success");
    shorten(&emu, 250);
    until("Stopped", || {
        status_of(&ecs_instances(&emu, "t-mixed0001").1, "i-running") == "Stopped"
    });
    // One succeeded, the others were stopped: the aggregate says Success, which is why a
    // waiter reads the instances.
    assert_eq!(ecs_instances(&emu, "t-mixed0001").0, "Success");
    assert_eq!(calls(&emu, "StopInvocation", "t-mixed0001"), (1, 1));
}

#[test]
fn the_seed_uses_the_documented_cloud_assistant_statuses() {
    let emu = emulator();
    let (aggregate, runs) = ecs_instances(&emu, "t-hz0jdfwd9f0002");
    assert_eq!(aggregate, "Success");
    assert_eq!(
        runs,
        vec![("i-bp67acfmxazb4p0004".into(), "Success".into())]
    );
    // Stopping all of a Running invocation (immediate here) ends Stopped.
    alibaba(&emu)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap();
    let (aggregate, runs) = ecs_instances(&emu, "t-hz0jdfwd9f0001");
    assert_eq!(aggregate, "Stopped");
    assert!(runs.iter().all(|(_, s)| s == "Stopped"));
}

#[test]
fn an_alibaba_fleet_transition_ms_wins_over_the_setting() {
    let emu = emulator_with_delay(60_000);
    let seeded = emu
        .seed(
            &serde_json::from_value(json!({"alibaba": {"running": 3, "transitionMs": 0}})).unwrap(),
        )
        .unwrap();
    let invoke_id = seeded["alibaba"]["invokeId"].as_str().unwrap().to_owned();
    alibaba(&emu)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", invoke_id.as_str()))
        .unwrap();
    let (aggregate, runs) = ecs_instances(&emu, &invoke_id);
    assert_eq!(aggregate, "Stopped");
    assert!(runs.iter().all(|(_, s)| s == "Stopped"));
}

#[test]
fn the_new_members_survive_a_saved_state_and_bad_fleet_values_are_named() {
    let emu = emulator_with_delay(60_000);
    emu.seed(
        &serde_json::from_value(json!({"tencent": {"running": 1, "prefix": "ins-rt",
            "chargeType": "PREPAID", "transitionMs": 5, "failOperations": ["StopInstances"]}}))
        .unwrap(),
    )
    .unwrap();
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    let saved = emu.state();
    let (status, answer) = control(&emu, "POST", "/_emulator/state", &saved);
    assert_eq!(status, 200, "{answer}");
    let again = emu.state();
    let find = |state: &Value, id: &str| {
        state["tencent"]["instances"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["InstanceId"] == id)
            .cloned()
            .unwrap()
    };
    let fleet = find(&again, "ins-rt000000");
    assert_eq!(fleet["InstanceChargeType"], "PREPAID");
    assert_eq!(fleet["TransitionMs"], 5);
    assert_eq!(fleet["FailOperations"], json!(["StopInstances"]));
    assert_eq!(
        find(&again, "ins-run00000"),
        find(&saved, "ins-run00000"),
        "an operation under way is kept"
    );

    for (spec, named) in [
        (
            json!({"tencent": {"running": 1, "chargeType": "MONTHLY"}}),
            "tencent.chargeType",
        ),
        (
            json!({"tencent": {"running": 1, "failOperations": ["RebootInstances"]}}),
            "tencent.failOperations",
        ),
    ] {
        let (status, answer) = control(&emu, "POST", "/_emulator/seed", &spec);
        assert_eq!(status, 400, "{spec} accepted");
        assert!(
            answer["error"].as_str().unwrap().contains(named),
            "{answer}"
        );
    }
}

#[test]
fn stop_instance_refresh_checks_its_parameters_on_the_server_too() {
    let emu = emulator();
    let cases = [
        (
            r#"{"AutoScalingGroupId": "asg-grp00001"}"#,
            "MissingParameter",
        ),
        (
            r#"{"AutoScalingGroupId": "asg-grp00001", "RefreshActivityId": "asr-act00003", "Force": true}"#,
            "UnknownParameter",
        ),
        (
            r#"{"AutoScalingGroupId": "asg-GRP", "RefreshActivityId": "asr-act00003"}"#,
            "InvalidParameterValue.InvalidAutoScalingGroupId",
        ),
        (
            r#"{"AutoScalingGroupId": "asg-grp00001", "RefreshActivityId": "act00003"}"#,
            "InvalidParameterValue.InvalidRefreshActivityId",
        ),
    ];
    for (body, code) in cases {
        let (_, answer) = RawTencent::new("StopInstanceRefresh", None, body).send(&emu);
        assert_eq!(tencent_code(&answer), code, "{body}: {answer}");
    }
    assert_eq!(activity(&emu, "asr-act00003")["Status"], "RUNNING");
    let (_, answer) = RawTencent::new(
        "StopInstanceRefresh",
        None,
        r#"{"AutoScalingGroupId": "asg-grp00001", "RefreshActivityId": "asr-act00003"}"#,
    )
    .send(&emu);
    assert_eq!(tencent_code(&answer), "", "{answer}");
    assert_eq!(activity(&emu, "asr-act00003")["Status"], "MANUAL_PAUSE");
}
