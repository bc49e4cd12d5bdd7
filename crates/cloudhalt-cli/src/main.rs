//! The `cloudhalt` command: the five stop/cancel operations from a shell, the emulator, and the
//! demo. Exit codes are a contract scripts branch on (see `--help` and the README).
#![forbid(unsafe_code)]

mod demo;
mod describe;
mod emulator;
mod exit;
mod fleet;
mod ops;
mod resume;
mod setup;
mod shell;
mod wait;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

/// The `--help` epilogue. The exit codes here restate `tests/vectors/errors.json`, which decides
/// them; a test checks that every code of that table is explained here.
pub(crate) const AFTER_HELP: &str = "\
Exit codes:
  0  success
  1  any other API error (quota, server error, unknown provider code)
  2  invalid input or usage (bad argument, or the provider rejected a parameter)
  3  credentials or auth (missing/malformed credentials, signature, key or permission refused)
  4  throttled (rate limit hit: retry later)
  5  not found (instance, invocation, activity ...)
  6  state conflict (e.g. a refresh activity that already finished; an instance that is
     already stopped is `already`, exit 0)
  7  transport or timeout, not sent (nothing reached the provider: a retry is safe)
  8  transport, timeout or unexpected answer: the request MAY HAVE BEEN SENT and taken effect
     (no answer, an answer cut short, or one that is not the documented shape): check the state
     before sending it again
  9  the --audit log could not be written: that request was not sent (free space or give
     another file, then `cloudhalt resume`)
  10 --wait (or a wait command): the deadline (--wait-timeout) came before every ID reached
     its end state; the write itself went through: wait again, or look with describe-*
  11 --wait (or a wait command): an ID reached a failure state (the stop FAILED, the instance
     vanished ...): the message names the IDs

A call of many IDs exits with its worst outcome's code: 0 when every ID is done (or was
already), 8 when any ID's outcome is unknown, else the code of the first failed request's error;
with --wait, 10 or 11 when every ID was sent but the wait did not reach success.

Credentials come from the default chain, the first source that yields wins (README
\"Credentials\"). Tencent: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY [, TENCENTCLOUD_SESSION_TOKEN];
the tccli profile (TENCENTCLOUD_PROFILE / TCCLI_PROFILE / default, ~/.tccli/NAME.credential);
~/.tencentcloud/credentials; TKE OIDC; the CVM instance role. Alibaba: ALIBABA_CLOUD_ACCESS_KEY_ID,
ALIBABA_CLOUD_ACCESS_KEY_SECRET [, ALIBABA_CLOUD_SECURITY_TOKEN]; OIDC (RRSA); aliyun-cli's
~/.aliyun/config.json; ~/.alibabacloud/credentials.ini; the ECS RAM role;
ALIBABA_CLOUD_CREDENTIALS_URI. --profile NAME picks a profile; `cloudhalt tencent whoami` shows the
source and key ID in use; when nothing yields, exit 3 lists every source tried and why.
Proxy: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY, or --proxy URL / --no-proxy; CA roots:
SSL_CERT_FILE or --ca-bundle FILE. Errors go to stderr as one line with the provider, the action,
the provider's code and message, the RequestId and whether the request may have been sent; with
--output json as one JSON object on one line: {kind, code, message, request_id, http_status,
send_state, provider, action}, null where unknown; once requests were sent, stdout has one
line per ID {id, outcome, code, request_id} (done, already, failed or unknown; with --wait also
state and result), then a summary line. The describe-* commands print the provider's JSON, every
page merged. Control characters in provider text are shown as U+FFFD.

IDs may be given as arguments, or one per line on stdin with `-`, any number of them (sent 100
per request to Tencent, 50 to Alibaba, paced at the documented rate, retried when that is safe):
  cloudhalt tencent stop-instances --region ap-guangzhou --audit stop.log - < ids.txt
  cloudhalt resume stop.log      # after a crash: skips what is done, sends the rest
An empty list (no IDs, or `-` with nothing on stdin) is a usage error, never \"every instance\":
cancel-invocation and stop-invocation cancel on every instance only with --all-instances.

Try it without an account: `cloudhalt demo`, or `cloudhalt emulator` and --endpoint.";

/// `--version`: the release and the commit it was built from (see build.rs), so a bug report
/// names the exact source.
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("CLOUDHALT_COMMIT"),
    ")"
);

/// The stop button for two clouds: stop, terminate and cancel on Tencent Cloud and Alibaba Cloud.
#[derive(Parser, Debug)]
#[command(name = "cloudhalt", version = VERSION, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Options every operation takes.
#[derive(Args, Debug, Clone)]
pub struct Global {
    /// Send every request to this base URL instead of the provider's (e.g. the emulator's).
    #[arg(long, global = true, env = "CLOUDHALT_ENDPOINT", value_name = "URL")]
    endpoint: Option<String>,
    /// Total time limit per request, in seconds (fractions allowed, e.g. 2.5). Default 30.
    #[arg(long, global = true, value_name = "SECONDS", value_parser = parse_timeout)]
    timeout: Option<Duration>,
    /// Output format of a successful call (stdout) and of an error (stderr).
    #[arg(long, global = true, value_enum, default_value_t = Output::Text)]
    output: Output,
    /// Attempts per request, 1 (no retry) to 20. Default 3. Refused or throttled requests are
    /// retried for every operation; one that may have taken effect only where repeating it is
    /// harmless (never TerminateInstances).
    #[arg(long, global = true, value_name = "N")]
    max_attempts: Option<u32>,
    /// Do not pace requests at the provider's documented rate (CVM 10/s, TAT and AS 20/s).
    #[arg(long, global = true)]
    no_rate_limit: bool,
    /// Requests of one batch in flight at once, 1 to 64. Default 4.
    #[arg(long, global = true, value_name = "N")]
    concurrency: Option<usize>,
    /// Append a record of every request to FILE (one JSON line before it is sent, one after its
    /// answer, each on disk first), for `cloudhalt resume FILE` after a crash.
    #[arg(long, global = true, value_name = "FILE")]
    audit: Option<PathBuf>,
    /// Print the plan (requests, IDs per request, expected duration at the rate limit) and the
    /// signed requests, secrets and signatures shortened, and send nothing.
    #[arg(long, global = true)]
    dry_run: bool,
    /// No progress line on stderr (it is shown only when stderr is a terminal) and no log lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log to stderr: `-v` one line per attempt (operation, host, status, code, RequestId,
    /// attempt, duration) and per STS call; `-vv` also one line per credential source tried.
    /// Never a secret, token or signature.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    verbose: u8,
    /// Credentials from this profile of the tools' files (tccli's ~/.tccli/NAME.credential and
    /// the section NAME of ~/.tencentcloud/credentials; aliyun-cli's profile NAME and the
    /// section NAME of ~/.alibabacloud/credentials.ini), skipping the credential environment
    /// variables. Default: the whole default chain (see "Credentials" below).
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,
    /// Send every request, STS credential calls included, through this HTTP proxy
    /// (http://host:port, CONNECT for HTTPS), whatever HTTPS_PROXY / ALL_PROXY / NO_PROXY say.
    /// Default: those variables. Instance metadata calls never use a proxy.
    #[arg(long, global = true, value_name = "URL", conflicts_with = "no_proxy")]
    proxy: Option<String>,
    /// Use no proxy at all, whatever HTTPS_PROXY / HTTP_PROXY / ALL_PROXY say.
    #[arg(long, global = true)]
    no_proxy: bool,
    /// Trust only the CA certificates of this PEM file (it REPLACES the built-in roots: for TLS
    /// inspection give a bundle with both, e.g. /etc/ssl/certs/ca-certificates.crt plus the
    /// inspecting CA), for the calls and the STS credential calls. Default: SSL_CERT_FILE, else
    /// the built-in (Mozilla) roots.
    #[arg(long, global = true, value_name = "FILE")]
    ca_bundle: Option<PathBuf>,
    /// The instance metadata service's base URL, for the CVM role / ECS RAM role (tests and
    /// private networks). Default: CLOUDHALT_TENCENT_METADATA_ENDPOINT /
    /// CLOUDHALT_ALIBABA_METADATA_ENDPOINT, else the provider's address.
    #[arg(long, global = true, value_name = "URL")]
    metadata_endpoint: Option<String>,
    /// STS's base URL, for the role and OIDC sources of the chain. Default:
    /// CLOUDHALT_TENCENT_STS_ENDPOINT / CLOUDHALT_ALIBABA_STS_ENDPOINT, else the provider's.
    #[arg(long, global = true, value_name = "URL")]
    sts_endpoint: Option<String>,
}

/// How a success and an error are printed.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One JSON line per ID {"id", "outcome", "code", "request_id"} (after --wait also "state"
    /// and "result"), then a summary: the object
    /// {"action", "provider", "request_id", "response"} ("operation" is the old name of
    /// "action", same value) with "ok", "summary", "request_ids", "attempts"; an error (stderr):
    /// {"kind", "code", "message", "request_id", "http_status", "send_state", "provider",
    /// "action"}.
    Json,
    /// One readable line.
    Text,
}

fn parse_timeout(value: &str) -> Result<Duration, String> {
    let secs: f64 = value
        .parse()
        .map_err(|_| format!("{value:?} is not a number of seconds, e.g. 10 or 2.5"))?;
    if !secs.is_finite() || secs <= 0.0 || secs > 86_400.0 {
        return Err(format!(
            "{value} is not a usable timeout: give seconds greater than 0 and at most 86400"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Tencent Cloud operations (CVM, TAT, Auto Scaling).
    #[command(subcommand)]
    Tencent(ops::TencentCommand),
    /// Alibaba Cloud operations (ECS Cloud Assistant).
    #[command(subcommand)]
    Alibaba(ops::AlibabaCommand),
    /// Finish a batch interrupted half-way, from the log it wrote with --audit FILE.
    ///
    /// Skips the IDs already done; never sends TerminateInstances IDs whose outcome is unknown
    /// again (it lists them and how to check them); sends the rest and appends the resume to
    /// the same log. Exit codes as for any batch: 8 while IDs are held back.
    Resume(resume::ResumeArgs),
    /// Run the local emulator of both clouds in the foreground.
    Emulator(emulator::EmulatorArgs),
    /// Run all five operations against an in-process emulator and show what was sent.
    Demo,
    /// Print the shell completion script for bash, zsh or fish to stdout.
    Completions(shell::CompletionsArgs),
    /// Print the man page (roff) to stdout: `cloudhalt man | man -l -`.
    Man,
}

/// `Cli::parse()`, except that the clap command tree is not freed: dropping it walks every
/// subcommand and argument (about a quarter of a million instructions, 5% of a whole one-call
/// process), and the process ends right after the command runs.
fn parse_args() -> Cli {
    let mut command = Cli::command();
    // `--help`, `--version` and usage errors print and exit here, as in `Cli::parse()`.
    let mut matches = command
        .try_get_matches_from_mut(std::env::args_os())
        .unwrap_or_else(|err| err.exit());
    let cli = Cli::from_arg_matches_mut(&mut matches)
        .unwrap_or_else(|err| err.format(&mut command).exit());
    std::mem::forget(command);
    cli
}

fn main() -> ExitCode {
    let cli = parse_args();
    setup::init_logging(&cli.global);
    match cli.command {
        Command::Tencent(cmd) => ops::run_tencent(&cli.global, cmd),
        Command::Alibaba(cmd) => ops::run_alibaba(&cli.global, cmd),
        Command::Resume(args) => resume::run(&cli.global, args),
        Command::Emulator(args) => emulator::run(args),
        Command::Demo => demo::run(),
        Command::Completions(args) => shell::completions(args),
        Command::Man => shell::man(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_accepts_fractions_and_refuses_nonsense() {
        assert_eq!(parse_timeout("2.5").unwrap(), Duration::from_millis(2500));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("soon").unwrap_err().contains("soon"));
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
