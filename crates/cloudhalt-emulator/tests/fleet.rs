//! The fleet issue's "done when", end to end: the core client against the emulator enforcing the
//! documented rates with its sliding window, counting every request per ID.

mod common;

use cloudhalt::{Outcome, Pacing, Retry, StopInstances, StopInvocation, TerminateInstances};
use cloudhalt_emulator::{Fault, FaultKind, RunningEmulator};
use common::*;
use serde_json::{Value, json};

fn seed(emu: &RunningEmulator, n: usize) -> Vec<String> {
    let (status, answer) = control(
        emu,
        "POST",
        "/_emulator/seed",
        &json!({"tencent": {"region": "ap-guangzhou", "running": n, "prefix": "ins-flt"}}),
    );
    assert_eq!(status, 200, "{answer}");
    (0..n).map(|i| format!("ins-flt{i:05}")).collect()
}

fn calls(emu: &RunningEmulator, action: &str) -> Value {
    emu.calls()[action].clone()
}

/// The client as shipped: the documented pacing and the default retry policy.
fn fleet_client(emu: &RunningEmulator) -> cloudhalt::Tencent {
    tencent(emu)
        .with_retry(Retry::default())
        .unwrap()
        .with_rate_limit(Pacing::Documented)
        .unwrap()
}

fn quick() -> Retry {
    Retry {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(20),
        max_delay: std::time::Duration::from_millis(200),
    }
}

#[test]
fn a_thousand_ids_from_eight_threads_are_paced_under_the_documented_rate() {
    let emu = emulator();
    let ids = seed(&emu, 1000);
    let client = fleet_client(&emu).with_concurrency(8).unwrap();
    // Eight threads share one client: each stops its own 125 IDs (two requests each).
    std::thread::scope(|s| {
        for chunk in ids.chunks(125) {
            let client = client.clone();
            s.spawn(move || {
                let r = client
                    .stop_instances(&StopInstances::new("ap-guangzhou", chunk.to_vec()))
                    .unwrap();
                assert_eq!(r.outcomes().len(), 125);
                assert!(r.outcomes().iter().all(|o| o.outcome() == Outcome::Done));
            });
        }
    });
    let stop = calls(&emu, "StopInstances");
    assert_eq!(stop["throttled"], 0, "{stop}");
    assert_eq!(stop["received"], 16);
    for id in &ids {
        assert_eq!(stop["ids"][id]["applied"], 1, "{id}");
        assert_eq!(stop["ids"][id]["received"], 1, "{id}");
    }
}

#[test]
fn one_batch_of_a_thousand_ids_is_ten_requests_with_none_throttled() {
    let emu = emulator();
    let ids = seed(&emu, 1000);
    let client = fleet_client(&emu).with_concurrency(8).unwrap();
    let r = client
        .terminate_instances(&TerminateInstances::new("ap-guangzhou", ids.clone()))
        .unwrap();
    assert_eq!(r.outcomes().len(), 1000);
    assert_eq!(r.request_ids().len(), 10);
    let calls = calls(&emu, "TerminateInstances");
    assert_eq!(calls["throttled"], 0, "{calls}");
    assert_eq!(calls["received"], 10);
    assert!(ids.iter().all(|id| calls["ids"][id]["received"] == 1));
}

#[test]
fn without_the_limiter_the_same_burst_is_throttled_by_the_emulator() {
    // The control: proves the emulator's window would catch a client that does not pace.
    let emu = emulator();
    let ids = seed(&emu, 1500);
    let client = tencent(&emu)
        .with_concurrency(8)
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
        .with_retry(Retry::never())
        .unwrap();
    let _ = client.stop_instances(&StopInstances::new("ap-guangzhou", ids));
    assert!(calls(&emu, "StopInstances")["throttled"].as_u64().unwrap() > 0);
}

#[test]
fn one_request_in_three_failing_reports_the_failed_ids_and_the_rest_succeed() {
    let emu = emulator();
    let ids = seed(&emu, 600);
    let mut fault = Fault::new(FaultKind::Error);
    fault.action = Some("StopInstances".into());
    // A refusal that no describe can settle (a not-found or state refusal would be looked up
    // and the rest of its request sent again).
    fault.code = Some("UnauthorizedOperation".into());
    fault.every = Some(3);
    fault.forever = true;
    emu.add_fault(fault).unwrap();
    let err = fleet_client(&emu)
        .with_concurrency(1)
        .unwrap()
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap_err();
    let failed: Vec<&str> = err
        .outcomes()
        .iter()
        .filter(|o| o.outcome() == Outcome::Failed)
        .map(|o| o.id())
        .collect();
    assert_eq!(err.outcomes().len(), 600);
    // Requests 3 and 6 of six (IDs 200..299 and 500..599) failed; the others were applied.
    assert_eq!(failed.len(), 200);
    assert!(failed.contains(&"ins-flt00200") && failed.contains(&"ins-flt00599"));
    let calls = calls(&emu, "StopInstances");
    for (i, id) in ids.iter().enumerate() {
        let applied = if (200..300).contains(&i) || (500..600).contains(&i) {
            0
        } else {
            1
        };
        assert_eq!(calls["ids"][id]["applied"], applied, "{id}");
    }
}

#[test]
fn throttled_twice_every_operation_succeeds_with_three_attempts() {
    let emu = emulator();
    let throttle = |emu: &RunningEmulator| {
        let mut f = Fault::new(FaultKind::Throttle);
        f.count = 2;
        emu.add_fault(f).unwrap();
    };
    let tc = tencent(&emu).with_retry(quick()).unwrap();
    throttle(&emu);
    let r = tc
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    throttle(&emu);
    let r = tc
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-run00001".into()],
        ))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    throttle(&emu);
    let r = tc
        .cancel_invocation(&cloudhalt::CancelInvocation::new(
            "ap-guangzhou",
            "inv-inv00001",
        ))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    throttle(&emu);
    let r = tc
        .cancel_instance_refresh(&cloudhalt::CancelInstanceRefresh::new(
            "asg-grp00001",
            "asr-act00001",
        ))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    throttle(&emu);
    // Alibaba: three attempts, so three nonces the emulator accepted (it refuses a reused one).
    let r = alibaba(&emu)
        .with_retry(quick())
        .unwrap()
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    assert_eq!(r.request_ids().len(), 3);
}

#[test]
fn apply_then_drop_stop_ends_already_and_terminate_unknown_after_one_request() {
    let emu = emulator();
    let drop_next = |emu: &RunningEmulator, action: &str| {
        let mut f = Fault::new(FaultKind::Close);
        f.action = Some(action.into());
        emu.add_fault(f).unwrap();
    };
    let tc = tencent(&emu).with_retry(quick()).unwrap();
    drop_next(&emu, "StopInstances");
    let ids: Vec<String> = vec!["ins-run00010".into(), "ins-run00011".into()];
    let r = tc
        .stop_instances(&StopInstances::new("ap-guangzhou", ids.clone()))
        .unwrap();
    assert!(
        r.outcomes()
            .iter()
            .all(|o| matches!(o.outcome(), Outcome::Already | Outcome::Done)),
        "{:?}",
        r.outcomes()
    );
    assert_eq!(
        calls(&emu, "StopInstances")["ids"]["ins-run00010"]["applied"],
        1
    );

    // The lost terminate is never sent again: the client describes the instances instead, and
    // finds them gone (the emulator applied it), so the unknown outcome resolves to done.
    drop_next(&emu, "TerminateInstances");
    let r = tc
        .terminate_instances(&TerminateInstances::new("ap-guangzhou", ids))
        .unwrap();
    assert!(
        r.outcomes().iter().all(|o| o.outcome() == Outcome::Done),
        "{:?}",
        r.outcomes()
    );
    assert!(r.states().iter().all(|s| s.result() == "gone"));
    assert_eq!(calls(&emu, "TerminateInstances")["received"], 1);
}

#[test]
fn internal_error_forever_four_harmless_operations_give_up_and_terminate_sends_once() {
    let emu = emulator();
    let mut f = Fault::new(FaultKind::Error);
    f.code = Some("InternalError".into());
    f.forever = true;
    emu.add_fault(f).unwrap();
    let tc = tencent(&emu).with_retry(quick()).unwrap();
    let err = tc
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00020".into()],
        ))
        .unwrap_err();
    assert_eq!((err.attempts(), err.request_ids().len()), (3, 3));
    let err = tc
        .cancel_invocation(&cloudhalt::CancelInvocation::new(
            "ap-guangzhou",
            "inv-inv00001",
        ))
        .unwrap_err();
    assert_eq!((err.attempts(), err.request_ids().len()), (3, 3));
    let err = tc
        .cancel_instance_refresh(&cloudhalt::CancelInstanceRefresh::new(
            "asg-grp00001",
            "asr-act00001",
        ))
        .unwrap_err();
    assert_eq!((err.attempts(), err.request_ids().len()), (3, 3));
    let err = alibaba(&emu)
        .with_retry(quick())
        .unwrap()
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap_err();
    assert_eq!((err.attempts(), err.request_ids().len()), (3, 3));
    let err = tc
        .terminate_instances(&TerminateInstances::new(
            "ap-guangzhou",
            vec!["ins-run00021".into()],
        ))
        .unwrap_err();
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.outcomes()[0].outcome(), Outcome::Unknown);
    assert_eq!(calls(&emu, "TerminateInstances")["received"], 1);
}
