//! Sequential keep-alive calls against a canned peer, for `tests/perf/run` and for `strace -f -c`
//! and `valgrind --tool=callgrind`: numbers to compare, never a pass/fail check.
//!
//! `cargo bench -p cloudhalt --bench hot_path -- MODE URL N` where MODE is
//! - `wire`: one pre-built request written with one `write` on a kept-alive socket, the answer
//!   read to its Content-Length (the floor any HTTP client sits on);
//! - `ureq`: a bare ureq agent posting the same bytes (no signing, no engine);
//! - `tc`: cloudhalt's `Tencent::stop_instances` with 1 ID, as it ships (retries on; the rate
//!   limit off, or this would measure its pacing at 10 requests/s);
//! - `ali`: cloudhalt's `Alibaba::stop_invocation` with 1 ID.
//!
//! Several modes joined by commas (`wire,ureq,tc`) run in one process, interleaved in blocks of
//! 200 calls, N calls each: a ratio between them then compares calls made at the same moments,
//! and a neighbour's burst on a shared machine slows all of them alike.
//!
//! The peer answers every POST with a fixed JSON body (the benchmark's nginx, or the emulator).
//! Prints one line per mode: `MODE calls_per_s=... us_per_call=... n=...`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use cloudhalt::{
    Alibaba, AlibabaCredentials, Pacing, StopInstances, StopInvocation, Tencent, TencentCredentials,
};

const BODY: &str = r#"{"InstanceIds":["ins-r8hr2upy"]}"#;
/// An Authorization header of the length cloudhalt sends, so that every mode writes as many bytes.
const AUTHORIZATION: &str = "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/\
                             2026-12-02/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, \
                             Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

fn host_of(url: &str) -> &str {
    url.trim_start_matches("http://").trim_end_matches('/')
}

/// The raw request the `wire` mode writes: what cloudhalt's Tencent call puts on the wire.
fn raw_request(host: &str) -> Vec<u8> {
    format!(
        "POST / HTTP/1.1\r\nhost: {host}\r\nauthorization: {AUTHORIZATION}\r\n\
         content-type: application/json\r\nx-tc-action: StopInstances\r\n\
         x-tc-version: 2017-03-12\r\nx-tc-timestamp: 1764644400\r\nx-tc-region: ap-guangzhou\r\n\
         user-agent: cloudhalt/0.1.0\r\naccept: */*\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
}

/// Reads one answer (headers, then Content-Length bytes) from `s`; `buf` is reused.
fn read_answer(s: &mut TcpStream, buf: &mut Vec<u8>) {
    buf.clear();
    let mut chunk = [0u8; 4096];
    loop {
        let n = s.read(&mut chunk).expect("read");
        assert!(n > 0, "the peer closed the connection");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..end]).expect("ascii headers");
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a Content-Length");
            if buf.len() >= end + 4 + len {
                return;
            }
        }
    }
}

/// The call that `mode` makes, ready to run against `url`.
fn caller(mode: &str, url: &str) -> Box<dyn FnMut()> {
    let host = host_of(url).to_owned();
    match mode {
        "wire" => {
            let mut s = TcpStream::connect(&host).expect("connect");
            s.set_nodelay(true).expect("nodelay");
            let request = raw_request(&host);
            let mut buf = Vec::with_capacity(4096);
            Box::new(move || {
                s.write_all(&request).expect("write");
                read_answer(&mut s, &mut buf);
            })
        }
        "ureq" => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let url = url.to_owned();
            Box::new(move || {
                let mut r = agent
                    .post(&url)
                    .header("authorization", AUTHORIZATION)
                    .header("content-type", "application/json")
                    .header("x-tc-action", "StopInstances")
                    .header("x-tc-version", "2017-03-12")
                    .header("x-tc-timestamp", "1764644400")
                    .header("x-tc-region", "ap-guangzhou")
                    .send(BODY.as_bytes())
                    .expect("send");
                std::hint::black_box(r.body_mut().read_to_vec().expect("read"));
            })
        }
        "tc" => {
            let client = Tencent::new(
                TencentCredentials::new(
                    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                    "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                    None,
                )
                .expect("credentials"),
            )
            .with_endpoint_url(url)
            .expect("endpoint")
            // The documented pacing (10/s) would measure the limiter's sleep, not the client.
            .with_rate_limit(Pacing::Off)
            .expect("pacing");
            let op = StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
            Box::new(move || {
                std::hint::black_box(client.stop_instances(&op).expect("StopInstances"));
            })
        }
        "ali" => {
            let client = Alibaba::new(
                AlibabaCredentials::new("YourAccessKeyId", "YourAccessKeySecret", None)
                    .expect("credentials"),
            )
            .with_endpoint_url(url)
            .expect("endpoint")
            // The documented pacing (10/s) would measure the limiter's sleep, not the client.
            .with_rate_limit(Pacing::Off)
            .expect("pacing");
            let op = StopInvocation::on_instances(
                "cn-hangzhou",
                "t-hz0jdfwd9f0001",
                vec!["i-bp67acfmxazb4p0001".into()],
            );
            Box::new(move || {
                std::hint::black_box(client.stop_invocation(&op).expect("StopInvocation"));
            })
        }
        other => {
            eprintln!("unknown mode {other}: give wire, ureq, tc or ali");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [modes, url, n] = &args[..] else {
        eprintln!("usage: hot_path wire|ureq|tc|ali[,MODE...] URL N");
        std::process::exit(2);
    };
    let n: u32 = n.parse().expect("N is a number");
    let modes: Vec<&str> = modes.split(',').collect();
    let mut calls: Vec<Box<dyn FnMut()>> = modes.iter().map(|m| caller(m, url)).collect();
    // Warm up: the connections are opened and pooled before the clock starts.
    for call in &mut calls {
        for _ in 0..(n / 10).max(1) {
            call();
        }
    }
    const BLOCK: u32 = 200;
    let mut elapsed = vec![0f64; calls.len()];
    let mut done = 0;
    while done < n {
        let block = BLOCK.min(n - done);
        for (call, spent) in calls.iter_mut().zip(&mut elapsed) {
            let start = Instant::now();
            for _ in 0..block {
                call();
            }
            *spent += start.elapsed().as_secs_f64();
        }
        done += block;
    }
    for (mode, spent) in modes.iter().zip(elapsed) {
        println!(
            "{mode} calls_per_s={:.0} us_per_call={:.2} n={n}",
            f64::from(n) / spent,
            spent * 1e6 / f64::from(n)
        );
    }
}
