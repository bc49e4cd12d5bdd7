//! Prints how long signing takes (`cargo bench -p cloudhalt`): numbers to compare, never a
//! pass/fail check. Signing should be a few microseconds, far below any network round trip.

use std::hint::black_box;
use std::time::Instant;

use cloudhalt::sign::{acs3, tc3};

fn measure(name: &str, iterations: u32, mut f: impl FnMut()) {
    for _ in 0..iterations / 10 {
        f();
    }
    let start = Instant::now();
    for _ in 0..iterations {
        f();
    }
    let per = start.elapsed() / iterations;
    println!("{name:<45} {:>9.2} µs/op", per.as_secs_f64() * 1e6);
}

fn main() {
    let ids: Vec<String> = (0..100).map(|i| format!("\"ins-{i:08}\"")).collect();
    let body_100 = format!("{{\"InstanceIds\":[{}]}}", ids.join(","));
    let body_1 = r#"{"InstanceIds":["ins-r8hr2upy"]}"#;
    for (label, body) in [
        ("TC3 sign, 1 instance ID", body_1),
        ("TC3 sign, 100 instance IDs", body_100.as_str()),
    ] {
        measure(label, 50_000, || {
            black_box(tc3::sign(&tc3::Tc3Input {
                secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                service: "cvm",
                method: "POST",
                query: "",
                headers: &[
                    ("content-type", "application/json"),
                    ("host", "cvm.tencentcloudapi.com"),
                ],
                payload: black_box(body.as_bytes()),
                timestamp: 1_700_000_000,
            }));
        });
    }
    let pairs: Vec<(String, String)> =
        std::iter::once(("RegionId".to_owned(), "cn-hangzhou".to_owned()))
            .chain(std::iter::once((
                "InvokeId".to_owned(),
                "t-hz0jdfwd9f0001".to_owned(),
            )))
            .chain((1..=50).map(|i| (format!("InstanceId.{i}"), format!("i-bp67acfmxazb4p{i:04}"))))
            .collect();
    measure(
        "ACS3 canonical query + sign, 50 instance IDs",
        50_000,
        || {
            let query = acs3::canonical_query(black_box(&pairs));
            black_box(acs3::sign(&acs3::Acs3Input {
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
            }));
        },
    );
}
