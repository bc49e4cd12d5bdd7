//! `cloudhalt emulator`: the emulator in the foreground.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use cloudhalt_emulator::{Config, Emulator, Resources};

/// Options of `cloudhalt emulator`.
#[derive(Args, Debug)]
#[command(after_help = EMULATOR_HELP)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the first line of stdout names it).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed state JSON file (the shape of GET /_emulator/state); default: the built-in set.
    #[arg(long, value_name = "FILE")]
    state: Option<std::path::PathBuf>,
    /// Accept this Tencent SecretId (with --tencent-secret-key) instead of the built-in one.
    #[arg(long, value_name = "ID", requires = "tencent_secret_key")]
    tencent_secret_id: Option<String>,
    /// The SecretKey for --tencent-secret-id.
    #[arg(long, value_name = "KEY", requires = "tencent_secret_id")]
    tencent_secret_key: Option<String>,
    /// Accept this Alibaba AccessKey ID (with --alibaba-access-key-secret) instead of the built-in one.
    #[arg(long, value_name = "ID", requires = "alibaba_access_key_secret")]
    alibaba_access_key_id: Option<String>,
    /// The AccessKey secret for --alibaba-access-key-id.
    #[arg(long, value_name = "SECRET", requires = "alibaba_access_key_id")]
    alibaba_access_key_secret: Option<String>,
    /// Delay of STOPPING -> STOPPED and of removing terminated instances, in ms (0 = immediate).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    transition_ms: u64,
}

const EMULATOR_HELP: &str = "\
Built-in test credentials (accepted when no credential flags are given):
  Tencent: SecretId AKIDcloudhaltEMULATOR, SecretKey cloudhalt-emulator-tencent-key
  Alibaba: AccessKey ID LTAIcloudhaltEMULATOR, secret cloudhalt-emulator-alibaba-secret

Control endpoints (JSON, no auth, loopback only):
  GET    /_emulator/state    every resource and its state, plus request counts
  POST   /_emulator/reset    back to the seed state; faults, nonces and counters cleared
  POST   /_emulator/faults   queue a fault, e.g. {\"kind\": \"throttle\", \"count\": 2}
  DELETE /_emulator/faults   clear queued faults
  POST   /_emulator/config   {\"transitionMs\": 0, \"rateLimits\": {\"StopInstances\": 10}, \"timestampWindowSecs\": 300}";

/// Runs until killed.
pub fn run(args: EmulatorArgs) -> ExitCode {
    let seed = match &args.state {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the state file {}: {e}", path.display()))
            .and_then(|text| {
                Resources::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
            }) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("cloudhalt emulator: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut config = Config {
        port: args.port,
        seed,
        ..Config::default()
    };
    config.settings.transition_ms = args.transition_ms;
    if let (Some(id), Some(key)) = (args.tencent_secret_id, args.tencent_secret_key) {
        config.tencent_credentials.push((id, key));
    }
    if let (Some(id), Some(secret)) = (args.alibaba_access_key_id, args.alibaba_access_key_secret) {
        config.alibaba_credentials.push((id, secret));
    }
    let emulator = match Emulator::start(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "cloudhalt emulator: cannot listen on 127.0.0.1:{}: {e}; pick another --port, or 0 for a free one",
                args.port
            );
            return ExitCode::from(7);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", emulator.url());
    let _ = out.flush();
    drop(out);
    loop {
        std::thread::park();
    }
}
