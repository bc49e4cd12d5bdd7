//! The STS calls of the credential chains: in the operation table for their facts (version,
//! host, signing, rate limit), built by `credentials::sts`, never sent by name.

use super::{Operation, Pagination, Plan, RateLimit, RegionRule};
use crate::error::{Error, Provider};

/// What `call_json` answers for an STS action: they are the chains' own calls.
fn chain_only(_: Option<&str>, _: &serde_json::Value) -> Result<Plan, Error> {
    Err(Error::invalid_input(
        "action",
        "the STS actions are called by the credential chains only",
    ))
}

/// Tencent STS `AssumeRole` (2018-08-13), signed with the profile's keys.
pub(crate) static TENCENT_ASSUME_ROLE: Operation = Operation {
    provider: Provider::Tencent,
    action: "AssumeRole",
    service: "sts",
    version: "2018-08-13",
    host: "sts.tencentcloudapi.com",
    region: RegionRule::Optional,
    ids: &[],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: true,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::None,
    already: &[],
    from_json: chain_only,
};

/// Tencent STS `AssumeRoleWithWebIdentity` (2018-08-13), sent unsigned (TKE OIDC).
pub(crate) static TENCENT_ASSUME_ROLE_WITH_WEB_IDENTITY: Operation = Operation {
    provider: Provider::Tencent,
    action: "AssumeRoleWithWebIdentity",
    service: "sts",
    version: "2018-08-13",
    host: "sts.tencentcloudapi.com",
    region: RegionRule::Optional,
    ids: &[],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: false,
    chain_only: true,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::None,
    already: &[],
    from_json: chain_only,
};

/// Alibaba STS `AssumeRole` (2015-04-01), ACS3-signed with the profile's keys.
pub(crate) static ALIBABA_ASSUME_ROLE: Operation = Operation {
    provider: Provider::Alibaba,
    action: "AssumeRole",
    service: "sts",
    version: "2015-04-01",
    host: "sts.aliyuncs.com",
    region: RegionRule::Optional,
    ids: &[],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: true,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::None,
    already: &[],
    from_json: chain_only,
};

/// Alibaba STS `AssumeRoleWithOIDC` (2015-04-01), sent unsigned (RRSA).
pub(crate) static ALIBABA_ASSUME_ROLE_WITH_OIDC: Operation = Operation {
    provider: Provider::Alibaba,
    action: "AssumeRoleWithOIDC",
    service: "sts",
    version: "2015-04-01",
    host: "sts.aliyuncs.com",
    region: RegionRule::Optional,
    ids: &[],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: false,
    chain_only: true,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::None,
    already: &[],
    from_json: chain_only,
};
