//! What the command's integration tests share: an in-process emulator, and the built
//! `cloudhalt` run with the emulator's test credentials and endpoint.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use cloudhalt_emulator::{Config, Emulator, RunningEmulator};

/// An emulator on a free loopback port.
pub fn emulator() -> RunningEmulator {
    Emulator::start(Config::default()).expect("the emulator starts on a free loopback port")
}

/// The command with `args`, the emulator's endpoint and test credentials, and no session token
/// from the environment.
pub fn command(emu: &RunningEmulator, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudhalt"));
    cmd.args(args)
        .env_remove("TENCENTCLOUD_SESSION_TOKEN")
        .env_remove("ALIBABA_CLOUD_SECURITY_TOKEN")
        .env("CLOUDHALT_ENDPOINT", emu.url())
        .env(
            "TENCENTCLOUD_SECRET_ID",
            cloudhalt_emulator::TENCENT_SECRET_ID,
        )
        .env(
            "TENCENTCLOUD_SECRET_KEY",
            cloudhalt_emulator::TENCENT_SECRET_KEY,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_ID,
        )
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            cloudhalt_emulator::ALIBABA_ACCESS_KEY_SECRET,
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs the command to its end with `stdin` on its stdin.
pub fn cloudhalt(emu: &RunningEmulator, args: &[&str], stdin: &str) -> Output {
    let mut child = command(emu, args)
        .spawn()
        .expect("the cloudhalt binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Its stdout, as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Its stderr, as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}
