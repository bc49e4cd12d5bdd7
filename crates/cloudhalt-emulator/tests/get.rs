//! Tencent answers GET too: the parameters flattened into the query (`InstanceIds.0=...`), the
//! signature over that query and an empty payload. Every action works by GET with the checks
//! and state changes of the POST form, and a GET whose query is not the signed one is refused.

mod common;

use common::*;

fn ok(answer: &serde_json::Value) {
    assert!(answer["Response"]["Error"].is_null(), "{answer}");
    assert_eq!(
        answer["Response"]["RequestId"].as_str().map(str::len),
        Some(36),
        "{answer}"
    );
}

#[test]
fn every_tencent_action_works_by_get() {
    let emu = emulator();
    let (status, answer) = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00000&InstanceIds.1=ins-run00001&StopType=SOFT",
    )
    .send(&emu);
    assert_eq!(status, 200);
    ok(&answer);
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("STOPPED"));
    assert_eq!(cvm_state(&emu, "ins-run00001").as_deref(), Some("STOPPED"));
    assert_eq!(cvm_state(&emu, "ins-run00002").as_deref(), Some("RUNNING"));
    let state = emu.state();
    assert_eq!(state["requests"]["StopInstances"], 1);
    assert_eq!(
        state["lastCall"]["tencent"]["requestId"],
        answer["Response"]["RequestId"]
    );

    // Booleans as the Python SDK writes them (`True`) and as the Go SDK does (`true`).
    let (_, answer) = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00002&ForceStop=True",
    )
    .send(&emu);
    ok(&answer);
    let (_, answer) = RawTencentGet::new(
        "TerminateInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-stp00003&ReleasePrepaidDataDisks=true&ReleaseAddress=false",
    )
    .send(&emu);
    ok(&answer);
    assert_eq!(cvm_state(&emu, "ins-stp00003"), None);

    let (_, answer) = RawTencentGet::new(
        "CancelInvocation",
        Some("ap-guangzhou"),
        "InvocationId=inv-inv00001&InstanceIds.0=ins-run00000&InstanceIds.1=lhins-lh000001",
    )
    .send(&emu);
    ok(&answer);
    let tasks = &emu.state()["tencent"]["invocations"][0]["Tasks"];
    let status_of = |id: &str| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["InstanceId"] == id)
            .unwrap()["TaskStatus"]
            .clone()
    };
    assert_eq!(status_of("ins-run00000"), "CANCELLED");
    assert_eq!(status_of("lhins-lh000001"), "CANCELLED");
    assert_eq!(status_of("ins-run00001"), "RUNNING");

    let (_, answer) = RawTencentGet::new(
        "CancelInstanceRefresh",
        None,
        "AutoScalingGroupId=asg-grp00001&RefreshActivityId=asr-act00001",
    )
    .send(&emu);
    ok(&answer);
    assert_eq!(
        emu.state()["tencent"]["scalingGroups"][0]["RefreshActivities"][0]["Status"],
        "CANCELLED"
    );
}

#[test]
fn a_get_whose_query_is_not_the_signed_one_is_refused() {
    let emu = emulator();
    let mut raw = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00000",
    );
    raw.sent_query = Some("InstanceIds.0=ins-run00001".into());
    let (_, answer) = raw.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureFailure");
    // An added parameter is a changed query too.
    raw.sent_query = Some("InstanceIds.0=ins-run00000&InstanceIds.1=ins-run00001".into());
    let (_, answer) = raw.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureFailure");
    let mut wrong_key = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00000",
    );
    wrong_key.secret_key = "not-the-key";
    let (_, answer) = wrong_key.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureFailure");
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("RUNNING"));
    assert_eq!(cvm_state(&emu, "ins-run00001").as_deref(), Some("RUNNING"));
    // The request as signed is accepted: the refusals were the query and the key.
    raw.sent_query = None;
    let (_, answer) = raw.send(&emu);
    ok(&answer);
}

#[test]
fn get_parameters_are_checked_as_post_bodies_are() {
    let emu = emulator();
    let code = |action: &str, query: &str| {
        let (_, answer) = RawTencentGet::new(action, Some("ap-guangzhou"), query).send(&emu);
        tencent_code(&answer).to_owned()
    };
    assert_eq!(
        code("StopInstances", "InstanceIds.0=ins-stp00000"),
        "UnsupportedOperation.InstanceStateStopped"
    );
    assert_eq!(
        code("StopInstances", "InstanceIds.0=ins-zzzzzzzz"),
        "InvalidInstanceId.NotFound"
    );
    let many: Vec<String> = (0..101)
        .map(|i| format!("InstanceIds.{i}=ins-run{i:05}"))
        .collect();
    assert_eq!(
        code("StopInstances", &many.join("&")),
        "InvalidParameterValue.LimitExceeded"
    );
    assert_eq!(code("StopInstances", ""), "MissingParameter");
    assert_eq!(
        code("StopInstances", "InstanceIds.0=ins-run00000&Bogus=1"),
        "UnknownParameter"
    );
    assert_eq!(
        code("StopInstances", "InstanceIds.0=ins-run00000&ForceStop=yes"),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            "StopInstances",
            "InstanceIds.0=ins-run00000&ForceStop=true&StopType=HARD"
        ),
        "InvalidParameterCombination"
    );
    // A list must be numbered from 0 without gaps, and given in one form.
    assert_eq!(
        code("StopInstances", "InstanceIds.1=ins-run00000"),
        "InvalidParameter"
    );
    assert_eq!(
        code("StopInstances", "InstanceIds=ins-run00000"),
        "InvalidParameter"
    );
    assert_eq!(
        code(
            "CancelInvocation",
            "InvocationId=inv-inv00001&InvocationId=inv-inv00002"
        ),
        "InvalidParameter"
    );
    // A body besides the query is a second source of parameters: refused, not ignored, even
    // when it is signed.
    let mut with_body = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00000",
    );
    with_body.body = r#"{"InstanceIds":["ins-run00001"]}"#;
    let (_, answer) = with_body.send(&emu);
    assert_eq!(tencent_code(&answer), "InvalidParameter");
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("RUNNING"));
    assert_eq!(cvm_state(&emu, "ins-run00001").as_deref(), Some("RUNNING"));
    assert_eq!(emu.state()["requests"]["StopInstances"], 0);
}

#[test]
fn other_methods_are_still_refused() {
    let emu = emulator();
    let agent = ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build(),
    );
    let mut resp = agent
        .put(emu.url())
        .header("X-TC-Action", "StopInstances")
        .header("X-TC-Version", "2017-03-12")
        .send(r#"{"InstanceIds":["ins-run00000"]}"#)
        .unwrap();
    let answer: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(tencent_code(&answer), "UnsupportedProtocol");
    assert!(
        answer["Response"]["Error"]["Message"]
            .as_str()
            .unwrap()
            .contains("POST and GET"),
        "{answer}"
    );
}
