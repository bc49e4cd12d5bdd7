//! Load on a running emulator, for the "Emulator" rows of `tests/perf/run` (issue 13: it must
//! serve at least 5,000 verified requests/s on loopback, so that it is never the bottleneck of
//! another row). Numbers to compare, never a pass/fail check.
//!
//! `cargo bench -p cloudhalt-emulator --bench load -- MODE URL N THREADS [PID]` where URL is an
//! emulator started with its built-in credentials (`cloudhalt emulator --port 0`), and MODE is
//! - `tc`: `Tencent::stop_instances` with 1 ID, each request stopping a different instance of a
//!   fleet seeded for the run (RUNNING -> STOPPING: a real state change every time);
//! - `ali`: `Alibaba::stop_invocation` with 1 ID, each request stopping a different instance of
//!   a seeded Cloud Assistant invocation (Running -> Stopping).
//!
//! Every request is a real cloudhalt call as it ships (retries on; the client-side rate limit
//! off): freshly signed with its own timestamp (and, for ACS3, its own nonce), so the emulator
//! checks a new signature each time and could not take a replay. Replays would not do here: the
//! emulator refuses a reused ACS3 nonce, and a replayed StopInstances would find its instance
//! stopped. THREADS threads each own a client, so each holds one keep-alive connection.
//!
//! Before the run it resets the emulator, turns its rate limit for the action off (the
//! documented 10 or 20 requests/s would be all this measured) and seeds the fleet; after it,
//! it checks that the emulator counts exactly the requests sent as applied, then resets it
//! again. With PID (the emulator's process) it also reports the CPU time the emulator and the
//! load threads spent per request over the timed part, from `/proc`: on a machine whose
//! cores both sides share, the emulator's CPU per request is its capacity (1 s / that, per
//! core) whatever the load generator costs.
//!
//! Prints one line: `MODE requests_per_s=... n=... threads=... emulator_cpu_us=...
//! client_cpu_us=...` (the emulator's only with PID; both from `schedstat`, in nanoseconds).

use std::sync::{Arc, Barrier};
use std::time::Instant;

use cloudhalt::{
    Alibaba, AlibabaCredentials, Pacing, StopInstances, StopInvocation, Tencent, TencentCredentials,
};
use cloudhalt_emulator::{
    ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, TENCENT_SECRET_ID, TENCENT_SECRET_KEY,
};
use serde_json::{Value, json};

/// Calls per thread before the timed part (connections open, pools warm).
const WARM_UP: usize = 20;

/// Nanoseconds on a CPU of one thread, from a `schedstat` file (its first field): exact, where
/// `/proc/PID/stat` counts 10 ms ticks.
fn schedstat_ns(path: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Nanoseconds on a CPU of the live threads of process `pid`. Only live ones: the emulator's
/// connection threads must outlive the measurement, so the clients are dropped after it.
fn process_cpu_ns(pid: &str) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread that ends meanwhile is skipped.
        total += schedstat_ns(&path.to_string_lossy()).unwrap_or(0);
    }
    Some(total)
}

fn control(agent: &ureq::Agent, url: &str, path: &str, body: &Value) -> Value {
    let mut answer = agent
        .post(&format!("{url}{path}"))
        .header("content-type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("POST {path}: {e}"));
    serde_json::from_slice(&answer.body_mut().read_to_vec().expect("read"))
        .unwrap_or_else(|e| panic!("POST {path} answered something that is not JSON: {e}"))
}

fn applied(agent: &ureq::Agent, url: &str, action: &str) -> u64 {
    let mut answer = agent
        .get(&format!("{url}/_emulator/calls"))
        .call()
        .expect("GET /_emulator/calls");
    let calls: Value =
        serde_json::from_slice(&answer.body_mut().read_to_vec().expect("read")).expect("JSON");
    calls[action]["applied"].as_u64().unwrap_or(0)
}

/// One thread's work: a call that stops the `i`-th ID of its share.
type Call = Box<dyn FnMut(&str) + Send>;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let (mode, url, n, threads, pid) = match &args[..] {
        [m, u, n, t] => (m, u, n, t, None),
        [m, u, n, t, p] => (m, u, n, t, Some(p.clone())),
        _ => {
            eprintln!("usage: load tc|ali URL N THREADS [EMULATOR_PID]");
            std::process::exit(2);
        }
    };
    let n: usize = n.parse().expect("N is a number");
    let threads: usize = threads.parse().expect("THREADS is a number");
    assert!(threads >= 1 && n >= threads, "need 1 <= THREADS <= N");
    let per_thread = n / threads;
    let total = threads * (per_thread + WARM_UP);

    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    control(&agent, url, "/_emulator/reset", &json!({}));
    let (action, seeded) = match mode.as_str() {
        "tc" => {
            control(
                &agent,
                url,
                "/_emulator/config",
                &json!({"rateLimits": {"StopInstances": 0}}),
            );
            let seeded = control(
                &agent,
                url,
                "/_emulator/seed",
                &json!({"tencent": {"running": total, "prefix": "ins-ld"}}),
            );
            ("StopInstances", seeded["tencent"]["running"].clone())
        }
        "ali" => {
            control(
                &agent,
                url,
                "/_emulator/config",
                &json!({"rateLimits": {"StopInvocation": 0}}),
            );
            let seeded = control(
                &agent,
                url,
                "/_emulator/seed",
                &json!({"alibaba": {"running": total, "prefix": "i-ld"}}),
            );
            ("StopInvocation", seeded["alibaba"]["running"].clone())
        }
        other => {
            eprintln!("unknown mode {other}: use tc or ali");
            std::process::exit(2);
        }
    };
    let ids: Vec<String> = seeded
        .as_array()
        .unwrap_or_else(|| panic!("the seed answered no IDs: {seeded}"))
        .iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    assert_eq!(
        ids.len(),
        total,
        "the seed made another number of instances"
    );
    let before = applied(&agent, url, action);

    let barrier = Arc::new(Barrier::new(threads + 1));
    let pool: Vec<_> = ids
        .chunks(per_thread + WARM_UP)
        .map(|share| {
            let share = share.to_vec();
            let barrier = barrier.clone();
            let mut call = client(mode, url);
            std::thread::spawn(move || {
                let (warm, timed) = share.split_at(WARM_UP);
                for id in warm {
                    call(id);
                }
                barrier.wait();
                let cpu = schedstat_ns("/proc/thread-self/schedstat");
                for id in timed {
                    call(id);
                }
                let cpu = schedstat_ns("/proc/thread-self/schedstat")
                    .zip(cpu)
                    .map(|(after, before)| after - before);
                // The client (and its connection) lives on until the emulator's CPU is read.
                (call, cpu)
            })
        })
        .collect();
    barrier.wait();
    let start = Instant::now();
    let emulator_before = pid.as_deref().and_then(process_cpu_ns);
    let done: Vec<(Call, Option<u64>)> = pool
        .into_iter()
        .map(|t| t.join().expect("a load thread failed"))
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    let emulator_after = pid.as_deref().and_then(process_cpu_ns);
    let client_ns: Option<u64> = done.iter().map(|(_, cpu)| *cpu).sum();
    drop(done);

    let sent = threads * per_thread;
    let counted = applied(&agent, url, action) - before;
    assert_eq!(
        counted, total as u64,
        "the emulator applied {counted} {action} requests of the {total} sent"
    );
    control(&agent, url, "/_emulator/reset", &json!({}));

    let mut line = format!(
        "{mode} requests_per_s={:.1} n={sent} threads={threads}",
        sent as f64 / elapsed
    );
    let per_request_us = |ns: u64| ns as f64 / 1e3 / sent as f64;
    if let (Some(before), Some(after)) = (emulator_before, emulator_after) {
        line += &format!(
            " emulator_cpu_us={:.2}",
            per_request_us(after.saturating_sub(before))
        );
    }
    if let Some(ns) = client_ns {
        line += &format!(" client_cpu_us={:.2}", per_request_us(ns));
    }
    println!("{line}");
}

/// A client of `mode` against `url`, as it ships but for the client-side pacing.
fn client(mode: &str, url: &str) -> Call {
    match mode {
        "tc" => {
            let client = Tencent::new(
                TencentCredentials::new(TENCENT_SECRET_ID, TENCENT_SECRET_KEY, None)
                    .expect("credentials"),
            )
            .with_endpoint_url(url)
            .expect("endpoint")
            .with_rate_limit(Pacing::Off)
            .expect("pacing");
            Box::new(move |id: &str| {
                let op = StopInstances::new("ap-guangzhou", vec![id.to_owned()]);
                std::hint::black_box(client.stop_instances(&op).expect("StopInstances"));
            })
        }
        _ => {
            let client = Alibaba::new(
                AlibabaCredentials::new(ALIBABA_ACCESS_KEY_ID, ALIBABA_ACCESS_KEY_SECRET, None)
                    .expect("credentials"),
            )
            .with_endpoint_url(url)
            .expect("endpoint")
            .with_rate_limit(Pacing::Off)
            .expect("pacing");
            Box::new(move |id: &str| {
                let op = StopInvocation::on_instances("cn-hangzhou", "t-ld00000", vec![id.into()]);
                std::hint::black_box(client.stop_invocation(&op).expect("StopInvocation"));
            })
        }
    }
}
