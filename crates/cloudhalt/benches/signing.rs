//! Prints how long signing takes (`cargo bench -p cloudhalt --bench signing`, `-- --json` for one
//! JSON object per line): numbers to compare, never a pass/fail check.
//!
//! Each row is the median of 7 rounds, in microseconds per signature, both as wall time and as the
//! thread's own CPU time (from `/proc/thread-self/schedstat`), which a machine busy with other
//! work inflates far less. The inputs are the ones the clients sign: TC3 of a StopInstances body
//! (the three headers `content-type;host;x-tc-action`), ACS3 of a StopInvocation query, the
//! canonical query built in the measured time (the client builds it per request). The rows time
//! `tc3::authorization` / `acs3::authorization`, what the clients call; the `*_all_stages_*` rows
//! time `sign`, which also keeps every intermediate stage.

use std::hint::black_box;
use std::time::Instant;

use cloudhalt::sign::{acs3, tc3};

/// Nanoseconds this thread has run on a CPU, if the kernel tells.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

struct Row {
    name: &'static str,
    wall_us: f64,
    cpu_us: Option<f64>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn measure(name: &'static str, iterations: u32, mut f: impl FnMut()) -> Row {
    // CLOUDHALT_BENCH_SCALE=0.01 for a run under valgrind.
    let scale: f64 = std::env::var("CLOUDHALT_BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let iterations = ((f64::from(iterations) * scale) as u32).max(1);
    for _ in 0..iterations / 10 {
        f();
    }
    let (mut walls, mut cpus) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let cpu0 = thread_cpu_ns();
        let start = Instant::now();
        for _ in 0..iterations {
            f();
        }
        let wall = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
        walls.push(wall);
        if let (Some(a), Some(b)) = (cpu0, thread_cpu_ns()) {
            cpus.push((b - a) as f64 / 1e3 / f64::from(iterations));
        }
    }
    Row {
        name,
        wall_us: median(walls),
        cpu_us: (cpus.len() == 7).then(|| median(cpus)),
    }
}

/// `full`: every stage kept ([`tc3::sign`]); else the header the client sends
/// ([`tc3::authorization`], what the hot path calls).
fn tc3_row(name: &'static str, body: &str, full: bool) -> Row {
    let sign = |input: &tc3::Tc3Input<'_>| {
        if full {
            black_box(tc3::sign(input));
        } else {
            black_box(tc3::authorization(input));
        }
    };
    measure(name, 100_000, || {
        sign(&tc3::Tc3Input {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            method: "POST",
            query: "",
            headers: &[
                ("content-type", "application/json"),
                ("host", "cvm.tencentcloudapi.com"),
                ("x-tc-action", "StopInstances"),
            ],
            payload: black_box(body.as_bytes()),
            timestamp: 1_700_000_000,
        });
    })
}

fn acs3_row(name: &'static str, ids: usize, full: bool) -> Row {
    let sign = |input: &acs3::Acs3Input<'_>| {
        if full {
            black_box(acs3::sign(input));
        } else {
            black_box(acs3::authorization(input));
        }
    };
    let pairs: Vec<(String, String)> = [
        ("RegionId".to_owned(), "cn-hangzhou".to_owned()),
        ("InvokeId".to_owned(), "t-hz0jdfwd9f0001".to_owned()),
    ]
    .into_iter()
    .chain((1..=ids).map(|i| (format!("InstanceId.{i}"), format!("i-bp67acfmxazb4p{i:04}"))))
    .collect();
    measure(name, 100_000, || {
        let query = acs3::canonical_query(black_box(&pairs));
        sign(&acs3::Acs3Input {
            access_key_id: "YourAccessKeyId",
            access_key_secret: "YourAccessKeySecret",
            method: "POST",
            path: "/",
            query: &query,
            headers: &[
                ("host", "ecs.cn-hangzhou.aliyuncs.com"),
                ("x-acs-action", "StopInvocation"),
                (
                    "x-acs-content-sha256",
                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                ),
                ("x-acs-date", "2023-10-26T10:22:32Z"),
                ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
                ("x-acs-version", "2014-05-26"),
            ],
            payload: b"",
        });
    })
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let ids: Vec<String> = (0..100).map(|i| format!("\"ins-{i:08}\"")).collect();
    let body_100 = format!("{{\"InstanceIds\":[{}]}}", ids.join(","));
    let block = vec![0x5au8; 64 * 1024];
    // `signing ROW...` measures only the rows named (all by default).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| o == name);
    let one = r#"{"InstanceIds":["ins-r8hr2upy"]}"#;
    let rows = [
        wanted("tc3_stop_instances_1").then(|| tc3_row("tc3_stop_instances_1", one, false)),
        wanted("tc3_stop_instances_100")
            .then(|| tc3_row("tc3_stop_instances_100", &body_100, false)),
        wanted("acs3_stop_invocation_1").then(|| acs3_row("acs3_stop_invocation_1", 1, false)),
        wanted("acs3_stop_invocation_50").then(|| acs3_row("acs3_stop_invocation_50", 50, false)),
        // The same with every stage kept (the verifiers' and the tests' function).
        wanted("tc3_all_stages_1").then(|| tc3_row("tc3_all_stages_1", one, true)),
        wanted("acs3_all_stages_50").then(|| acs3_row("acs3_all_stages_50", 50, true)),
        // SHA-256 of 64 KiB, for the speed of one compression on this CPU (with the SHA
        // extensions, which sha2 picks at run time, about 2 cycles a byte).
        wanted("sha256_64kib").then(|| {
            measure("sha256_64kib", 2_000, || {
                black_box(cloudhalt::sign::sha256_hex(black_box(&block)));
            })
        }),
    ];
    for row in rows.into_iter().flatten() {
        let cpu = row.cpu_us.map_or("null".to_owned(), |c| format!("{c:.3}"));
        if json {
            println!(
                "{{\"row\":\"{}\",\"wall_us\":{:.3},\"cpu_us\":{cpu}}}",
                row.name, row.wall_us
            );
        } else {
            println!(
                "{:<28} {:>9.3} µs/op wall {:>9} µs/op cpu",
                row.name, row.wall_us, cpu
            );
        }
    }
}
