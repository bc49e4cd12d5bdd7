//! Fleet behaviour of the engine against a scripted peer that records every request: retries
//! that never make things worse, pacing, batches with per-ID outcomes, the audit log and resume.
//!
//! The peer is raw TCP so that it can do what a provider under stress does: answer a throttle,
//! an internal error, a bare 503, or apply a request and drop the connection without answering.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{Arrived, Peer, Reply};

use cloudhalt::{
    Alibaba, AlibabaCredentials, AuditLog, ErrorKind, Outcome, Pacing, Resume, Retry, SendState,
    StopInstances, StopInvocation, Tencent, TencentCredentials, TerminateInstances,
};

fn tc_ok(i: usize) -> Reply {
    Reply::Answer(200, format!(r#"{{"Response":{{"RequestId":"ok-{i}"}}}}"#))
}

fn tc_error(i: usize, code: &str) -> Reply {
    Reply::Answer(
        200,
        format!(
            r#"{{"Response":{{"RequestId":"err-{i}","Error":{{"Code":"{code}","Message":"scripted {code}"}}}}}}"#
        ),
    )
}

fn ali_ok(i: usize) -> Reply {
    Reply::Answer(200, format!(r#"{{"RequestId":"OK-{i}"}}"#))
}

fn ali_error(i: usize, status: u16, code: &str) -> Reply {
    Reply::Answer(
        status,
        format!(r#"{{"RequestId":"ERR-{i}","Code":"{code}","Message":"scripted"}}"#),
    )
}

/// A fast policy, so that the tests do not sleep for real backoffs.
fn quick(max_attempts: u32) -> Retry {
    Retry {
        max_attempts,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
    }
}

fn tencent(peer: &Peer, retry: Retry) -> Tencent {
    Tencent::new(TencentCredentials::new("AKIDfleet", "fleet-secret-key-0123", None).unwrap())
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(retry)
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn alibaba(peer: &Peer, retry: Retry) -> Alibaba {
    Alibaba::new(AlibabaCredentials::new("LTAIfleet", "fleet-secret-0123456", None).unwrap())
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(retry)
        .unwrap()
}

fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("ins-f{i:07}")).collect()
}

fn stop(n: usize) -> StopInstances {
    StopInstances::new("ap-guangzhou", ids(n))
}

fn terminate(n: usize) -> TerminateInstances {
    TerminateInstances::new("ap-guangzhou", ids(n))
}

fn outcomes(list: &[cloudhalt::IdOutcome]) -> Vec<(String, Outcome)> {
    list.iter()
        .map(|o| (o.id().to_owned(), o.outcome()))
        .collect()
}

#[test]
fn a_throttled_request_is_retried_and_every_request_id_is_kept() {
    let peer = Peer::start(|i, _| {
        if i < 2 {
            tc_error(i, "RequestLimitExceeded")
        } else {
            tc_ok(i)
        }
    });
    let r = tencent(&peer, quick(3))
        .terminate_instances(&terminate(1))
        .unwrap();
    assert_eq!(r.attempts(), 3);
    assert_eq!(r.request_ids(), ["err-0", "err-1", "ok-2"]);
    assert_eq!(r.request_id(), "ok-2");
    assert_eq!(
        outcomes(r.outcomes()),
        [("ins-f0000000".into(), Outcome::Done)]
    );
    assert_eq!(peer.arrived().len(), 3);
}

#[test]
fn alibaba_signs_every_attempt_afresh_and_honours_retry_after() {
    let peer = Peer::start(|i, _| {
        if i < 2 {
            Reply::AnswerWith(
                400,
                format!(r#"{{"RequestId":"T-{i}","Code":"Throttling.User","Message":"slow"}}"#),
                ("x-acs-retry-after", "30".into()),
            )
        } else {
            ali_ok(i)
        }
    });
    // A base delay of 10 s would make this test take 10+ s; the header says 30 ms.
    let slow = Retry {
        max_attempts: 3,
        base_delay: Duration::from_secs(10),
        max_delay: Duration::from_secs(10),
    };
    let started = Instant::now();
    let r = alibaba(&peer, slow)
        .stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
        .unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.attempts(), 3);
    assert_eq!(
        outcomes(r.outcomes()),
        [("t-hz0jdfwd9f0001".into(), Outcome::Done)]
    );
    let nonces: std::collections::HashSet<String> = peer
        .arrived()
        .iter()
        .map(|a| a.header("x-acs-signature-nonce").unwrap().to_owned())
        .collect();
    assert_eq!(nonces.len(), 3, "a fresh nonce per attempt");
}

/// How many requests of `action` reached the peer.
fn sent(peer: &Peer, action: &str) -> usize {
    peer.arrived()
        .iter()
        .filter(|a| a.header("x-tc-action") == Some(action))
        .count()
}

#[test]
fn internal_error_forever_fails_harmless_calls_after_the_attempts_and_terminate_after_one() {
    let peer = Peer::start(|i, _| tc_error(i, "InternalError"));
    let c = tencent(&peer, quick(3));
    let err = c.stop_instances(&stop(2)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.attempts(), 3);
    assert_eq!(err.request_ids(), ["err-0", "err-1", "err-2"]);
    // It may have taken effect on any attempt: unknown, not failed.
    assert!(
        err.outcomes()
            .iter()
            .all(|o| o.outcome() == Outcome::Unknown)
    );
    assert_eq!(err.outcomes().len(), 2);
    assert_eq!(sent(&peer, "StopInstances"), 3);

    let err = c.terminate_instances(&terminate(2)).unwrap_err();
    assert_eq!(
        sent(&peer, "TerminateInstances"),
        1,
        "TerminateInstances is sent exactly once"
    );
    // The unknown outcome was then looked up (read-only), which failed too: still unknown.
    assert!(sent(&peer, "DescribeInstances") >= 1);
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.request_ids(), ["err-3"]);
    assert!(
        err.outcomes()
            .iter()
            .all(|o| o.outcome() == Outcome::Unknown)
    );
    assert_eq!(err.outcomes()[0].code(), Some("InternalError"));
    assert!(err.message().contains("DescribeInstances"), "{err}");
}

#[test]
fn apply_then_drop_ends_already_for_stop_and_unknown_for_terminate() {
    let peer = Peer::start(|i, a| {
        if i == 0 || i == 2 {
            return Reply::Drop;
        }
        match a.header("x-tc-action") {
            Some("StopInstances") => tc_error(i, "UnsupportedOperation.InstanceStateStopping"),
            _ => tc_ok(i),
        }
    });
    let c = tencent(&peer, quick(3));
    let r = c.stop_instances(&stop(3)).unwrap();
    assert_eq!(r.attempts(), 2);
    assert!(r.outcomes().iter().all(|o| o.outcome() == Outcome::Already));
    assert_eq!(
        r.outcomes()[0].code(),
        Some("UnsupportedOperation.InstanceStateStopping")
    );

    let err = c.terminate_instances(&terminate(3)).unwrap_err();
    assert_eq!(
        sent(&peer, "TerminateInstances"),
        1,
        "TerminateInstances is not re-sent after a drop"
    );
    assert_eq!(err.send_state(), SendState::SentNoAnswer);
    assert!(
        err.outcomes()
            .iter()
            .all(|o| o.outcome() == Outcome::Unknown)
    );
}

#[test]
fn already_done_on_a_first_attempt_is_still_an_error() {
    // Only a retry after an ambiguous failure can claim "already": without one, the instance was
    // stopped by someone else and the call failed as the provider said.
    let peer = Peer::start(|i, _| tc_error(i, "UnsupportedOperation.InstanceStateStopped"));
    let err = tencent(&peer, quick(3))
        .stop_instances(&stop(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StateConflict);
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.outcomes()[0].outcome(), Outcome::Failed);
}

#[test]
fn a_bare_503_is_a_refusal_but_a_502_is_ambiguous() {
    let peer = Peer::start(|i, _| match i {
        0 => Reply::Answer(503, String::new()),
        1 => tc_ok(i),
        _ => Reply::Answer(502, "Bad Gateway".into()),
    });
    let c = tencent(&peer, quick(3));
    let r = c.terminate_instances(&terminate(1)).unwrap();
    assert_eq!(
        r.attempts(),
        2,
        "a bare 503 was refused unprocessed: safe to resend"
    );
    let err = c.terminate_instances(&terminate(1)).unwrap_err();
    assert_eq!(err.attempts(), 1, "a 502 may have been processed");
    assert_eq!(err.outcomes()[0].outcome(), Outcome::Unknown);
}

#[test]
fn request_faults_are_never_retried() {
    let peer = Peer::start(|i, _| tc_error(i, "AuthFailure.SignatureFailure"));
    let err = tencent(&peer, quick(5))
        .stop_instances(&stop(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
    assert_eq!(peer.arrived().len(), 1);
    assert_eq!(err.outcomes()[0].outcome(), Outcome::Failed);
    assert_eq!(err.outcomes()[0].request_id(), Some("err-0"));
}

#[test]
fn a_batch_of_any_size_is_split_and_every_id_accounted_for_once() {
    // The second request (IDs 100..199) fails; the others succeed.
    let peer = Peer::start(|i, a| {
        if a.instance_ids().first().map(String::as_str) == Some("ins-f0000100") {
            tc_error(i, "InvalidInstanceId.NotFound")
        } else {
            tc_ok(i)
        }
    });
    let c = tencent(&peer, quick(3)).with_concurrency(3).unwrap();
    let err = c.stop_instances(&stop(250)).unwrap_err();
    // The refused request's IDs are then described (the peer's answer lists none, so the
    // refusal stands): only the three StopInstances count here.
    let arrived: Vec<Arrived> = peer
        .arrived()
        .into_iter()
        .filter(|a| a.header("x-tc-action") == Some("StopInstances"))
        .collect();
    assert_eq!(arrived.len(), 3);
    let mut sizes: Vec<usize> = arrived.iter().map(|a| a.instance_ids().len()).collect();
    sizes.sort();
    assert_eq!(sizes, [50, 100, 100]);
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "the first failed request's error"
    );
    let got = outcomes(err.outcomes());
    assert_eq!(got.len(), 250);
    for (i, (id, outcome)) in got.iter().enumerate() {
        assert_eq!(id, &format!("ins-f{i:07}"), "input order");
        let want = if (100..200).contains(&i) {
            Outcome::Failed
        } else {
            Outcome::Done
        };
        assert_eq!(*outcome, want, "{id}");
    }
    assert_eq!(
        err.outcomes()[150].code(),
        Some("InvalidInstanceId.NotFound")
    );
    assert_eq!(err.request_ids().len(), 3);
}

#[test]
fn eight_threads_sharing_a_client_never_exceed_the_documented_rate() {
    let peer = Peer::start(|i, _| tc_ok(i));
    let c = tencent(&peer, quick(3))
        .with_rate_limit(Pacing::Documented)
        .unwrap();
    thread::scope(|s| {
        for t in 0..8 {
            let c = c.clone();
            s.spawn(move || {
                for k in 0..3 {
                    let id = format!("ins-t{t:03}{k:04}");
                    c.stop_instances(&StopInstances::new("ap-guangzhou", vec![id]))
                        .unwrap();
                }
            });
        }
    });
    let mut times: Vec<Instant> = peer.arrived().iter().map(|a| a.at).collect();
    times.sort();
    assert_eq!(times.len(), 24);
    for (i, t) in times.iter().enumerate() {
        let window = times[i..]
            .iter()
            .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
            .count();
        assert!(window <= 10, "{window} requests arrived within one second");
    }
}

#[test]
fn the_audit_log_records_every_attempt_and_resume_finishes_the_batch() {
    let dir = std::env::temp_dir().join(format!("cloudhalt-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stop.audit.jsonl");
    let _ = std::fs::remove_file(&path);
    // First run: the second request (IDs 100..199) is throttled every time.
    let peer = Peer::start(|i, a| {
        if a.instance_ids().first().map(String::as_str) == Some("ins-f0000100") {
            tc_error(i, "RequestLimitExceeded")
        } else {
            tc_ok(i)
        }
    });
    let c = tencent(&peer, quick(2))
        .with_audit_log(Some(AuditLog::open(&path).unwrap()))
        .with_concurrency(1)
        .unwrap();
    let err = c.stop_instances(&stop(250)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let events: Vec<&str> = lines.iter().map(|l| l["event"].as_str().unwrap()).collect();
    // batch, then send+answer for: request 0, request 1 twice, request 2; then end.
    assert_eq!(
        events,
        [
            "batch", "send", "answer", "send", "answer", "send", "answer", "send", "answer", "end"
        ]
    );
    assert_eq!(lines[0]["ids"].as_array().unwrap().len(), 250);
    assert_eq!(lines[3]["ids"].as_array().unwrap().len(), 100);
    assert_eq!(lines[4]["final"], false);
    assert!(
        !std::fs::read_to_string(&path)
            .unwrap()
            .contains("fleet-secret")
    );

    let resume = Resume::read(&path).unwrap();
    assert_eq!(resume.finished().len(), 150);
    let left = resume.to_send();
    assert_eq!(left.len(), 100);
    assert_eq!(left[0], "ins-f0000100");

    // Resume against a peer that now accepts: only the 100 are sent, logged in the same file.
    let peer2 = Peer::start(|i, _| tc_ok(i));
    let c2 = tencent(&peer2, quick(2)).with_audit_log(Some(AuditLog::open(&path).unwrap()));
    let r = c2.resume(&resume).unwrap();
    assert_eq!(peer2.arrived().len(), 1);
    assert_eq!(peer2.arrived()[0].instance_ids().len(), 100);
    assert_eq!(r.outcomes().len(), 100);
    let again = Resume::read(&path).unwrap();
    assert_eq!(again.finished().len(), 250);
    assert!(again.to_send().is_empty());
    assert_eq!(
        c2.resume(&again).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resume_never_resends_terminate_ids_whose_outcome_is_unknown() {
    let dir = std::env::temp_dir().join(format!("cloudhalt-fleet-t-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("terminate.audit.jsonl");
    let _ = std::fs::remove_file(&path);
    let peer = Peer::start(|i, a| match a.instance_ids().first().map(String::as_str) {
        Some("ins-f0000100") => Reply::Drop,
        Some("ins-f0000200") => tc_error(i, "RequestLimitExceeded"),
        _ => tc_ok(i),
    });
    let c = tencent(&peer, quick(1))
        .with_audit_log(Some(AuditLog::open(&path).unwrap()))
        .with_concurrency(1)
        .unwrap();
    let err = c.terminate_instances(&terminate(250)).unwrap_err();
    assert_eq!(err.outcomes()[150].outcome(), Outcome::Unknown);
    assert_eq!(err.outcomes()[220].outcome(), Outcome::Failed);

    // A crash right after the last send line: cut the log there.
    let text = std::fs::read_to_string(&path).unwrap();
    let resume = Resume::read(&path).unwrap();
    assert_eq!(
        resume.held_back().len(),
        100,
        "unknown terminate IDs are held back"
    );
    assert_eq!(resume.held_back()[0], "ins-f0000100");
    assert_eq!(
        resume.to_send().len(),
        50,
        "only the throttled ones are sent again"
    );
    assert_eq!(resume.to_send()[0], "ins-f0000200");

    let cut: Vec<&str> = text.lines().collect();
    let last_send = cut.iter().rposition(|l| l.contains("\"send\"")).unwrap();
    std::fs::write(&path, cut[..=last_send].join("\n")).unwrap();
    let resume = Resume::read(&path).unwrap();
    assert_eq!(
        resume.held_back().len(),
        150,
        "a send with no answer in the log is unknown, and never re-sent"
    );
    assert!(resume.to_send().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_fleet_settings_are_refused_naming_the_field() {
    let peer = Peer::start(tc_ok_any);
    let c = tencent(&peer, quick(1));
    assert_eq!(
        c.with_retry(quick(0)).unwrap_err().field(),
        Some("max_attempts")
    );
    assert_eq!(
        c.with_concurrency(0).unwrap_err().field(),
        Some("concurrency")
    );
    assert_eq!(
        c.with_concurrency(65).unwrap_err().field(),
        Some("concurrency")
    );
    assert_eq!(
        c.with_rate_limit(Pacing::PerSecond(0.0))
            .unwrap_err()
            .field(),
        Some("rate_limit")
    );
    let err = AuditLog::open("/nonexistent-dir/x/audit.jsonl").unwrap_err();
    assert_eq!(err.field(), Some("audit"));
    assert!(peer.arrived().is_empty());
}

fn tc_ok_any(i: usize, _: &Arrived) -> Reply {
    tc_ok(i)
}

#[test]
fn dry_run_sends_nothing_and_shows_the_plan() {
    let peer = Peer::start(tc_ok_any);
    let c = tencent(&peer, quick(3))
        .with_rate_limit(Pacing::Documented)
        .unwrap();
    let plan = c.dry_run(&stop(250)).unwrap();
    assert_eq!(plan.ids, 250);
    assert_eq!(plan.requests.len(), 3);
    assert_eq!(plan.requests[2].ids.len(), 50);
    assert!(plan.requests[0].body.contains("ins-f0000000"));
    let auth = &plan.requests[0]
        .headers
        .iter()
        .find(|(n, _)| n == "Authorization")
        .unwrap()
        .1;
    assert!(auth.ends_with('…'), "signature shortened: {auth}");
    // Two gaps at 10/s with the margin.
    assert_eq!(plan.expected, Duration::from_secs_f64(1.1 / 10.0) * 2);
    assert!(peer.arrived().is_empty());
    assert!(plan.requests[0].url.starts_with(&peer.url));
}

#[test]
fn an_alibaba_internal_error_is_retried_for_stop_invocation() {
    let peer = Peer::start(|i, _| {
        if i == 0 {
            ali_error(i, 500, "InternalError.Dispatch")
        } else {
            ali_ok(i)
        }
    });
    let mut op = StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001");
    op.set_instance_ids(Some(
        (0..120)
            .map(|i| format!("i-bp67acfmxazb4p{i:04}"))
            .collect(),
    ));
    let r = alibaba(&peer, quick(3)).stop_invocation(&op).unwrap();
    // 120 IDs in requests of 50; the first attempt of one of them failed and was retried.
    assert_eq!(r.attempts(), 4);
    assert_eq!(r.outcomes().len(), 120);
    assert!(r.outcomes().iter().all(|o| o.outcome() == Outcome::Done));
    let sizes: Vec<usize> = peer
        .arrived()
        .iter()
        .map(|a| a.target.matches("InstanceId.").count())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 170);
    assert!(sizes.iter().all(|n| *n <= 50));
}

#[test]
fn resume_sends_the_possibly_applied_ids_apart_and_counts_already_done_as_success() {
    let dir = std::env::temp_dir().join(format!("cloudhalt-fleet-r-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stop.audit.jsonl");
    let _ = std::fs::remove_file(&path);
    // Request 1 is applied and its answer lost; request 2 is throttled, so never applied.
    let peer = Peer::start(|i, a| match a.instance_ids().first().map(String::as_str) {
        Some("ins-f0000100") => Reply::Drop,
        Some("ins-f0000200") => tc_error(i, "RequestLimitExceeded"),
        _ => tc_ok(i),
    });
    let c = tencent(&peer, quick(1))
        .with_audit_log(Some(AuditLog::open(&path).unwrap()))
        .with_concurrency(1)
        .unwrap();
    c.stop_instances(&stop(250)).unwrap_err();
    let resume = Resume::read(&path).unwrap();
    assert_eq!(resume.to_send().len(), 150);
    // Now the provider says request 1's instances are stopping; the others it stops.
    let peer2 = Peer::start(|i, a| {
        if a.instance_ids().contains(&"ins-f0000100".to_owned()) {
            tc_error(i, "UnsupportedOperation.InstanceStateStopping")
        } else {
            tc_ok(i)
        }
    });
    let r = tencent(&peer2, quick(1))
        .with_concurrency(1)
        .unwrap()
        .resume(&resume)
        .unwrap();
    let sizes: Vec<usize> = peer2
        .arrived()
        .iter()
        .map(|a| a.instance_ids().len())
        .collect();
    assert_eq!(
        sizes,
        [100, 50],
        "the possibly applied IDs travel in their own request"
    );
    let got = outcomes(r.outcomes());
    assert!(
        got[..100].iter().all(|(_, o)| *o == Outcome::Already),
        "{got:?}"
    );
    assert!(got[100..].iter().all(|(_, o)| *o == Outcome::Done));
    std::fs::remove_dir_all(&dir).unwrap();
}
