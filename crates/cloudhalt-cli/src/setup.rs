//! What a command needs before it sends anything: the credential chain (with `--profile`), the
//! network settings (`--proxy`, `--no-proxy`, `--ca-bundle`) that the chain's STS calls share
//! with the API calls, the `-v`/`-vv` logger, and `whoami`.

use std::io::Write;
use std::process::ExitCode;

use cloudhalt::{ChainOptions, Client, Cloud, Error, ErrorKind, Network, TencentCloud};
use serde_json::json;

use crate::exit::{self, clean};
use crate::{Global, Output};

/// The network settings of the flags. They are checked when the client is built (see
/// [`chain_client`]), not here: a check needs a transport of its own, and building one parses
/// the CA bundle (`SSL_CERT_FILE`'s is 200 KB of PEM), which was most of a one-call process's
/// CPU time.
pub fn network(global: &Global) -> Network {
    let mut network = Network::new();
    if let Some(url) = &global.proxy {
        network = network.with_proxy(url.clone());
    } else if global.no_proxy {
        network = network.without_proxy();
    }
    if let Some(path) = &global.ca_bundle {
        network = network.with_ca_bundle(path.clone());
    }
    network
}

/// The first network flag given (`--proxy`, then `--ca-bundle`), the one an error of the
/// network settings is blamed on when the core's field does not say.
fn first_network_flag(global: &Global) -> Option<&'static str> {
    if global.proxy.is_some() {
        Some("--proxy")
    } else if global.ca_bundle.is_some() {
        Some("--ca-bundle")
    } else {
        None
    }
}

/// A bad `--proxy` or `--ca-bundle` as a usage error naming the flag (exit 2). The core checks
/// proxy URLs and CA files when it builds a transport; one built with placeholder keys (never
/// sent anywhere) checks the flags without the chain.
fn check_network(global: &Global, network: &Network) -> Result<(), Error> {
    let Some(first_flag) = first_network_flag(global) else {
        return Ok(());
    };
    let probe = cloudhalt::TencentCredentials::new("check-only", "check-only", None)?;
    Client::<TencentCloud>::new(probe)
        .with_network(network.clone())
        .map(drop)
        .map_err(|e| network_flag_error(first_flag, e))
}

/// An error of the network settings, named by the flag that set the field.
fn network_flag_error(first_flag: &str, err: Error) -> Error {
    let flag = match err.field() {
        Some("proxy") => "--proxy",
        Some("ca_bundle") => "--ca-bundle",
        _ => first_flag,
    };
    flag_error(flag, err)
}

/// A configuration error of the core, with the flag that set the value in front, so the user
/// sees the flag they typed as well as the field the libraries call it.
pub fn flag_error(flag: &str, err: Error) -> Error {
    if err.kind() != ErrorKind::InvalidInput {
        return err;
    }
    let field = err.field().unwrap_or(flag).to_owned();
    Error::invalid_input(field, format!("{flag}: {}", err.message()))
}

/// The chain options of the flags: `--profile`, `--metadata-endpoint`, `--sts-endpoint`, and
/// the network settings so that STS refreshes
/// go through the same proxy and trust the same CAs as the calls.
pub fn chain_options(global: &Global) -> ChainOptions {
    let mut options = ChainOptions::new().with_network(network(global));
    if let Some(profile) = &global.profile {
        options = options.with_profile(profile.clone());
    }
    if let Some(url) = &global.metadata_endpoint {
        options = options.with_metadata_endpoint(url.clone());
    }
    if let Some(url) = &global.sts_endpoint {
        options = options.with_sts_endpoint(url.clone());
    }
    options
}

/// A client of cloud `C` with credentials from the default chain (or `--profile`) and the
/// network flags.
///
/// A bad `--proxy` or `--ca-bundle` is a usage error naming the flag (exit 2) even when no
/// credential source would have yielded, rather than hiding behind the chain's credentials
/// error. On success the client's own transport has already checked them, so the separate
/// check (a second transport, a second parse of the CA bundle) runs only when the chain failed.
pub fn chain_client<C: Cloud>(global: &Global) -> Result<Client<C>, Error> {
    let options = chain_options(global);
    Client::<C>::from_chain(&options).map_err(|err| {
        if let Err(flag_err) = check_network(global, &options.network) {
            return flag_err;
        }
        match first_network_flag(global) {
            Some(first_flag) if matches!(err.field(), Some("proxy" | "ca_bundle")) => {
                network_flag_error(first_flag, err)
            }
            _ => err,
        }
    })
}

/// `cloudhalt {tencent,alibaba} whoami`: which source the chain picked and the key ID it
/// yields, never the secret or the token.
pub fn whoami<C: Cloud>(global: &Global, provider: &str) -> ExitCode {
    let call = (provider, "whoami");
    let found = chain_client::<C>(global).and_then(|client| {
        let key_id = client.current_key_id()?;
        Ok((client.credential_source().to_owned(), key_id))
    });
    match found {
        Ok((source, key_id)) => {
            let line = match global.output {
                Output::Json => {
                    json!({"provider": provider, "source": source, "key_id": key_id}).to_string()
                }
                Output::Text => format!(
                    "{provider}: key ID {} from {}",
                    clean(&key_id),
                    clean(&source)
                ),
            };
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(err) => exit::report(&err, call, global.output),
    }
}

// ---------------------------------------------------------------- logging

/// The stderr logger of `-v` (info: a line per attempt, STS calls, refresh warnings) and `-vv`
/// (debug: also a line per credential source tried). Only the core's records are printed: other
/// crates' debug output (the HTTP client's) may show request headers.
struct StderrLogger {
    level: log::LevelFilter,
}

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= self.level && metadata.target().starts_with("cloudhalt")
    }

    fn log(&self, record: &log::Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let line = log_line(record.level(), record.target(), &record.args().to_string());
        // One write per line, so that lines of concurrent requests never interleave.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }

    fn flush(&self) {
        let _ = std::io::stderr().flush();
    }
}

/// `cloudhalt: info: [batch] tencent StopInstances host=... status=ok ...`, cleaned like the
/// error line (a line break becomes a space, other control characters U+FFFD) so that a record
/// is one line.
fn log_line(level: log::Level, target: &str, message: &str) -> String {
    let level = level.as_str().to_ascii_lowercase();
    let target = target.strip_prefix("cloudhalt::").unwrap_or(target);
    format!("cloudhalt: {level}: [{}] {}", clean(target), clean(message))
}

/// The level of `-v` counted `verbose` times: none by default (the error line says it all),
/// info for `-v`, debug for `-vv`, trace beyond.
pub fn level_for(verbose: u8) -> log::LevelFilter {
    match verbose {
        0 => log::LevelFilter::Off,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    }
}

/// Installs the stderr logger for `-v`/`-vv`; without them (or with `-q`) nothing is logged.
pub fn init_logging(global: &Global) {
    let level = if global.quiet {
        log::LevelFilter::Off
    } else {
        level_for(global.verbose)
    };
    if level == log::LevelFilter::Off {
        return;
    }
    // Installed once per process, so leaking it is its 'static lifetime, not a leak.
    let logger: &'static StderrLogger = Box::leak(Box::new(StderrLogger { level }));
    if log::set_logger(logger).is_ok() {
        log::set_max_level(level);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line_is_one_line_with_its_level_and_source() {
        let line = log_line(
            log::Level::Debug,
            "cloudhalt::credentials::chain",
            "Tencent credentials: env\nTENCENTCLOUD_SECRET_ID: not set",
        );
        assert_eq!(
            line,
            "cloudhalt: debug: [credentials::chain] Tencent credentials: env \
             TENCENTCLOUD_SECRET_ID: not set"
        );
    }

    #[test]
    fn verbosity_levels() {
        assert_eq!(level_for(0), log::LevelFilter::Off);
        assert_eq!(level_for(1), log::LevelFilter::Info);
        assert_eq!(level_for(2), log::LevelFilter::Debug);
        assert_eq!(level_for(5), log::LevelFilter::Trace);
    }

    #[test]
    fn only_the_core_records_are_printed() {
        use log::Log;
        let logger = StderrLogger {
            level: log::LevelFilter::Trace,
        };
        let meta = |target| {
            log::Metadata::builder()
                .level(log::Level::Debug)
                .target(target)
                .build()
        };
        assert!(logger.enabled(&meta("cloudhalt::batch")));
        assert!(!logger.enabled(&meta("ureq::unversioned::transport")));
        assert!(!logger.enabled(&meta("rustls::client")));
    }
}
