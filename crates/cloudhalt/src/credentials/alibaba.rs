//! The Alibaba Cloud credential chain, first source that yields wins:
//!
//! 1. explicit values ([`Client::new`](crate::Client::new), not part of this chain);
//! 2. `ALIBABA_CLOUD_ACCESS_KEY_ID` / `ALIBABA_CLOUD_ACCESS_KEY_SECRET` /
//!    `ALIBABA_CLOUD_SECURITY_TOKEN` (skipped when a profile is named explicitly);
//! 3. OIDC / RRSA (`ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN`,
//!    `ALIBABA_CLOUD_OIDC_TOKEN_FILE`);
//! 4. aliyun-cli's `~/.aliyun/config.json` (modes AK, StsToken, RamRoleArn, EcsRamRole);
//! 5. the INI file (`ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials.ini`,
//!    else `~/.alibabacloud/credentials`);
//! 6. the ECS RAM role from the metadata service (IMDSv2, falling back to v1);
//! 7. `ALIBABA_CLOUD_CREDENTIALS_URI`.

use std::path::Path;
use std::time::Duration;

use crate::credentials::AlibabaCredentials;
use crate::credentials::cache::{Fresh, Provider};
use crate::credentials::chain::{ChainOptions, Link, Report, read_text, try_link};
use crate::credentials::env::ChainEnv;
use crate::credentials::files::{json_str, parse_ini, parse_json};
use crate::credentials::metadata;
use crate::error::{Error, Provider as Cloud};

/// Refresh temporary credentials this long before they expire.
pub(crate) const REFRESH_EARLY: Duration = Duration::from_secs(15 * 60);

/// The metadata base URL variable (a contract).
pub(crate) const METADATA_VAR: &str = "CLOUDHALT_ALIBABA_METADATA_ENDPOINT";
/// The STS base URL variable (a contract).
pub(crate) const STS_VAR: &str = "CLOUDHALT_ALIBABA_STS_ENDPOINT";

type Creds = Provider<AlibabaCredentials>;

fn key_id(c: &AlibabaCredentials) -> String {
    c.access_key_id().to_owned()
}

const OIDC_VARS: [&str; 3] = [
    "ALIBABA_CLOUD_ROLE_ARN",
    "ALIBABA_CLOUD_OIDC_PROVIDER_ARN",
    "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
];

/// Runs the chain.
pub(crate) fn chain(options: &ChainOptions) -> Result<Creds, Error> {
    let env = options.environment();
    let mut report = Report::new(Cloud::Alibaba);
    if options.profile.is_none() {
        try_link!(
            report,
            "env ALIBABA_CLOUD_ACCESS_KEY_ID".to_owned(),
            env_link(&env).map(|c| match c {
                Some(c) => Link::Yield(Provider::fixed(
                    c.clone(),
                    "env ALIBABA_CLOUD_ACCESS_KEY_ID",
                    key_id(&c)
                )),
                None => Link::Skip("not set".into()),
            })
        );
    }
    try_link!(
        report,
        "OIDC (ALIBABA_CLOUD_ROLE_ARN)".to_owned(),
        oidc_link(options, &env)
    );
    let profile = options
        .profile
        .clone()
        .or_else(|| env.var("ALIBABA_CLOUD_PROFILE").map(str::to_owned));
    match env.home() {
        Some(_) if env.flag("ALIBABA_CLOUD_CLI_PROFILE_DISABLED") => report.skipped(
            "aliyun-cli config.json",
            "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true",
        ),
        // aliyun-cli's own switch for ignoring its file.
        Some(_) if env.flag("ALIBABA_CLOUD_IGNORE_PROFILE") => report.skipped(
            "aliyun-cli config.json",
            "ALIBABA_CLOUD_IGNORE_PROFILE=true",
        ),
        Some(home) => {
            let path = home.join(".aliyun").join("config.json");
            let source = format!("aliyun-cli config {}", path.display());
            try_link!(
                report,
                source.clone(),
                cli_link(&path, &source, profile.as_deref(), options, &env)
            );
        }
        None => report.skipped("aliyun-cli config.json", "HOME is not set"),
    }
    let section = profile.clone().unwrap_or_else(|| "default".to_owned());
    match ini_file(&env) {
        IniFile::Explicit(path) => {
            let source = format!("credentials file {} [{section}]", path.display());
            try_link!(
                report,
                source.clone(),
                ini_link(&path, &source, &section, true, options, &env)
            );
        }
        IniFile::Home(paths) => {
            for path in paths {
                let source = format!("credentials file {} [{section}]", path.display());
                try_link!(
                    report,
                    source.clone(),
                    ini_link(&path, &source, &section, false, options, &env)
                );
            }
        }
        IniFile::NoHome => report.skipped("credentials file", "HOME is not set"),
    }
    if env.flag("ALIBABA_CLOUD_ECS_METADATA_DISABLED") {
        report.skipped("ECS RAM role", "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true");
    } else {
        let base = metadata_base(options, &env)?;
        let source = format!("ECS RAM role ({})", base.root());
        match ecs_role(&base, env.var("ALIBABA_CLOUD_ECS_METADATA"), &env, &source) {
            Ok(p) => {
                report.found(&source);
                return Ok(p);
            }
            Err(why) => report.skipped(&source, why.message()),
        }
    }
    match env.var("ALIBABA_CLOUD_CREDENTIALS_URI") {
        None => report.skipped("ALIBABA_CLOUD_CREDENTIALS_URI", "not set"),
        Some(uri) => {
            let source = format!(
                "ALIBABA_CLOUD_CREDENTIALS_URI ({})",
                crate::endpoint::redact_url(uri)
            );
            try_link!(report, source.clone(), uri_link(uri, &source, options));
        }
    }
    Err(report.nothing(
        "Fix: export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, run \
         `aliyun configure`, write ~/.alibabacloud/credentials.ini, or run on an ECS instance \
         with a RAM role",
    ))
}

fn metadata_base(
    options: &ChainOptions,
    env: &ChainEnv,
) -> Result<crate::endpoint::BaseUrl, Error> {
    ChainOptions::base_url(
        options.metadata_endpoint.as_deref(),
        env,
        METADATA_VAR,
        metadata::ALIBABA_METADATA,
    )
}

/// The environment variables: `None` when neither key variable is set.
pub(crate) fn env_link(env: &ChainEnv) -> Result<Option<AlibabaCredentials>, Error> {
    let names = [
        AlibabaCredentials::ENV_ACCESS_KEY_ID,
        AlibabaCredentials::ENV_ACCESS_KEY_SECRET,
        AlibabaCredentials::ENV_SECURITY_TOKEN,
    ];
    for name in names {
        if env.is_not_unicode(name) {
            return Err(Error::credentials(format!(
                "{name} is not valid UTF-8: set it to the plain key value"
            )));
        }
    }
    let (id, secret) = match (env.var(names[0]), env.var(names[1])) {
        (None, None) => return Ok(None),
        (Some(id), Some(secret)) => (id, secret),
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::credentials(format!(
                "only one of {} and {} is set: export both, or neither",
                names[0], names[1]
            )));
        }
    };
    AlibabaCredentials::checked(
        id.to_owned(),
        secret.to_owned(),
        env.var(names[2]).map(str::to_owned),
        names,
    )
    .map(Some)
}

fn oidc_link(options: &ChainOptions, env: &ChainEnv) -> Result<Link<AlibabaCredentials>, Error> {
    let missing: Vec<&str> = OIDC_VARS
        .iter()
        .copied()
        .filter(|v| env.var(v).is_none())
        .collect();
    if missing.len() == OIDC_VARS.len() {
        return Ok(Link::Skip("not set".into()));
    }
    if !missing.is_empty() {
        return Ok(Link::Skip(format!("{} not set", missing.join(", "))));
    }
    let [role_arn, provider_arn, token_file] = OIDC_VARS.map(|v| env.var(v).unwrap_or(""));
    crate::credentials::sts::alibaba_oidc(options, env, role_arn, provider_arn, token_file)
        .map(Link::Yield)
}

/// aliyun-cli's `config.json`: `{"current": NAME, "profiles": [{"name", "mode", ...}]}`.
fn cli_link(
    path: &Path,
    source: &str,
    profile: Option<&str>,
    options: &ChainOptions,
    env: &ChainEnv,
) -> Result<Link<AlibabaCredentials>, Error> {
    let text = match read_text(path).map_err(Error::credentials)? {
        Some(t) => t,
        None => return Ok(Link::Skip("file missing".into())),
    };
    let json = parse_json(&text).map_err(Error::credentials)?;
    let current = json_str(&json, "current").map_err(Error::credentials)?;
    let Some(name) = profile.or(current) else {
        return Ok(Link::Skip(
            "no profile named (ALIBABA_CLOUD_PROFILE not set, no \"current\")".into(),
        ));
    };
    let profiles = json
        .get("profiles")
        .and_then(|p| p.as_array())
        .ok_or_else(|| Error::credentials("no \"profiles\" list"))?;
    let Some(p) = profiles
        .iter()
        .find(|p| json_str(p, "name").ok().flatten() == Some(name))
    else {
        return Ok(Link::Skip(format!(
            "no profile {}",
            crate::error::quoted(name)
        )));
    };
    let field = |key: &str| json_str(p, key).map_err(Error::credentials);
    let mode = field("mode")?.unwrap_or("AK");
    let source = format!("{source} profile {name} (mode {mode})");
    let check =
        ["access_key_id", "access_key_secret", "sts_token"].map(|_| "the aliyun-cli profile");
    let keys = |token: Option<&str>| -> Result<AlibabaCredentials, Error> {
        let (Some(id), Some(secret)) = (field("access_key_id")?, field("access_key_secret")?)
        else {
            return Err(Error::credentials(format!(
                "profile {name} (mode {mode}) has no access_key_id or access_key_secret"
            )));
        };
        AlibabaCredentials::checked(
            id.to_owned(),
            secret.to_owned(),
            token.map(str::to_owned),
            check,
        )
    };
    // aliyun-cli matches modes without regard to case.
    match mode.to_ascii_lowercase().as_str() {
        "ak" => {
            let creds = keys(None)?;
            Ok(Link::Yield(Provider::fixed(
                creds.clone(),
                source,
                key_id(&creds),
            )))
        }
        "ststoken" => {
            let token = field("sts_token")?.ok_or_else(|| {
                Error::credentials(format!("profile {name} (mode StsToken) has no sts_token"))
            })?;
            let creds = keys(Some(token))?;
            Ok(Link::Yield(Provider::fixed(
                creds.clone(),
                source,
                key_id(&creds),
            )))
        }
        "ramrolearn" => {
            let creds = keys(None)?;
            let arn = field("ram_role_arn")?.ok_or_else(|| {
                Error::credentials(format!(
                    "profile {name} (mode RamRoleArn) has no ram_role_arn"
                ))
            })?;
            let duration = p
                .get("expired_seconds")
                .and_then(serde_json::Value::as_u64)
                .filter(|d| *d > 0)
                .map(|d| u32::try_from(d).unwrap_or(u32::MAX));
            let role = crate::credentials::sts::AlibabaRole {
                arn,
                session: field("ram_session_name")?.unwrap_or("cloudhalt"),
                duration,
                sts_region: field("sts_region")?,
            };
            crate::credentials::sts::alibaba_assume_role(options, env, creds, &role, &source)
                .map(Link::Yield)
        }
        "ecsramrole" => {
            let base = metadata_base(options, env)?;
            let source = format!("{source}: ECS RAM role ({})", base.root());
            ecs_role(&base, field("ram_role_name")?, env, &source)
                .map(Link::Yield)
                .map_err(metadata::Failed::into_error)
        }
        _ => Err(Error::credentials(format!(
            "unsupported mode {}: cloudhalt reads the modes AK, StsToken, RamRoleArn and \
             EcsRamRole; choose another profile (ALIBABA_CLOUD_PROFILE) or give keys another way",
            crate::error::quoted(mode)
        ))),
    }
}

enum IniFile {
    Explicit(std::path::PathBuf),
    Home(Vec<std::path::PathBuf>),
    NoHome,
}

fn ini_file(env: &ChainEnv) -> IniFile {
    if let Some(file) = env.var("ALIBABA_CLOUD_CREDENTIALS_FILE") {
        return IniFile::Explicit(file.into());
    }
    match env.home() {
        Some(home) => {
            let dir = home.join(".alibabacloud");
            IniFile::Home(vec![dir.join("credentials.ini"), dir.join("credentials")])
        }
        None => IniFile::NoHome,
    }
}

/// The credentials library's INI file: `type = access_key` (`access_key_id`,
/// `access_key_secret`), `ecs_ram_role` (`role_name`), `ram_role_arn` (the keys plus `role_arn`,
/// `role_session_name`).
fn ini_link(
    path: &Path,
    source: &str,
    section: &str,
    explicit: bool,
    options: &ChainOptions,
    env: &ChainEnv,
) -> Result<Link<AlibabaCredentials>, Error> {
    let text = match read_text(path).map_err(Error::credentials)? {
        Some(t) => t,
        None if explicit => {
            return Err(Error::credentials(
                "ALIBABA_CLOUD_CREDENTIALS_FILE names a file that does not exist",
            )
            .with_field("ALIBABA_CLOUD_CREDENTIALS_FILE"));
        }
        None => return Ok(Link::Skip("file missing".into())),
    };
    let sections = parse_ini(&text).map_err(Error::credentials)?;
    let Some(s) = sections.iter().find(|s| s.name == section) else {
        return Ok(Link::Skip(format!("no [{section}] section")));
    };
    let kind = s.get("type").unwrap_or("access_key");
    let check =
        ["access_key_id", "access_key_secret", "security_token"].map(|_| "the credentials file");
    let keys = || -> Result<AlibabaCredentials, Error> {
        let (Some(id), Some(secret)) = (s.get("access_key_id"), s.get("access_key_secret")) else {
            return Err(Error::credentials(format!(
                "[{section}] (type {kind}) has no access_key_id or access_key_secret"
            )));
        };
        AlibabaCredentials::checked(id.to_owned(), secret.to_owned(), None, check)
    };
    match kind {
        "access_key" => {
            let creds = keys()?;
            Ok(Link::Yield(Provider::fixed(
                creds.clone(),
                source,
                key_id(&creds),
            )))
        }
        "ecs_ram_role" => {
            let base = metadata_base(options, env)?;
            let source = format!(
                "{source} (type ecs_ram_role): ECS RAM role ({})",
                base.root()
            );
            ecs_role(&base, s.get("role_name"), env, &source)
                .map(Link::Yield)
                .map_err(metadata::Failed::into_error)
        }
        "ram_role_arn" => {
            let creds = keys()?;
            let arn = s.get("role_arn").ok_or_else(|| {
                Error::credentials(format!("[{section}] (type ram_role_arn) has no role_arn"))
            })?;
            let role = crate::credentials::sts::AlibabaRole {
                arn,
                session: s.get("role_session_name").unwrap_or("cloudhalt"),
                duration: None,
                sts_region: None,
            };
            crate::credentials::sts::alibaba_assume_role(options, env, creds, &role, source)
                .map(Link::Yield)
        }
        other => Err(Error::credentials(format!(
            "unsupported type {}: cloudhalt reads the types access_key, ecs_ram_role and \
             ram_role_arn",
            crate::error::quoted(other)
        ))),
    }
}

/// The ECS RAM role source as a refreshing provider.
fn ecs_role(
    base: &crate::endpoint::BaseUrl,
    role: Option<&str>,
    env: &ChainEnv,
    source: &str,
) -> Result<Creds, metadata::Failed> {
    let v1_disabled = env.flag("ALIBABA_CLOUD_IMDSV1_DISABLED");
    let settings = |base| metadata::EcsRole {
        base,
        role,
        v1_disabled,
    };
    let first = metadata::alibaba_ecs_role(&settings(base))?;
    let base = base.clone();
    let role = role.map(str::to_owned);
    // The first set was fetched above, to tell "not reachable" from a refusal.
    let once = std::sync::Mutex::new(Some(first));
    Provider::refreshing(
        source,
        REFRESH_EARLY,
        key_id,
        Box::new(move || -> Result<Fresh<AlibabaCredentials>, Error> {
            if let Some(f) = once.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Ok(f);
            }
            metadata::alibaba_ecs_role(&metadata::EcsRole {
                base: &base,
                role: role.as_deref(),
                v1_disabled,
            })
            .map_err(metadata::Failed::into_error)
        }),
    )
    .map_err(|e| metadata::Failed::Refused(e.message().to_owned()))
}

/// `ALIBABA_CLOUD_CREDENTIALS_URI`, refreshed by asking again.
fn uri_link(
    uri: &str,
    source: &str,
    options: &ChainOptions,
) -> Result<Link<AlibabaCredentials>, Error> {
    if !(uri.starts_with("http://") || uri.starts_with("https://")) {
        return Err(Error::credentials(
            "ALIBABA_CLOUD_CREDENTIALS_URI does not start with http:// or https://",
        )
        .with_field("ALIBABA_CLOUD_CREDENTIALS_URI"));
    }
    let agent = options.network.agent(
        options
            .network
            .timeouts_or(Duration::from_secs(5), Duration::from_secs(10)),
    )?;
    let uri = uri.to_owned();
    Provider::refreshing(
        source,
        REFRESH_EARLY,
        key_id,
        Box::new(move || {
            metadata::alibaba_credentials_uri(&agent, &uri).map_err(metadata::Failed::into_error)
        }),
    )
    .map(Link::Yield)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_variables() {
        let env = ChainEnv::from_vars([
            ("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAIx"),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s"),
            ("ALIBABA_CLOUD_SECURITY_TOKEN", "tok"),
        ]);
        let creds = env_link(&env).unwrap().unwrap();
        assert_eq!(creds.access_key_id(), "LTAIx");
        assert_eq!(creds.security_token().map(|t| t.expose()), Some("tok"));
        let half = ChainEnv::from_vars([("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")]);
        assert!(
            env_link(&half)
                .unwrap_err()
                .message()
                .contains("only one of")
        );
    }
}
