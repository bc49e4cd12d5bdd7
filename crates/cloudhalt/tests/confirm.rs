//! Confirming stops against a scripted peer that keeps instance states: waits that never re-send
//! the write, end within their deadline, survive throttled polls, and report failures; refused
//! batches settled by describing; unknown terminates resolved; a blocked cancel paused first.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Arrived, Peer, Reply};

use cloudhalt::{
    CancelInstanceRefresh, ErrorKind, Outcome, Pacing, Retry, StopInstances, Tencent,
    TencentCredentials, TerminateInstances, Then, Wait,
};
use serde_json::{Value, json};

const REGION: &str = "ap-guangzhou";

fn id(n: usize) -> String {
    format!("ins-cnf{n:05}")
}

fn ok(rid: &str, mut body: Value) -> Reply {
    body["RequestId"] = rid.into();
    Reply::Answer(200, json!({ "Response": body }).to_string())
}

fn error(rid: &str, code: &str) -> Reply {
    Reply::Answer(
        200,
        json!({"Response": {"RequestId": rid, "Error": {"Code": code, "Message": "scripted"}}})
            .to_string(),
    )
}

/// An instance as the scripted CVM keeps it.
#[derive(Clone)]
struct Instance {
    state: &'static str,
    charge: &'static str,
    latest: Option<(&'static str, &'static str, String)>,
    /// Describes left before a transitional state ends (`None`: never).
    polls_left: Option<u32>,
}

/// A tiny stateful CVM: StopInstances refuses the whole request when one instance is not
/// RUNNING, else makes them STOPPING; DescribeInstances lists them; a transitional state ends
/// after a few describes.
struct Cvm {
    instances: Mutex<HashMap<String, Instance>>,
    /// StopInstances makes the stop fail (LatestOperationState FAILED) instead.
    fail_stop: bool,
    /// Transitions never end.
    stuck: bool,
    /// Answer the first describe with a throttle.
    throttle_first_describe: bool,
}

impl Cvm {
    fn new(states: &[(&str, &'static str)]) -> Cvm {
        Cvm {
            instances: Mutex::new(
                states
                    .iter()
                    .map(|(id, state)| {
                        let i = Instance {
                            state,
                            charge: "POSTPAID_BY_HOUR",
                            latest: None,
                            polls_left: None,
                        };
                        ((*id).to_owned(), i)
                    })
                    .collect(),
            ),
            fail_stop: false,
            stuck: false,
            throttle_first_describe: false,
        }
    }

    fn reply(&self, i: usize, a: &Arrived) -> Reply {
        let rid = format!("rid-{i}");
        let ids = a.instance_ids();
        let mut all = self.instances.lock().unwrap();
        match a.header("x-tc-action").unwrap_or_default() {
            "StopInstances" => {
                if ids.iter().any(|id| !all.contains_key(id)) {
                    return error(&rid, "InvalidInstanceId.NotFound");
                }
                if let Some(bad) = ids.iter().find(|id| all[*id].state != "RUNNING") {
                    let code = match all[bad].state {
                        "STOPPED" => "UnsupportedOperation.InstanceStateStopped",
                        "STOPPING" => "UnsupportedOperation.InstanceStateStopping",
                        _ => "UnsupportedOperation.InstanceStatePending",
                    };
                    return error(&rid, code);
                }
                for id in &ids {
                    let x = all.get_mut(id).unwrap();
                    x.state = "STOPPING";
                    x.latest = Some(("StopInstances", "OPERATING", rid.clone()));
                    x.polls_left = (!self.stuck).then_some(2);
                }
                ok(&rid, json!({}))
            }
            "TerminateInstances" => {
                for id in &ids {
                    let x = all.get_mut(id).unwrap();
                    x.state = "TERMINATING";
                    x.latest = Some(("TerminateInstances", "OPERATING", rid.clone()));
                    x.polls_left = Some(0);
                }
                // Applied, then the answer is lost.
                Reply::Drop
            }
            "DescribeInstances" => {
                if self.throttle_first_describe && i == 1 {
                    return error(&rid, "RequestLimitExceeded");
                }
                let mut set = Vec::new();
                for id in &ids {
                    let Some(x) = all.get_mut(id) else { continue };
                    if x.polls_left == Some(0) {
                        x.polls_left = None;
                        let rid = x.latest.as_ref().map(|l| l.2.clone()).unwrap_or_default();
                        match (x.state, self.fail_stop, x.charge) {
                            ("STOPPING", false, _) => {
                                x.state = "STOPPED";
                                x.latest = Some(("StopInstances", "SUCCESS", rid));
                            }
                            ("STOPPING", true, _) => {
                                x.state = "RUNNING";
                                x.latest = Some(("StopInstances", "FAILED", rid));
                            }
                            ("TERMINATING", _, "PREPAID") => {
                                x.state = "SHUTDOWN";
                                x.latest = Some(("TerminateInstances", "SUCCESS", rid));
                            }
                            ("TERMINATING", _, _) => {
                                all.remove(id);
                                continue;
                            }
                            _ => {}
                        }
                    } else if let Some(n) = &mut x.polls_left {
                        *n -= 1;
                    }
                    let x = &all[id];
                    let (op, op_state, op_rid) =
                        x.latest.clone().unwrap_or(("", "", String::new()));
                    set.push(json!({"InstanceId": id, "InstanceState": x.state,
                        "InstanceChargeType": x.charge, "LatestOperation": op,
                        "LatestOperationState": op_state, "LatestOperationRequestId": op_rid}));
                }
                ok(&rid, json!({"TotalCount": set.len(), "InstanceSet": set}))
            }
            other => error(&rid, &format!("InvalidAction.{other}")),
        }
    }
}

fn client(peer: &Peer) -> Tencent {
    Tencent::new(TencentCredentials::new("AKIDconfirm", "confirm-secret-0123", None).unwrap())
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(Retry {
            max_attempts: 1,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(5),
        })
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn quick_wait(timeout_ms: u64) -> Wait {
    Wait::new(Duration::from_millis(timeout_ms))
        .with_delays(Duration::from_millis(10), Duration::from_millis(40))
}

fn start(cvm: Cvm) -> (Peer, Arc<Cvm>) {
    let cvm = Arc::new(cvm);
    let script = Arc::clone(&cvm);
    (Peer::start(move |i, a| script.reply(i, a)), cvm)
}

fn sent(peer: &Peer, action: &str) -> Vec<Vec<String>> {
    peer.arrived()
        .iter()
        .filter(|a| a.header("x-tc-action") == Some(action))
        .map(Arrived::instance_ids)
        .collect()
}

#[test]
fn a_stop_with_wait_ends_stopped_and_the_stop_is_sent_once() {
    let ids: Vec<String> = (0..3).map(id).collect();
    let (peer, _) = start(Cvm::new(&[
        (&ids[0], "RUNNING"),
        (&ids[1], "RUNNING"),
        (&ids[2], "RUNNING"),
    ]));
    let c = client(&peer).with_wait(Some(quick_wait(5000))).unwrap();
    let r = c
        .stop_instances(&StopInstances::new(REGION, ids.clone()))
        .unwrap();
    let states: Vec<(&str, &str, &str)> = r
        .states()
        .iter()
        .map(|s| (s.id(), s.state(), s.result()))
        .collect();
    assert_eq!(
        states,
        ids.iter()
            .map(|i| (i.as_str(), "STOPPED", "stopped"))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sent(&peer, "StopInstances").len(),
        1,
        "the wait never re-sends"
    );
    assert!(sent(&peer, "DescribeInstances").len() >= 3);
    // The write's record is the write's: one request, one attempt.
    assert_eq!(r.attempts(), 1);
    assert_eq!(r.request_ids(), ["rid-0"]);
}

#[test]
fn a_batch_refused_for_stopped_instances_resends_only_the_running_ones() {
    let ids: Vec<String> = (0..4).map(id).collect();
    let (peer, _) = start(Cvm::new(&[
        (&ids[0], "STOPPED"),
        (&ids[1], "RUNNING"),
        (&ids[2], "STOPPING"),
        (&ids[3], "RUNNING"),
    ]));
    let r = client(&peer)
        .stop_instances(&StopInstances::new(REGION, ids.clone()))
        .unwrap();
    let outcomes: Vec<(&str, Outcome)> =
        r.outcomes().iter().map(|o| (o.id(), o.outcome())).collect();
    assert_eq!(
        outcomes,
        [
            (ids[0].as_str(), Outcome::Already),
            (ids[1].as_str(), Outcome::Done),
            (ids[2].as_str(), Outcome::Already),
            (ids[3].as_str(), Outcome::Done),
        ]
    );
    assert_eq!(
        sent(&peer, "StopInstances"),
        [ids.clone(), vec![ids[1].clone(), ids[3].clone()]],
        "the refused request is sent again for the running instances only"
    );
}

#[test]
fn an_unknown_id_does_not_block_the_others_of_its_request() {
    let ids: Vec<String> = (0..3).map(id).collect();
    let (peer, _) = start(Cvm::new(&[(&ids[0], "RUNNING"), (&ids[2], "STOPPED")]));
    let e = client(&peer)
        .stop_instances(&StopInstances::new(REGION, ids.clone()))
        .unwrap_err();
    assert_eq!(e.code(), Some("InvalidInstanceId.NotFound"));
    let outcomes: Vec<(&str, Outcome)> =
        e.outcomes().iter().map(|o| (o.id(), o.outcome())).collect();
    assert_eq!(
        outcomes,
        [
            (ids[0].as_str(), Outcome::Done),
            (ids[1].as_str(), Outcome::Failed),
            (ids[2].as_str(), Outcome::Already),
        ]
    );
    assert_eq!(
        sent(&peer, "StopInstances"),
        [ids.clone(), vec![ids[0].clone()]]
    );
}

#[test]
fn a_wait_past_its_deadline_ends_wait_timeout_within_deadline_plus_one_poll() {
    let (peer, _) = start(Cvm {
        stuck: true,
        ..Cvm::new(&[(&id(0), "RUNNING")])
    });
    let c = client(&peer).with_wait(Some(quick_wait(300))).unwrap();
    let started = Instant::now();
    let e = c
        .stop_instances(&StopInstances::new(REGION, vec![id(0)]))
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::WaitTimeout);
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(300 + 40 + 250), "{took:?}");
    assert!(
        e.message().contains(&id(0)) && e.message().contains("STOPPING"),
        "{e}"
    );
    assert_eq!(e.states()[0].then(), Then::Wait);
    assert_eq!(e.states()[0].state(), "STOPPING");
    // The stop itself succeeded and is reported so.
    assert_eq!(e.outcomes()[0].outcome(), Outcome::Done);
    assert_eq!(sent(&peer, "StopInstances").len(), 1);
}

#[test]
fn a_stop_the_provider_fails_ends_wait_failed_naming_the_instance() {
    let (peer, _) = start(Cvm {
        fail_stop: true,
        ..Cvm::new(&[(&id(0), "RUNNING"), (&id(1), "RUNNING")])
    });
    let c = client(&peer).with_wait(Some(quick_wait(5000))).unwrap();
    let e = c
        .stop_instances(&StopInstances::new(REGION, vec![id(0), id(1)]))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::WaitFailed);
    assert!(
        e.message().contains(&id(0)) && e.message().contains(&id(1)),
        "{e}"
    );
    assert!(
        e.states()
            .iter()
            .all(|s| s.result() == "failed" && s.state() == "RUNNING")
    );
    assert_eq!(
        sent(&peer, "StopInstances").len(),
        1,
        "a failed stop is not re-sent"
    );
}

#[test]
fn a_throttled_poll_is_looked_at_again() {
    let (peer, _) = start(Cvm {
        throttle_first_describe: true,
        ..Cvm::new(&[(&id(0), "RUNNING")])
    });
    let c = client(&peer).with_wait(Some(quick_wait(5000))).unwrap();
    let r = c
        .stop_instances(&StopInstances::new(REGION, vec![id(0)]))
        .unwrap();
    assert_eq!(r.states()[0].state(), "STOPPED");
}

#[test]
fn an_unknown_terminate_is_described_not_resent() {
    let (peer, _) = start(Cvm::new(&[(&id(0), "RUNNING")]));
    let r = client(&peer)
        .terminate_instances(&TerminateInstances::new(REGION, vec![id(0)]))
        .unwrap();
    // The answer was lost; DescribeInstances shows it gone: the terminate took effect.
    assert_eq!(r.outcomes()[0].outcome(), Outcome::Done);
    assert_eq!(r.states()[0].result(), "gone");
    assert_eq!(sent(&peer, "TerminateInstances").len(), 1);
}

#[test]
fn a_prepaid_terminate_waits_for_the_recycle_bin() {
    let cvm = Cvm::new(&[(&id(0), "RUNNING")]);
    cvm.instances
        .lock()
        .unwrap()
        .get_mut(&id(0))
        .unwrap()
        .charge = "PREPAID";
    let (peer, _) = start(cvm);
    let c = client(&peer).with_wait(Some(quick_wait(5000))).unwrap();
    let r = c
        .terminate_instances(&TerminateInstances::new(REGION, vec![id(0)]))
        .unwrap();
    assert_eq!(
        (r.states()[0].state(), r.states()[0].result()),
        ("SHUTDOWN", "recycle bin")
    );
    assert_eq!(sent(&peer, "TerminateInstances").len(), 1);
}

#[test]
fn an_empty_standalone_wait_returns_at_once_and_sends_nothing() {
    let (peer, _) = start(Cvm::new(&[]));
    let r = client(&peer)
        .wait_instances(REGION, &[], "STOPPED")
        .unwrap();
    assert!(r.states().is_empty());
    assert!(peer.arrived().is_empty());
    let e = client(&peer)
        .wait_instances(REGION, &[id(0)], "RUNNING")
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("state"))
    );
}

/// A scripted AS: the cancel is refused while a batch refreshes; a pause lets the batch finish.
fn auto_scaling(i: usize, a: &Arrived, state: &Mutex<(&'static str, &'static str)>) -> Reply {
    let rid = format!("rid-{i}");
    let mut s = state.lock().unwrap();
    match a.header("x-tc-action").unwrap_or_default() {
        "CancelInstanceRefresh" if s.1 == "RUNNING" => error(
            &rid,
            "ResourceUnavailable.RefreshActivityStatusConflictWithOperation",
        ),
        "CancelInstanceRefresh" => {
            s.0 = "CANCELLED";
            ok(&rid, json!({}))
        }
        "StopInstanceRefresh" => {
            s.0 = "MANUAL_PAUSE";
            ok(&rid, json!({}))
        }
        "DescribeRefreshActivities" => {
            let set = json!([{"RefreshActivityId": "asr-act00003", "Status": s.0,
                "RefreshBatchSet": [{"RefreshBatchNum": 1, "RefreshBatchStatus": s.1}]}]);
            if s.0 == "MANUAL_PAUSE" {
                // The batch being refreshed when it paused finishes.
                s.1 = "SUCCESSFUL";
            }
            ok(&rid, json!({"TotalCount": 1, "RefreshActivitySet": set}))
        }
        other => error(&rid, &format!("InvalidAction.{other}")),
    }
}

#[test]
fn a_cancel_blocked_by_a_refreshing_batch_pauses_first_only_when_asked() {
    let state = Arc::new(Mutex::new(("RUNNING", "RUNNING")));
    let s = Arc::clone(&state);
    let peer = Peer::start(move |i, a| auto_scaling(i, a, &s));
    let cancel = CancelInstanceRefresh::new("asg-grp00001", "asr-act00003");

    let e = client(&peer).cancel_instance_refresh(&cancel).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateConflict);
    assert!(
        e.message().contains("pause_first") && e.message().contains("--pause-first"),
        "{e}"
    );
    assert!(sent(&peer, "StopInstanceRefresh").is_empty());

    let c = client(&peer)
        .with_pause_first(true)
        .with_wait(Some(quick_wait(5000)))
        .unwrap();
    let r = c.cancel_instance_refresh(&cancel).unwrap();
    assert_eq!(r.outcomes()[0].outcome(), Outcome::Done);
    assert_eq!(
        (r.states()[0].state(), r.states()[0].result()),
        ("CANCELLED", "cancelled")
    );
    let actions: Vec<String> = peer
        .arrived()
        .iter()
        .filter_map(|a| a.header("x-tc-action").map(str::to_owned))
        .filter(|a| !a.starts_with("Describe"))
        .collect();
    assert_eq!(
        actions,
        [
            "CancelInstanceRefresh",
            "CancelInstanceRefresh",
            "StopInstanceRefresh",
            "CancelInstanceRefresh"
        ]
    );
}

#[test]
fn a_wait_on_a_read_only_call_is_refused_before_anything_is_sent() {
    let (peer, _) = start(Cvm::new(&[]));
    let e = client(&peer)
        .wait_json(
            "DescribeInstances",
            Some(REGION),
            &json!({"InstanceIds": [id(0)]}),
        )
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        (ErrorKind::InvalidInput, Some("action"))
    );
    assert!(e.message().contains("StopInstances"), "{e}");
    // An empty instance list returns at once, also by name.
    let r = client(&peer)
        .wait_json("StopInstances", Some(REGION), &json!({"InstanceIds": []}))
        .unwrap();
    assert!(r.states().is_empty());
    assert!(peer.arrived().is_empty());
}
