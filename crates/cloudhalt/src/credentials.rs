//! Credentials for both providers. Secrets are zeroized on drop and never printed.

use std::fmt;

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
fn check_part(value: &str, name: &str, env: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::credentials(format!(
            "{name} is empty: pass it explicitly or set {env}"
        )));
    }
    if value.trim() != value {
        return Err(Error::credentials(format!(
            "{name} has leading or trailing white space: remove it (check {env})"
        )));
    }
    if !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::credentials(format!(
            "{name} contains a character that is not visible ASCII (a space, control or non-ASCII \
             character): copy it again from the console (check {env})"
        )));
    }
    Ok(())
}

fn env_var(name: &str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::credentials(format!(
            "{name} is not valid UTF-8: set it to the plain key value"
        ))),
    }
}

fn require_env(name: &str) -> Result<String, Error> {
    env_var(name)?.ok_or_else(|| {
        Error::credentials(format!(
            "{name} is not set: export it, or pass the credentials explicitly"
        ))
    })
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
        let secret_id = secret_id.into();
        let secret_key = Secret::new(secret_key);
        let token = token.filter(|t| !t.is_empty()).map(Secret::new);
        check_part(&secret_id, "SecretId", Self::ENV_SECRET_ID)?;
        check_part(secret_key.expose(), "SecretKey", Self::ENV_SECRET_KEY)?;
        if let Some(t) = &token {
            check_part(t.expose(), "session token", Self::ENV_SESSION_TOKEN)?;
        }
        Ok(TencentCredentials {
            secret_id,
            secret_key,
            token,
        })
    }

    /// Reads `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and, if set,
    /// `TENCENTCLOUD_SESSION_TOKEN`.
    pub fn from_env() -> Result<TencentCredentials, Error> {
        TencentCredentials::new(
            require_env(Self::ENV_SECRET_ID)?,
            require_env(Self::ENV_SECRET_KEY)?,
            env_var(Self::ENV_SESSION_TOKEN)?,
        )
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
        let access_key_id = access_key_id.into();
        let access_key_secret = Secret::new(access_key_secret);
        let security_token = security_token.filter(|t| !t.is_empty()).map(Secret::new);
        check_part(&access_key_id, "AccessKey ID", Self::ENV_ACCESS_KEY_ID)?;
        check_part(
            access_key_secret.expose(),
            "AccessKey secret",
            Self::ENV_ACCESS_KEY_SECRET,
        )?;
        if let Some(t) = &security_token {
            check_part(t.expose(), "security token", Self::ENV_SECURITY_TOKEN)?;
        }
        Ok(AlibabaCredentials {
            access_key_id,
            access_key_secret,
            security_token,
        })
    }

    /// Reads `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET` and, if set,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`.
    pub fn from_env() -> Result<AlibabaCredentials, Error> {
        AlibabaCredentials::new(
            require_env(Self::ENV_ACCESS_KEY_ID)?,
            require_env(Self::ENV_ACCESS_KEY_SECRET)?,
            env_var(Self::ENV_SECURITY_TOKEN)?,
        )
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
