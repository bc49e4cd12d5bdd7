//! The Describe actions, answered from the state with the providers' paging, through the core
//! client (which follows every page).

mod common;

use cloudhalt::{
    CancelInvocation, DescribeInstances, DescribeInvocationTasks, DescribeInvocations,
    DescribeRefreshActivities, Filter, StopInstances,
};
use common::*;
use serde_json::Value;

fn items<'a>(v: &'a Value, path: &[&str]) -> &'a Vec<Value> {
    let mut v = v;
    for key in path {
        v = &v[*key];
    }
    v.as_array().unwrap()
}

#[test]
fn describe_instances_pages_through_the_whole_region() {
    let emu = emulator();
    let r = tencent(&emu)
        .describe_instances(&DescribeInstances::all("ap-guangzhou"))
        .unwrap();
    let set = items(r.data(), &["Response", "InstanceSet"]);
    // 150 running and 10 stopped in ap-guangzhou (the seed), in pages of 100.
    assert_eq!(set.len(), 160);
    assert_eq!(r.request_ids().len(), 2);
    assert_eq!(r.data()["Response"]["TotalCount"], 160);

    tencent(&emu)
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into()],
        ))
        .unwrap();
    let mut by_state = DescribeInstances::all("ap-guangzhou");
    by_state.set_filters(vec![Filter::new("instance-state", vec!["STOPPED".into()])]);
    let r = tencent(&emu).describe_instances(&by_state).unwrap();
    assert_eq!(items(r.data(), &["Response", "InstanceSet"]).len(), 11);

    let r = tencent(&emu)
        .describe_instances(&DescribeInstances::new(
            "ap-guangzhou",
            vec!["ins-run00000".into(), "ins-gone0000".into()],
        ))
        .unwrap();
    let set = items(r.data(), &["Response", "InstanceSet"]);
    assert_eq!(set.len(), 1, "an unknown ID is absent, not an error");
    assert_eq!(set[0]["InstanceState"], "STOPPED");
}

#[test]
fn describe_invocation_tasks_shows_the_cancel() {
    let emu = emulator();
    let tc = tencent(&emu);
    tc.cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-inv00001"))
        .unwrap();
    let r = tc
        .describe_invocation_tasks(&DescribeInvocationTasks::for_invocation(
            "ap-guangzhou",
            "inv-inv00001",
        ))
        .unwrap();
    let tasks = items(r.data(), &["Response", "InvocationTaskSet"]);
    let status = |id: &str| {
        tasks
            .iter()
            .find(|t| t["InstanceId"] == id)
            .map(|t| t["TaskStatus"].as_str().unwrap().to_owned())
    };
    assert_eq!(tasks.len(), 4);
    assert_eq!(status("ins-run00000").as_deref(), Some("CANCELLED"));
    assert_eq!(status("ins-run00001").as_deref(), Some("TERMINATED"));
    assert_eq!(status("ins-run00002").as_deref(), Some("SUCCESS"));
    assert!(
        tasks
            .iter()
            .all(|t| t["InvocationTaskId"].as_str().unwrap().starts_with("invt-"))
    );
}

#[test]
fn describe_refresh_activities_and_invocations() {
    let emu = emulator();
    let r = tencent(&emu)
        .describe_refresh_activities(&DescribeRefreshActivities::for_group("asg-grp00001"))
        .unwrap();
    let set = items(r.data(), &["Response", "RefreshActivitySet"]);
    // asr-act00001 (RUNNING), asr-act00002 (SUCCESSFUL), asr-act00003 (a batch refreshing).
    assert_eq!(set.len(), 3);
    assert_eq!(set[0]["Status"], "RUNNING");
    assert_eq!(set[0]["RefreshBatchSet"].as_array().unwrap().len(), 3);

    // Three invocations in cn-hangzhou: with no InvokeId every one comes back, over pages.
    let r = alibaba(&emu)
        .call_json(
            "DescribeInvocations",
            &serde_json::json!({"RegionId": "cn-hangzhou", "MaxResults": 1}),
        )
        .unwrap();
    assert_eq!(items(r.data(), &["Invocations", "Invocation"]).len(), 3);
    assert_eq!(r.request_ids().len(), 3);
    let r = alibaba(&emu)
        .describe_invocations(&DescribeInvocations::new("cn-hangzhou", "t-hz0jdfwd9f0003"))
        .unwrap();
    let inv = &items(r.data(), &["Invocations", "Invocation"])[0];
    assert_eq!(
        inv["InvokeInstances"]["InvokeInstance"]
            .as_array()
            .unwrap()
            .len(),
        60
    );
}
