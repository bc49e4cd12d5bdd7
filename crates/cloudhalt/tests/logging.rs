//! The log lines: one per attempt, one per credential source tried, never a secret.
//!
//! Its own test binary: the logger is process-wide.

use std::sync::Mutex;

use cloudhalt::{ChainEnv, ChainOptions, StopInstances, Tencent, TencentCredentials};

static LINES: Mutex<Vec<(log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("cloudhalt") {
            let line = record.args().to_string();
            LINES.lock().unwrap().push((record.level(), line));
        }
    }
    fn flush(&self) {}
}

const SECRET: &str = "log-test-secret-key-000";
const TOKEN: &str = "log-test-session-token-000";

#[test]
fn one_line_per_attempt_and_per_source_without_secrets() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let peer = std::thread::spawn(move || {
        let answers = [
            r#"{"Response":{"Error":{"Code":"RequestLimitExceeded","Message":"slow down"},"RequestId":"rid-1"}}"#,
            r#"{"Response":{"RequestId":"rid-2"}}"#,
        ];
        for body in answers {
            let request = server.recv().unwrap();
            request
                .respond(tiny_http::Response::from_string(body))
                .unwrap();
        }
    });
    let client =
        Tencent::new(TencentCredentials::new("AKIDlog", SECRET, Some(TOKEN.to_owned())).unwrap())
            .with_endpoint_url(&url)
            .unwrap()
            .with_retry(cloudhalt::Retry {
                base_delay: std::time::Duration::from_millis(1),
                ..cloudhalt::Retry::default()
            })
            .unwrap();
    client
        .stop_instances(&StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap();
    peer.join().unwrap();

    // A chain with nothing to find: one debug line per source.
    let env = ChainEnv::from_vars([("HOME", "/nonexistent-cloudhalt-home")])
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", "http://127.0.0.1:9");
    let _ = Tencent::from_chain(&ChainOptions::new().with_env(env));

    // A CVM role whose credentials are within the 5-minute refresh margin, and whose metadata
    // then fails: the old credentials stay in use, with a warning.
    let metadata = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let metadata_url = format!("http://{}", metadata.server_addr().to_ip().unwrap());
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 200;
    let metadata_peer = std::thread::spawn(move || {
        let answers = [
            (200, "role".to_owned()),
            (
                200,
                format!(
                    r#"{{"TmpSecretId":"AKIDkept","TmpSecretKey":"kept-key","Token":"{TOKEN}","ExpiredTime":{expires},"Code":"Success"}}"#
                ),
            ),
            (500, "down".to_owned()),
        ];
        for (status, body) in answers {
            let request = metadata.recv().unwrap();
            request
                .respond(tiny_http::Response::from_string(body).with_status_code(status))
                .unwrap();
        }
    });
    let env = ChainEnv::from_vars([("HOME", "/nonexistent-cloudhalt-home")])
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", &metadata_url);
    let role = Tencent::from_chain(&ChainOptions::new().with_env(env)).unwrap();
    assert_eq!(role.current_key_id().unwrap(), "AKIDkept");
    metadata_peer.join().unwrap();

    let lines = LINES.lock().unwrap().clone();
    assert!(
        lines.iter().any(|(level, l)| *level == log::Level::Warn
            && l.starts_with("refreshing the credentials from CVM role")
            && l.contains("the current ones stay in use")),
        "{lines:#?}"
    );
    let attempts: Vec<_> = lines
        .iter()
        .filter(|(_, l)| l.starts_with("tencent StopInstances"))
        .collect();
    assert_eq!(attempts.len(), 2, "{lines:#?}");
    let host = url.trim_start_matches("http://");
    assert_eq!(attempts[0].0, log::Level::Warn);
    for part in [
        &format!("host={host}"),
        "status=200",
        "code=RequestLimitExceeded",
        "request_id=rid-1",
        "attempt=1",
        "took=",
    ] {
        assert!(attempts[0].1.contains(part), "{part} in {}", attempts[0].1);
    }
    assert_eq!(attempts[1].0, log::Level::Info);
    assert!(
        attempts[1].1.contains("request_id=rid-2 attempt=2"),
        "{}",
        attempts[1].1
    );
    let sources: Vec<_> = lines
        .iter()
        .filter(|(level, l)| {
            *level == log::Level::Debug && l.starts_with("Tencent Cloud credentials: ")
        })
        .collect();
    // Each chain: env, tccli, home INI, TKE, CVM (the second finds the CVM role).
    assert_eq!(sources.len(), 10, "{sources:#?}");
    assert!(sources[9].1.ends_with(": found"), "{sources:#?}");
    for (_, line) in &lines {
        assert!(!line.contains(SECRET) && !line.contains(TOKEN), "{line}");
    }
}
