//! Credentials for both providers, and the chains that find them. Secrets are zeroized on drop
//! and never printed.
//!
//! Each cloud has one chain (`tencent.rs`, `alibaba.rs`) of small sources, tried in the order
//! the README's "Credentials" table shows; the files of the official tools are read by
//! `files.rs`, the metadata services by `metadata.rs`, and temporary credentials are cached and
//! refreshed by `cache.rs`.

use std::fmt;

pub(crate) mod alibaba;
pub(crate) mod cache;
pub(crate) mod chain;
pub(crate) mod env;
pub(crate) mod files;
pub(crate) mod metadata;
pub(crate) mod sts;
pub(crate) mod tencent;

pub use chain::ChainOptions;
pub use env::ChainEnv;

use zeroize::Zeroizing;

use crate::error::Error;

/// A secret string: zeroized when dropped, redacted in `Debug`, and without `Display`.
#[derive(Clone)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret itself: for signing only; never log or format it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Checks a credential part without ever echoing its value: it must be non-empty, without
/// surrounding white space (Tencent answers `AuthFailure.SecretIdNotFound` for that) and made of
/// visible ASCII, because IDs and tokens travel in HTTP headers.
/// `check` says where the value came from, for the fix (`TENCENTCLOUD_SECRET_ID`, or a file's key).
fn check_part(value: &str, name: &str, check: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::credentials(format!(
            "{name} is empty: pass it explicitly or set {check}"
        )));
    }
    if value.trim() != value {
        return Err(Error::credentials(format!(
            "{name} has leading or trailing white space: remove it (check {check})"
        )));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::credentials(format!(
            "{name} contains a character that is not visible ASCII (a space, control or non-ASCII \
             character): copy it again from the console (check {check})"
        )));
    }
    Ok(())
}

/// Tencent Cloud API credentials: SecretId, SecretKey and, for temporary (STS) credentials, a token.
#[derive(Clone)]
pub struct TencentCredentials {
    secret_id: String,
    secret_key: Secret,
    token: Option<Secret>,
}

impl TencentCredentials {
    /// Environment variable for the SecretId.
    pub const ENV_SECRET_ID: &'static str = "TENCENTCLOUD_SECRET_ID";
    /// Environment variable for the SecretKey.
    pub const ENV_SECRET_KEY: &'static str = "TENCENTCLOUD_SECRET_KEY";
    /// Environment variable for the session token (optional).
    pub const ENV_SESSION_TOKEN: &'static str = "TENCENTCLOUD_SESSION_TOKEN";

    /// Checks and wraps explicit credentials. An empty token counts as none.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
        token: Option<String>,
    ) -> Result<TencentCredentials, Error> {
        TencentCredentials::checked(
            secret_id.into(),
            secret_key.into(),
            token,
            [
                Self::ENV_SECRET_ID,
                Self::ENV_SECRET_KEY,
                Self::ENV_SESSION_TOKEN,
            ],
        )
    }

    /// Checks credentials read from a source whose three names (`check`) the messages give.
    pub(crate) fn checked(
        secret_id: String,
        secret_key: String,
        token: Option<String>,
        check: [&str; 3],
    ) -> Result<TencentCredentials, Error> {
        let secret_key = Secret::new(secret_key);
        let token = token.filter(|t| !t.is_empty()).map(Secret::new);
        check_part(&secret_id, "SecretId", check[0])?;
        check_part(secret_key.expose(), "SecretKey", check[1])?;
        if let Some(t) = &token {
            check_part(t.expose(), "session token", check[2])?;
        }
        Ok(TencentCredentials {
            secret_id,
            secret_key,
            token,
        })
    }

    /// tccli's session token variable, read when `TENCENTCLOUD_SESSION_TOKEN` is not set.
    pub const ENV_TOKEN: &'static str = "TENCENTCLOUD_TOKEN";
    /// Terraform's session token variable, read when neither of the other two is set.
    pub const ENV_SECURITY_TOKEN: &'static str = "TENCENTCLOUD_SECURITY_TOKEN";

    /// Reads `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the session token from
    /// the first set of `TENCENTCLOUD_SESSION_TOKEN`, `TENCENTCLOUD_TOKEN` (tccli) and
    /// `TENCENTCLOUD_SECURITY_TOKEN` (Terraform). Only the variables: the whole chain is
    /// [`Client::from_env`](crate::Client::from_env).
    pub fn from_env() -> Result<TencentCredentials, Error> {
        TencentCredentials::from_chain_env(&ChainEnv::from_process())
    }

    /// The same as [`from_env`](TencentCredentials::from_env), reading `env`.
    pub fn from_chain_env(env: &ChainEnv) -> Result<TencentCredentials, Error> {
        tencent::env_link(env)?.ok_or_else(|| {
            Error::credentials(format!(
                "{} is not set: export it, or pass the credentials explicitly",
                Self::ENV_SECRET_ID
            ))
        })
    }

    /// The SecretId (not secret: it is sent in every request).
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    pub(crate) fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    pub(crate) fn token(&self) -> Option<&Secret> {
        self.token.as_ref()
    }
}

impl fmt::Debug for TencentCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TencentCredentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"<redacted>")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Alibaba Cloud AccessKey credentials, with a security token for STS credentials.
#[derive(Clone)]
pub struct AlibabaCredentials {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
}

impl AlibabaCredentials {
    /// Environment variable for the AccessKey ID.
    pub const ENV_ACCESS_KEY_ID: &'static str = "ALIBABA_CLOUD_ACCESS_KEY_ID";
    /// Environment variable for the AccessKey secret.
    pub const ENV_ACCESS_KEY_SECRET: &'static str = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
    /// Environment variable for the STS security token (optional).
    pub const ENV_SECURITY_TOKEN: &'static str = "ALIBABA_CLOUD_SECURITY_TOKEN";

    /// Checks and wraps explicit credentials. An empty token counts as none.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<String>,
        security_token: Option<String>,
    ) -> Result<AlibabaCredentials, Error> {
        AlibabaCredentials::checked(
            access_key_id.into(),
            access_key_secret.into(),
            security_token,
            [
                Self::ENV_ACCESS_KEY_ID,
                Self::ENV_ACCESS_KEY_SECRET,
                Self::ENV_SECURITY_TOKEN,
            ],
        )
    }

    /// Checks credentials read from a source whose three names (`check`) the messages give.
    pub(crate) fn checked(
        access_key_id: String,
        access_key_secret: String,
        security_token: Option<String>,
        check: [&str; 3],
    ) -> Result<AlibabaCredentials, Error> {
        let access_key_secret = Secret::new(access_key_secret);
        let security_token = security_token.filter(|t| !t.is_empty()).map(Secret::new);
        check_part(&access_key_id, "AccessKey ID", check[0])?;
        check_part(access_key_secret.expose(), "AccessKey secret", check[1])?;
        if let Some(t) = &security_token {
            check_part(t.expose(), "security token", check[2])?;
        }
        Ok(AlibabaCredentials {
            access_key_id,
            access_key_secret,
            security_token,
        })
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`. Only the variables: the whole chain is
    /// [`Client::from_env`](crate::Client::from_env).
    pub fn from_env() -> Result<AlibabaCredentials, Error> {
        AlibabaCredentials::from_chain_env(&ChainEnv::from_process())
    }

    /// The same as [`from_env`](AlibabaCredentials::from_env), reading `env`.
    pub fn from_chain_env(env: &ChainEnv) -> Result<AlibabaCredentials, Error> {
        alibaba::env_link(env)?.ok_or_else(|| {
            Error::credentials(format!(
                "{} is not set: export it, or pass the credentials explicitly",
                Self::ENV_ACCESS_KEY_ID
            ))
        })
    }

    /// The AccessKey ID (not secret: it is sent in every request).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(crate) fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

    pub(crate) fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }
}

impl fmt::Debug for AlibabaCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AlibabaCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}
