//! The Tencent Cloud credential chain, first source that yields wins:
//!
//! 1. explicit values ([`Client::new`](crate::Client::new), not part of this chain);
//! 2. `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY`, the token from
//!    `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_TOKEN` (tccli) or `TENCENTCLOUD_SECURITY_TOKEN`
//!    (Terraform), in that order (skipped when a profile is named explicitly);
//! 3. the profile (`TENCENTCLOUD_PROFILE` / `TCCLI_PROFILE` / `default`): tccli's
//!    `~/.tccli/<profile>.credential`, then the SDK's INI file (`TENCENTCLOUD_CREDENTIALS_FILE`,
//!    else `~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`);
//! 4. TKE OIDC (`TKE_REGION`, `TKE_PROVIDER_ID`, `TKE_WEB_IDENTITY_TOKEN_FILE`, `TKE_ROLE_ARN`);
//! 5. the CVM instance role from the metadata service.

use std::path::Path;
use std::time::Duration;

use crate::credentials::TencentCredentials;
use crate::credentials::cache::{Fresh, Provider};
use crate::credentials::chain::{ChainOptions, Link, Report, read_text, try_link};
use crate::credentials::env::ChainEnv;
use crate::credentials::files::{json_str, parse_ini, parse_json};
use crate::credentials::metadata;
use crate::endpoint::BaseUrl;
use crate::error::{Error, Provider as Cloud};

/// The token variables, in the order they are read.
pub(crate) const TOKEN_VARS: [&str; 3] = [
    "TENCENTCLOUD_SESSION_TOKEN",
    "TENCENTCLOUD_TOKEN",
    "TENCENTCLOUD_SECURITY_TOKEN",
];

/// Refresh temporary credentials this long before they expire.
pub(crate) const REFRESH_EARLY: Duration = Duration::from_secs(5 * 60);

/// The metadata base URL variable (a contract).
pub(crate) const METADATA_VAR: &str = "CLOUDHALT_TENCENT_METADATA_ENDPOINT";
/// The STS base URL variable (a contract).
pub(crate) const STS_VAR: &str = "CLOUDHALT_TENCENT_STS_ENDPOINT";

type Creds = Provider<TencentCredentials>;

/// The key ID of a set of credentials, for the provider.
fn key_id(c: &TencentCredentials) -> String {
    c.secret_id().to_owned()
}

/// Runs the chain.
pub(crate) fn chain(options: &ChainOptions) -> Result<Creds, Error> {
    let env = options.environment();
    let mut report = Report::new(Cloud::Tencent);
    if options.profile.is_none() {
        try_link!(
            report,
            "env TENCENTCLOUD_SECRET_ID".to_owned(),
            env_link(&env).map(|c| match c {
                Some(c) => Link::Yield(Provider::fixed(
                    c.clone(),
                    "env TENCENTCLOUD_SECRET_ID",
                    key_id(&c)
                )),
                None => Link::Skip("not set".into()),
            })
        );
    }
    let profile = profile_name(options, &env);
    match env.home() {
        Some(home) => {
            let path = home.join(".tccli").join(format!("{profile}.credential"));
            let source = format!("tccli profile {profile} ({})", path.display());
            try_link!(
                report,
                source.clone(),
                tccli_link(&path, &source, options, &env)
            );
        }
        None => report.skipped("tccli profile", "HOME is not set"),
    }
    for (path, origin) in ini_files(&env) {
        let source = format!("credentials file {} [{profile}]", path.display());
        let explicit = origin == "TENCENTCLOUD_CREDENTIALS_FILE";
        try_link!(
            report,
            source.clone(),
            ini_link(&path, &source, &profile, explicit)
        );
    }
    try_link!(
        report,
        "TKE OIDC (TKE_ROLE_ARN)".to_owned(),
        tke_link(options, &env)
    );
    let base = ChainOptions::base_url(
        options.metadata_endpoint.as_deref(),
        &env,
        METADATA_VAR,
        metadata::TENCENT_METADATA,
    )?;
    let source = format!("CVM role ({})", base.root());
    match cvm_role(&base, None, &source) {
        Ok(p) => {
            report.found(&source);
            return Ok(p);
        }
        Err(why) => report.skipped(&source, why.message()),
    }
    Err(report.nothing(
        "Fix: export TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY, run `tccli configure`, \
         write ~/.tencentcloud/credentials, or run on a CVM with a CAM role",
    ))
}

/// The profile: the option, else `TENCENTCLOUD_PROFILE`, else `TCCLI_PROFILE`, else `default`.
fn profile_name(options: &ChainOptions, env: &ChainEnv) -> String {
    options
        .profile
        .clone()
        .or_else(|| env.var("TENCENTCLOUD_PROFILE").map(str::to_owned))
        .or_else(|| env.var("TCCLI_PROFILE").map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned())
}

/// The environment variables: `None` when neither key variable is set.
pub(crate) fn env_link(env: &ChainEnv) -> Result<Option<TencentCredentials>, Error> {
    let [id_var, key_var] = [
        TencentCredentials::ENV_SECRET_ID,
        TencentCredentials::ENV_SECRET_KEY,
    ];
    for name in [id_var, key_var].iter().chain(TOKEN_VARS.iter()) {
        if env.is_not_unicode(name) {
            return Err(Error::credentials(format!(
                "{name} is not valid UTF-8: set it to the plain key value"
            )));
        }
    }
    let (id, key) = match (env.var(id_var), env.var(key_var)) {
        (None, None) => return Ok(None),
        (Some(id), Some(key)) => (id, key),
        (Some(_), None) => {
            return Err(Error::credentials(format!(
                "{id_var} is set but {key_var} is not: export both, or neither"
            )));
        }
        (None, Some(_)) => {
            return Err(Error::credentials(format!(
                "{key_var} is set but {id_var} is not: export both, or neither"
            )));
        }
    };
    let (token, token_var) = TOKEN_VARS
        .iter()
        .find_map(|name| env.var(name).map(|t| (Some(t.to_owned()), *name)))
        .unwrap_or((None, TOKEN_VARS[0]));
    TencentCredentials::checked(
        id.to_owned(),
        key.to_owned(),
        token,
        [id_var, key_var, token_var],
    )
    .map(Some)
}

/// tccli's `<profile>.credential`: `secretId`, `secretKey`, `token`; `"type": "cvm-role"`;
/// `role-arn` + `role-session-name`.
fn tccli_link(
    path: &Path,
    source: &str,
    options: &ChainOptions,
    env: &ChainEnv,
) -> Result<Link<TencentCredentials>, Error> {
    let text = match read_text(path).map_err(Error::credentials)? {
        Some(t) => t,
        None => return Ok(Link::Skip("file missing".into())),
    };
    let json = parse_json(&text).map_err(Error::credentials)?;
    if !json.is_object() {
        return Err(Error::credentials("not a JSON object"));
    }
    let field = |key: &str| json_str(&json, key).map_err(Error::credentials);
    if field("type")? == Some("cvm-role") {
        let base = ChainOptions::base_url(
            options.metadata_endpoint.as_deref(),
            env,
            METADATA_VAR,
            metadata::TENCENT_METADATA,
        )?;
        let source = format!("{source}, type cvm-role: CVM role ({})", base.root());
        return cvm_role(&base, None, &source)
            .map(Link::Yield)
            .map_err(|e| Error::credentials(format!("type cvm-role: {}", e.message())));
    }
    let (id, key) = match (field("secretId")?, field("secretKey")?) {
        (Some(id), Some(key)) => (id, key),
        (None, None) if field("role-arn")?.is_some() => {
            return Err(Error::credentials(
                "the file has role-arn but no secretId and secretKey to assume it with",
            ));
        }
        (None, None) => return Ok(Link::Skip("no secretId and secretKey in the file".into())),
        _ => {
            return Err(Error::credentials(
                "the file has only one of secretId and secretKey: give both",
            ));
        }
    };
    let check = ["secretId", "secretKey", "token"].map(|_| "the tccli profile file");
    let creds = TencentCredentials::checked(
        id.to_owned(),
        key.to_owned(),
        field("token")?.map(str::to_owned),
        check,
    )?;
    if let Some(arn) = field("role-arn")? {
        let session = field("role-session-name")?.unwrap_or("cloudhalt");
        let region = configure_region(&path.with_extension("configure"));
        return crate::credentials::sts::tencent_assume_role(
            options,
            env,
            creds,
            arn,
            session,
            region.as_deref(),
            source,
        )
        .map(Link::Yield);
    }
    Ok(Link::Yield(Provider::fixed(
        creds.clone(),
        source,
        key_id(&creds),
    )))
}

/// The region of tccli's `<profile>.configure` (`_sys_param.region`), if it can be read: it
/// only adds a region header to the STS call, so a missing or odd file is no error.
fn configure_region(path: &Path) -> Option<String> {
    let text = read_text(path).ok()??;
    let json = parse_json(&text).ok()?;
    let region = json_str(json.get("_sys_param")?, "region").ok()??;
    crate::endpoint::check_region("region", region).ok()?;
    Some(region.to_owned())
}

/// The SDK's INI files, in order, with what named each.
fn ini_files(env: &ChainEnv) -> Vec<(std::path::PathBuf, &'static str)> {
    if let Some(file) = env.var("TENCENTCLOUD_CREDENTIALS_FILE") {
        return vec![(file.into(), "TENCENTCLOUD_CREDENTIALS_FILE")];
    }
    let mut files = Vec::new();
    if let Some(home) = env.home() {
        files.push((home.join(".tencentcloud").join("credentials"), "HOME"));
    }
    if let Some(etc) = env.system_file("/etc/tencentcloud/credentials") {
        files.push((etc, "system"));
    }
    files
}

/// The SDK's INI file: section `[<profile>]` with `secret_id`, `secret_key` (and `token`).
fn ini_link(
    path: &Path,
    source: &str,
    profile: &str,
    explicit: bool,
) -> Result<Link<TencentCredentials>, Error> {
    let text = match read_text(path).map_err(Error::credentials)? {
        Some(t) => t,
        None if explicit => {
            return Err(Error::credentials(
                "TENCENTCLOUD_CREDENTIALS_FILE names a file that does not exist",
            )
            .with_field("TENCENTCLOUD_CREDENTIALS_FILE"));
        }
        None => return Ok(Link::Skip("file missing".into())),
    };
    let sections = parse_ini(&text).map_err(Error::credentials)?;
    let Some(section) = sections.iter().find(|s| s.name == profile) else {
        return Ok(Link::Skip(format!("no [{profile}] section")));
    };
    let (id, key) = match (section.get("secret_id"), section.get("secret_key")) {
        (Some(id), Some(key)) => (id, key),
        (None, None) => return Ok(Link::Skip(format!("no secret_id in [{profile}]"))),
        _ => {
            return Err(Error::credentials(format!(
                "[{profile}] has only one of secret_id and secret_key: give both"
            )));
        }
    };
    let check = ["secret_id", "secret_key", "token"].map(|_| "the credentials file");
    let creds = TencentCredentials::checked(
        id.to_owned(),
        key.to_owned(),
        section.get("token").map(str::to_owned),
        check,
    )?;
    Ok(Link::Yield(Provider::fixed(
        creds.clone(),
        source,
        key_id(&creds),
    )))
}

/// The TKE OIDC variables, all four or none.
const TKE_VARS: [&str; 4] = [
    "TKE_REGION",
    "TKE_PROVIDER_ID",
    "TKE_WEB_IDENTITY_TOKEN_FILE",
    "TKE_ROLE_ARN",
];

fn tke_link(options: &ChainOptions, env: &ChainEnv) -> Result<Link<TencentCredentials>, Error> {
    let missing: Vec<&str> = TKE_VARS
        .iter()
        .copied()
        .filter(|v| env.var(v).is_none())
        .collect();
    if missing.len() == TKE_VARS.len() {
        return Ok(Link::Skip("not set".into()));
    }
    if !missing.is_empty() {
        return Ok(Link::Skip(format!("{} not set", missing.join(", "))));
    }
    let [region, provider_id, token_file, role_arn] = TKE_VARS.map(|v| env.var(v).unwrap_or(""));
    crate::credentials::sts::tencent_web_identity(
        options,
        env,
        region,
        provider_id,
        token_file,
        role_arn,
    )
    .map(Link::Yield)
}

/// The CVM role source as a refreshing provider.
fn cvm_role(base: &BaseUrl, role: Option<&str>, source: &str) -> Result<Creds, metadata::Failed> {
    let first = metadata::tencent_cvm_role(base, role)?;
    let base = base.clone();
    let role = role.map(str::to_owned);
    // The first set was fetched above, to tell "not reachable" from a refusal.
    let once = std::sync::Mutex::new(Some(first));
    Provider::refreshing(
        source,
        REFRESH_EARLY,
        key_id,
        Box::new(move || -> Result<Fresh<TencentCredentials>, Error> {
            if let Some(f) = once.lock().unwrap_or_else(|e| e.into_inner()).take() {
                return Ok(f);
            }
            metadata::tencent_cvm_role(&base, role.as_deref()).map_err(metadata::Failed::into_error)
        }),
    )
    .map_err(|e| metadata::Failed::Refused(e.message().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> ChainEnv {
        ChainEnv::from_vars(vars.iter().copied())
    }

    #[test]
    fn the_token_comes_from_session_token_then_tccli_then_terraform() {
        let keys = [
            ("TENCENTCLOUD_SECRET_ID", "AKIDx"),
            ("TENCENTCLOUD_SECRET_KEY", "k"),
        ];
        let all = [
            ("TENCENTCLOUD_SESSION_TOKEN", "session"),
            ("TENCENTCLOUD_TOKEN", "tccli"),
            ("TENCENTCLOUD_SECURITY_TOKEN", "terraform"),
        ];
        for (skip, expected) in [
            (0, Some("session")),
            (1, Some("tccli")),
            (2, Some("terraform")),
            (3, None),
        ] {
            let vars: Vec<_> = keys.iter().chain(&all[skip..]).copied().collect();
            let creds = env_link(&env(&vars)).unwrap().unwrap();
            assert_eq!(creds.token().map(|t| t.expose()), expected, "{vars:?}");
        }
        assert!(env_link(&env(&[])).unwrap().is_none());
    }

    #[test]
    fn a_bad_token_names_the_variable_it_came_from() {
        let err = env_link(&env(&[
            ("TENCENTCLOUD_SECRET_ID", "AKIDx"),
            ("TENCENTCLOUD_SECRET_KEY", "k"),
            ("TENCENTCLOUD_TOKEN", " spaced"),
        ]))
        .unwrap_err();
        assert!(err.message().contains("TENCENTCLOUD_TOKEN"), "{err}");
    }
}
