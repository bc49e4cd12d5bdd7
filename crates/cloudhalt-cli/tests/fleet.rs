//! The built `cloudhalt` command at fleet scale against an in-process emulator: batches split
//! at the provider's limit with a JSON line per ID, a dry run that sends nothing, and a batch
//! killed half-way then finished by `cloudhalt resume` with every ID sent exactly once (twice
//! only where the first send had no answer). The emulator's per-ID counters are the proof.

use std::io::Write;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use cloudhalt_emulator::{Fault, RunningEmulator, Seed};
use serde_json::{Value, json};

mod common;
use common::*;

/// The JSON lines of stdout: one per ID, then the summary.
fn json_lines(out: &Output) -> (Vec<Value>, Value) {
    let mut lines: Vec<Value> = stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = lines.pop().expect("a summary line");
    (lines, summary)
}

fn fault(emu: &RunningEmulator, spec: Value) {
    let fault: Fault = serde_json::from_value(spec).unwrap();
    emu.add_fault(fault).unwrap();
}

fn seed(emu: &RunningEmulator, running: usize) -> Vec<String> {
    let seed: Seed =
        serde_json::from_value(json!({"tencent": {"running": running, "prefix": "ins-flt"}}))
            .unwrap();
    let out = emu.seed(&seed).unwrap();
    out["tencent"]["running"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn id_calls(emu: &RunningEmulator, action: &str, id: &str) -> (u64, u64) {
    let calls = emu.calls();
    let c = &calls[action]["ids"][id];
    (
        c["received"].as_u64().unwrap_or(0),
        c["applied"].as_u64().unwrap_or(0),
    )
}

const STOP: [&str; 5] = ["tencent", "stop-instances", "--region", "ap-guangzhou", "-"];

fn ids150() -> Vec<String> {
    (0..150).map(|i| format!("ins-run{i:05}")).collect()
}

#[test]
fn a_batch_of_150_is_two_requests_and_a_line_per_id() {
    let emu = emulator();
    let ids = ids150();
    let args: Vec<&str> = ["--output", "json"].iter().chain(&STOP).copied().collect();
    let out = cloudhalt(&emu, &args, &ids.join("\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, summary) = json_lines(&out);
    let got: Vec<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(got, ids.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(lines.iter().all(|l| l["outcome"] == "done"));
    assert_eq!(
        summary["summary"],
        json!({"done": 150, "already": 0, "failed": 0, "unknown": 0})
    );
    assert_eq!(summary["request_ids"].as_array().unwrap().len(), 2);
    assert_eq!(emu.calls()["StopInstances"]["received"], 2);
    for id in &ids {
        assert_eq!(id_calls(&emu, "StopInstances", id), (1, 1), "{id}");
    }
}

#[test]
fn a_dry_run_sends_nothing() {
    let emu = emulator();
    let args: Vec<&str> = ["--dry-run"].iter().chain(&STOP).copied().collect();
    let out = cloudhalt(&emu, &args, &ids150().join("\n"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("150 ID(s) in 2 request(s)"), "{text}");
    assert!(!text.contains(cloudhalt_emulator::TENCENT_SECRET_KEY));
    assert_eq!(emu.calls()["StopInstances"]["received"], 0);
}

/// The complete lines of the audit log at `path`.
fn events(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines: Vec<&str> = text.split('\n').collect();
    lines.pop(); // not yet ended by a newline (or empty)
    lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn ids_in(events: &[Value], event: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for e in events.iter().filter(|e| e["event"] == event) {
        match event {
            "send" => ids.extend(
                e["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap().to_owned()),
            ),
            _ => ids.extend(e["outcomes"].as_object().unwrap().keys().cloned()),
        }
    }
    ids
}

#[test]
fn killed_mid_batch_then_resumed_every_id_is_stopped_once() {
    let emu = emulator();
    let fleet = seed(&emu, 300);
    fault(
        &emu,
        json!({"kind": "latency", "provider": "tencent", "action": "StopInstances",
               "ms": 800, "forever": true}),
    );
    let dir = std::env::temp_dir().join(format!("cloudhalt-cli-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("stop.log");
    let _ = std::fs::remove_file(&log);
    let log_arg = log.to_str().unwrap();
    let args: Vec<&str> = ["--audit", log_arg, "--concurrency", "1"]
        .iter()
        .chain(&STOP)
        .copied()
        .collect();
    let mut child = command(&emu, &args).spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(fleet.join("\n").as_bytes())
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let e = events(&log);
        if e.iter().any(|e| e["event"] == "answer") && e.last().unwrap()["event"] == "send" {
            break;
        }
        assert!(Instant::now() < deadline, "no answer in the audit log");
        assert!(child.try_wait().unwrap().is_none(), "ended before the kill");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    // Child::kill is SIGKILL on Unix: the command gets no chance to write anything more.
    child.kill().unwrap();
    child.wait().unwrap();
    emu.clear_faults();
    let before = events(&log);
    let answered = ids_in(&before, "answer");
    let in_flight: Vec<String> = ids_in(&before, "send")
        .into_iter()
        .filter(|id| !answered.contains(id))
        .collect();
    assert!(!answered.is_empty() && !in_flight.is_empty());
    // Let the emulator apply the request the kill cut off.
    let sends = before.iter().filter(|e| e["event"] == "send").count() as u64;
    while emu.calls()["StopInstances"]["applied"].as_u64().unwrap() < sends {
        assert!(Instant::now() < deadline);
        std::thread::sleep(Duration::from_millis(20));
    }

    let out = cloudhalt(&emu, &["--output", "json", "resume", log_arg], "");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (lines, _) = json_lines(&out);
    assert_eq!(lines.len(), fleet.len());
    for line in &lines {
        let id = line["id"].as_str().unwrap();
        let expected = if in_flight.iter().any(|i| i == id) {
            "already"
        } else {
            "done"
        };
        assert_eq!(line["outcome"], expected, "{line}");
        let sends = if in_flight.iter().any(|i| i == id) {
            2
        } else {
            1
        };
        assert_eq!(id_calls(&emu, "StopInstances", id), (sends, 1), "{id}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
