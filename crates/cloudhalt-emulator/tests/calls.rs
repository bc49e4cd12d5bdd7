//! The call counters of `GET /_emulator/calls`: per action, requests received, applied and
//! throttled, and per ID named, received and applied.

mod common;

use cloudhalt::{CancelInstanceRefresh, CancelInvocation, StopInstances, StopInvocation};
use common::*;
use serde_json::json;

fn stop(ids: &[&str]) -> StopInstances {
    StopInstances::new(
        "ap-guangzhou",
        ids.iter().map(|s| (*s).to_owned()).collect(),
    )
}

#[test]
fn every_outcome_of_a_stop_instances_is_counted() {
    let emu = emulator();
    let client = tencent(&emu);
    // 1: applied, two IDs.
    client
        .stop_instances(&stop(&["ins-run00000", "ins-run00001"]))
        .unwrap();
    // 2: throttled by a fault.
    add_fault(&emu, json!({"kind": "throttle", "action": "StopInstances"}));
    client.stop_instances(&stop(&["ins-run00002"])).unwrap_err();
    // 3: lost before it was applied.
    add_fault(
        &emu,
        json!({"kind": "drop_before_apply", "action": "StopInstances"}),
    );
    client.stop_instances(&stop(&["ins-run00002"])).unwrap_err();
    // 4: applied, then the answer lost.
    add_fault(
        &emu,
        json!({"kind": "apply_then_drop", "action": "StopInstances"}),
    );
    client.stop_instances(&stop(&["ins-run00002"])).unwrap_err();
    // 5: refused by the service (already stopping): received, not applied. The client then
    // describes it and reports it `already` (a read, not counted here).
    let r = client.stop_instances(&stop(&["ins-run00002"])).unwrap();
    assert_eq!(r.outcomes()[0].outcome(), cloudhalt::Outcome::Already);
    // 6: an injected error.
    add_fault(&emu, json!({"kind": "error", "code": "InternalError"}));
    client.stop_instances(&stop(&["ins-run00003"])).unwrap_err();

    let calls = emu.calls();
    assert_eq!(
        calls["StopInstances"],
        json!({
            "received": 6, "applied": 2, "throttled": 1,
            "ids": {
                "ins-run00000": {"received": 1, "applied": 1},
                "ins-run00001": {"received": 1, "applied": 1},
                "ins-run00002": {"received": 4, "applied": 1},
                "ins-run00003": {"received": 1, "applied": 0},
            }
        })
    );
    // Every action is listed, called or not; the control endpoint and the state agree.
    assert_eq!(
        calls["TerminateInstances"],
        json!({"received": 0, "applied": 0, "throttled": 0, "ids": {}})
    );
    let (status, over_http) = control(&emu, "GET", "/_emulator/calls", &json!({}));
    assert_eq!(status, 200);
    assert_eq!(over_http, calls);
    assert_eq!(emu.state()["calls"], calls);
    // The older "requests" count is unchanged: calls handled with success (the answer of the
    // apply_then_drop one was lost afterwards).
    assert_eq!(emu.state()["requests"]["StopInstances"], 2);

    control(&emu, "POST", "/_emulator/reset", &json!({}));
    assert_eq!(emu.calls()["StopInstances"]["received"], 0);
    assert_eq!(emu.calls()["StopInstances"]["ids"], json!({}));
}

#[test]
fn the_rate_limiter_counts_as_throttled() {
    let emu = emulator();
    emu.configure(cloudhalt_emulator::SettingsUpdate {
        rate_limits: Some([("StopInstances".to_owned(), 1)].into()),
        ..Default::default()
    });
    let client = tencent(&emu);
    client.stop_instances(&stop(&["ins-run00000"])).unwrap();
    let err = client.stop_instances(&stop(&["ins-run00001"])).unwrap_err();
    assert_eq!(err.code(), Some("RequestLimitExceeded"));
    let calls = &emu.calls()["StopInstances"];
    assert_eq!(
        (&calls["received"], &calls["applied"], &calls["throttled"]),
        (&json!(2), &json!(1), &json!(1))
    );
    assert_eq!(
        calls["ids"]["ins-run00001"],
        json!({"received": 1, "applied": 0})
    );
}

#[test]
fn the_other_ids_are_counted_too() {
    let emu = emulator();
    tencent(&emu)
        .cancel_invocation(&CancelInvocation::on_instances(
            "ap-guangzhou",
            "inv-inv00001",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    tencent(&emu)
        .cancel_instance_refresh(&CancelInstanceRefresh::new("asg-grp00001", "asr-act00001"))
        .unwrap();
    alibaba(&emu)
        .stop_invocation(&StopInvocation::on_instances(
            "cn-hangzhou",
            "t-hz0jdfwd9f0003",
            vec!["i-bp67acfmxazb4p0001".into(), "i-bp67acfmxazb4p0002".into()],
        ))
        .unwrap();
    let calls = emu.calls();
    let one = json!({"received": 1, "applied": 1});
    assert_eq!(
        calls["CancelInvocation"]["ids"],
        json!({"inv-inv00001": one, "ins-run00000": one})
    );
    assert_eq!(
        calls["CancelInstanceRefresh"]["ids"],
        json!({"asr-act00001": one}),
        "the scaling group is not an ID counted"
    );
    assert_eq!(
        calls["StopInvocation"]["ids"],
        json!({"t-hz0jdfwd9f0003": one, "i-bp67acfmxazb4p0001": one, "i-bp67acfmxazb4p0002": one})
    );
}

#[test]
fn raw_requests_count_by_what_they_name() {
    let emu = emulator();
    // An ID listed twice is one request naming it.
    let (_, answer) = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00005","ins-run00005"]}"#,
    )
    .send(&emu);
    assert_eq!(tencent_code(&answer), "", "{answer}");
    // A GET names its IDs in the query.
    let (_, answer) = RawTencentGet::new(
        "StopInstances",
        Some("ap-guangzhou"),
        "InstanceIds.0=ins-run00006&InstanceIds.1=ins-run00007",
    )
    .send(&emu);
    assert_eq!(tencent_code(&answer), "", "{answer}");
    // A bad signature still reached dispatch: received.
    let mut bad = RawTencent::new(
        "StopInstances",
        Some("ap-guangzhou"),
        r#"{"InstanceIds":["ins-run00008"]}"#,
    );
    bad.secret_key = "wrong";
    let (_, answer) = bad.send(&emu);
    assert_eq!(tencent_code(&answer), "AuthFailure.SignatureFailure");
    // An action the emulator does not answer is not counted at all, even when a fault throttles it.
    let (_, answer) = RawTencent::new("RunInstances", Some("ap-guangzhou"), "{}").send(&emu);
    assert_eq!(tencent_code(&answer), "InvalidAction");
    add_fault(&emu, json!({"kind": "throttle", "action": "RunInstances"}));
    let (_, answer) = RawTencent::new("RunInstances", Some("ap-guangzhou"), "{}").send(&emu);
    assert_eq!(tencent_code(&answer), "RequestLimitExceeded");
    // An Alibaba InvokeId that does not exist: received, not applied.
    RawAlibaba::new(&[("RegionId", "cn-hangzhou"), ("InvokeId", "t-nothere0001")]).send(&emu);

    let calls = emu.calls();
    let stop = &calls["StopInstances"];
    assert_eq!(stop["received"], 3);
    assert_eq!(stop["applied"], 2);
    assert_eq!(
        stop["ids"]["ins-run00005"],
        json!({"received": 1, "applied": 1})
    );
    assert_eq!(
        stop["ids"]["ins-run00006"],
        json!({"received": 1, "applied": 1})
    );
    assert_eq!(
        stop["ids"]["ins-run00007"],
        json!({"received": 1, "applied": 1})
    );
    assert_eq!(
        stop["ids"]["ins-run00008"],
        json!({"received": 1, "applied": 0})
    );
    assert!(calls.get("RunInstances").is_none(), "{calls}");
    assert_eq!(
        calls["StopInvocation"]["ids"]["t-nothere0001"],
        json!({"received": 1, "applied": 0})
    );
}
