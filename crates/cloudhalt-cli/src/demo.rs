//! `cloudhalt demo`: the five operations against an in-process emulator, through the real client
//! and HTTP, showing what was signed and what changed. Needs no account and no credentials.

use std::collections::BTreeMap;
use std::process::ExitCode;

use cloudhalt::{
    Alibaba, AlibabaCredentials, CancelInstanceRefresh, CancelInvocation, Error, Response,
    StopInstances, StopInvocation, StopType, Tencent, TencentCredentials, TerminateInstances,
};
use cloudhalt_emulator::{Config, Emulator, RunningEmulator};
use serde_json::Value;

use crate::exit;

/// Runs the demo; exit 0 when all five operations succeeded.
pub fn run() -> ExitCode {
    match demo() {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            eprintln!("cloudhalt demo: {message}");
            ExitCode::from(1)
        }
    }
}

type Step<'a> = (&'a str, Box<dyn Fn() -> Result<Response, Error> + 'a>);

fn demo() -> Result<usize, String> {
    let emulator = Emulator::start(Config::default())
        .map_err(|e| format!("cannot start the emulator on 127.0.0.1: {e}"))?;
    let tencent = Tencent::new(
        TencentCredentials::new(
            cloudhalt_emulator::TENCENT_SECRET_ID,
            cloudhalt_emulator::TENCENT_SECRET_KEY,
            None,
        )
        .map_err(|e| e.to_string())?,
    )
    .with_endpoint_url(emulator.url())
    .map_err(|e| e.to_string())?;
    let alibaba = Alibaba::new(
        AlibabaCredentials::new(
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_ID,
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_SECRET,
            None,
        )
        .map_err(|e| e.to_string())?,
    )
    .with_endpoint_url(emulator.url())
    .map_err(|e| e.to_string())?;

    println!(
        "cloudhalt demo: an emulator of both clouds is listening on {} (built-in test credentials)",
        emulator.url()
    );
    let steps: Vec<Step<'_>> = vec![
        (
            "StopInstances ap-guangzhou ins-run00000 ins-run00001 (StopType SOFT_FIRST)",
            Box::new(|| {
                let mut r = StopInstances::new(
                    "ap-guangzhou",
                    vec!["ins-run00000".into(), "ins-run00001".into()],
                );
                r.set_stop_type(StopType::SoftFirst);
                tencent.stop_instances(&r)
            }),
        ),
        (
            "TerminateInstances ap-guangzhou ins-stp00000",
            Box::new(|| {
                tencent.terminate_instances(&TerminateInstances::new(
                    "ap-guangzhou",
                    vec!["ins-stp00000".into()],
                ))
            }),
        ),
        (
            "CancelInvocation ap-guangzhou inv-inv00001",
            Box::new(|| {
                tencent.cancel_invocation(&CancelInvocation::new("ap-guangzhou", "inv-inv00001"))
            }),
        ),
        (
            "CancelInstanceRefresh asg-grp00001 asr-act00001",
            Box::new(|| {
                tencent.cancel_instance_refresh(&CancelInstanceRefresh::new(
                    "asg-grp00001",
                    "asr-act00001",
                ))
            }),
        ),
        (
            "StopInvocation cn-hangzhou t-hz0jdfwd9f0001",
            Box::new(|| {
                alibaba.stop_invocation(&StopInvocation::new("cn-hangzhou", "t-hz0jdfwd9f0001"))
            }),
        ),
    ];
    let total = steps.len();
    let mut failed = 0;
    for (n, (title, call)) in steps.iter().enumerate() {
        let before = flatten(&emulator);
        let result = call();
        let after = flatten(&emulator);
        println!();
        match result {
            Ok(response) => {
                println!("{}. {} {title}: ok", n + 1, response.provider());
                for (name, value) in key_headers(&response) {
                    println!("   {name}: {value}");
                }
                println!("   RequestId: {}", exit::clean(response.request_id()));
                for change in changes(&before, &after) {
                    println!("   state: {change}");
                }
            }
            Err(err) => {
                failed += 1;
                // The emulator is ours, but its answers still pass through the provider code
                // path: show them as inert as any provider's.
                println!(
                    "{}. {title}: FAILED: {}",
                    n + 1,
                    exit::clean(&err.to_string())
                );
            }
        }
    }
    println!();
    println!("{} of {total} operations succeeded", total - failed);
    Ok(failed)
}

/// The headers worth showing. The core's record already shortens the signature and never holds a
/// token.
fn key_headers(response: &Response) -> Vec<(String, String)> {
    const SHOWN: [&str; 7] = [
        "host",
        "x-tc-action",
        "x-tc-timestamp",
        "x-acs-action",
        "x-acs-date",
        "x-acs-signature-nonce",
        "authorization",
    ];
    let mut shown = Vec::new();
    for wanted in SHOWN {
        for (name, value) in response.sent_headers() {
            if name.eq_ignore_ascii_case(wanted) {
                shown.push((name.clone(), value.clone()));
            }
        }
    }
    shown
}

/// Every resource's status, keyed by a readable name.
fn flatten(emulator: &RunningEmulator) -> BTreeMap<String, String> {
    let state = emulator.state();
    let mut out = BTreeMap::new();
    let s = |v: &Value| v.as_str().unwrap_or("?").to_owned();
    let list = |v: &Value| v.as_array().cloned().unwrap_or_default();
    for i in list(&state["tencent"]["instances"]) {
        out.insert(s(&i["InstanceId"]), s(&i["InstanceState"]));
    }
    for inv in list(&state["tencent"]["invocations"]) {
        let id = s(&inv["InvocationId"]);
        out.insert(id.clone(), s(&inv["InvocationStatus"]));
        for t in list(&inv["Tasks"]) {
            out.insert(
                format!("{id} task on {}", s(&t["InstanceId"])),
                s(&t["TaskStatus"]),
            );
        }
    }
    for g in list(&state["tencent"]["scalingGroups"]) {
        for a in list(&g["RefreshActivities"]) {
            let id = s(&a["RefreshActivityId"]);
            out.insert(id.clone(), s(&a["Status"]));
            for b in list(&a["Batches"]) {
                out.insert(
                    format!("{id} batch {}", b["BatchNumber"]),
                    s(&b["BatchStatus"]),
                );
            }
        }
    }
    for i in list(&state["alibaba"]["instances"]) {
        out.insert(s(&i["InstanceId"]), s(&i["Status"]));
    }
    for inv in list(&state["alibaba"]["invocations"]) {
        let id = s(&inv["InvokeId"]);
        out.insert(id.clone(), s(&inv["InvocationStatus"]));
        for t in list(&inv["InvokeInstances"]) {
            out.insert(
                format!("{id} on {}", s(&t["InstanceId"])),
                s(&t["InvocationStatus"]),
            );
        }
    }
    out
}

fn changes(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for (key, old) in before {
        match after.get(key) {
            Some(new) if new != old => out.push(format!("{key} {old} -> {new}")),
            None => out.push(format!("{key} {old} -> (removed)")),
            _ => {}
        }
    }
    for (key, new) in after {
        if !before.contains_key(key) {
            out.push(format!("{key} (new) -> {new}"));
        }
    }
    if out.is_empty() {
        out.push("no change".into());
    }
    out
}
