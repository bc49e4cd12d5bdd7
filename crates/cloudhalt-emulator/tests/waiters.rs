//! The core's waiters against the emulator, as the confirm issue's "done when" lists them: the
//! emulator's transitions, failures and counters are what a waiter in any binding will meet.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, ErrorKind, Outcome, StopInstances, StopInvocation,
    Tencent, TencentCredentials, TerminateInstances, Wait,
};
use cloudhalt_emulator::{
    Config, Emulator, RunningEmulator, SettingsUpdate, TENCENT_SECRET_ID, TENCENT_SECRET_KEY,
};
use common::*;
use serde_json::{Value, json};

/// An emulator whose transitions take `ms` milliseconds.
fn emulator_with_delay(ms: u64) -> RunningEmulator {
    let emu = Emulator::start(Config::default()).expect("emulator starts");
    emu.configure(SettingsUpdate {
        transition_ms: Some(ms),
        ..SettingsUpdate::default()
    });
    emu
}

fn quick_wait(timeout_ms: u64) -> Wait {
    Wait::new(Duration::from_millis(timeout_ms))
        .with_delays(Duration::from_millis(20), Duration::from_millis(80))
}

/// The client as users get it (default retries and pacing), waiting.
fn waiting_tencent(emu: &RunningEmulator, timeout_ms: u64) -> Tencent {
    Tencent::new(TencentCredentials::new(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, None).unwrap())
        .with_endpoint_url(emu.url())
        .unwrap()
        .with_wait(Some(quick_wait(timeout_ms)))
        .unwrap()
}

fn seed(emu: &RunningEmulator, spec: Value) -> Value {
    emu.seed(&serde_json::from_value(spec).unwrap()).unwrap()
}

fn ids_of(seeded: &Value, which: &str) -> Vec<String> {
    seeded["tencent"][which]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn id_calls(emu: &RunningEmulator, action: &str, id: &str) -> (u64, u64) {
    let c = &emu.calls()[action]["ids"][id];
    (
        c["received"].as_u64().unwrap_or(0),
        c["applied"].as_u64().unwrap_or(0),
    )
}

#[test]
fn a_250_instance_stop_with_wait_ends_every_id_stopped_and_sends_each_once() {
    let emu = emulator_with_delay(300);
    let seeded = seed(&emu, json!({"replace": true, "tencent": {"running": 250}}));
    let ids = ids_of(&seeded, "running");
    let started = Instant::now();
    let r = waiting_tencent(&emu, 20_000)
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(300));
    let states: BTreeMap<&str, &str> = r.states().iter().map(|s| (s.id(), s.state())).collect();
    assert_eq!(states.len(), 250);
    assert!(states.values().all(|s| *s == "STOPPED"), "{states:?}");
    for id in &ids {
        assert_eq!(id_calls(&emu, "StopInstances", id), (1, 1), "{id}");
    }
}

#[test]
fn a_batch_with_30_already_stopped_resends_only_the_running_ones() {
    let emu = emulator_with_delay(200);
    let seeded = seed(
        &emu,
        json!({"replace": true, "tencent": {"running": 220, "stopped": 30}}),
    );
    let (running, stopped) = (ids_of(&seeded, "running"), ids_of(&seeded, "stopped"));
    let all: Vec<String> = running.iter().chain(&stopped).cloned().collect();
    let r = waiting_tencent(&emu, 20_000)
        .stop_instances(&StopInstances::new("ap-guangzhou", all))
        .unwrap();
    let count = |o: Outcome| r.outcomes().iter().filter(|x| x.outcome() == o).count();
    assert_eq!((count(Outcome::Already), count(Outcome::Done)), (30, 220));
    assert!(r.states().iter().all(|s| s.state() == "STOPPED"));
    for id in &stopped {
        assert_eq!(
            id_calls(&emu, "StopInstances", id),
            (1, 0),
            "{id} was re-sent"
        );
    }
    for id in &running {
        assert_eq!(id_calls(&emu, "StopInstances", id).1, 1, "{id}");
    }
}

#[test]
fn a_stop_the_emulator_fails_ends_wait_failed_naming_the_ids() {
    let emu = emulator_with_delay(150);
    add_fault(
        &emu,
        json!({"kind": "operation_fails", "action": "StopInstances"}),
    );
    let ids = vec!["ins-run00000".to_owned(), "ins-run00001".to_owned()];
    let e = waiting_tencent(&emu, 10_000)
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WaitFailed, "{e}");
    for id in &ids {
        assert!(e.message().contains(id.as_str()), "{e}");
        assert_eq!(id_calls(&emu, "StopInstances", id), (1, 1), "not re-sent");
    }
    assert!(e.states().iter().all(|s| s.state() == "RUNNING"));
}

#[test]
fn a_wait_past_its_deadline_ends_wait_timeout_within_deadline_plus_one_poll() {
    let emu = emulator_with_delay(60_000);
    let started = Instant::now();
    let e = waiting_tencent(&emu, 400)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::WaitTimeout, "{e}");
    assert!(took >= Duration::from_millis(400), "{took:?}");
    // The deadline, one poll interval at most, and the slack of a loaded test machine.
    assert!(took < Duration::from_millis(400 + 80 + 600), "{took:?}");
    assert_eq!(e.states()[0].state(), "STOPPING");
}

#[test]
fn prepaid_ends_in_the_recycle_bin_and_postpaid_gone_each_terminated_once() {
    let emu = emulator_with_delay(200);
    let prepaid = ids_of(
        &seed(
            &emu,
            json!({"tencent": {"running": 3, "prefix": "ins-pre", "chargeType": "PREPAID"}}),
        ),
        "running",
    );
    let postpaid: Vec<String> = (0..3).map(|n| format!("ins-run{n:05}")).collect();
    let tc = waiting_tencent(&emu, 10_000);
    for (ids, state, result) in [
        (&prepaid, "SHUTDOWN", "recycle bin"),
        (&postpaid, "gone", "gone"),
    ] {
        let r = tc
            .terminate_instances(&TerminateInstances::new("ap-guangzhou", ids.clone()))
            .unwrap();
        for s in r.states() {
            assert_eq!((s.result(), s.state()), (result, state), "{}", s.id());
        }
        for id in ids {
            assert_eq!(id_calls(&emu, "TerminateInstances", id), (1, 1), "{id}");
        }
    }
}

#[test]
fn the_pause_first_path_pauses_waits_and_cancels() {
    let emu = emulator_with_delay(200);
    let cancel = CancelInstanceRefresh::new("asg-grp00001", "asr-act00003");
    let tc = waiting_tencent(&emu, 10_000);
    let e = tc.cancel_instance_refresh(&cancel).unwrap_err();
    assert_eq!(
        e.code(),
        Some("ResourceUnavailable.RefreshActivityStatusConflictWithOperation")
    );
    let r = tc
        .with_pause_first(true)
        .cancel_instance_refresh(&cancel)
        .unwrap();
    assert_eq!(r.outcomes()[0].outcome(), Outcome::Done);
    assert_eq!(r.states()[0].state(), "CANCELLED");
    assert_eq!(
        id_calls(&emu, "StopInstanceRefresh", "asr-act00003"),
        (1, 1)
    );
    assert_eq!(
        id_calls(&emu, "CancelInstanceRefresh", "asr-act00003"),
        (3, 1),
        "refused twice (without and with pause_first), then applied once"
    );
}

#[test]
fn the_tat_cancel_is_confirmed_and_a_finished_task_reported_as_such() {
    let emu = emulator_with_delay(200);
    let r = waiting_tencent(&emu, 10_000)
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-inv00001"))
        .unwrap();
    let results: BTreeMap<&str, (&str, &str)> = r
        .states()
        .iter()
        .map(|s| (s.id(), (s.state(), s.result())))
        .collect();
    assert_eq!(results["ins-run00001"].0, "TERMINATED");
    assert_eq!(results["ins-run00000"].0, "CANCELLED");
    assert_eq!(
        results["ins-run00002"],
        ("SUCCESS", "finished before the cancel landed")
    );
    assert_eq!(id_calls(&emu, "CancelInvocation", "inv-inv00001"), (1, 1));
}

#[test]
fn the_ecs_stop_is_confirmed_per_instance() {
    let emu = emulator_with_delay(200);
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
    let r = alibaba(&emu)
        .with_wait(Some(quick_wait(10_000)))
        .unwrap()
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-mixed0001"))
        .unwrap();
    let states: BTreeMap<&str, (&str, &str)> = r
        .states()
        .iter()
        .map(|s| (s.id(), (s.state(), s.result())))
        .collect();
    assert_eq!(states["i-pending"].0, "Cancelled");
    assert_eq!(states["i-running"].0, "Stopped");
    assert_eq!(
        states["i-done"],
        ("Success", "finished before the stop landed")
    );
    assert_eq!(
        emu.calls()["StopInvocation"]["ids"]["t-mixed0001"]["received"],
        1
    );
}
