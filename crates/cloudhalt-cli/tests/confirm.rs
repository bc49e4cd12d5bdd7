//! The built `cloudhalt` command confirming what it stops, against an in-process emulator: the
//! Describe subcommands return every item of a paged answer, and `--wait` / the standalone waits
//! end in the provider's state per ID with their own exit codes.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cloudhalt_emulator::{Config, Emulator, Resources, RunningEmulator, Seed};
use serde_json::{Value, json};

fn emulator() -> RunningEmulator {
    Emulator::start(Config::default()).expect("the emulator starts on a free loopback port")
}

/// Runs the command with the emulator's test credentials and endpoint, `stdin` on its stdin.
fn cloudhalt(emu: &RunningEmulator, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudhalt"))
        .args(args)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env("CLOUDHALT_ENDPOINT", emu.url())
        .env(
            "TENCENTCLOUD_SECRET_ID",
            cloudhalt_emulator::TENCENT_SECRET_ID,
        )
        .env(
            "TENCENTCLOUD_SECRET_KEY",
            cloudhalt_emulator::TENCENT_SECRET_KEY,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_ID,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_SECRET,
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cloudhalt binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

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
