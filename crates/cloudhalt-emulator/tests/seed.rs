//! Large fleets for tests: `POST /_emulator/seed` generates them, `POST /_emulator/state`
//! replaces the resources with a given state.

mod common;

use cloudhalt::{CancelInvocation, StopInstances, StopInvocation};
use cloudhalt_emulator::{Seed, TencentFleet};
use common::*;
use serde_json::{Value, json};

fn instances<'a>(state: &'a Value, cloud: &str) -> &'a Vec<Value> {
    state[cloud]["instances"].as_array().unwrap()
}

#[test]
fn a_thousand_tencent_instances_and_their_invocation() {
    let emu = emulator();
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/seed",
        &json!({"tencent": {"region": "ap-guangzhou", "running": 1000, "prefix": "ins-flt"}}),
    );
    assert_eq!(status, 200, "{answer}");
    let ids: Vec<String> = (0..1000).map(|i| format!("ins-flt{i:05}")).collect();
    assert_eq!(answer["tencent"]["running"], json!(ids));
    assert_eq!(answer["tencent"]["stopped"], json!([]));
    assert_eq!(answer["tencent"]["invocationId"], "inv-flt00000");
    assert_eq!(answer["tencent"]["region"], "ap-guangzhou");

    let state = emu.state();
    let fleet: Vec<&Value> = instances(&state, "tencent")
        .iter()
        .filter(|i| i["InstanceId"].as_str().unwrap().starts_with("ins-flt"))
        .collect();
    assert_eq!(fleet.len(), 1000);
    assert!(
        fleet
            .iter()
            .all(|i| i["InstanceState"] == "RUNNING" && i["Region"] == "ap-guangzhou")
    );
    assert_eq!(
        cvm_state(&emu, "ins-run00000").as_deref(),
        Some("RUNNING"),
        "the seed adds to what is there"
    );
    let invocation = state["tencent"]["invocations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["InvocationId"] == "inv-flt00000")
        .unwrap();
    assert_eq!(invocation["InvocationStatus"], "RUNNING");
    assert_eq!(invocation["Tasks"].as_array().unwrap().len(), 1000);

    // The IDs have the shape the core client insists on: stop and cancel all 1000, 100 a call.
    let client = tencent(&emu);
    for chunk in ids.chunks(100) {
        client
            .stop_instances(&StopInstances::new("ap-guangzhou", chunk.to_vec()))
            .unwrap();
        client
            .cancel_invocation(&CancelInvocation::on_instances(
                "ap-guangzhou",
                "inv-flt00000",
                chunk.to_vec(),
            ))
            .unwrap();
    }
    let state = emu.state();
    assert!(
        instances(&state, "tencent")
            .iter()
            .filter(|i| i["InstanceId"].as_str().unwrap().starts_with("ins-flt"))
            .all(|i| i["InstanceState"] == "STOPPED")
    );
    let calls = &emu.calls()["StopInstances"];
    assert_eq!(calls["applied"], 10);
    assert_eq!(calls["ids"].as_object().unwrap().len(), 1000);
    assert_eq!(
        calls["ids"]["ins-flt00999"],
        json!({"received": 1, "applied": 1})
    );

    // A reset goes back to the start-up seed.
    emu.reset();
    assert_eq!(cvm_state(&emu, "ins-flt00000"), None);
}

#[test]
fn alibaba_fleets_and_replace() {
    let emu = emulator();
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/seed",
        &json!({"replace": true,
                "tencent": {"running": 2, "stopped": 1, "prefix": "ins-ab"},
                "alibaba": {"region": "cn-shanghai", "running": 120, "stopped": 2}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["tencent"]["running"],
        json!(["ins-ab000000", "ins-ab000001"])
    );
    assert_eq!(answer["tencent"]["stopped"], json!(["ins-ab000002"]));
    assert_eq!(answer["tencent"]["invocationId"], "inv-ab000000");
    assert_eq!(answer["alibaba"]["region"], "cn-shanghai");
    assert_eq!(answer["alibaba"]["running"][0], "i-flt00000");
    assert_eq!(answer["alibaba"]["running"][119], "i-flt00119");
    assert_eq!(
        answer["alibaba"]["stopped"],
        json!(["i-flt00120", "i-flt00121"])
    );
    assert_eq!(answer["alibaba"]["invokeId"], "t-flt00000");

    let state = emu.state();
    assert_eq!(
        instances(&state, "tencent").len(),
        3,
        "replace dropped the built-in ones"
    );
    assert_eq!(instances(&state, "alibaba").len(), 122);
    assert_eq!(state["tencent"]["scalingGroups"], json!([]));
    assert_eq!(state["alibaba"]["invocations"].as_array().unwrap().len(), 1);
    assert_eq!(cvm_state(&emu, "ins-ab000002").as_deref(), Some("STOPPED"));

    let first_50: Vec<String> = (0..50).map(|i| format!("i-flt{i:05}")).collect();
    alibaba(&emu)
        .stop_invocation(&StopInvocation::on_instances(
            "cn-shanghai",
            "t-flt00000",
            first_50.clone(),
        ))
        .unwrap();
    let state = emu.state();
    let runs = state["alibaba"]["invocations"][0]["InvokeInstances"]
        .as_array()
        .unwrap();
    assert_eq!(runs.len(), 120);
    for run in runs {
        let stopped = first_50.iter().any(|id| run["InstanceId"] == id.as_str());
        let expected = if stopped { "Stopped" } else { "Running" };
        assert_eq!(run["InvocationStatus"], expected, "{run}");
    }
    assert_eq!(
        state["alibaba"]["invocations"][0]["InvocationStatus"],
        "Running"
    );
}

#[test]
fn seeding_again_replaces_instances_of_the_same_id() {
    let emu = emulator();
    let fleet = |running, stopped| Seed {
        tencent: Some(TencentFleet {
            running,
            stopped,
            ..TencentFleet::default()
        }),
        ..Seed::default()
    };
    emu.seed(&fleet(3, 0)).unwrap();
    let answer = emu.seed(&fleet(1, 2)).unwrap();
    assert_eq!(
        answer["tencent"]["stopped"],
        json!(["ins-flt00001", "ins-flt00002"])
    );
    let state = emu.state();
    let fleet: Vec<(&str, &str)> = instances(&state, "tencent")
        .iter()
        .filter(|i| i["InstanceId"].as_str().unwrap().starts_with("ins-flt"))
        .map(|i| {
            (
                i["InstanceId"].as_str().unwrap(),
                i["InstanceState"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        fleet,
        [
            ("ins-flt00000", "RUNNING"),
            ("ins-flt00001", "STOPPED"),
            ("ins-flt00002", "STOPPED")
        ]
    );
    let invocations = state["tencent"]["invocations"].as_array().unwrap();
    let flt: Vec<&Value> = invocations
        .iter()
        .filter(|i| i["InvocationId"] == "inv-flt00000")
        .collect();
    assert_eq!(flt.len(), 1);
    assert_eq!(flt[0]["Tasks"].as_array().unwrap().len(), 1);
}

#[test]
fn bad_seeds_are_refused_naming_the_field_and_change_nothing() {
    let emu = emulator();
    let before = emu.state()["tencent"].clone();
    for (spec, word) in [
        (
            json!({"tencent": {"running": 1, "prefix": "ins-FLT"}}),
            "tencent.prefix",
        ),
        (
            json!({"tencent": {"running": 1, "prefix": "i-flt"}}),
            "tencent.prefix",
        ),
        (
            json!({"tencent": {"running": 11, "prefix": "ins-abcdefg"}}),
            "digits",
        ),
        (
            json!({"tencent": {"running": 1, "invocationId": "inv-x"}}),
            "invocationId",
        ),
        (json!({"tencent": {"running": 1, "region": ""}}), "region"),
        (json!({"tencent": {"runing": 1}}), "runing"),
        (
            json!({"alibaba": {"running": 1, "prefix": "x-1"}}),
            "alibaba.prefix",
        ),
        (json!({"alibaba": {"running": 200000}}), "100000"),
        (
            json!({"replace": true, "alibaba": {"running": 1, "invokeId": "inv-1"}}),
            "invokeId",
        ),
    ] {
        let (status, answer) = control(&emu, "POST", "/_emulator/seed", &spec);
        assert_eq!(status, 400, "{spec} accepted: {answer}");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(word), "{spec}: {error}");
    }
    assert_eq!(emu.state()["tencent"], before);
}

#[test]
fn post_state_replaces_the_resources() {
    let emu = emulator();
    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"tencent": {"instances": [
            {"InstanceId": "ins-bj000001", "Region": "ap-beijing", "InstanceState": "RUNNING"},
            {"InstanceId": "ins-bj000002", "Region": "ap-beijing", "InstanceState": "STOPPING"}]},
            "requests": {"StopInstances": 7}}),
    );
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["tencent"]["instances"], 2);
    assert_eq!(answer["alibaba"]["instances"], 0);
    assert_eq!(cvm_state(&emu, "ins-run00000"), None);
    assert_eq!(emu.state()["alibaba"]["instances"], json!([]));
    // The STOPPING one finishes its transition (immediately here: transitionMs is 0).
    assert_eq!(cvm_state(&emu, "ins-bj000002").as_deref(), Some("STOPPED"));
    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-beijing",
            vec!["ins-bj000001".into()],
        ))
        .unwrap();
    assert_eq!(cvm_state(&emu, "ins-bj000001").as_deref(), Some("STOPPED"));
    assert_eq!(
        emu.state()["requests"]["StopInstances"],
        1,
        "counters are not state"
    );

    // A saved state goes back in as it came out.
    emu.reset();
    let saved = emu.state();
    control(
        &emu,
        "POST",
        "/_emulator/seed",
        &json!({"tencent": {"running": 5}}),
    );
    let (status, _) = control(&emu, "POST", "/_emulator/state", &saved);
    assert_eq!(status, 200);
    assert_eq!(emu.state()["tencent"], saved["tencent"]);
    assert_eq!(emu.state()["alibaba"], saved["alibaba"]);

    let (status, answer) = control(
        &emu,
        "POST",
        "/_emulator/state",
        &json!({"tencent": {"instances": [{"InstanceId": "ins-bj000001"}]}}),
    );
    assert_eq!(status, 400);
    assert!(
        answer["error"].as_str().unwrap().contains("Region"),
        "{answer}"
    );
    assert_eq!(emu.state()["tencent"], saved["tencent"], "unchanged");
}
