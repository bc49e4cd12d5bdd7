//! What both chains share: their options, and the record of the sources tried that becomes the
//! one error when none yields.

use crate::credentials::cache::Provider;
use crate::credentials::env::ChainEnv;
use crate::endpoint::BaseUrl;
use crate::error::{Error, Provider as Cloud};
use crate::transport::Network;

/// How a credential chain runs: the profile to use, the environment it reads, and the metadata
/// and STS addresses (for tests and private networks). The default is the default chain over
/// this process's environment.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ChainOptions {
    /// The profile of the tools' files. `None`: `TENCENTCLOUD_PROFILE` / `TCCLI_PROFILE` /
    /// `default` (Tencent); `ALIBABA_CLOUD_PROFILE` / the file's `current` (Alibaba). A named
    /// profile skips the credential environment variables, as tccli and aliyun-cli do for
    /// `--profile`.
    pub profile: Option<String>,
    /// The environment read; `None` reads the process environment when the chain runs.
    pub env: Option<ChainEnv>,
    /// The instance metadata base URL; `None`: `CLOUDHALT_TENCENT_METADATA_ENDPOINT` /
    /// `CLOUDHALT_ALIBABA_METADATA_ENDPOINT`, else the provider's address.
    pub metadata_endpoint: Option<String>,
    /// The STS base URL; `None`: `CLOUDHALT_TENCENT_STS_ENDPOINT` /
    /// `CLOUDHALT_ALIBABA_STS_ENDPOINT`, else the provider's public STS host.
    pub sts_endpoint: Option<String>,
    /// Proxy, CA roots and timeouts for the STS and credentials-URI calls (metadata calls never
    /// use a proxy); the default is the environment's proxy and the built-in roots.
    pub network: Network,
}

impl ChainOptions {
    /// The default chain over this process's environment.
    pub fn new() -> ChainOptions {
        ChainOptions::default()
    }

    /// The same options using the profile `name`.
    pub fn with_profile(mut self, name: impl Into<String>) -> ChainOptions {
        self.profile = Some(name.into());
        self
    }

    /// The same options reading `env` instead of the process environment.
    pub fn with_env(mut self, env: ChainEnv) -> ChainOptions {
        self.env = Some(env);
        self
    }

    /// The same options with another instance metadata base URL (`http://127.0.0.1:8123`).
    pub fn with_metadata_endpoint(mut self, url: impl Into<String>) -> ChainOptions {
        self.metadata_endpoint = Some(url.into());
        self
    }

    /// The same options with another STS base URL.
    pub fn with_sts_endpoint(mut self, url: impl Into<String>) -> ChainOptions {
        self.sts_endpoint = Some(url.into());
        self
    }

    /// The same options with other network settings for the STS and credentials-URI calls.
    pub fn with_network(mut self, network: Network) -> ChainOptions {
        self.network = network;
        self
    }

    /// The environment to read: the given one, or a snapshot of the process's.
    pub(crate) fn environment(&self) -> ChainEnv {
        self.env.clone().unwrap_or_else(ChainEnv::from_process)
    }

    /// A base URL from the option, else the variable `var`, else `default`.
    pub(crate) fn base_url(
        option: Option<&str>,
        env: &ChainEnv,
        var: &str,
        default: &str,
    ) -> Result<BaseUrl, Error> {
        let (url, from) = match (option, env.var(var)) {
            (Some(u), _) => (u, "the client option"),
            (None, Some(u)) => (u, var),
            (None, None) => (default, "the default"),
        };
        BaseUrl::parse(url).map_err(|e| {
            Error::credentials(format!("{} (from {from})", e.message())).with_field(var)
        })
    }
}

/// What one source did.
pub(crate) enum Link<K> {
    /// It found credentials.
    Yield(Provider<K>),
    /// It has nothing (not set, file missing, ...): the reason goes into the final error.
    Skip(String),
}

/// One link of a chain in `report`: a yield ends the chain with it, a skip is recorded and the
/// chain goes on, a broken source ends the chain with an error listing what was tried. Written
/// once for both clouds' chains.
macro_rules! try_link {
    ($report:ident, $source:expr, $link:expr) => {{
        let source: String = $source;
        match $link {
            Ok($crate::credentials::chain::Link::Yield(p)) => {
                $report.found(&source);
                return Ok(p);
            }
            Ok($crate::credentials::chain::Link::Skip(why)) => $report.skipped(&source, &why),
            Err(e) => return Err($report.broken(&source, e)),
        }
    }};
}
pub(crate) use try_link;

/// The sources tried so far and why each did not yield.
pub(crate) struct Report {
    cloud: Cloud,
    tried: Vec<(String, String)>,
}

impl Report {
    pub fn new(cloud: Cloud) -> Report {
        Report {
            cloud,
            tried: Vec::new(),
        }
    }

    /// Records that `source` did not yield, and why.
    pub fn skipped(&mut self, source: &str, why: &str) {
        log::debug!("{} credentials: {source}: {why}", self.cloud.display_name());
        self.tried.push((source.to_owned(), why.to_owned()));
    }

    /// Records that `source` yielded.
    pub fn found(&self, source: &str) {
        log::debug!("{} credentials: {source}: found", self.cloud.display_name());
    }

    fn list(&self) -> String {
        self.tried
            .iter()
            .enumerate()
            .map(|(i, (source, why))| format!("({}) {source}: {why}", i + 1))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The error of a source that is configured but broken (a malformed file, an unsupported
    /// mode, a refused role): the chain stops there rather than silently use another identity.
    pub fn broken(self, source: &str, error: Error) -> Error {
        log::debug!(
            "{} credentials: {source}: {}",
            self.cloud.display_name(),
            error.message()
        );
        let before = if self.tried.is_empty() {
            String::new()
        } else {
            format!(" (tried before it: {})", self.list())
        };
        let message = format!(
            "{} credentials from {source} could not be used, and the chain stops there rather \
             than fall through to another identity: {}{before}",
            self.cloud.display_name(),
            error.message()
        );
        match error.field() {
            Some(field) => Error::credentials(message).with_field(field.to_owned()),
            None => Error::credentials(message),
        }
    }

    /// The one error when no source yielded: every source, in order, and why.
    pub fn nothing(self, fix: &str) -> Error {
        Error::credentials(format!(
            "no {} credentials found; tried, in order: {}. {fix}",
            self.cloud.display_name(),
            self.list()
        ))
    }
}

/// Reads a text file: `Ok(None)` when it does not exist, an error naming why it cannot be read.
pub(crate) fn read_text(path: &std::path::Path) -> Result<Option<String>, String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| "unreadable: not UTF-8 text".to_owned()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("unreadable ({e})")),
    }
}
