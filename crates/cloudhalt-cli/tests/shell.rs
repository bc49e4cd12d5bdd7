//! The CLI in a shell: completion scripts, the man page and `--version` with the build's commit.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn cloudhalt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudhalt"))
        .args(args)
        .output()
        .expect("run cloudhalt")
}

fn stdout_of(args: &[&str]) -> String {
    let out = cloudhalt(args);
    assert!(out.status.success(), "{args:?} failed: {out:?}");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn completions_cover_the_operations_and_their_flags() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["completions", shell]);
        assert!(!script.trim().is_empty(), "{shell}: empty script");
        assert!(script.contains("stop-instances"), "{shell}: {script}");
        assert!(
            script.contains("--all-instances"),
            "{shell}: no --all-instances"
        );
    }
}

#[test]
fn the_bash_completion_script_is_valid_bash() {
    let script = stdout_of(&["completions", "bash"]);
    let mut bash = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash is needed for this test");
    bash.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = bash.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_choices() {
    let out = cloudhalt(&["completions", "powershell"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("powershell") && err.contains("bash"), "{err}");
}

#[test]
fn the_man_page_documents_every_operation_and_the_exit_codes() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH cloudhalt 1"), "{page}");
    assert!(page.contains("EXIT STATUS"));
    assert!(page.contains("MAY HAVE BEEN SENT"), "exit code 8 missing");
    for op in [
        "CLOUDHALT TENCENT STOP-INSTANCES",
        "CLOUDHALT TENCENT TERMINATE-INSTANCES",
        "CLOUDHALT TENCENT CANCEL-INVOCATION",
        "CLOUDHALT TENCENT CANCEL-INSTANCE-REFRESH",
        "CLOUDHALT ALIBABA STOP-INVOCATION",
    ] {
        assert!(page.contains(op), "no section {op}");
    }
    assert!(
        page.contains("all\\-instances"),
        "flags of the operations missing"
    );
    assert!(
        !page.contains("HELP STOP-INSTANCES"),
        "clap's help subcommands repeated"
    );
}

#[test]
fn the_man_page_renders_with_man() {
    if !which("man") {
        eprintln!("man is not installed: rendering not checked");
        return;
    }
    let page = stdout_of(&["man"]);
    let mut man = Command::new("man")
        .args(["-l", "-"])
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    man.stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = man.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Exit codes:"), "{text}");
    assert!(text.contains("stop-instances"));
}

#[test]
fn version_names_the_release_and_the_commit() {
    let version = stdout_of(&["--version"]);
    let expected = format!("cloudhalt {} (", env!("CARGO_PKG_VERSION"));
    assert!(version.starts_with(&expected), "{version}");
    let commit = version
        .trim_end()
        .strip_prefix(&expected)
        .and_then(|rest| rest.strip_suffix(')'))
        .expect("version (commit)");
    // Built from this repository's git checkout, the commit is HEAD's; from a tarball it says so.
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    match (head, std::env::var("CLOUDHALT_COMMIT")) {
        (_, Ok(pinned)) if !pinned.trim().is_empty() => assert_eq!(commit, pinned.trim()),
        (Some(head), _) => assert_eq!(commit, head),
        (None, _) => assert_eq!(commit, "unknown commit"),
    }
}
