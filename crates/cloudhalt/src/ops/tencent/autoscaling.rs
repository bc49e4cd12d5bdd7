//! Auto Scaling (service `as`, 2018-04-19): CancelInstanceRefresh.

use serde::{Deserialize, Serialize};

use super::call;
use crate::error::{Error, Provider};
use crate::ops::{
    Call, IdField, IdShape, Operation, Plan, RateLimit, RegionRule, Request, check_region,
    json_call, params_error, plan,
};

const AUTO_SCALING_GROUP_ID: IdField = IdField {
    name: "AutoScalingGroupId",
    prefixes: &["asg-"],
    shape: IdShape::Tencent,
    what: "scaling group ID",
    example: "asg-h7tgd87d",
    list: false,
    max: 1,
    omittable: false,
};

const REFRESH_ACTIVITY_ID: IdField = IdField {
    name: "RefreshActivityId",
    prefixes: &["asr-"],
    shape: IdShape::Tencent,
    what: "refresh activity ID",
    example: "asr-juhf6ytr",
    list: false,
    max: 1,
    omittable: false,
};

/// AS `CancelInstanceRefresh` (2018-04-19): the region is optional; repeating it is harmless.
pub static CANCEL_INSTANCE_REFRESH: Operation = Operation {
    provider: Provider::Tencent,
    action: "CancelInstanceRefresh",
    service: "as",
    version: "2018-04-19",
    host: "as.tencentcloudapi.com",
    region: RegionRule::Optional,
    ids: &[AUTO_SCALING_GROUP_ID, REFRESH_ACTIVITY_ID],
    params: &[],
    idempotent: true,
    mutating: true,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(20),
    // A cancelled activity and a finished one answer the same conflict code, so no answer
    // proves that an earlier cancel took effect.
    already: &[],
    from_json: |region, params| json_call(CancelInstanceRefresh::from_json, region, params),
};

/// AS `CancelInstanceRefresh`: cancels the pending batches of an instance refresh activity.
/// Batches already refreshed stay; a batch refreshing now blocks the cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelInstanceRefresh {
    region: Option<String>,
    auto_scaling_group_id: String,
    refresh_activity_id: String,
}

impl CancelInstanceRefresh {
    /// Cancels `refresh_activity_id` (`asr-xxxxxxxx`) of `auto_scaling_group_id`
    /// (`asg-xxxxxxxx`), with no region header.
    pub fn new(
        auto_scaling_group_id: impl Into<String>,
        refresh_activity_id: impl Into<String>,
    ) -> CancelInstanceRefresh {
        CancelInstanceRefresh {
            region: None,
            auto_scaling_group_id: auto_scaling_group_id.into(),
            refresh_activity_id: refresh_activity_id.into(),
        }
    }

    /// The region (`X-TC-Region`), if set.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// `AutoScalingGroupId`.
    pub fn auto_scaling_group_id(&self) -> &str {
        &self.auto_scaling_group_id
    }

    /// `RefreshActivityId`.
    pub fn refresh_activity_id(&self) -> &str {
        &self.refresh_activity_id
    }

    /// Sets the region (optional for this operation; `None` sends no region header).
    pub fn set_region(&mut self, region: Option<String>) -> &mut CancelInstanceRefresh {
        self.region = region;
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<CancelInstanceRefresh, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            auto_scaling_group_id: String,
            refresh_activity_id: String,
        }
        let p =
            Params::deserialize(params).map_err(|e| params_error("CancelInstanceRefresh", e))?;
        Ok(CancelInstanceRefresh {
            region: region.map(str::to_owned),
            auto_scaling_group_id: p.auto_scaling_group_id,
            refresh_activity_id: p.refresh_activity_id,
        })
    }
}

impl crate::ops::sealed::Sealed for CancelInstanceRefresh {}

#[allow(private_interfaces)]
impl Request for CancelInstanceRefresh {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &CANCEL_INSTANCE_REFRESH;

    fn plan(&self) -> Result<Plan, Error> {
        plan(self, &self.refresh_activity_id, None, |_| self.clone())
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, self.region.as_deref())?;
        AUTO_SCALING_GROUP_ID.check_one("AutoScalingGroupId", &self.auto_scaling_group_id)?;
        REFRESH_ACTIVITY_ID.check_one("RefreshActivityId", &self.refresh_activity_id)?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            auto_scaling_group_id: &'a str,
            refresh_activity_id: &'a str,
        }
        Ok(call(
            Self::OP,
            self.region.as_deref(),
            &Body {
                auto_scaling_group_id: &self.auto_scaling_group_id,
                refresh_activity_id: &self.refresh_activity_id,
            },
        ))
    }
}
