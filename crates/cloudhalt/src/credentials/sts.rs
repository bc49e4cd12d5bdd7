//! Temporary credentials from STS: the chain links that assume a role.

use crate::credentials::cache::Provider;
use crate::credentials::chain::ChainOptions;
use crate::credentials::env::ChainEnv;
use crate::credentials::{AlibabaCredentials, TencentCredentials};
use crate::error::Error;

/// STS `AssumeRole` with the profile's keys (tccli `role-arn`).
pub(crate) fn tencent_assume_role(
    _options: &ChainOptions,
    _env: &ChainEnv,
    _keys: TencentCredentials,
    _role_arn: &str,
    _session: &str,
    _source: &str,
) -> Result<Provider<TencentCredentials>, Error> {
    Err(Error::credentials(
        "role-arn (STS AssumeRole) is not supported by this version of cloudhalt",
    ))
}

/// STS `AssumeRole` with the profile's keys (aliyun-cli RamRoleArn, INI ram_role_arn).
pub(crate) fn alibaba_assume_role(
    _options: &ChainOptions,
    _env: &ChainEnv,
    _keys: AlibabaCredentials,
    _role_arn: &str,
    _session: &str,
    _source: &str,
) -> Result<Provider<AlibabaCredentials>, Error> {
    Err(Error::credentials(
        "RamRoleArn (STS AssumeRole) is not supported by this version of cloudhalt",
    ))
}
