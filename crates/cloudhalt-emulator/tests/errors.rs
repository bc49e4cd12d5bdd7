//! Every documented error, provoked from real state. Through the core client where it sends the
//! request; with a raw signed request where the client refuses the input before sending (so the
//! emulator's own server-side checks are proven too). Each checks kind, code, RequestId and status.

mod common;

use cloudhalt::{
    CancelInstanceRefresh, CancelInvocation, Error, ErrorKind, Provider, SendState, StopInstances,
    StopInvocation, classify,
};
use common::*;

fn assert_api(err: &Error, kind: ErrorKind, code: &str, status: u16) {
    assert_eq!(err.code(), Some(code), "{err}");
    assert_eq!(err.kind(), kind, "{err}");
    assert_eq!(err.http_status(), Some(status), "{err}");
    assert_eq!(err.send_state(), SendState::Answered);
    let id = err.request_id().expect("a RequestId");
    assert_eq!(id.len(), 36, "{id}");
}

#[test]
fn unknown_instance_is_not_found() {
    let emu = emulator();
    let request = StopInstances::new(
        "ap-guangzhou",
        vec!["ins-run00000".into(), "ins-zzzzzzzz".into()],
    );
    let err = tencent(&emu).stop_instances(&request).unwrap_err();
    assert_api(&err, ErrorKind::NotFound, "InvalidInstanceId.NotFound", 200);
    assert!(err.message().contains("ins-zzzzzzzz"));
    // The service refuses the whole request; the client describes the IDs and sends the stop
    // again for the known, running one only: the unknown one stays failed.
    let outcomes: Vec<_> = err
        .outcomes()
        .iter()
        .map(|o| (o.id(), o.outcome()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("ins-run00000", cloudhalt::Outcome::Done),
            ("ins-zzzzzzzz", cloudhalt::Outcome::Failed)
        ]
    );
    assert_eq!(
        emu.calls()["StopInstances"]["ids"]["ins-run00000"]["applied"],
        1
    );
    // An instance of another region is not found in this one.
    let request = StopInstances::new("ap-guangzhou", vec!["ins-sha00000".into()]);
    let err = tencent(&emu).stop_instances(&request).unwrap_err();
    assert_api(&err, ErrorKind::NotFound, "InvalidInstanceId.NotFound", 200);
}

#[test]
fn stopping_a_stopped_instance_is_a_state_conflict_that_the_client_reads_as_already() {
    let emu = emulator();
    let request = StopInstances::new("ap-guangzhou", vec!["ins-stp00000".into()]);
    // The service refuses it; the client describes the instance, finds it STOPPED, and reports
    // it `already` with the refusal's code.
    let r = tencent(&emu).stop_instances(&request).unwrap();
    let outcome = &r.outcomes()[0];
    assert_eq!(outcome.outcome(), cloudhalt::Outcome::Already);
    assert_eq!(
        outcome.code(),
        Some("UnsupportedOperation.InstanceStateStopped")
    );
    assert_eq!(r.states()[0].state(), "STOPPED");
    assert_eq!(emu.calls()["StopInstances"]["applied"], 0);
}

#[test]
fn tat_invocation_errors() {
    let emu = emulator();
    let err = tencent(&emu)
        .cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-zzzzzzzz"))
        .unwrap_err();
    assert_api(
        &err,
        ErrorKind::NotFound,
        "ResourceNotFound.InvocationNotFound",
        200,
    );

    let mut request = CancelInvocation::new("ap-guangzhou", "inv-inv00001");
    request.set_instance_ids(Some(vec!["ins-run00099".into()]));
    let err = tencent(&emu).cancel_invocation(&request).unwrap_err();
    assert_api(
        &err,
        ErrorKind::InvalidParameter,
        "InvalidParameterValue.InstanceIsNotRelatedToInvocation",
        200,
    );
}

#[test]
fn refresh_activity_errors() {
    let emu = emulator();
    let err = tencent(&emu)
        .cancel_instance_refresh(&CancelInstanceRefresh::new("asg-grp00001", "asr-zzzzzzzz"))
        .unwrap_err();
    assert_api(
        &err,
        ErrorKind::NotFound,
        "ResourceNotFound.RefreshActivityNotFound",
        200,
    );
    let err = tencent(&emu)
        .cancel_instance_refresh(&CancelInstanceRefresh::new("asg-grp00001", "asr-act00002"))
        .unwrap_err();
    assert_api(
        &err,
        ErrorKind::StateConflict,
        "ResourceUnavailable.RefreshActivityStatusConflictWithOperation",
        200,
    );
}

#[test]
fn unknown_invoke_id_is_404() {
    let emu = emulator();
    let err = alibaba(&emu)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-doesnotexist"))
        .unwrap_err();
    assert_api(&err, ErrorKind::NotFound, "InvalidInvokeId.NotFound", 404);
    assert_eq!(err.provider(), Some(Provider::Alibaba));
}

#[test]
fn server_side_parameter_checks_tencent() {
    let emu = emulator();
    let cases: [(&str, Option<&str>, String, &str); 6] = [
        ("StopInstances", Some("ap-guangzhou"), r#"{"InstanceIds":["ins-BAD"]}"#.into(),
         "InvalidParameterValue.InstanceIdMalformed"),
        ("StopInstances", Some("ap-guangzhou"),
         serde_json::json!({"InstanceIds": (0..101).map(|i| format!("ins-run{i:05}")).collect::<Vec<_>>()}).to_string(),
         "InvalidParameterValue.LimitExceeded"),
        ("StopInstances", Some("ap-guangzhou"), "{}".into(), "MissingParameter"),
        ("StopInstances", Some("ap-guangzhou"), r#"{"InstanceIds":["ins-run00000"],"Foo":1}"#.into(),
         "UnknownParameter"),
        ("StopInstances", Some("ap-guangzhou"),
         r#"{"InstanceIds":["ins-run00000"],"ForceStop":true,"StopType":"HARD"}"#.into(),
         "InvalidParameterCombination"),
        ("CancelInvocation", None, r#"{"InvocationId":"inv-inv00001"}"#.into(), "MissingParameter"),
    ];
    for (action, region, body, code) in cases {
        let (status, answer) = RawTencent::new(action, region, &body).send(&emu);
        assert_eq!(status, 200);
        assert_eq!(tencent_code(&answer), code, "{body}: {answer}");
        assert_eq!(answer["Response"]["RequestId"].as_str().unwrap().len(), 36);
        assert_eq!(
            classify(Provider::Tencent, code),
            ErrorKind::InvalidParameter
        );
    }
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("RUNNING"));

    let mut raw = RawTencent::new("RebootInstances", Some("ap-guangzhou"), "{}");
    raw.service = "cvm";
    assert_eq!(tencent_code(&raw.send(&emu).1), "InvalidAction");
    let mut raw = RawTencent::new("StopInstances", Some("ap-guangzhou"), "{}");
    raw.version = "2099-01-01";
    assert_eq!(tencent_code(&raw.send(&emu).1), "NoSuchVersion");
}

#[test]
fn server_side_parameter_checks_alibaba() {
    let emu = emulator();
    let many: Vec<(String, String)> = (1..=51)
        .map(|i| (format!("InstanceId.{i}"), format!("i-bp67acfmxazb4p{i:04}")))
        .collect();
    let mut raw = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0003"),
    ]);
    raw.params.extend(many);
    let (status, answer) = raw.send(&emu);
    assert_eq!(
        (status, answer["Code"].as_str()),
        (403, Some("InstanceIds.ExceedLimit"))
    );
    assert_eq!(
        classify(Provider::Alibaba, "InstanceIds.ExceedLimit"),
        ErrorKind::InvalidParameter
    );

    let (status, answer) = RawAlibaba::new(&[("InvokeId", "t-hz0jdfwd9f0001")]).send(&emu);
    assert_eq!(status, 400);
    assert!(
        answer["Code"]
            .as_str()
            .unwrap()
            .starts_with("MissingParameter"),
        "{answer}"
    );
    assert!(answer["Message"].as_str().unwrap().contains("RegionId"));

    let (status, answer) = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0001"),
        ("Foo", "bar baz"),
    ])
    .send(&emu);
    assert_eq!(
        (status, answer["Code"].as_str()),
        (400, Some("UnknownParameter"))
    );
    // The documented error shape.
    for key in ["RequestId", "HostId", "Code", "Message", "Recommend"] {
        assert!(answer[key].is_string(), "{key} missing in {answer}");
    }
    assert_eq!(answer["HostId"], "ecs.cn-hangzhou.aliyuncs.com");
    // Nothing changed.
    assert_eq!(
        emu.state()["alibaba"]["invocations"][0]["InvocationStatus"],
        "Running"
    );
}

/// An input error from a typed client method names its provider and action, like the same error
/// through `call_json` does.
#[test]
fn input_errors_name_the_call() {
    let emu = emulator();
    let err = tencent(&emu)
        .stop_instances(&StopInstances::new("ap-guangzhou", vec!["ins-BAD".into()]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.provider(), Some(Provider::Tencent));
    assert_eq!(err.action(), Some("StopInstances"));
}
