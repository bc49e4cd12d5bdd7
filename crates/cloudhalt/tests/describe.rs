//! The read-only Describe calls: every page is fetched and merged so the caller gets every item,
//! a peer that pages forever or lies about its total cannot loop the client, and the documented
//! limits are checked before anything is sent.

mod common;

use cloudhalt::{
    Alibaba, AlibabaCredentials, DescribeInstances, DescribeInvocationTasks, DescribeInvocations,
    DescribeRefreshActivities, ErrorKind, Filter, Pacing, Retry, Tencent, TencentCredentials,
};
use common::{Arrived, Peer, Reply};
use serde_json::{Value, json};

fn tencent(peer: &Peer) -> Tencent {
    Tencent::new(TencentCredentials::new("AKIDdescribe", "describe-secret-0123", None).unwrap())
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn alibaba(peer: &Peer) -> Alibaba {
    Alibaba::new(AlibabaCredentials::new("LTAIdescribe", "describe-secret-0123", None).unwrap())
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(Retry::never())
        .unwrap()
        .with_rate_limit(Pacing::Off)
        .unwrap()
}

fn body(a: &Arrived) -> Value {
    serde_json::from_str(&a.body).unwrap()
}

/// A Tencent peer holding `total` instances `ins-p0000000`.., answering Offset/Limit pages (or
/// the IDs asked for), as DescribeInstances does.
fn instances_peer(total: usize) -> Peer {
    Peer::start(move |i, a| {
        let b = body(a);
        let set: Vec<Value> = match b["InstanceIds"].as_array() {
            Some(ids) => ids
                .iter()
                .filter(|id| {
                    id.as_str()
                        .and_then(|s| s.strip_prefix("ins-p"))
                        .and_then(|n| n.parse::<usize>().ok())
                        .is_some_and(|n| n < total)
                })
                .map(|id| json!({"InstanceId": id, "InstanceState": "STOPPED"}))
                .collect(),
            None => {
                let offset = b["Offset"].as_u64().unwrap_or(0) as usize;
                let limit = b["Limit"].as_u64().unwrap_or(20) as usize;
                (offset..total.min(offset + limit))
                    .map(|n| json!({"InstanceId": format!("ins-p{n:07}"), "InstanceState": "RUNNING"}))
                    .collect()
            }
        };
        let count = if b["InstanceIds"].is_array() {
            set.len()
        } else {
            total
        };
        Reply::Answer(
            200,
            json!({"Response": {"TotalCount": count, "InstanceSet": set, "RequestId": format!("d-{i}")}})
                .to_string(),
        )
    })
}

#[test]
fn describe_instances_fetches_every_page() {
    let peer = instances_peer(237);
    let r = tencent(&peer)
        .describe_instances(&DescribeInstances::all("ap-guangzhou"))
        .unwrap();
    let set = r.data()["Response"]["InstanceSet"].as_array().unwrap();
    assert_eq!(set.len(), 237);
    assert_eq!(set[236]["InstanceId"], "ins-p0000236");
    let arrived = peer.arrived();
    let offsets: Vec<Value> = arrived.iter().map(|a| body(a)["Offset"].clone()).collect();
    assert_eq!(offsets, [Value::Null, json!(100), json!(200)]);
    assert!(arrived.iter().all(|a| body(a)["Limit"] == 100));
    assert_eq!(r.request_ids(), ["d-0", "d-1", "d-2"]);
    assert_eq!(r.attempts(), 3);
}

#[test]
fn describe_instances_of_any_number_of_ids_asks_100_at_a_time() {
    let peer = instances_peer(1000);
    let ids: Vec<String> = (0..250).map(|n| format!("ins-p{n:07}")).collect();
    let r = tencent(&peer)
        .describe_instances(&DescribeInstances::new("ap-guangzhou", ids))
        .unwrap();
    // The answer holds the items of every request, and the outcomes account for every ID.
    assert_eq!(r.outcomes().len(), 250);
    let set = r.data()["Response"]["InstanceSet"].as_array().unwrap();
    assert_eq!(set.len(), 250);
    assert_eq!(r.data()["Response"]["TotalCount"], 250);
    let mut sizes: Vec<usize> = peer
        .arrived()
        .iter()
        .map(|a| a.instance_ids().len())
        .collect();
    sizes.sort();
    assert_eq!(sizes, [50, 100, 100]);
}

#[test]
fn a_peer_that_lies_about_its_total_or_repeats_its_token_cannot_loop_the_client() {
    // TotalCount says a million, but pages come back empty after the first.
    let peer = Peer::start(|i, _| {
        let set = if i == 0 {
            json!([{"InstanceId": "ins-p0000000"}])
        } else {
            json!([])
        };
        Reply::Answer(
            200,
            json!({"Response": {"TotalCount": 1_000_000, "InstanceSet": set, "RequestId": "x"}})
                .to_string(),
        )
    });
    let r = tencent(&peer)
        .describe_instances(&DescribeInstances::all("ap-guangzhou"))
        .unwrap();
    assert_eq!(
        r.data()["Response"]["InstanceSet"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(peer.arrived().len(), 2);

    // Alibaba: the same NextToken forever.
    let peer = Peer::start(|_, _| {
        Reply::Answer(
            200,
            json!({"RequestId": "R", "NextToken": "same", "Invocations": {"Invocation": [{"InvokeId": "t-a1"}]}})
                .to_string(),
        )
    });
    let r = alibaba(&peer)
        .describe_invocations(&DescribeInvocations::new("cn-hangzhou", "t-a1"))
        .unwrap();
    assert_eq!(peer.arrived().len(), 2);
    assert_eq!(
        r.data()["Invocations"]["Invocation"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn describe_invocations_follows_next_token_and_merges_the_pages() {
    let peer = Peer::start(|i, a| {
        let token = a
            .target
            .split(['?', '&'])
            .find_map(|kv| kv.strip_prefix("NextToken="))
            .map(str::to_owned);
        let (items, next) = match token.as_deref() {
            None => (vec!["t-a1", "t-a2"], json!("p2")),
            Some("p2") => (vec!["t-a3"], json!("p3")),
            _ => (vec!["t-a4"], json!("")),
        };
        let list: Vec<Value> = items.iter().map(|id| json!({"InvokeId": id})).collect();
        Reply::Answer(
            200,
            json!({"RequestId": format!("R-{i}"), "NextToken": next, "Invocations": {"Invocation": list}})
                .to_string(),
        )
    });
    let r = alibaba(&peer)
        .describe_invocations(&DescribeInvocations::new("cn-hangzhou", "t-a1"))
        .unwrap();
    let ids: Vec<&str> = r.data()["Invocations"]["Invocation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["InvokeId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["t-a1", "t-a2", "t-a3", "t-a4"]);
    assert_eq!(r.request_ids(), ["R-0", "R-1", "R-2"]);
    let first = &peer.arrived()[0].target;
    assert!(
        first.contains("MaxResults=50") && first.contains("InvokeId=t-a1"),
        "{first}"
    );
}

#[test]
fn describe_invocation_tasks_hides_output_and_filters_by_invocation() {
    let peer = Peer::start(|_, _| {
        Reply::Answer(
            200,
            json!({"Response": {"TotalCount": 1, "InvocationTaskSet": [{"TaskStatus": "CANCELLED"}], "RequestId": "t"}})
                .to_string(),
        )
    });
    let c = tencent(&peer);
    c.describe_invocation_tasks(&DescribeInvocationTasks::for_invocation(
        "ap-guangzhou",
        "inv-inv00001",
    ))
    .unwrap();
    let b = body(&peer.arrived()[0]);
    assert_eq!(b["HideOutput"], true);
    assert_eq!(
        b["Filters"],
        json!([{"Name": "invocation-id", "Values": ["inv-inv00001"]}])
    );
    c.describe_refresh_activities(&DescribeRefreshActivities::new(vec!["asr-act00001".into()]))
        .unwrap();
    assert_eq!(
        body(&peer.arrived()[1])["RefreshActivityIds"],
        json!(["asr-act00001"])
    );
    assert_eq!(peer.arrived()[1].header("x-tc-region"), None);
}

#[test]
fn documented_limits_are_checked_before_anything_is_sent() {
    let peer = instances_peer(10);
    let c = tencent(&peer);
    let field = |r: Result<cloudhalt::Response, cloudhalt::Error>| {
        let e = r.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
        e.field().unwrap().to_owned()
    };
    let mut both = DescribeInstances::new("ap-guangzhou", vec!["ins-p0000001".into()]);
    both.set_filters(vec![Filter::new("instance-state", vec!["RUNNING".into()])]);
    assert_eq!(field(c.describe_instances(&both)), "Filters");
    let mut wide = DescribeInstances::all("ap-guangzhou");
    wide.set_filters(vec![Filter::new(
        "instance-state",
        (0..6).map(|i| format!("S{i}")).collect(),
    )]);
    assert_eq!(field(c.describe_instances(&wide)), "Filters");
    let mut zero = DescribeInstances::all("ap-guangzhou");
    zero.set_limit(Some(0));
    assert_eq!(field(c.describe_instances(&zero)), "Limit");
    assert_eq!(
        field(c.call_json(
            "DescribeInvocationTasks",
            Some("ap-guangzhou"),
            &json!({"HideOutput": false})
        )),
        "HideOutput"
    );
    assert_eq!(
        field(c.call_json(
            "DescribeInstances",
            Some("ap-guangzhou"),
            &json!({"Filters": [{"Name": "x", "Values": ["a"], "Extra": 1}]})
        )),
        "params"
    );
    assert_eq!(
        field(alibaba(&peer).call_json(
            "DescribeInvocations",
            &json!({"RegionId": "cn-hangzhou", "MaxResults": 51})
        )),
        "MaxResults"
    );
    assert!(peer.arrived().is_empty());
}

#[test]
fn describe_calls_are_in_the_table_as_read_only_and_paged() {
    for action in [
        "DescribeInstances",
        "DescribeInvocationTasks",
        "DescribeRefreshActivities",
    ] {
        let op = cloudhalt::operation(cloudhalt::Provider::Tencent, action).unwrap();
        assert!(!op.mutating && op.idempotent, "{action}");
    }
    let op = cloudhalt::operation(cloudhalt::Provider::Alibaba, "DescribeInvocations").unwrap();
    assert!(!op.mutating && op.idempotent);
    assert_eq!(
        cloudhalt::operation(cloudhalt::Provider::Tencent, "DescribeInstances")
            .unwrap()
            .rate_limit,
        cloudhalt::ops::RateLimit::PerSecond(40)
    );
}
