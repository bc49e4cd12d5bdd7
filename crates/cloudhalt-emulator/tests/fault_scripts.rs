//! Fault scripts over the control API: how many times a fault fires (`count`, `forever`), on
//! which of the matching requests (`every`, `offset`), in queue order; the connection cuts that
//! tell "applied, answer lost" from "lost before it was applied"; and the throttle and 503
//! answers a retrying client must recognise.

mod common;

use cloudhalt::{ErrorKind, SendState, StopInstances, StopInvocation};
use common::*;
use serde_json::{Value, json};

fn stop(id: &str) -> StopInstances {
    StopInstances::new("ap-guangzhou", vec![id.into()])
}

fn run(i: usize) -> String {
    format!("ins-run{i:05}")
}

/// A raw StopInstances of `id`: "" on success, else the error code.
fn raw_stop(emu: &cloudhalt_emulator::RunningEmulator, id: &str) -> String {
    let body = format!(r#"{{"InstanceIds":["{id}"]}}"#);
    let (status, answer) = RawTencent::new("StopInstances", Some("ap-guangzhou"), &body).send(emu);
    assert_eq!(status, 200, "{answer}");
    tencent_code(&answer).to_owned()
}

/// The numbers (from 1) of the requests among `n` StopInstances that failed with `code`, each
/// of another instance: ins-run(base + 1), ins-run(base + 2), ...
fn failing(
    emu: &cloudhalt_emulator::RunningEmulator,
    base: usize,
    n: usize,
    code: &str,
) -> Vec<usize> {
    (1..=n)
        .filter(|i| {
            let got = raw_stop(emu, &run(base + *i));
            assert!(got.is_empty() || got == code, "request {i}: {got}");
            got == code
        })
        .collect()
}

fn internal_error() -> Value {
    json!({"kind": "error", "code": "InternalError", "action": "StopInstances"})
}

fn with(mut spec: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    spec
}

#[test]
fn throttle_the_next_two_stop_instances() {
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "throttle", "action": "StopInstances", "count": 2}),
    );
    // Another action is not touched.
    tencent(&emu)
        .cancel_invocation(&cloudhalt::CancelInvocation::new(
            "ap-guangzhou",
            "inv-inv00002",
        ))
        .unwrap();
    for _ in 0..2 {
        let err = tencent(&emu).stop_instances(&stop(&run(0))).unwrap_err();
        assert_eq!(err.code(), Some("RequestLimitExceeded"));
        assert_eq!(err.kind(), ErrorKind::Throttled);
        assert_eq!(err.http_status(), Some(200));
    }
    tencent(&emu).stop_instances(&stop(&run(0))).unwrap();
    let (_, faults) = control(&emu, "GET", "/_emulator/faults", &json!({}));
    assert_eq!(faults, json!([]), "used up");
}

#[test]
fn one_request_in_three_forever() {
    let emu = emulator();
    add_fault(
        &emu,
        with(internal_error(), json!({"every": 3, "forever": true})),
    );
    assert_eq!(failing(&emu, 0, 10, "InternalError"), [3, 6, 9]);
    let (_, faults) = control(&emu, "GET", "/_emulator/faults", &json!({}));
    assert_eq!(faults[0]["seen"], 10, "{faults}");
    assert_eq!(faults[0]["fired"], 3, "{faults}");
    assert_eq!(faults[0]["forever"], true, "{faults}");
}

#[test]
fn offset_shifts_the_turns() {
    let emu = emulator();
    add_fault(
        &emu,
        with(
            internal_error(),
            json!({"every": 3, "offset": 1, "forever": true}),
        ),
    );
    assert_eq!(failing(&emu, 0, 10, "InternalError"), [4, 7, 10]);

    let emu = emulator();
    add_fault(
        &emu,
        with(
            internal_error(),
            json!({"every": 3, "offset": -2, "forever": true}),
        ),
    );
    assert_eq!(failing(&emu, 0, 8, "InternalError"), [1, 4, 7]);

    // Without every: the first `offset` pass, then `count` fire.
    let emu = emulator();
    add_fault(
        &emu,
        with(internal_error(), json!({"offset": 2, "count": 2})),
    );
    assert_eq!(failing(&emu, 0, 6, "InternalError"), [3, 4]);
}

#[test]
fn count_is_how_many_times_an_every_fault_fires() {
    let emu = emulator();
    add_fault(
        &emu,
        with(internal_error(), json!({"every": 2, "count": 2})),
    );
    assert_eq!(failing(&emu, 0, 8, "InternalError"), [2, 4]);
    // Without count: once.
    add_fault(&emu, with(internal_error(), json!({"every": 2})));
    assert_eq!(failing(&emu, 20, 5, "InternalError"), [2]);
}

#[test]
fn faults_match_in_queue_order_and_each_counts_every_matching_request() {
    let emu = emulator();
    // Queued first: throttles the 2nd and 4th StopInstances.
    add_fault(
        &emu,
        json!({"kind": "throttle", "action": "StopInstances", "every": 2, "count": 2}),
    );
    // Queued second: its turn is every request, but the throttle goes first when both are due.
    add_fault(&emu, with(internal_error(), json!({"count": 2})));
    let codes: Vec<String> = (1..=5).map(|i| raw_stop(&emu, &run(i))).collect();
    assert_eq!(
        codes,
        [
            "InternalError",
            "RequestLimitExceeded",
            "InternalError",
            "RequestLimitExceeded",
            ""
        ]
    );
    // A fault for another provider or action does not see these requests at all.
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "error", "code": "InternalError", "action": "CancelInvocation", "every": 2}),
    );
    add_fault(
        &emu,
        json!({"kind": "error", "code": "InternalError", "provider": "alibaba"}),
    );
    assert_eq!(failing(&emu, 0, 3, "InternalError"), Vec::<usize>::new());
    let (_, faults) = control(&emu, "GET", "/_emulator/faults", &json!({}));
    assert_eq!(faults[0]["seen"], 0);
    assert_eq!(faults[1]["seen"], 0);
}

#[test]
fn apply_then_drop_applies_the_call_and_loses_the_answer() {
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "apply_then_drop", "action": "StopInstances", "every": 2, "forever": true}),
    );
    let client = tencent(&emu);
    client.stop_instances(&stop(&run(1))).unwrap();
    let err = client.stop_instances(&stop(&run(2))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    assert_eq!(
        cvm_state(&emu, &run(2)).as_deref(),
        Some("STOPPED"),
        "applied"
    );
    client.stop_instances(&stop(&run(3))).unwrap();
    let err = client.stop_instances(&stop(&run(4))).unwrap_err();
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    assert_eq!(
        cvm_state(&emu, &run(4)).as_deref(),
        Some("STOPPED"),
        "applied"
    );
    client.stop_instances(&stop(&run(5))).unwrap();
    // The 6th is applied and its answer lost; sent again, the service answers that it is
    // stopped already, which the client reads (after describing it) as `already`.
    let err = client.stop_instances(&stop(&run(6))).unwrap_err();
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    let r = client.stop_instances(&stop(&run(6))).unwrap();
    assert_eq!(r.outcomes()[0].outcome(), cloudhalt::Outcome::Already);
    assert_eq!(
        r.outcomes()[0].code(),
        Some("UnsupportedOperation.InstanceStateStopped")
    );
    let (_, faults) = control(&emu, "GET", "/_emulator/faults", &json!({}));
    assert_eq!(
        faults[0]["kind"], "close",
        "apply_then_drop is the close kind"
    );
}

#[test]
fn drop_before_apply_loses_the_call_itself() {
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "drop_before_apply", "action": "StopInstances"}),
    );
    let client = tencent(&emu);
    let err = client.stop_instances(&stop(&run(1))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    assert_eq!(
        cvm_state(&emu, &run(1)).as_deref(),
        Some("RUNNING"),
        "not applied"
    );
    assert_eq!(emu.state()["requests"]["StopInstances"], 0);
    client.stop_instances(&stop(&run(1))).unwrap();
    assert_eq!(cvm_state(&emu, &run(1)).as_deref(), Some("STOPPED"));

    add_fault(
        &emu,
        json!({"kind": "drop_before_apply", "provider": "alibaba", "forever": true}),
    );
    for _ in 0..2 {
        let err = alibaba(&emu)
            .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
            .unwrap_err();
        assert_eq!(err.send_state(), SendState::SentNoAnswer);
    }
    let invocation = emu.state()["alibaba"]["invocations"][0].clone();
    assert_eq!(invocation["InvocationStatus"], "Running", "{invocation}");
}

#[test]
fn http_503_with_an_empty_body() {
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "http_status", "httpStatus": 503, "body": "", "count": 2}),
    );
    let answer = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00001"]}"#,
    )
    .send_raw(&emu);
    assert_eq!(answer.status, 503);
    assert_eq!(answer.text, "");
    assert_eq!(answer.header("content-length"), Some("0"));
    let err = tencent(&emu).stop_instances(&stop(&run(1))).unwrap_err();
    assert_eq!(err.http_status(), Some(503));
    assert_eq!(err.code(), None);
    assert_eq!(cvm_state(&emu, &run(1)).as_deref(), Some("RUNNING"));
}

#[test]
fn throttle_sub_codes_and_alibaba_retry_after() {
    let emu = emulator();
    add_fault(
        &emu,
        json!({"kind": "throttle", "provider": "tencent", "code": "RequestLimitExceeded.UinLimitExceeded", "retryAfterMs": 1500}),
    );
    let answer = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00001"]}"#,
    )
    .send_raw(&emu);
    let (status, body) = answer.json();
    assert_eq!(status, 200);
    assert_eq!(tencent_code(&body), "RequestLimitExceeded.UinLimitExceeded");
    assert_eq!(
        answer.header("x-acs-retry-after"),
        None,
        "Tencent has no such header"
    );

    add_fault(
        &emu,
        json!({"kind": "throttle", "action": "StopInvocation", "retryAfterMs": 1500}),
    );
    let answer = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0001"),
    ])
    .send_raw(&emu);
    let (status, body) = answer.json();
    assert_eq!(
        (status, body["Code"].as_str()),
        (400, Some("Throttling.User"))
    );
    assert_eq!(answer.header("x-acs-retry-after"), Some("1500"));

    // On another fault kind too, and only on the faulted answer.
    add_fault(
        &emu,
        json!({"kind": "error", "code": "ServiceUnavailable", "httpStatus": 503, "provider": "alibaba", "retryAfterMs": 20}),
    );
    let answer = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0001"),
    ])
    .send_raw(&emu);
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("x-acs-retry-after"), Some("20"));
    let answer = RawAlibaba::new(&[
        ("RegionId", "cn-hangzhou"),
        ("InvokeId", "t-hz0jdfwd9f0001"),
    ])
    .send_raw(&emu);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("x-acs-retry-after"), None);

    // Alibaba's throttle with another code.
    let alibaba_code = |spec: Value| {
        add_fault(&emu, spec);
        let (status, body) = RawAlibaba::new(&[
            ("RegionId", "cn-hangzhou"),
            ("InvokeId", "t-hz0jdfwd9f0001"),
        ])
        .send(&emu);
        (status, body["Code"].as_str().unwrap_or("").to_owned())
    };
    assert_eq!(
        alibaba_code(json!({"kind": "throttle", "code": "Throttling.Api"})),
        (400, "Throttling.Api".to_owned())
    );
}

#[test]
fn bad_scripts_are_refused_naming_the_field() {
    let emu = emulator();
    for (spec, word) in [
        (json!({"kind": "throttle", "every": 0}), "every"),
        (
            json!({"kind": "throttle", "every": 3, "offset": -3}),
            "offset",
        ),
        (json!({"kind": "throttle", "count": 0}), "forever"),
        (json!({"kind": "throttle", "code": ""}), "code"),
        (json!({"kind": "throttle", "evry": 2}), "evry"),
        (json!({"kind": "drop_after_apply"}), "drop_after_apply"),
    ] {
        let (status, answer) = control(&emu, "POST", "/_emulator/faults", &spec);
        assert_eq!(status, 400, "{spec} accepted");
        let error = answer["error"].as_str().unwrap();
        assert!(error.contains(word), "{spec}: {error}");
    }
    // count 0 is fine with forever.
    add_fault(
        &emu,
        json!({"kind": "throttle", "count": 0, "forever": true}),
    );
}
