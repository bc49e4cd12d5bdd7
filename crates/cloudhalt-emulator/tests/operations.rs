//! The five operations through the real core client and HTTP: each succeeds, answers a RequestId
//! and changes the emulator's state as the provider documents.

mod common;

use std::time::{Duration, Instant};

use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, StopInstances, StopInvocation, TerminateInstances,
};
use cloudhalt_emulator::{Config, Emulator, Resources, SettingsUpdate};
use common::*;

#[test]
fn stop_instances_moves_running_to_stopping_then_stopped() {
    let emu = Emulator::start(Config::default()).unwrap();
    emu.configure(SettingsUpdate {
        transition_ms: Some(300),
        ..SettingsUpdate::default()
    });
    let request = StopInstances::new(
        "ap-guangzhou",
        vec!["ins-run00000".into(), "ins-run00001".into()],
    );
    let response = tencent(&emu).stop_instances(&request).unwrap();
    assert_eq!(response.request_id().len(), 36);
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("STOPPING"));
    assert_eq!(cvm_state(&emu, "ins-run00001").as_deref(), Some("STOPPING"));
    assert_eq!(cvm_state(&emu, "ins-run00002").as_deref(), Some("RUNNING"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while cvm_state(&emu, "ins-run00000").as_deref() != Some("STOPPED") {
        assert!(Instant::now() < deadline, "never reached STOPPED");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(emu.state()["requests"]["StopInstances"], 1);
    assert_eq!(
        emu.state()["lastCall"]["tencent"]["requestId"],
        response.request_id()
    );
}

#[test]
fn terminate_instances_removes_the_instances_after_the_delay() {
    let emu = Emulator::start(Config::default()).unwrap();
    emu.configure(SettingsUpdate {
        transition_ms: Some(300),
        ..SettingsUpdate::default()
    });
    let request = TerminateInstances::new("ap-guangzhou", vec!["ins-stp00001".into()]);
    tencent(&emu).terminate_instances(&request).unwrap();
    assert_eq!(
        cvm_state(&emu, "ins-stp00001").as_deref(),
        Some("TERMINATING")
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while cvm_state(&emu, "ins-stp00001").is_some() {
        assert!(Instant::now() < deadline, "never removed");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Terminating a TERMINATING instance is a state conflict.
    let emu = emulator();
    emu.configure(SettingsUpdate {
        transition_ms: Some(60_000),
        ..SettingsUpdate::default()
    });
    let request = TerminateInstances::new("ap-guangzhou", vec!["ins-run00009".into()]);
    tencent(&emu).terminate_instances(&request).unwrap();
    let (_, answer) = RawTencent::new(
        "TerminateInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds": ["ins-run00009"]}"#,
    )
    .send(&emu);
    assert_eq!(
        tencent_code(&answer),
        "UnsupportedOperation.InstanceStateTerminating"
    );
    // The client reads that refusal, after describing the instance, as `already`.
    let r = tencent(&emu).terminate_instances(&request).unwrap();
    assert_eq!(r.outcomes()[0].outcome(), cloudhalt::Outcome::Already);
    assert_eq!(
        r.outcomes()[0].code(),
        Some("UnsupportedOperation.InstanceStateTerminating")
    );
}

#[test]
fn cancel_invocation_cancels_undelivered_and_terminates_running_tasks() {
    let emu = emulator();
    let request = CancelInvocation::new("ap-guangzhou", "inv-inv00001");
    let response = tencent(&emu).cancel_invocation(&request).unwrap();
    assert!(!response.request_id().is_empty());
    let state = emu.state();
    let inv = &state["tencent"]["invocations"][0];
    assert_eq!(inv["InvocationId"], "inv-inv00001");
    let task = |id: &str| {
        inv["Tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["InstanceId"] == id)
            .unwrap()["TaskStatus"]
            .clone()
    };
    assert_eq!(task("ins-run00000"), "CANCELLED");
    assert_eq!(task("ins-run00001"), "TERMINATED");
    assert_eq!(task("ins-run00002"), "SUCCESS");
    assert_eq!(task("lhins-lh000001"), "CANCELLED");
    assert_eq!(inv["InvocationStatus"], "CANCELLED");

    // Only the named instance of the second invocation.
    let mut request = CancelInvocation::new("ap-guangzhou", "inv-inv00002");
    request.set_instance_ids(Some(vec!["ins-run00003".into()]));
    tencent(&emu).cancel_invocation(&request).unwrap();
    let state = emu.state();
    let tasks = &state["tencent"]["invocations"][1]["Tasks"];
    assert_eq!(tasks[0]["TaskStatus"], "CANCELLED");
    assert_eq!(tasks[1]["TaskStatus"], "RUNNING");
    assert_eq!(
        state["tencent"]["invocations"][1]["InvocationStatus"],
        "RUNNING"
    );
}

#[test]
fn cancel_instance_refresh_cancels_waiting_batches() {
    let emu = emulator();
    let request = CancelInstanceRefresh::new("asg-grp00001", "asr-act00001");
    tencent(&emu).cancel_instance_refresh(&request).unwrap();
    let state = emu.state();
    let activity = &state["tencent"]["scalingGroups"][0]["RefreshActivities"][0];
    assert_eq!(activity["Status"], "CANCELLED");
    let batches: Vec<&str> = activity["Batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["BatchStatus"].as_str().unwrap())
        .collect();
    assert_eq!(batches, ["SUCCESSFUL", "CANCELLED", "CANCELLED"]);
}

#[test]
fn stop_invocation_stops_running_tasks() {
    let emu = emulator();
    let mut request = StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001");
    request.set_instance_ids(Some(vec!["i-bp67acfmxazb4p0001".into()]));
    let response = alibaba(&emu).stop_invocation(&request).unwrap();
    let id = response.request_id();
    assert_eq!(id, id.to_uppercase(), "Alibaba RequestIds are upper-case");
    let state = emu.state();
    let inv = &state["alibaba"]["invocations"][0];
    assert_eq!(inv["InvokeInstances"][0]["InvocationStatus"], "Stopped");
    assert_eq!(inv["InvokeInstances"][1]["InvocationStatus"], "Running");
    assert_eq!(inv["InvocationStatus"], "Running");

    alibaba(&emu)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap();
    let state = emu.state();
    let inv = &state["alibaba"]["invocations"][0];
    assert_eq!(inv["InvocationStatus"], "Stopped");
    assert!(
        inv["InvokeInstances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["InvocationStatus"] == "Stopped")
    );
    assert_eq!(state["requests"]["StopInvocation"], 2);
}

#[test]
fn session_tokens_are_sent_and_recorded() {
    let emu = emulator();
    let t = tencent_with(
        &emu,
        cloudhalt_emulator::TENCENT_SECRET_ID,
        cloudhalt_emulator::TENCENT_SECRET_KEY,
        Some("sts-token"),
    );
    t.stop_instances(&StopInstances::new(
        "ap-guangzhou",
        vec!["ins-run00010".into()],
    ))
    .unwrap();
    let a = alibaba_with(
        &emu,
        cloudhalt_emulator::ALIBABA_ACCESS_KEY_ID,
        cloudhalt_emulator::ALIBABA_ACCESS_KEY_SECRET,
        Some("sts-token"),
    );
    a.stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0002"))
        .unwrap();
    let state = emu.state();
    assert_eq!(state["lastCall"]["tencent"]["tokenPresent"], true);
    assert_eq!(state["lastCall"]["alibaba"]["tokenPresent"], true);
    assert!(
        state["lastCall"]["alibaba"]["signedHeaders"]
            .as_str()
            .unwrap()
            .contains("x-acs-security-token")
    );
}

#[test]
fn eight_client_threads_are_answered_at_once() {
    let emu = emulator();
    let client = tencent(&emu);
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                client.stop_instances(&StopInstances::new(
                    "ap-guangzhou",
                    vec![format!("ins-run{:05}", 100 + i)],
                ))
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    assert_eq!(emu.state()["requests"]["StopInstances"], 8);
}

#[test]
fn reset_returns_to_the_seed_and_a_state_file_seeds_it() {
    let emu = emulator();
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00020".into()],
        ))
        .unwrap();
    assert_eq!(cvm_state(&emu, "ins-run00020").as_deref(), Some("STOPPED"));
    emu.reset();
    assert_eq!(cvm_state(&emu, "ins-run00020").as_deref(), Some("RUNNING"));
    assert_eq!(emu.state()["requests"]["StopInstances"], 0);

    // GET /_emulator/state's answer is a valid --state file.
    let text = emu.state().to_string();
    let seed = Resources::from_json(&text).unwrap();
    assert_eq!(seed, Resources::builtin());
    let custom = Resources::from_json(
        r#"{"tencent": {"instances": [{"InstanceId": "ins-abcdefgh", "Region": "ap-beijing", "InstanceState": "RUNNING"}]}}"#,
    )
    .unwrap();
    let emu = Emulator::start(Config {
        seed: Some(custom),
        ..Config::default()
    })
    .unwrap();
    assert_eq!(
        emu.state()["tencent"]["instances"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        emu.state()["alibaba"]["instances"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let err = Resources::from_json(r#"{"tencent": {"instances": [{"Region": 1}]}}"#).unwrap_err();
    assert!(err.contains("state JSON is not valid"), "{err}");
}

#[test]
fn the_control_endpoints_answer_over_http() {
    let emu = emulator();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .get(format!("{}/_emulator/state", emu.url()))
        .call()
        .unwrap();
    let state: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(state["tencent"]["instances"].as_array().unwrap().len(), 161);
    assert_eq!(state["alibaba"]["instances"].as_array().unwrap().len(), 60);
    assert_eq!(state["requests"]["StopInvocation"], 0);

    let r = agent
        .post(format!("{}/_emulator/faults", emu.url()))
        .send(r#"{"kind": "latency"}"#)
        .unwrap();
    assert_eq!(r.status(), 400, "a latency fault without ms is refused");
    let r = agent
        .post(format!("{}/_emulator/faults", emu.url()))
        .send(r#"{"kind": "throttle", "count": 2, "provider": "tencent"}"#)
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(emu.state()["faults"][0]["count"], 2);
    agent
        .delete(format!("{}/_emulator/faults", emu.url()))
        .call()
        .unwrap();
    assert!(emu.state()["faults"].as_array().unwrap().is_empty());
    let mut r = agent
        .post(format!("{}/_emulator/config", emu.url()))
        .send(r#"{"transitionMs": 5, "rateLimits": {"StopInstances": 3}}"#)
        .unwrap();
    let config: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(config["transitionMs"], 5);
    assert_eq!(config["rateLimits"]["StopInstances"], 3);
    assert_eq!(config["rateLimits"]["StopInvocation"], 20);
    let r = agent
        .post(format!("{}/_emulator/reset", emu.url()))
        .send("{}")
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        emu.state()["config"]["transitionMs"],
        1000,
        "reset restores start-up config"
    );
    let r = agent
        .get(format!("{}/_emulator/nope", emu.url()))
        .call()
        .unwrap();
    assert_eq!(r.status(), 404);
}
