//! The credential chains, link by link, over fixture files shaped like the official tools' and
//! fake metadata services on loopback. Every test passes its own environment and home
//! (`ChainEnv`), so none touches the process environment or the real home directory.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudhalt::{Alibaba, ChainEnv, ChainOptions, ErrorKind, Tencent};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/credentials");

/// A fresh directory standing for HOME, with fixture files copied to the given places.
struct Home(PathBuf);

impl Home {
    fn new(files: &[(&str, &str)]) -> Home {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("cloudhalt-cred-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let home = Home(dir);
        for (from, to) in files {
            home.copy(from, to);
        }
        home
    }

    fn copy(&self, fixture: &str, to: &str) {
        let to = self.0.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(Path::new(FIXTURES).join(fixture), to).unwrap();
    }

    fn write(&self, to: &str, text: &str) -> PathBuf {
        let to = self.0.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(&to, text).unwrap();
        to
    }

    fn path(&self, rel: &str) -> String {
        self.0.join(rel).display().to_string()
    }

    /// An environment with only HOME (and metadata pointed at a closed port, so that no test
    /// waits for a real metadata service).
    fn env(&self) -> ChainEnv {
        ChainEnv::from_vars([("HOME", self.0.display().to_string())])
            .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", closed_port())
            .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", closed_port())
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A loopback URL nothing listens on: connecting is refused at once.
fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

fn options(env: ChainEnv) -> ChainOptions {
    ChainOptions::new().with_env(env)
}

fn tencent(env: ChainEnv) -> Result<Tencent, cloudhalt::Error> {
    Tencent::from_chain(&options(env))
}

fn alibaba(env: ChainEnv) -> Result<Alibaba, cloudhalt::Error> {
    Alibaba::from_chain(&options(env))
}

/// A request a fake metadata service received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Seen, usize) -> (u16, String) + Send + Sync;

/// A fake metadata service: answers every request with `handler(request, index)`.
struct Peer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Peer {
    fn start(handler: impl Fn(&Seen, usize) -> (u16, String) + Send + Sync + 'static) -> Peer {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let url = format!("http://{}", server.server_addr().to_ip().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Box<Handler> = Box::new(handler);
        let thread = {
            let (server, seen) = (Arc::clone(&server), Arc::clone(&seen));
            std::thread::spawn(move || {
                for mut request in server.incoming_requests() {
                    let mut body = Vec::new();
                    let _ = std::io::Read::read_to_end(request.as_reader(), &mut body);
                    let arrived = Seen {
                        method: request.method().to_string(),
                        url: request.url().to_owned(),
                        headers: request
                            .headers()
                            .iter()
                            .map(|h| (h.field.to_string(), h.value.to_string()))
                            .collect(),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let index = {
                        let mut seen = seen.lock().unwrap();
                        seen.push(arrived.clone());
                        seen.len() - 1
                    };
                    let (status, body) = handler(&arrived, index);
                    let _ = request
                        .respond(tiny_http::Response::from_string(body).with_status_code(status));
                }
            })
        };
        Peer {
            url,
            seen,
            server,
            thread: Some(thread),
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn bodies(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.body).collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ---------------------------------------------------------------- Tencent

#[test]
fn tencent_env_comes_first_and_is_named_without_the_secret() {
    let home = Home::new(&[("tccli/default.credential", ".tccli/default.credential")]);
    let env = home
        .env()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv0000")
        .with_var("TENCENTCLOUD_SECRET_KEY", "env-secret-key-0000");
    let client = tencent(env).unwrap();
    assert_eq!(client.credential_source(), "env TENCENTCLOUD_SECRET_ID");
    assert_eq!(client.key_id(), "AKIDenv0000");
    assert!(!format!("{client:?}").contains("env-secret-key"));
}

#[test]
fn tencent_half_set_env_is_an_error_not_a_fall_through() {
    let home = Home::new(&[("tccli/default.credential", ".tccli/default.credential")]);
    let err = tencent(home.env().with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.message().contains("TENCENTCLOUD_SECRET_KEY is not"),
        "{err}"
    );
}

#[test]
fn tencent_tccli_default_profile() {
    let home = Home::new(&[("tccli/default.credential", ".tccli/default.credential")]);
    let client = tencent(home.env()).unwrap();
    assert_eq!(client.key_id(), "AKIDtccliDEFAULT0001");
    assert_eq!(
        client.credential_source(),
        format!(
            "tccli profile default ({})",
            home.path(".tccli/default.credential")
        )
    );
}

#[test]
fn tencent_profile_from_tencentcloud_profile_then_tccli_profile() {
    let home = Home::new(&[
        ("tccli/default.credential", ".tccli/default.credential"),
        ("tccli/prod.credential", ".tccli/prod.credential"),
    ]);
    let by_tccli = tencent(home.env().with_var("TCCLI_PROFILE", "prod")).unwrap();
    assert_eq!(by_tccli.key_id(), "AKIDtccliPROD0002");
    let both = home
        .env()
        .with_var("TENCENTCLOUD_PROFILE", "default")
        .with_var("TCCLI_PROFILE", "prod");
    assert_eq!(tencent(both).unwrap().key_id(), "AKIDtccliDEFAULT0001");
}

#[test]
fn tencent_named_profile_skips_the_env() {
    let home = Home::new(&[("tccli/prod.credential", ".tccli/prod.credential")]);
    let env = home
        .env()
        .with_var("TENCENTCLOUD_SECRET_ID", "AKIDenv0000")
        .with_var("TENCENTCLOUD_SECRET_KEY", "env-secret-key-0000");
    let client = Tencent::from_chain(&options(env).with_profile("prod")).unwrap();
    assert_eq!(client.key_id(), "AKIDtccliPROD0002");
}

#[test]
fn tencent_sdk_ini_in_home_then_etc() {
    let home = Home::new(&[("tencentcloud/credentials", ".tencentcloud/credentials")]);
    let client = tencent(home.env()).unwrap();
    assert_eq!(client.key_id(), "AKIDiniDEFAULT0003");
    assert!(client.credential_source().starts_with("credentials file "));
    let prod = tencent(home.env().with_var("TENCENTCLOUD_PROFILE", "prod")).unwrap();
    assert_eq!(prod.key_id(), "AKIDiniPROD0004", "quotes removed");

    let root = Home::new(&[(
        "etc-tencentcloud/credentials",
        "etc/tencentcloud/credentials",
    )]);
    let empty = Home::new(&[]);
    let client = tencent(empty.env().with_system_root(&root.0)).unwrap();
    assert_eq!(client.key_id(), "AKIDetcDEFAULT0005");
}

#[test]
fn tencent_credentials_file_variable_wins_and_must_exist() {
    let home = Home::new(&[
        ("tencentcloud/credentials", ".tencentcloud/credentials"),
        ("etc-tencentcloud/credentials", "elsewhere/creds"),
    ]);
    let env = home.env().with_var(
        "TENCENTCLOUD_CREDENTIALS_FILE",
        home.path("elsewhere/creds"),
    );
    assert_eq!(tencent(env).unwrap().key_id(), "AKIDetcDEFAULT0005");
    let env = home
        .env()
        .with_var("TENCENTCLOUD_CREDENTIALS_FILE", home.path("missing"));
    let err = tencent(env).unwrap_err();
    assert!(err.message().contains("does not exist"), "{err}");
}

#[test]
fn tencent_malformed_tccli_file_names_the_line_and_never_the_secret() {
    let home = Home::new(&[("tccli/broken.credential", ".tccli/default.credential")]);
    let err = tencent(home.env()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(err.message().contains("malformed at line 3"), "{err}");
    assert!(!err.to_string().contains("never-shown"), "{err}");
}

#[test]
fn tencent_no_source_is_one_error_listing_every_source() {
    let home = Home::new(&[]);
    let err = tencent(home.env()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    let m = err.message();
    for part in [
        "(1) env TENCENTCLOUD_SECRET_ID: not set",
        "(2) tccli profile default",
        "file missing",
        ".tencentcloud/credentials [default]: file missing",
        "TKE OIDC (TKE_ROLE_ARN): not set",
        "CVM role (http://127.0.0.1:",
        "not reachable in 1 s",
    ] {
        assert!(m.contains(part), "{part:?} missing from: {m}");
    }
}

#[test]
fn tencent_cvm_role_with_refresh() {
    let peer = Peer::start(|seen, i| {
        if seen.url == "/latest/meta-data/cam/security-credentials/" {
            return (200, "CvmRole\n".into());
        }
        assert_eq!(
            seen.url,
            "/latest/meta-data/cam/security-credentials/CvmRole"
        );
        // Each set expires in 60 s: less than the 5 minutes of early refresh, so every use
        // fetches a new set.
        let body = serde_json::json!({
            "TmpSecretId": format!("AKIDtmp{i}"),
            "TmpSecretKey": format!("tmp-secret-key-{i}"),
            "Token": format!("tmp-token-{i}"),
            "ExpiredTime": unix_now() + 60,
            "Expiration": "2030-01-01T00:00:00Z",
            "Code": "Success"
        });
        (200, body.to_string())
    });
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", &peer.url);
    let client = tencent(env).unwrap();
    assert_eq!(
        client.credential_source(),
        format!("CVM role ({}/)", peer.url)
    );
    assert_eq!(client.key_id(), "AKIDtmp1");
    let next = client.current_key_id().unwrap();
    assert_eq!(
        next, "AKIDtmp3",
        "refreshed: role listed again, then fetched"
    );
    assert_eq!(client.clone().current_key_id().unwrap(), "AKIDtmp5");
    assert!(peer.seen().iter().all(|s| s.method == "GET"));
}

#[test]
fn tencent_tccli_cvm_role_type_uses_the_metadata_and_fails_loudly_without_it() {
    let home = Home::new(&[("tccli/cvm.credential", ".tccli/default.credential")]);
    let err = tencent(home.env()).unwrap_err();
    assert!(err.message().contains("type cvm-role"), "{err}");
    assert!(err.message().contains("not reachable"), "{err}");
}

#[test]
fn tencent_cvm_role_not_bound_is_reported() {
    let peer = Peer::start(|_, _| (404, "not found".into()));
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", &peer.url);
    let err = tencent(env).unwrap_err();
    assert!(err.message().contains("no CAM role is bound"), "{err}");
}

// ---------------------------------------------------------------- Alibaba

#[test]
fn alibaba_env_first() {
    let home = Home::new(&[("aliyun/config.json", ".aliyun/config.json")]);
    let env = home
        .env()
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIenv0000")
        .with_var("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "env-secret-0000");
    let client = alibaba(env).unwrap();
    assert_eq!(
        client.credential_source(),
        "env ALIBABA_CLOUD_ACCESS_KEY_ID"
    );
    assert_eq!(client.key_id(), "LTAIenv0000");
}

#[test]
fn alibaba_cli_config_current_and_named_profiles() {
    let home = Home::new(&[("aliyun/config.json", ".aliyun/config.json")]);
    let client = alibaba(home.env()).unwrap();
    assert_eq!(client.key_id(), "LTAIcliDEFAULT0001");
    assert!(
        client
            .credential_source()
            .ends_with("config.json profile default (mode AK)"),
        "{}",
        client.credential_source()
    );
    let sts = alibaba(home.env().with_var("ALIBABA_CLOUD_PROFILE", "sts")).unwrap();
    assert_eq!(sts.key_id(), "STS.cliSTS0002");
    let named = Alibaba::from_chain(&options(home.env()).with_profile("sts")).unwrap();
    assert_eq!(named.key_id(), "STS.cliSTS0002");
}

#[test]
fn alibaba_cli_config_can_be_switched_off() {
    let home = Home::new(&[
        ("aliyun/config.json", ".aliyun/config.json"),
        (
            "alibabacloud/credentials.ini",
            ".alibabacloud/credentials.ini",
        ),
    ]);
    for var in [
        "ALIBABA_CLOUD_CLI_PROFILE_DISABLED",
        "ALIBABA_CLOUD_IGNORE_PROFILE",
    ] {
        let client = alibaba(home.env().with_var(var, "true")).unwrap();
        assert_eq!(client.key_id(), "LTAIiniDEFAULT0003", "{var}: the INI file");
    }
}

#[test]
fn alibaba_unsupported_mode_is_a_clear_error() {
    let home = Home::new(&[
        ("aliyun/config.json", ".aliyun/config.json"),
        (
            "alibabacloud/credentials.ini",
            ".alibabacloud/credentials.ini",
        ),
    ]);
    let err = alibaba(home.env().with_var("ALIBABA_CLOUD_PROFILE", "sso")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    assert!(
        err.message().contains("unsupported mode \"CloudSSO\""),
        "{err}"
    );
}

#[test]
fn alibaba_ini_file_credentials_ini_then_credentials() {
    let home = Home::new(&[
        (
            "alibabacloud/credentials.ini",
            ".alibabacloud/credentials.ini",
        ),
        ("alibabacloud/credentials", ".alibabacloud/credentials"),
    ]);
    assert_eq!(alibaba(home.env()).unwrap().key_id(), "LTAIiniDEFAULT0003");
    let go_only = Home::new(&[("alibabacloud/credentials", ".alibabacloud/credentials")]);
    assert_eq!(alibaba(go_only.env()).unwrap().key_id(), "LTAIiniGO0004");
    let err = alibaba(home.env().with_var("ALIBABA_CLOUD_PROFILE", "rsa")).unwrap_err();
    assert!(
        err.message().contains("unsupported type \"rsa_key_pair\""),
        "{err}"
    );
    let file = home.write(
        "other.ini",
        "[default]\ntype = access_key\naccess_key_id = LTAIother\naccess_key_secret = s3cr3t\n",
    );
    let env = home
        .env()
        .with_var("ALIBABA_CLOUD_CREDENTIALS_FILE", file.display().to_string());
    assert_eq!(alibaba(env).unwrap().key_id(), "LTAIother");
}

#[test]
fn alibaba_malformed_ini_names_the_line() {
    let home = Home::new(&[]);
    home.write(
        ".alibabacloud/credentials.ini",
        "[default]\ntype = access_key\naccess_key_secret TOPSECRET\n",
    );
    let err = alibaba(home.env()).unwrap_err();
    assert!(err.message().contains("malformed at line 3"), "{err}");
    assert!(!err.message().contains("TOPSECRET"));
}

fn ecs_peer(v2: bool) -> Peer {
    Peer::start(move |seen, i| {
        if seen.url == "/latest/api/token" {
            assert_eq!(seen.method, "PUT");
            assert_eq!(
                seen.header("X-aliyun-ecs-metadata-token-ttl-seconds"),
                Some("21600")
            );
            return if v2 {
                (200, "imds-token-abc".into())
            } else {
                (403, "forbidden".into())
            };
        }
        let token = seen.header("X-aliyun-ecs-metadata-token");
        assert_eq!(token, v2.then_some("imds-token-abc"), "{seen:?}");
        if seen.url == "/latest/meta-data/ram/security-credentials/" {
            return (200, "EcsRole".into());
        }
        assert_eq!(
            seen.url,
            "/latest/meta-data/ram/security-credentials/EcsRole"
        );
        let expires = time_text(unix_now() + 600);
        let body = serde_json::json!({
            "AccessKeyId": format!("STS.ecs{i}"),
            "AccessKeySecret": format!("ecs-secret-{i}"),
            "SecurityToken": format!("ecs-token-{i}"),
            "Expiration": expires,
            "LastUpdated": "2024-01-01T00:00:00Z",
            "Code": "Success"
        });
        (200, body.to_string())
    })
}

/// `yyyy-MM-ddTHH:mm:ssZ` for a Unix time.
fn time_text(t: i64) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[test]
fn alibaba_ecs_role_imdsv2_with_refresh() {
    let peer = ecs_peer(true);
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", &peer.url);
    let client = alibaba(env).unwrap();
    assert_eq!(
        client.credential_source(),
        format!("ECS RAM role ({}/)", peer.url)
    );
    assert_eq!(client.key_id(), "STS.ecs2");
    // 10 minutes left is less than the 15 of early refresh: the next use refreshes.
    assert_eq!(client.current_key_id().unwrap(), "STS.ecs5");
}

#[test]
fn alibaba_ecs_role_falls_back_to_v1_unless_disabled_and_takes_the_role_name() {
    let peer = ecs_peer(false);
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", &peer.url)
        .with_var("ALIBABA_CLOUD_ECS_METADATA", "EcsRole");
    assert_eq!(alibaba(env.clone()).unwrap().key_id(), "STS.ecs1");
    assert!(
        !peer
            .seen()
            .iter()
            .any(|s| s.url == "/latest/meta-data/ram/security-credentials/"),
        "the role name came from ALIBABA_CLOUD_ECS_METADATA"
    );
    let err = alibaba(env.with_var("ALIBABA_CLOUD_IMDSV1_DISABLED", "true")).unwrap_err();
    assert!(
        err.message().contains("ALIBABA_CLOUD_IMDSV1_DISABLED"),
        "{err}"
    );
}

#[test]
fn alibaba_ecs_metadata_disabled_sends_nothing() {
    let peer = ecs_peer(true);
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", &peer.url)
        .with_var("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true");
    let err = alibaba(env).unwrap_err();
    assert!(
        err.message()
            .contains("ECS RAM role: ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"),
        "{err}"
    );
    assert!(peer.seen().is_empty());
}

#[test]
fn alibaba_cli_ecs_ram_role_mode() {
    let peer = Peer::start(|seen, _| {
        if seen.url == "/latest/api/token" {
            return (200, "t".into());
        }
        assert_eq!(
            seen.url,
            "/latest/meta-data/ram/security-credentials/EcsRamRoleCli"
        );
        let body = serde_json::json!({
            "AccessKeyId": "STS.cliecs", "AccessKeySecret": "s", "SecurityToken": "t",
            "Expiration": time_text(unix_now() + 6 * 3600), "Code": "Success"
        });
        (200, body.to_string())
    });
    let home = Home::new(&[("aliyun/config.json", ".aliyun/config.json")]);
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", &peer.url)
        .with_var("ALIBABA_CLOUD_PROFILE", "ecs");
    let client = alibaba(env).unwrap();
    assert_eq!(client.key_id(), "STS.cliecs");
    assert_eq!(
        client.current_key_id().unwrap(),
        "STS.cliecs",
        "6 h left: cached"
    );
    assert_eq!(peer.seen().len(), 2, "token, credentials: nothing more");
}

#[test]
fn alibaba_credentials_uri() {
    let peer = Peer::start(|seen, _| {
        assert_eq!(seen.url, "/creds?token=abc");
        let body = serde_json::json!({
            "AccessKeyId": "STS.uri", "AccessKeySecret": "s", "SecurityToken": "t",
            "Expiration": time_text(unix_now() + 3600), "Code": "Success"
        });
        (200, body.to_string())
    });
    let home = Home::new(&[]);
    let env = home.env().with_var(
        "ALIBABA_CLOUD_CREDENTIALS_URI",
        format!("{}/creds?token=abc", peer.url),
    );
    let client = alibaba(env).unwrap();
    assert_eq!(client.key_id(), "STS.uri");
    assert!(
        !client.credential_source().contains("abc"),
        "the query is not shown: {}",
        client.credential_source()
    );
}

#[test]
fn alibaba_no_source_is_one_error_listing_every_source() {
    let home = Home::new(&[]);
    let err = alibaba(home.env()).unwrap_err();
    let m = err.message();
    for part in [
        "(1) env ALIBABA_CLOUD_ACCESS_KEY_ID: not set",
        "(2) OIDC (ALIBABA_CLOUD_ROLE_ARN): not set",
        ".aliyun/config.json: file missing",
        ".alibabacloud/credentials.ini [default]: file missing",
        ".alibabacloud/credentials [default]: file missing",
        "ECS RAM role (http://127.0.0.1:",
        "not reachable in 1 s",
        "ALIBABA_CLOUD_CREDENTIALS_URI: not set",
    ] {
        assert!(m.contains(part), "{part:?} missing from: {m}");
    }
}

#[test]
fn off_cloud_both_chains_finish_in_under_3_s() {
    // TEST-NET-1 (RFC 5737): routed nowhere, so connecting hangs until the timeout (or fails
    // at once where there is no route).
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", "http://192.0.2.1")
        .with_var("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", "http://192.0.2.1");
    let started = Instant::now();
    let err = tencent(env.clone()).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.message().contains("CVM role (http://192.0.2.1/)"),
        "{err}"
    );
    let started = Instant::now();
    let err = alibaba(env).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(
        err.message().contains("ECS RAM role (http://192.0.2.1/)"),
        "{err}"
    );
}

// ---------------------------------------------------------------- STS

fn tencent_sts_answer(i: usize) -> String {
    serde_json::json!({"Response": {
        "Credentials": {
            "Token": format!("sts-token-{i}"),
            "TmpSecretId": format!("AKIDsts{i}"),
            "TmpSecretKey": format!("sts-secret-key-{i}")
        },
        "ExpiredTime": unix_now() + 60,
        "Expiration": "2030-01-01T00:00:00Z",
        "RequestId": format!("sts-rid-{i}")
    }})
    .to_string()
}

fn alibaba_sts_answer(i: usize) -> String {
    serde_json::json!({
        "RequestId": format!("STS-RID-{i}"),
        "AssumedRoleUser": {"Arn": "acs:ram::1:role/x/s", "AssumedRoleId": "1:s"},
        "Credentials": {
            "AccessKeyId": format!("STS.sts{i}"),
            "AccessKeySecret": format!("sts-secret-{i}"),
            "SecurityToken": format!("sts-token-{i}"),
            "Expiration": time_text(unix_now() + 600)
        }
    })
    .to_string()
}

#[test]
fn tencent_tccli_role_arn_assumes_the_role_with_a_signed_sts_call() {
    let peer = Peer::start(|_, i| (200, tencent_sts_answer(i)));
    let home = Home::new(&[
        ("tccli/role.credential", ".tccli/default.credential"),
        ("tccli/role.configure", ".tccli/default.configure"),
    ]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_STS_ENDPOINT", &peer.url);
    let client = tencent(env.clone()).unwrap();
    assert_eq!(client.key_id(), "AKIDsts0");
    assert!(
        client.credential_source().contains("STS AssumeRole"),
        "{}",
        client.credential_source()
    );
    let seen = &peer.seen()[0];
    assert_eq!(seen.method, "POST");
    assert_eq!(seen.header("X-TC-Action"), Some("AssumeRole"));
    assert_eq!(seen.header("X-TC-Version"), Some("2018-08-13"));
    let auth = seen.header("Authorization").unwrap();
    assert!(
        auth.starts_with("TC3-HMAC-SHA256 Credential=AKIDtccliROLE0006/") && auth.contains("/sts/"),
        "{auth}"
    );
    assert_eq!(
        seen.header("X-TC-Region"),
        Some("ap-shanghai"),
        "the profile's region"
    );
    // Refreshed (60 s left < 5 min): a second AssumeRole.
    assert_eq!(client.current_key_id().unwrap(), "AKIDsts1");
    tencent(env.with_var("TENCENTCLOUD_REGION", "ap-beijing")).unwrap();
    assert_eq!(peer.seen()[2].header("X-TC-Region"), Some("ap-beijing"));
}

#[test]
fn tencent_tke_oidc_is_unsigned_and_rereads_the_token_file() {
    let peer = Peer::start(|_, i| (200, tencent_sts_answer(i)));
    let home = Home::new(&[]);
    let token = home.write("tke/token", "jwt-one\n");
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_STS_ENDPOINT", &peer.url)
        .with_var("TKE_REGION", "ap-guangzhou")
        .with_var("TKE_PROVIDER_ID", "oidc-provider")
        .with_var("TKE_WEB_IDENTITY_TOKEN_FILE", token.display().to_string())
        .with_var("TKE_ROLE_ARN", "qcs::cam::uin/1:roleName/tke");
    let client = tencent(env).unwrap();
    assert_eq!(client.key_id(), "AKIDsts0");
    std::fs::write(&token, "jwt-two").unwrap();
    assert_eq!(client.current_key_id().unwrap(), "AKIDsts1");
    let seen = peer.seen();
    assert_eq!(seen[0].header("Authorization"), Some("SKIP"));
    assert_eq!(
        seen[0].header("X-TC-Action"),
        Some("AssumeRoleWithWebIdentity")
    );
    assert_eq!(seen[0].header("X-TC-Region"), Some("ap-guangzhou"));
    assert!(seen[0].header("X-TC-Token").is_none());
    // The bodies, in order: the token file as it was at each fetch.
    let bodies = peer.bodies();
    assert!(
        bodies[0].contains("\"WebIdentityToken\":\"jwt-one\""),
        "{}",
        bodies[0]
    );
    assert!(
        bodies[1].contains("\"WebIdentityToken\":\"jwt-two\""),
        "{}",
        bodies[1]
    );
    assert!(bodies[0].contains("\"ProviderId\":\"oidc-provider\""));
}

#[test]
fn alibaba_ram_role_arn_profile_assumes_the_role_with_a_signed_sts_call() {
    let peer = Peer::start(|_, i| (200, alibaba_sts_answer(i)));
    let home = Home::new(&[("aliyun/config.json", ".aliyun/config.json")]);
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_STS_ENDPOINT", &peer.url)
        .with_var("ALIBABA_CLOUD_PROFILE", "role");
    let client = alibaba(env).unwrap();
    assert_eq!(client.key_id(), "STS.sts0");
    let seen = &peer.seen()[0];
    assert_eq!(seen.header("x-acs-action"), Some("AssumeRole"));
    assert_eq!(seen.header("x-acs-version"), Some("2015-04-01"));
    assert!(
        seen.header("authorization")
            .unwrap()
            .starts_with("ACS3-HMAC-SHA256 Credential=LTAIcliROLE0005,"),
        "{seen:?}"
    );
    assert!(
        seen.url
            .contains("RoleArn=acs%3Aram%3A%3A100000000001%3Arole%2Fcloudhalt-stop"),
        "{}",
        seen.url
    );
    assert!(
        seen.url.contains("RoleSessionName=cloudhalt-test"),
        "{}",
        seen.url
    );
    assert!(
        seen.url.contains("DurationSeconds=900"),
        "expired_seconds: {}",
        seen.url
    );
}

#[test]
fn alibaba_oidc_is_unsigned_and_rereads_the_token_file() {
    let peer = Peer::start(|_, i| (200, alibaba_sts_answer(i)));
    let home = Home::new(&[("aliyun/config.json", ".aliyun/config.json")]);
    let token = home.write("rrsa/token", "oidc-one");
    let env = home
        .env()
        .with_var("CLOUDHALT_ALIBABA_STS_ENDPOINT", &peer.url)
        .with_var("ALIBABA_CLOUD_ROLE_ARN", "acs:ram::1:role/rrsa")
        .with_var(
            "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
            "acs:ram::1:oidc-provider/ack",
        )
        .with_var("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token.display().to_string());
    let client = alibaba(env).unwrap();
    assert_eq!(
        client.key_id(),
        "STS.sts0",
        "OIDC comes before the CLI profile"
    );
    std::fs::write(&token, "oidc-two").unwrap();
    assert_eq!(client.current_key_id().unwrap(), "STS.sts1");
    let seen = peer.seen();
    assert!(seen[0].header("authorization").is_none(), "{:?}", seen[0]);
    assert_eq!(seen[0].header("x-acs-action"), Some("AssumeRoleWithOIDC"));
    assert!(
        seen[0].url.contains("OIDCToken=oidc-one"),
        "{}",
        seen[0].url
    );
    assert!(
        seen[1].url.contains("OIDCToken=oidc-two"),
        "{}",
        seen[1].url
    );
}

#[test]
fn a_refused_assume_role_is_a_credentials_error_naming_the_action_and_code() {
    let peer = Peer::start(|_, _| {
        (
            200,
            r#"{"Response":{"Error":{"Code":"AuthFailure.SecretIdNotFound","Message":"no such key"},"RequestId":"r-9"}}"#.into(),
        )
    });
    let home = Home::new(&[("tccli/role.credential", ".tccli/default.credential")]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_STS_ENDPOINT", &peer.url);
    let err = tencent(env).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Credentials);
    let m = err.message();
    assert!(
        m.contains("STS AssumeRole failed AuthFailure.SecretIdNotFound (RequestId r-9)"),
        "{m}"
    );
    assert!(!m.contains("tccli-role-secret-key"), "{m}");
}

#[test]
fn the_real_default_addresses_answer_or_give_up_in_under_3_s() {
    // No override: metadata.tencentyun.com and 100.100.100.200 themselves. Off-cloud they are
    // unreachable (or do not resolve); on a CVM or ECS instance with a role they answer.
    let home = Home::new(&[]);
    let env = ChainEnv::from_vars([("HOME", home.0.display().to_string())]);
    let started = Instant::now();
    let _ = tencent(env.clone());
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let _ = alibaba(env);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_peer_echoing_the_current_temporary_token_gets_it_redacted() {
    // One server for both: the CVM metadata issues a new token per fetch, the API echoes the
    // token it received in its error message.
    let peer = Peer::start(|seen, i| {
        if let Some(token) = seen.header("X-TC-Token") {
            let body = serde_json::json!({"Response": {
                "Error": {"Code": "AuthFailure.TokenFailure", "Message": format!("bad token {token}")},
                "RequestId": "echo-1"
            }});
            return (200, body.to_string());
        }
        if seen.url.ends_with("/security-credentials/") {
            return (200, "CvmRole".into());
        }
        let body = serde_json::json!({
            "TmpSecretId": format!("AKIDtmp{i}"), "TmpSecretKey": format!("tmp-secret-key-{i}"),
            "Token": format!("rotating-token-{i}"), "ExpiredTime": unix_now() + 60, "Code": "Success"
        });
        (200, body.to_string())
    });
    let home = Home::new(&[]);
    let env = home
        .env()
        .with_var("CLOUDHALT_TENCENT_METADATA_ENDPOINT", &peer.url);
    let client = tencent(env)
        .unwrap()
        .with_endpoint_url(&peer.url)
        .unwrap()
        .with_retry(cloudhalt::Retry::never())
        .unwrap();
    let err = client
        .stop_instances(&cloudhalt::StopInstances::new(
            "ap-guangzhou",
            vec!["ins-r8hr2upy".into()],
        ))
        .unwrap_err();
    let sent = peer
        .seen()
        .iter()
        .find_map(|s| s.header("X-TC-Token").map(str::to_owned))
        .unwrap();
    assert_eq!(sent, "rotating-token-3", "the refreshed token was sent");
    assert!(err.message().contains("bad token <redacted>"), "{err}");
    assert!(!format!("{err:?}").contains("rotating-token"), "{err:?}");
}
