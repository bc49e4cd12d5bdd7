//! Auto Scaling (service `as`, 2018-04-19): CancelInstanceRefresh.

use serde::{Deserialize, Serialize};

use super::{TencentCall, TencentOperation, required_region, to_body};
use crate::error::Error;
use crate::ops::{check_tencent_id, params_error};

/// AS `CancelInstanceRefresh`: cancels the pending batches of an instance refresh activity.
/// Batches already refreshed stay; a batch refreshing now blocks the cancel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelInstanceRefresh {
    /// The region (`X-TC-Region`); optional for this operation, and left out when `None`.
    pub region: Option<String>,
    /// `AutoScalingGroupId`: `asg-xxxxxxxx`.
    pub auto_scaling_group_id: String,
    /// `RefreshActivityId`: `asr-xxxxxxxx`.
    pub refresh_activity_id: String,
}

impl CancelInstanceRefresh {
    /// Cancels `refresh_activity_id` of `auto_scaling_group_id`, with no region header.
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

impl TencentOperation for CancelInstanceRefresh {
    const ACTION: &'static str = "CancelInstanceRefresh";

    fn to_call(&self) -> Result<TencentCall, Error> {
        if let Some(region) = &self.region {
            required_region(region)?;
        }
        check_tencent_id(
            "AutoScalingGroupId",
            &self.auto_scaling_group_id,
            &["asg-"],
            "scaling group ID",
            "asg-h7tgd87d",
        )?;
        check_tencent_id(
            "RefreshActivityId",
            &self.refresh_activity_id,
            &["asr-"],
            "refresh activity ID",
            "asr-juhf6ytr",
        )?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            auto_scaling_group_id: &'a str,
            refresh_activity_id: &'a str,
        }
        Ok(TencentCall {
            action: Self::ACTION,
            service: "as",
            version: "2018-04-19",
            region: self.region.clone(),
            body: to_body(&Body {
                auto_scaling_group_id: &self.auto_scaling_group_id,
                refresh_activity_id: &self.refresh_activity_id,
            }),
        })
    }
}
