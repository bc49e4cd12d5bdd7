//! The built `cloudhalt` command against an in-process emulator: the behaviours scripts rely on,
//! checked by `cargo test` alone (the pytest suite checks the same and more against a separate
//! emulator process).

use cloudhalt_emulator::{Fault, RunningEmulator};
use serde_json::{Value, json};

mod common;
use common::*;

fn fault(emu: &RunningEmulator, spec: Value) {
    let fault: Fault = serde_json::from_value(spec).unwrap();
    emu.add_fault(fault).unwrap();
}

fn requests(emu: &RunningEmulator, action: &str) -> u64 {
    emu.state()["requests"][action].as_u64().unwrap_or(0)
}

const CANCEL: [&str; 6] = [
    "tencent",
    "cancel-invocation",
    "--region",
    "ap-guangzhou",
    "--invocation-id",
    "inv-inv00002",
];
const STOP_INVOCATION: [&str; 6] = [
    "alibaba",
    "stop-invocation",
    "--region",
    "cn-hangzhou",
    "--invoke-id",
    "t-hz0jdfwd9f0001",
];

#[test]
fn an_empty_stdin_never_cancels_on_every_instance() {
    let emu = emulator();
    for (base, action) in [
        (&CANCEL, "CancelInvocation"),
        (&STOP_INVOCATION, "StopInvocation"),
    ] {
        for (extra, stdin) in [(&["-"][..], ""), (&["-"][..], "\n \n"), (&[][..], "")] {
            let args: Vec<&str> = base.iter().chain(extra).copied().collect();
            let out = cloudhalt(&emu, &args, stdin);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            let err = stderr(&out);
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("--all-instances"), "{err}");
            assert_eq!(requests(&emu, action), 0, "{args:?} sent a request");
        }
        let args: Vec<&str> = base.iter().chain(&["--all-instances"]).copied().collect();
        let out = cloudhalt(&emu, &args, "");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(requests(&emu, action), 1);
    }
}

#[test]
fn may_have_been_sent_is_exit_8_and_not_sent_is_7() {
    let emu = emulator();
    // One attempt: what a single request reports, before any retry hides it.
    let stop = [
        "--max-attempts",
        "1",
        "tencent",
        "stop-instances",
        "--region",
        "ap-guangzhou",
        "ins-run00000",
    ];
    fault(&emu, json!({"kind": "close"}));
    let out = cloudhalt(&emu, &stop, "");
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    fault(
        &emu,
        json!({"kind": "http_status", "httpStatus": 200, "body": "not json"}),
    );
    let out = cloudhalt(&emu, &stop, "");
    assert_eq!(out.status.code(), Some(8), "{}", stderr(&out));
    assert!(stderr(&out).contains("kind unexpected_response"));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut args = vec!["--endpoint", url.as_str()];
    args.extend(stop);
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
}

#[test]
fn json_errors_are_one_object_on_one_line() {
    let emu = emulator();
    fault(&emu, json!({"kind": "close", "provider": "alibaba"}));
    let args: Vec<&str> = ["--output", "json", "--max-attempts", "1"]
        .iter()
        .chain(&STOP_INVOCATION)
        .chain(&["--all-instances"])
        .copied()
        .collect();
    let out = cloudhalt(&emu, &args, "");
    assert_eq!(out.status.code(), Some(8));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    let v: Value = serde_json::from_str(&err).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "action",
            "code",
            "http_status",
            "kind",
            "message",
            "provider",
            "request_id",
            "send_state"
        ]
    );
    assert_eq!(v["send_state"], "sent_no_answer");
    assert_eq!(
        (&v["provider"], &v["action"]),
        (&json!("alibaba"), &json!("StopInvocation"))
    );
    assert!(v["code"].is_null() && v["request_id"].is_null());
}

#[test]
fn control_characters_in_provider_text_are_replaced() {
    let emu = emulator();
    fault(
        &emu,
        json!({"kind": "error", "provider": "tencent", "code": "FailedOperation.\u{1b}[31m",
               "message": "refused \u{1b}]0;owned\u{7}\u{9b}2J\r\nX-Fake: 1"}),
    );
    let out = cloudhalt(
        &emu,
        &[
            "tencent",
            "stop-instances",
            "--region",
            "ap-guangzhou",
            "ins-run00000",
        ],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let line = err.strip_suffix('\n').unwrap();
    assert!(!line.chars().any(char::is_control), "{line:?}");
    assert!(
        line.contains(
            "FailedOperation.\u{FFFD}[31m: refused \u{FFFD}]0;owned\u{FFFD}\u{FFFD}2J  X-Fake: 1"
        ),
        "{line:?}"
    );
}

#[test]
fn old_and_new_spellings_both_work() {
    let emu = emulator();
    for (group, activity) in [
        ("--auto-scaling-group-id", "--refresh-activity-id"),
        ("--group", "--activity"),
    ] {
        emu.reset();
        let out = cloudhalt(
            &emu,
            &[
                "--output",
                "json",
                "tencent",
                "cancel-instance-refresh",
                group,
                "asg-grp00001",
                activity,
                "asr-act00001",
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        // The summary is the last line, after one line per ID.
        let stdout = String::from_utf8(out.stdout.clone()).unwrap();
        let v: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
        assert_eq!(v["action"], "CancelInstanceRefresh");
        assert_eq!(v["operation"], v["action"]);
    }
    for flag in ["--force-stop", "--force"] {
        let out = cloudhalt(
            &emu,
            &[
                "tencent",
                "stop-instances",
                "--region",
                "ap-guangzhou",
                flag,
                "--stop-type",
                "HARD",
                "ins-run00000",
            ],
            "",
        );
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&out).contains("ForceStop"),
            "{flag}: {}",
            stderr(&out)
        );
    }
}
