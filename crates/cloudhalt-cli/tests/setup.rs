//! The credential chain, `whoami`, the network flags and `-v`/`-vv` of the built command against
//! an in-process emulator, hermetically: HOME is a fresh directory and the metadata and STS
//! addresses are the emulator's or a closed port, whatever this machine has configured.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use cloudhalt_emulator::{Config, Emulator, RunningEmulator};
use serde_json::Value;

/// A port nothing listens on: the metadata services of a machine off-cloud.
const CLOSED: &str = "http://127.0.0.1:9";

/// A fresh, empty HOME for one test.
fn empty_home(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cloudhalt-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The command with no credential, proxy or chain variable of this process, HOME = `home` and
/// the instance metadata services at `metadata`.
fn command(home: &PathBuf, metadata: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudhalt"));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        let chain = [
            "TENCENTCLOUD_",
            "TCCLI_",
            "TKE_",
            "ALIBABA_CLOUD_",
            "CLOUDHALT_",
        ];
        let network = [
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
            "SSL_CERT_FILE",
        ];
        if chain.iter().any(|p| name.starts_with(p))
            || network.contains(&name.to_ascii_uppercase().as_str())
        {
            cmd.env_remove(&name);
        }
    }
    cmd.env("HOME", home)
        .env("CLOUDHALT_TENCENT_METADATA_ENDPOINT", metadata)
        .env("CLOUDHALT_ALIBABA_METADATA_ENDPOINT", metadata)
        .env("CLOUDHALT_TENCENT_STS_ENDPOINT", CLOSED)
        .env("CLOUDHALT_ALIBABA_STS_ENDPOINT", CLOSED);
    cmd
}

fn emulator() -> RunningEmulator {
    Emulator::start(Config::default()).expect("the emulator starts on a free loopback port")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn assert_no_secret(out: &Output) {
    let all = text(&out.stdout) + &text(&out.stderr);
    for secret in [
        cloudhalt_emulator::TENCENT_SECRET_KEY,
        cloudhalt_emulator::ALIBABA_ACCESS_KEY_SECRET,
    ] {
        assert!(!all.contains(secret), "a secret was printed: {all}");
    }
}

fn whoami_json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_secret(out);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn whoami_names_the_environment_source_and_key_id() {
    let home = empty_home("whoami-env");
    let out = command(&home, CLOSED)
        .args(["--output", "json", "tencent", "whoami"])
        .env(
            "TENCENTCLOUD_SECRET_ID",
            cloudhalt_emulator::TENCENT_SECRET_ID,
        )
        .env(
            "TENCENTCLOUD_SECRET_KEY",
            cloudhalt_emulator::TENCENT_SECRET_KEY,
        )
        .output()
        .unwrap();
    let out = whoami_json(&out);
    assert_eq!(out["provider"], "tencent");
    assert_eq!(out["source"], "env TENCENTCLOUD_SECRET_ID");
    assert_eq!(out["key_id"], cloudhalt_emulator::TENCENT_SECRET_ID);
}

#[test]
fn profile_flag_reads_the_tccli_file() {
    let home = empty_home("profile");
    std::fs::create_dir_all(home.join(".tccli")).unwrap();
    let file = serde_json::json!({
        "secretId": cloudhalt_emulator::TENCENT_SECRET_ID,
        "secretKey": cloudhalt_emulator::TENCENT_SECRET_KEY,
    });
    std::fs::write(home.join(".tccli/prod.credential"), file.to_string()).unwrap();
    let emu = emulator();
    let out = command(&home, CLOSED)
        .args(["--profile", "prod", "--endpoint", emu.url()])
        .args(["tencent", "stop-instances", "--region", "ap-guangzhou"])
        .arg("ins-run00000")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_no_secret(&out);
    let out = command(&home, CLOSED)
        .args(["--output", "json", "--profile", "prod", "tencent", "whoami"])
        .output()
        .unwrap();
    let source = whoami_json(&out)["source"].as_str().unwrap().to_owned();
    assert!(source.starts_with("tccli profile prod"), "{source}");
}

#[test]
fn whoami_on_an_instance_with_a_role_uses_the_metadata_service() {
    let home = empty_home("role");
    let emu = emulator();
    for (provider, source, prefix) in [
        ("tencent", "CVM role", "AKIDtmp"),
        ("alibaba", "ECS RAM role", "STS.tmp"),
    ] {
        let out = command(&home, emu.url())
            .args(["--output", "json", provider, "whoami"])
            .output()
            .unwrap();
        let out = whoami_json(&out);
        assert!(out["source"].as_str().unwrap().contains(source), "{out}");
        assert!(out["key_id"].as_str().unwrap().starts_with(prefix), "{out}");
    }
}

#[test]
fn no_source_off_cloud_is_exit_3_within_3_seconds_listing_the_sources() {
    let home = empty_home("nothing");
    for (provider, sources) in [
        (
            "tencent",
            &[
                "env TENCENTCLOUD_SECRET_ID",
                "tccli profile default",
                "CVM role",
            ][..],
        ),
        (
            "alibaba",
            &[
                "env ALIBABA_CLOUD_ACCESS_KEY_ID",
                "aliyun-cli",
                "ECS RAM role",
            ][..],
        ),
    ] {
        let started = Instant::now();
        let out = command(&home, CLOSED)
            .args([provider, "whoami"])
            .output()
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
        assert!(out.stdout.is_empty());
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        for source in sources {
            assert!(err.contains(source), "{source} missing from: {err}");
        }
    }
}

#[test]
fn verbose_counts_pick_the_log_lines() {
    let home = empty_home("verbose");
    let emu = emulator();
    let run = |flag: Option<&str>, id: &str| {
        let mut cmd = command(&home, CLOSED);
        cmd.env(
            "TENCENTCLOUD_SECRET_ID",
            cloudhalt_emulator::TENCENT_SECRET_ID,
        )
        .env(
            "TENCENTCLOUD_SECRET_KEY",
            cloudhalt_emulator::TENCENT_SECRET_KEY,
        )
        .args(["--endpoint", emu.url()]);
        if let Some(flag) = flag {
            cmd.arg(flag);
        }
        let out = cmd
            .args(["tencent", "stop-instances", "--region", "ap-guangzhou", id])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_no_secret(&out);
        text(&out.stderr)
    };
    assert_eq!(run(None, "ins-run00000"), "");
    let info = run(Some("-v"), "ins-run00001");
    assert_eq!(info.lines().count(), 1, "{info}");
    assert!(
        info.contains("StopInstances") && info.contains("attempt=1"),
        "{info}"
    );
    let debug = run(Some("-vv"), "ins-run00002");
    assert!(
        debug
            .lines()
            .any(|l| l.contains("env TENCENTCLOUD_SECRET_ID: found")),
        "{debug}"
    );
}

#[test]
fn bad_network_flags_are_usage_errors_naming_the_flag() {
    let home = empty_home("network");
    // The flags are checked when the client is built, after the chain: the same usage error
    // whether the chain found nothing or yielded credentials from the environment.
    for with_env in [false, true] {
        for (args, flag) in [
            (["--ca-bundle", "/nonexistent/ca.pem"], "--ca-bundle"),
            (["--proxy", "http://[::1"], "--proxy"),
        ] {
            let mut cmd = command(&home, CLOSED);
            if with_env {
                cmd.env("TENCENTCLOUD_SECRET_ID", "AKIDnetworkflags")
                    .env("TENCENTCLOUD_SECRET_KEY", "network-flags-key");
            }
            let out = cmd.args(args).args(["tencent", "whoami"]).output().unwrap();
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "env {with_env}: {stderr}");
            assert!(
                stderr.contains(&format!("{flag}:")),
                "env {with_env}: {stderr}"
            );
        }
    }
    // A good bundle with a chain that finds nothing: the chain's error (exit 3), not the flag's.
    let bundle = home.join("ca.pem");
    std::fs::write(&bundle, TEST_CA_PEM).unwrap();
    let out = command(&home, CLOSED)
        .arg("--ca-bundle")
        .arg(&bundle)
        .args(["tencent", "whoami"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
}

/// A self-signed CA certificate (any parseable one will do: nothing is verified against it).
const TEST_CA_PEM: &str = "\
-----BEGIN CERTIFICATE-----\n\
MIIBlDCCATugAwIBAgIUQiMC9aKJnxyfjRyQ8/6PaOGlVr0wCgYIKoZIzj0EAwIw\n\
IDEeMBwGA1UEAwwVY2xvdWRoYWx0LWNsaS10ZXN0LWNhMB4XDTI2MTIwMjA4MDUy\n\
MVoXDTM2MTEyOTA4MDUyMVowIDEeMBwGA1UEAwwVY2xvdWRoYWx0LWNsaS10ZXN0\n\
LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEC4/26t6CivhoBWcdWBSWLshf\n\
9ZaKVBrF6HrvU8gatL7et8VyF26AriFUkl8PZtNJ1pUjkfCn7rglHVWouuPlAaNT\n\
MFEwHQYDVR0OBBYEFL5z1zeaY4RKG+Z2ALTKiuKF/t6TMB8GA1UdIwQYMBaAFL5z\n\
1zeaY4RKG+Z2ALTKiuKF/t6TMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID\n\
RwAwRAIgAVR/diJvhjciuwjCT++YtUuAnpiOk+71bai+ti5kJCACIHKB0FgifixP\n\
x5YL7GrNrfMcmKHLyeglQpHSNeNqlDa4\n\
-----END CERTIFICATE-----\n";
