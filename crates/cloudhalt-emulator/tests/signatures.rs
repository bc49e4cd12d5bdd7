//! The emulator refuses what the providers refuse: a wrong secret, an unknown key, a body that
//! differs from the signed one, an old timestamp and a reused Alibaba nonce, each with its code.

mod common;

use cloudhalt::{ErrorKind, SendState, StopInstances, StopInvocation};
use cloudhalt_emulator::{ALIBABA_ACCESS_KEY_ID, TENCENT_SECRET_ID};
use common::*;

#[test]
fn wrong_secret_is_refused() {
    let emu = emulator();
    let t = tencent_with(&emu, TENCENT_SECRET_ID, "not-the-key", None);
    let err = t
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.SignatureFailure"));
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert!(err.request_id().is_some());
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("RUNNING"));

    let a = alibaba_with(&emu, ALIBABA_ACCESS_KEY_ID, "not-the-secret", None);
    let err = a
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(err.http_status(), Some(400));
    assert!(err.request_id().is_some());
    assert_eq!(
        emu.state()["alibaba"]["invocations"][0]["InvocationStatus"],
        "Running"
    );
}

#[test]
fn unknown_keys_are_refused() {
    let emu = emulator();
    let err = tencent_with(&emu, "AKIDunknown", "k", None)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap_err();
    assert_eq!(err.code(), Some("AuthFailure.SecretIdNotFound"));
    assert_eq!(err.kind(), ErrorKind::Auth);
    let err = alibaba_with(&emu, "LTAIunknown", "s", None)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId.NotFound"));
    assert_eq!(err.kind(), ErrorKind::Auth);
}

#[test]
fn a_changed_body_is_refused() {
    let emu = emulator();
    let mut raw = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00000"]}"#,
    );
    raw.sent_body = Some(r#"{"InstanceIds":["ins-run00001"]}"#);
    let (_, answer) = raw.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureFailure");
    assert_eq!(cvm_state(&emu, "ins-run00001").as_deref(), Some("RUNNING"));
    // The same request unchanged is accepted: the refusal was the body, not the helper.
    raw.sent_body = None;
    let (_, answer) = raw.send(&emu);
    assert!(answer["Response"]["Error"].is_null(), "{answer}");

    let mut raw = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0001"),
    ]);
    raw.sent_body = "InvokeId=t-hz0jdfwd9f0003";
    let (status, answer) = raw.send(&emu);
    assert_eq!(
        (status, answer["Code"].as_str()),
        (400, Some("SignatureDoesNotMatch"))
    );
}

#[test]
fn an_old_timestamp_is_refused() {
    let emu = emulator();
    let mut raw = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00000"]}"#,
    );
    raw.timestamp = now() - 301;
    let (_, answer) = raw.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureExpire");
    raw.timestamp = now() - 200;
    let (_, answer) = raw.send(&emu);
    assert!(
        answer["Response"]["Error"].is_null(),
        "within 5 minutes is accepted: {answer}"
    );

    let mut raw = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0002"),
    ]);
    raw.date = now() - 16 * 60;
    let (status, answer) = raw.send(&emu);
    assert_eq!(
        (status, answer["Code"].as_str()),
        (400, Some("InvalidTimeStamp.Expired"))
    );
}

#[test]
fn a_reused_nonce_is_refused() {
    let emu = emulator();
    let raw = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0002"),
    ]);
    let (status, first) = raw.send(&emu);
    assert_eq!(status, 200, "{first}");
    let (status, second) = raw.send(&emu);
    assert_eq!(
        (status, second["Code"].as_str()),
        (400, Some("SignatureNonceUsed"))
    );
    assert_eq!(
        cloudhalt::classify(cloudhalt::Provider::Alibaba, "SignatureNonceUsed"),
        ErrorKind::Auth
    );
}

#[test]
fn any_signed_header_set_verifies() {
    let emu = emulator();
    let mut raw = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00030"]}"#,
    );
    raw.sign_action_header = true;
    let (_, answer) = raw.send(&emu);
    assert!(answer["Response"]["Error"].is_null(), "{answer}");
    assert_eq!(
        emu.state()["lastCall"]["tencent"]["signedHeaders"],
        "content-type;host;x-tc-action"
    );
}

#[test]
fn auth_refusals_were_answered() {
    let emu = emulator();
    let err = tencent_with(&emu, TENCENT_SECRET_ID, "wrong", None)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap_err();
    assert_eq!(err.send_state(), SendState::Answered);
    assert_eq!(
        emu.state()["requests"]["StopInstances"],
        0,
        "refused calls are not counted"
    );
}
