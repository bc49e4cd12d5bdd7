//! Each fault mode, seen through the core client: what kind of error it becomes and whether the
//! client knows the request may have been sent. Also the per-action rate limits.

mod common;

use std::time::Duration;

use cloudhalt::{ErrorKind, SendState, StopInstances, StopInvocation};
use cloudhalt_emulator::{Fault, FaultKind, FaultProvider, SettingsUpdate};
use common::*;

fn stop(id: &str) -> StopInstances {
    StopInstances::new("ap-guangzhou", vec![id.into()])
}

fn stop_invocation() -> StopInvocation {
    StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001")
}

#[test]
fn throttle_fault() {
    let emu = emulator();
    emu.add_fault(Fault {
        count: 2,
        ..Fault::new(FaultKind::Throttle)
    })
    .unwrap();
    for _ in 0..2 {
        let err = tencent(&emu)
            .stop_instances(&stop("ins-run00000"))
            .unwrap_err();
        assert_eq!(err.code(), Some("RequestLimitExceeded"));
        assert_eq!(err.kind(), ErrorKind::Throttled);
        assert_eq!(err.http_status(), Some(200));
        assert!(err.request_id().is_some());
    }
    tencent(&emu).stop_instances(&stop("ins-run00000")).unwrap();

    emu.add_fault(Fault::new(FaultKind::Throttle)).unwrap();
    let err = alibaba(&emu)
        .stop_invocation(&stop_invocation())
        .unwrap_err();
    assert_eq!(err.code(), Some("Throttling.User"));
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert_eq!(err.http_status(), Some(400));
    assert!(err.request_id().is_some());
}

#[test]
fn error_fault_applies_only_to_its_provider() {
    let emu = emulator();
    emu.add_fault(Fault {
        provider: Some(FaultProvider::Alibaba),
        code: Some("InternalError".into()),
        message: Some("The request processing has failed due to some unknown error.".into()),
        ..Fault::new(FaultKind::Error)
    })
    .unwrap();
    emu.add_fault(Fault {
        provider: Some(FaultProvider::Tencent),
        code: Some("FailedOperation.Unreturnable".into()),
        ..Fault::new(FaultKind::Error)
    })
    .unwrap();
    let err = tencent(&emu)
        .stop_instances(&stop("ins-run00000"))
        .unwrap_err();
    assert_eq!(err.code(), Some("FailedOperation.Unreturnable"));
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.http_status(), Some(200));
    let err = alibaba(&emu)
        .stop_invocation(&stop_invocation())
        .unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.http_status(), Some(500));
    assert!(err.request_id().is_some());
    // Consumed: the next calls succeed.
    tencent(&emu).stop_instances(&stop("ins-run00000")).unwrap();
    alibaba(&emu).stop_invocation(&stop_invocation()).unwrap();
}

#[test]
fn tencent_error_fault_with_http_status() {
    let emu = emulator();
    emu.add_fault(Fault {
        code: Some("InternalError".into()),
        http_status: Some(500),
        ..Fault::new(FaultKind::Error)
    })
    .unwrap();
    let err = tencent(&emu)
        .stop_instances(&stop("ins-run00000"))
        .unwrap_err();
    assert_eq!(err.code(), Some("InternalError"));
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.http_status(), Some(500));
}

#[test]
fn http_status_fault() {
    let emu = emulator();
    emu.add_fault(Fault {
        http_status: Some(502),
        body: Some("Bad Gateway".into()),
        count: 2,
        ..Fault::new(FaultKind::HttpStatus)
    })
    .unwrap();
    let err = tencent(&emu)
        .stop_instances(&stop("ins-run00000"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.http_status(), Some(502));
    assert_eq!(err.code(), None);
    assert_eq!(err.send_state(), SendState::Answered);
    let err = alibaba(&emu)
        .stop_invocation(&stop_invocation())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);
    assert_eq!(err.http_status(), Some(502));
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("RUNNING"));
}

#[test]
fn latency_fault_with_a_client_timeout() {
    let emu = emulator();
    emu.add_fault(Fault {
        ms: Some(1500),
        ..Fault::new(FaultKind::Latency)
    })
    .unwrap();
    let client = tencent(&emu)
        .with_timeout(Duration::from_millis(300))
        .unwrap();
    let err = client.stop_instances(&stop("ins-run00000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    // The delayed request still took effect: exactly what SentNoAnswer warns about.
    std::thread::sleep(Duration::from_millis(1600));
    assert_eq!(cvm_state(&emu, "ins-run00000").as_deref(), Some("STOPPED"));

    // A latency within the timeout is only slower.
    emu.add_fault(Fault {
        ms: Some(100),
        ..Fault::new(FaultKind::Latency)
    })
    .unwrap();
    tencent(&emu).stop_instances(&stop("ins-run00001")).unwrap();
}

#[test]
fn close_fault() {
    let emu = emulator();
    emu.add_fault(Fault::new(FaultKind::Close)).unwrap();
    let err = tencent(&emu)
        .stop_instances(&stop("ins-run00000"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    assert_eq!(err.request_id(), None);
    assert_eq!(
        cvm_state(&emu, "ins-run00000").as_deref(),
        Some("STOPPED"),
        "the call took effect"
    );

    emu.add_fault(Fault::new(FaultKind::Close)).unwrap();
    let err = alibaba(&emu)
        .stop_invocation(&stop_invocation())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    // The same client (and connection pool) works again afterwards.
    tencent(&emu).stop_instances(&stop("ins-run00001")).unwrap();
}

#[test]
fn truncate_fault() {
    let emu = emulator();
    emu.add_fault(Fault {
        provider: Some(FaultProvider::Tencent),
        ..Fault::new(FaultKind::Truncate)
    })
    .unwrap();
    let client = tencent(&emu).with_timeout(Duration::from_secs(5)).unwrap();
    let err = client.stop_instances(&stop("ins-run00000")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);

    emu.add_fault(Fault::new(FaultKind::Truncate)).unwrap();
    let err = alibaba(&emu)
        .with_timeout(Duration::from_secs(5))
        .unwrap()
        .stop_invocation(&stop_invocation())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
}

#[test]
fn rate_limits_throttle_per_action() {
    let emu = emulator();
    emu.configure(SettingsUpdate {
        rate_limits: Some(
            [
                ("StopInstances".to_owned(), 3),
                ("StopInvocation".to_owned(), 3),
            ]
            .into(),
        ),
        ..SettingsUpdate::default()
    });
    // 8 calls inside at most two one-second windows: at most 6 pass, so at least 2 are throttled.
    let client = tencent(&emu);
    let throttled = (0..8)
        .filter(
            |i| match client.stop_instances(&stop(&format!("ins-run{:05}", 40 + i))) {
                Ok(_) => false,
                Err(e) => {
                    assert_eq!(e.code(), Some("RequestLimitExceeded"));
                    true
                }
            },
        )
        .count();
    assert!((2..=5).contains(&throttled), "{throttled} throttled");
    // Another action has its own budget.
    tencent(&emu)
        .cancel_invocation(&cloudhalt::CancelInvocation::new(
            "ap-guangzhou",
            "inv-inv00002",
        ))
        .unwrap();

    let client = alibaba(&emu);
    let throttled = (0..8)
        .filter(|_| {
            match client.stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0002")) {
                Ok(_) => false,
                Err(e) => {
                    assert_eq!(e.code(), Some("Throttling.User"));
                    assert_eq!(e.http_status(), Some(400));
                    true
                }
            }
        })
        .count();
    assert!((2..=5).contains(&throttled), "{throttled} throttled");

    // 0 disables the limit.
    emu.configure(SettingsUpdate {
        rate_limits: Some([("StopInvocation".to_owned(), 0)].into()),
        ..SettingsUpdate::default()
    });
    for _ in 0..30 {
        client
            .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0002"))
            .unwrap();
    }
}

#[test]
fn the_default_limit_is_the_documented_one() {
    let emu = emulator();
    assert_eq!(emu.state()["config"]["rateLimits"]["StopInstances"], 10);
    assert_eq!(emu.state()["config"]["rateLimits"]["StopInvocation"], 20);
    assert_eq!(emu.state()["config"]["timestampWindowSecs"], 300);
}
