//! The built `cloudhalt` command confirming what it stops, against an in-process emulator: the
//! Describe subcommands return every item of a paged answer, and `--wait` / the standalone waits
//! end in the provider's state per ID with their own exit codes.

use std::process::Output;

use cloudhalt_emulator::{Resources, RunningEmulator, Seed};
use serde_json::{Value, json};

mod common;
use common::*;

/// The one JSON document a Describe subcommand prints, after checking it exited 0.
fn document(out: &Output) -> Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    let text = stdout(out);
    assert_eq!(
        text.lines().count(),
        1,
        "one line with --output json: {text}"
    );
    serde_json::from_str(&text).unwrap()
}

/// The calls the emulator received of `action`.
fn received(emu: &RunningEmulator, action: &str) -> u64 {
    emu.calls()[action]["received"].as_u64().unwrap_or(0)
}

/// `running` RUNNING Tencent instances `ins-cnf00000`... with a TAT invocation on each.
fn seed(emu: &RunningEmulator, running: usize) -> (Vec<String>, String) {
    let seed: Seed =
        serde_json::from_value(json!({"tencent": {"running": running, "prefix": "ins-cnf"}}))
            .unwrap();
    let out = emu.seed(&seed).unwrap();
    let ids = out["tencent"]["running"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let invocation = out["tencent"]["invocationId"].as_str().unwrap().to_owned();
    (ids, invocation)
}

fn ids_of(items: &Value, key: &str) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn describe_instances_returns_every_page() {
    let emu = emulator();
    let (ids, _) = seed(&emu, 250);
    // Every instance of the region: 160 seeded by default plus 250, pages of 100.
    let all = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
        ],
        "",
    ));
    let set = &all["Response"]["InstanceSet"];
    assert_eq!(set.as_array().unwrap().len(), 410);
    assert_eq!(all["Response"]["TotalCount"], 410);
    assert!(received(&emu, "DescribeInstances") >= 5, "five pages");

    // 250 IDs from stdin: three requests of at most 100, merged in one answer.
    let stdin = ids.join("\n");
    let named = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "-",
        ],
        &stdin,
    ));
    let mut got = ids_of(&named["Response"]["InstanceSet"], "InstanceId");
    got.sort();
    assert_eq!(got, ids);
    assert_eq!(named["Response"]["TotalCount"], 250);

    // The flag spelling and the argument spelling are the same list.
    let both = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "--instance-id",
            "ins-run00000",
            "ins-stp00000",
        ],
        "",
    ));
    assert_eq!(
        ids_of(&both["Response"]["InstanceSet"], "InstanceId"),
        ["ins-run00000", "ins-stp00000"]
    );
}

#[test]
fn describe_instances_filters_and_refuses_ids_with_filters() {
    let emu = emulator();
    let stopped = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "--filter",
            "instance-state=STOPPED",
        ],
        "",
    ));
    let set = stopped["Response"]["InstanceSet"].as_array().unwrap();
    assert_eq!(set.len(), 10);
    assert!(set.iter().all(|i| i["InstanceState"] == "STOPPED"));

    let before = received(&emu, "DescribeInstances");
    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "--filter",
            "instance-state=STOPPED",
            "ins-run00000",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("Filters"), "{}", stderr(&out));
    // An empty stdin is not "every instance" here either.
    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "-",
        ],
        "\n",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(received(&emu, "DescribeInstances"), before, "nothing sent");

    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "--filter",
            "instance-state",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("NAME=VALUE"), "{}", stderr(&out));
}

#[test]
fn describe_invocation_tasks_returns_every_task_or_those_asked_for() {
    let emu = emulator();
    let (ids, invocation) = seed(&emu, 250);
    let base = [
        "--output",
        "json",
        "tencent",
        "describe-invocation-tasks",
        "--region",
        "ap-guangzhou",
        "--invocation-id",
        &invocation,
    ];
    let all = document(&cloudhalt(&emu, &base, ""));
    let mut got = ids_of(&all["Response"]["InvocationTaskSet"], "InstanceId");
    got.sort();
    assert_eq!(got, ids, "every task of three pages");
    assert!(received(&emu, "DescribeInvocationTasks") >= 3);

    // Up to 5 instances go to the provider's filter; more are picked out of every task.
    for count in [2, 7] {
        let wanted: Vec<&str> = ids.iter().take(count).map(String::as_str).collect();
        let args: Vec<&str> = base.iter().copied().chain(wanted.iter().copied()).collect();
        let some = document(&cloudhalt(&emu, &args, ""));
        assert_eq!(
            ids_of(&some["Response"]["InvocationTaskSet"], "InstanceId"),
            wanted
        );
        assert_eq!(some["Response"]["TotalCount"], count);
    }
}

#[test]
fn describe_refresh_activities_by_id_or_group_every_page() {
    let emu = emulator();
    // 150 activities in one group: two pages of 100.
    let mut state = emu.state();
    let activities: Vec<Value> = (0..150)
        .map(|i| {
            json!({"RefreshActivityId": format!("asr-pg{i:06}"), "Status": "SUCCESSFUL",
                   "Batches": [{"BatchNumber": 1, "BatchStatus": "SUCCESSFUL"}]})
        })
        .collect();
    state["tencent"]["scalingGroups"][0]["RefreshActivities"] = activities.into();
    let resources: Resources = serde_json::from_value(state).unwrap();
    emu.set_resources(resources);

    let group = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-refresh-activities",
            "--auto-scaling-group-id",
            "asg-grp00001",
        ],
        "",
    ));
    let set = &group["Response"]["RefreshActivitySet"];
    assert_eq!(set.as_array().unwrap().len(), 150);
    assert_eq!(ids_of(set, "RefreshActivityId")[149], "asr-pg000149");

    let named = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "describe-refresh-activities",
            "--region",
            "ap-guangzhou",
            "--refresh-activity-id",
            "asr-pg000003",
            "--refresh-activity-id",
            "asr-pg000140",
        ],
        "",
    ));
    let mut got = ids_of(
        &named["Response"]["RefreshActivitySet"],
        "RefreshActivityId",
    );
    got.sort();
    assert_eq!(got, ["asr-pg000003", "asr-pg000140"]);

    // One of the two ways is required, and they do not mix.
    for args in [
        &["tencent", "describe-refresh-activities"][..],
        &[
            "tencent",
            "describe-refresh-activities",
            "--auto-scaling-group-id",
            "asg-grp00001",
            "--refresh-activity-id",
            "asr-pg000003",
        ][..],
    ] {
        assert_eq!(cloudhalt(&emu, args, "").status.code(), Some(2), "{args:?}");
    }
}

#[test]
fn describe_invocations_shows_every_instance_and_errors_exit_as_usual() {
    let emu = emulator();
    let doc = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "alibaba",
            "describe-invocations",
            "--region",
            "cn-hangzhou",
            "--invoke-id",
            "t-hz0jdfwd9f0003",
        ],
        "",
    ));
    let invocation = &doc["Invocations"]["Invocation"][0];
    assert_eq!(invocation["InvokeId"], "t-hz0jdfwd9f0003");
    let instances = &invocation["InvokeInstances"]["InvokeInstance"];
    assert_eq!(instances.as_array().unwrap().len(), 60);

    let one = document(&cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "alibaba",
            "describe-invocations",
            "--region",
            "cn-hangzhou",
            "--invoke-id",
            "t-hz0jdfwd9f0001",
            "--instance-id",
            "i-bp67acfmxazb4p0002",
        ],
        "",
    ));
    assert_eq!(
        one["Invocations"]["Invocation"][0]["InvokeId"],
        "t-hz0jdfwd9f0001"
    );

    // A malformed ID is refused before anything is sent, exit 2, one error line.
    let out = cloudhalt(
        &emu,
        &[
            "alibaba",
            "describe-invocations",
            "--region",
            "cn-hangzhou",
            "--invoke-id",
            "not-a-task",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    assert_eq!(received(&emu, "DescribeInvocations"), 2);
}

#[test]
fn describe_text_output_is_the_indented_document() {
    let emu = emulator();
    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "describe-instances",
            "--region",
            "ap-guangzhou",
            "ins-stp00001",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().count() > 3, "indented: {text}");
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        doc["Response"]["InstanceSet"][0]["InstanceState"],
        "STOPPED"
    );
}

// ---------------------------------------------------------------- waits

/// `running` RUNNING instances `ins-wt...` whose transitions take `transition_ms`, with `extra`
/// members of the Tencent seed (`chargeType`, `failOperations`).
fn seed_waiting(
    emu: &RunningEmulator,
    running: usize,
    transition_ms: u64,
    extra: Value,
) -> Vec<String> {
    let mut tencent =
        json!({"running": running, "prefix": "ins-wt", "transitionMs": transition_ms});
    for (k, v) in extra.as_object().unwrap() {
        tencent[k] = v.clone();
    }
    let seed: Seed = serde_json::from_value(json!({ "tencent": tencent })).unwrap();
    let out = emu.seed(&seed).unwrap();
    out["tencent"]["running"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The JSON lines of stdout: one per ID, then the summary.
fn json_lines(out: &Output) -> (Vec<Value>, Value) {
    let mut lines: Vec<Value> = stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let summary = lines.pop().expect("a summary line");
    (lines, summary)
}

/// How many requests of `action` named `id`.
fn received_for(emu: &RunningEmulator, action: &str, id: &str) -> u64 {
    emu.calls()[action]["ids"][id]["received"]
        .as_u64()
        .unwrap_or(0)
}

const FAST: [&str; 4] = ["--wait-min-delay", "0.1", "--wait-max-delay", "0.3"];

#[test]
fn stop_with_wait_ends_with_every_id_stopped_and_sends_each_once() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 250, 300, json!({}));
    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "stop-instances",
        "--region",
        "ap-guangzhou",
        "--wait",
        "--wait-timeout",
        "60",
    ];
    args.extend(FAST);
    args.push("-");
    let out = cloudhalt(&emu, &args, &ids.join("\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, summary) = json_lines(&out);
    assert_eq!(lines.len(), 250);
    for line in &lines {
        assert_eq!(line["outcome"], "done", "{line}");
        assert_eq!(line["state"], "STOPPED", "{line}");
        assert_eq!(line["result"], "stopped", "{line}");
    }
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["states"][&ids[0]], "STOPPED");
    assert_eq!(summary["wait_results"][&ids[249]], "stopped");
    let state = emu.state();
    let stopped = state["tencent"]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["InstanceState"] == "STOPPED"
                && ids.contains(&i["InstanceId"].as_str().unwrap().to_owned())
        })
        .count();
    assert_eq!(stopped, 250);
    // The waiter read the state; it never sent the stop again.
    for id in &ids {
        assert_eq!(received_for(&emu, "StopInstances", id), 1, "{id}");
    }
    assert!(received(&emu, "DescribeInstances") >= 3);
}

#[test]
fn a_wait_past_its_deadline_exits_10_within_one_poll_interval() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 3, 60_000, json!({}));
    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "stop-instances",
        "--region",
        "ap-guangzhou",
        "--wait",
        "--wait-timeout",
        "1",
    ];
    args.extend(FAST);
    args.extend(ids.iter().map(String::as_str));
    let started = std::time::Instant::now();
    let out = cloudhalt(&emu, &args, "");
    let took = started.elapsed().as_secs_f64();
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    // The deadline, plus one poll interval (0.3 s), plus starting the process and sending.
    assert!((1.0..2.8).contains(&took), "took {took} s");
    let (lines, summary) = json_lines(&out);
    for line in &lines {
        assert_eq!(line["outcome"], "done", "the stop went through: {line}");
        assert_eq!(line["state"], "STOPPING", "{line}");
    }
    assert_eq!(summary["ok"], false);
    assert_eq!(summary["kind"], "wait_timeout");
    let err: Value = serde_json::from_str(stderr(&out).lines().last().unwrap()).unwrap();
    assert_eq!(err["kind"], "wait_timeout");
    assert!(err["message"].as_str().unwrap().contains(&ids[0]), "{err}");
}

#[test]
fn a_stop_the_provider_fails_exits_11_naming_the_ids() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 2, 200, json!({"failOperations": ["StopInstances"]}));
    let mut args = vec![
        "tencent",
        "stop-instances",
        "--region",
        "ap-guangzhou",
        "--wait",
    ];
    args.extend(FAST);
    args.extend(ids.iter().map(String::as_str));
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(11), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("wait_failed"), "{err}");
    for id in &ids {
        assert!(err.contains(id.as_str()), "{err}");
        assert_eq!(received_for(&emu, "StopInstances", id), 1, "not re-sent");
    }
    // The text report says the stop went through, then how the wait ended.
    let text = stdout(&out);
    assert!(text.starts_with("ok: tencent StopInstances"), "{text}");
    assert!(text.contains("waited: 0 success, 2 failure"), "{text}");
}

#[test]
fn wait_instances_waits_on_ids_it_is_given_and_sends_no_write() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 3, 500, json!({}));
    let mut stop = vec!["tencent", "stop-instances", "--region", "ap-guangzhou"];
    stop.extend(ids.iter().map(String::as_str));
    assert_eq!(cloudhalt(&emu, &stop, "").status.code(), Some(0));

    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "wait-instances",
        "--region",
        "ap-guangzhou",
        "--state",
        "STOPPED",
        "--wait-timeout",
        "30",
        "--instance-id",
        &ids[0],
    ];
    args.extend(FAST);
    args.push("-");
    let out = cloudhalt(&emu, &args, &ids[1..].join("\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, summary) = json_lines(&out);
    let got: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for line in &lines {
        assert_eq!(line["state"], "STOPPED", "{line}");
        assert_eq!(line["then"], "success", "{line}");
    }
    assert_eq!(summary["ok"], true);
    assert!(summary["waited_for"].as_str().unwrap().contains("STOPPED"));
    for id in &ids {
        assert_eq!(received_for(&emu, "StopInstances", id), 1, "{id}");
    }

    // Past its deadline: exit 10, each ID still waiting.
    let more = seed_waiting(&emu, 1, 60_000, json!({}));
    let stop = [
        "tencent",
        "stop-instances",
        "--region",
        "ap-guangzhou",
        &more[0],
    ];
    assert_eq!(cloudhalt(&emu, &stop, "").status.code(), Some(0));
    let out = cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "wait-instances",
            "--region",
            "ap-guangzhou",
            "--state",
            "STOPPED",
            "--wait-timeout",
            "0.5",
            "--wait-max-delay",
            "0.2",
            &more[0],
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    let (lines, _) = json_lines(&out);
    assert_eq!(lines[0]["then"], "wait");
}

#[test]
fn terminate_with_wait_reports_the_recycle_bin_or_gone() {
    let emu = emulator();
    for (charge, state, result) in [
        ("PREPAID", "SHUTDOWN", "recycle bin"),
        ("POSTPAID_BY_HOUR", "gone", "gone"),
    ] {
        emu.reset();
        let ids = seed_waiting(&emu, 2, 200, json!({ "chargeType": charge }));
        let mut args = vec![
            "--output",
            "json",
            "tencent",
            "terminate-instances",
            "--region",
            "ap-guangzhou",
            "--wait",
        ];
        args.extend(FAST);
        args.extend(ids.iter().map(String::as_str));
        let out = cloudhalt(&emu, &args, "");
        assert_eq!(out.status.code(), Some(0), "{charge}: {}", stderr(&out));
        let (lines, _) = json_lines(&out);
        for line in &lines {
            assert_eq!(line["state"], state, "{charge}: {line}");
            assert_eq!(line["result"], result, "{charge}: {line}");
        }
        for id in &ids {
            assert_eq!(
                received_for(&emu, "TerminateInstances", id),
                1,
                "{charge} {id}"
            );
        }
    }
}

#[test]
fn pause_first_cancels_a_refresh_with_a_batch_refreshing() {
    let emu = emulator();
    let cancel = [
        "--output",
        "json",
        "tencent",
        "cancel-instance-refresh",
        "--auto-scaling-group-id",
        "asg-grp00001",
        "--refresh-activity-id",
        "asr-act00003",
    ];
    // Without the flag: the provider's refusal, and the way to ask for the pause.
    let out = cloudhalt(&emu, &cancel, "");
    assert_eq!(out.status.code(), Some(6), "{}", stderr(&out));
    assert!(stderr(&out).contains("pause"), "{}", stderr(&out));
    assert_eq!(emu.calls()["StopInstanceRefresh"]["received"], 0);

    let mut args = cancel.to_vec();
    args.extend(["--pause-first", "--wait"]);
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, _) = json_lines(&out);
    assert_eq!(lines[0]["id"], "asr-act00003");
    assert_eq!(lines[0]["state"], "CANCELLED", "{}", lines[0]);
    assert_eq!(emu.calls()["StopInstanceRefresh"]["applied"], 1);
    let state = emu.state();
    let activity = state["tencent"]["scalingGroups"][0]["RefreshActivities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["RefreshActivityId"] == "asr-act00003")
        .unwrap()
        .clone();
    assert_eq!(activity["Status"], "CANCELLED");
}

#[test]
fn the_generic_waits_take_a_write_s_parameters_as_call_does() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 2, 300, json!({}));
    let params = json!({ "InstanceIds": ids }).to_string();
    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "call",
            "StopInstances",
            "--region",
            "ap-guangzhou",
            "--params",
            &params,
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "wait",
        "StopInstances",
        "--region",
        "ap-guangzhou",
        "--params",
        "-",
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, &params);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, summary) = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["state"] == "STOPPED"), "{lines:?}");
    assert_eq!(summary["ok"], true);
    assert_eq!(
        emu.calls()["StopInstances"]["received"],
        1,
        "the wait sent no stop"
    );

    // Alibaba: stop a task with --wait through `call`, then wait on it again standalone.
    let stop = json!({"RegionId": "cn-hangzhou", "InvokeId": "t-hz0jdfwd9f0001",
                      "InstanceId": ["i-bp67acfmxazb4p0001", "i-bp67acfmxazb4p0002"]})
    .to_string();
    let mut args = vec![
        "--output",
        "json",
        "alibaba",
        "call",
        "StopInvocation",
        "--params",
        &stop,
        "--wait",
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, summary) = json_lines(&out);
    assert_eq!(
        summary["states"]["i-bp67acfmxazb4p0001"], "Stopped",
        "{summary}"
    );
    let mut args = vec![
        "--output",
        "json",
        "alibaba",
        "wait",
        "StopInvocation",
        "--params",
        &stop,
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, _) = json_lines(&out);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l["then"] == "success"), "{lines:?}");
    assert_eq!(emu.calls()["StopInvocation"]["received"], 1);
}

#[test]
fn wait_timing_flags_are_checked_before_anything_is_sent() {
    let emu = emulator();
    for extra in [
        &["--wait-timeout", "5"][..],
        &["--wait", "--wait-timeout", "86401"],
        &["--wait", "--wait-min-delay", "0"],
        &["--wait", "--wait-min-delay", "5", "--wait-max-delay", "1"],
    ] {
        let mut args = vec![
            "tencent",
            "stop-instances",
            "--region",
            "ap-guangzhou",
            "ins-run00000",
        ];
        args.extend(extra);
        let out = cloudhalt(&emu, &args, "");
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        // The flag that is wrong (of a min above the max, either may be named).
        let flag = extra
            .iter()
            .rev()
            .find(|a| a.starts_with("--wait-"))
            .unwrap();
        let flag = if extra.len() > 3 { "--wait-m" } else { flag };
        assert!(stderr(&out).contains(flag), "{extra:?}: {}", stderr(&out));
    }
    assert_eq!(received(&emu, "StopInstances"), 0);
}

#[test]
fn thirty_already_stopped_of_250_end_already_and_only_running_ones_are_resent() {
    let emu = emulator();
    let ids = seed_waiting(&emu, 250, 0, json!({}));
    let mut first = vec!["tencent", "stop-instances", "--region", "ap-guangzhou"];
    first.extend(ids[..30].iter().map(String::as_str));
    assert_eq!(cloudhalt(&emu, &first, "").status.code(), Some(0));
    let out = cloudhalt(
        &emu,
        &[
            "--output",
            "json",
            "tencent",
            "stop-instances",
            "--region",
            "ap-guangzhou",
            "-",
        ],
        &ids.join("\n"),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, summary) = json_lines(&out);
    assert_eq!(summary["summary"]["already"], 30, "{summary}");
    assert_eq!(summary["summary"]["done"], 220, "{summary}");
    assert!(lines[..30].iter().all(|l| l["outcome"] == "already"));
    // Each instance was stopped by exactly one applied request: the refused batch changed
    // nothing, and the re-send named only the running ones.
    for id in &ids {
        let applied = emu.calls()["StopInstances"]["ids"][id]["applied"].as_u64();
        assert_eq!(applied, Some(1), "{id}");
    }
}

#[test]
fn tat_and_ecs_cancels_are_confirmed_per_instance() {
    let emu = emulator();
    // Every task of inv-inv00001: one SUCCESS task finished before the cancel landed.
    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "cancel-invocation",
        "--region",
        "ap-guangzhou",
        "--invocation-id",
        "inv-inv00001",
        "--all-instances",
        "--wait",
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, summary) = json_lines(&out);
    assert_eq!(summary["states"]["ins-run00001"], "TERMINATED", "{summary}");
    assert_eq!(
        summary["wait_results"]["ins-run00002"],
        "finished before the cancel landed"
    );
    assert_eq!(summary["states"]["lhins-lh000001"], "CANCELLED");

    // Named instances: each line has its task's state.
    let mut args = vec![
        "--output",
        "json",
        "tencent",
        "cancel-invocation",
        "--region",
        "ap-guangzhou",
        "--invocation-id",
        "inv-inv00002",
        "--wait",
        "ins-run00003",
        "ins-run00004",
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, _) = json_lines(&out);
    let states: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [
            ("ins-run00003", "CANCELLED"),
            ("ins-run00004", "TERMINATED")
        ]
    );

    // ECS: a task that already succeeded finished before the stop landed.
    let mut args = vec![
        "--output",
        "json",
        "alibaba",
        "stop-invocation",
        "--region",
        "cn-hangzhou",
        "--invoke-id",
        "t-hz0jdfwd9f0002",
        "--all-instances",
        "--wait",
    ];
    args.extend(FAST);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, summary) = json_lines(&out);
    assert_eq!(
        summary["wait_results"]["i-bp67acfmxazb4p0004"], "finished before the stop landed",
        "{summary}"
    );
    assert_eq!(
        emu.calls()["CancelInvocation"]["received"],
        2,
        "never re-sent"
    );
    assert_eq!(
        emu.calls()["StopInvocation"]["received"],
        1,
        "never re-sent"
    );
}
