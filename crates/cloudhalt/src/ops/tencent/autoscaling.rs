//! Auto Scaling (service `as`, 2018-04-19): CancelInstanceRefresh, StopInstanceRefresh (the
//! pause a cancel blocked by a refreshing batch needs first), and DescribeRefreshActivities to
//! confirm them.

use serde::{Deserialize, Serialize};

use super::{Filter, MAX_INSTANCE_IDS, call};
use crate::error::{Error, Provider};
use crate::ops::{
    Call, IdField, IdShape, Operation, Pagination, Plan, RateLimit, RegionRule, Request,
    check_region, json_call, params_error, plan,
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
    pagination: Pagination::None,
    // A cancelled activity and a finished one answer the same conflict code, so no answer
    // proves that an earlier cancel took effect.
    already: &[],
    from_json: |region, params| json_call(CancelInstanceRefresh::from_json, region, params),
};

/// AS `StopInstanceRefresh` (2018-04-19): pauses an instance refresh activity (instances being
/// updated now finish; the pending ones wait). Sent only by a cancel with `pause_first`, when a
/// refreshing batch blocks the cancel. The region is optional as for CancelInstanceRefresh;
/// repeating it is harmless; 20 requests per second.
pub static STOP_INSTANCE_REFRESH: Operation = Operation {
    provider: Provider::Tencent,
    action: "StopInstanceRefresh",
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
    pagination: Pagination::None,
    already: &[],
    from_json: |region, params| json_call(StopInstanceRefresh::from_json, region, params),
};

/// The two IDs of a refresh activity, as CancelInstanceRefresh and StopInstanceRefresh take
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Activity {
    region: Option<String>,
    auto_scaling_group_id: String,
    refresh_activity_id: String,
}

impl Activity {
    fn from_json(
        action: &str,
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<Activity, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            auto_scaling_group_id: String,
            refresh_activity_id: String,
        }
        let p = Params::deserialize(params).map_err(|e| params_error(action, e))?;
        Ok(Activity {
            region: region.map(str::to_owned),
            auto_scaling_group_id: p.auto_scaling_group_id,
            refresh_activity_id: p.refresh_activity_id,
        })
    }

    fn to_call(&self, op: &'static Operation) -> Result<Call, Error> {
        check_region(op, self.region.as_deref())?;
        AUTO_SCALING_GROUP_ID.check_one("AutoScalingGroupId", &self.auto_scaling_group_id)?;
        REFRESH_ACTIVITY_ID.check_one("RefreshActivityId", &self.refresh_activity_id)?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            auto_scaling_group_id: &'a str,
            refresh_activity_id: &'a str,
        }
        Ok(call(
            op,
            self.region.as_deref(),
            &Body {
                auto_scaling_group_id: &self.auto_scaling_group_id,
                refresh_activity_id: &self.refresh_activity_id,
            },
        ))
    }
}

/// Writes a request type that names one refresh activity (its accessors, JSON constructor and
/// [`Request`] implementation), so that the two AS writes cannot drift apart.
macro_rules! activity_request {
    ($(#[$doc:meta])* $name:ident, $op:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub struct $name(Activity);

        impl $name {
            /// Names `refresh_activity_id` (`asr-xxxxxxxx`) of `auto_scaling_group_id`
            /// (`asg-xxxxxxxx`), with no region header.
            pub fn new(
                auto_scaling_group_id: impl Into<String>,
                refresh_activity_id: impl Into<String>,
            ) -> $name {
                $name(Activity {
                    region: None,
                    auto_scaling_group_id: auto_scaling_group_id.into(),
                    refresh_activity_id: refresh_activity_id.into(),
                })
            }

            /// The region (`X-TC-Region`), if set.
            pub fn region(&self) -> Option<&str> {
                self.0.region.as_deref()
            }

            /// `AutoScalingGroupId`.
            pub fn auto_scaling_group_id(&self) -> &str {
                &self.0.auto_scaling_group_id
            }

            /// `RefreshActivityId`.
            pub fn refresh_activity_id(&self) -> &str {
                &self.0.refresh_activity_id
            }

            /// Sets the region (optional for this operation; `None` sends no region header).
            pub fn set_region(&mut self, region: Option<String>) -> &mut $name {
                self.0.region = region;
                self
            }

            pub(crate) fn from_json(
                region: Option<&str>,
                params: &serde_json::Value,
            ) -> Result<$name, Error> {
                Activity::from_json(stringify!($name), region, params).map($name)
            }
        }

        impl crate::ops::sealed::Sealed for $name {}

        #[allow(private_interfaces)]
        impl Request for $name {
            type Cloud = crate::TencentCloud;
            const OP: &'static Operation = &$op;

            fn plan(&self) -> Result<Plan, Error> {
                plan(self, &self.0.refresh_activity_id, None, |_| self.clone())
            }

            fn to_call(&self) -> Result<Call, Error> {
                self.0.to_call(Self::OP)
            }
        }
    };
}

activity_request!(
    /// AS `CancelInstanceRefresh`: cancels the pending batches of an instance refresh activity.
    /// Batches already refreshed stay; a batch refreshing now blocks the cancel (see
    /// `pause_first`).
    CancelInstanceRefresh,
    CANCEL_INSTANCE_REFRESH
);

activity_request!(
    /// AS `StopInstanceRefresh`: pauses an instance refresh activity (`MANUAL_PAUSE`); the
    /// instances being updated now finish first.
    StopInstanceRefresh,
    STOP_INSTANCE_REFRESH
);

const REFRESH_ACTIVITY_IDS: IdField = IdField {
    name: "RefreshActivityIds",
    list: true,
    max: MAX_INSTANCE_IDS,
    omittable: true,
    ..REFRESH_ACTIVITY_ID
};

/// AS `DescribeRefreshActivities` (2018-04-19): read-only, 20 requests per second, paged by
/// `Offset` / `Limit` (at most 100); the region is optional as for CancelInstanceRefresh. What a
/// cancel waiter reads: `Status` and the batches' statuses.
pub static DESCRIBE_REFRESH_ACTIVITIES: Operation = Operation {
    provider: Provider::Tencent,
    action: "DescribeRefreshActivities",
    service: "as",
    version: "2018-04-19",
    host: "as.tencentcloudapi.com",
    region: RegionRule::Optional,
    ids: &[REFRESH_ACTIVITY_IDS],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(20),
    pagination: Pagination::OffsetLimit {
        items: "RefreshActivitySet",
        total: "TotalCount",
        limit: 100,
    },
    already: &[],
    from_json: |region, params| json_call(DescribeRefreshActivities::from_json, region, params),
};

/// AS `DescribeRefreshActivities`: the refresh activities named, or those the filters select
/// (e.g. `auto-scaling-group-id`); every page is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeRefreshActivities {
    region: Option<String>,
    refresh_activity_ids: Option<Vec<String>>,
    filters: Vec<Filter>,
    offset: Option<u32>,
    limit: Option<u32>,
}

impl DescribeRefreshActivities {
    /// The activities `refresh_activity_ids` (`asr-...`), with no region header.
    pub fn new(refresh_activity_ids: Vec<String>) -> DescribeRefreshActivities {
        DescribeRefreshActivities {
            region: None,
            refresh_activity_ids: Some(refresh_activity_ids),
            filters: Vec::new(),
            offset: None,
            limit: None,
        }
    }

    /// Every activity of the scaling group `auto_scaling_group_id` (`asg-...`).
    pub fn for_group(auto_scaling_group_id: impl Into<String>) -> DescribeRefreshActivities {
        DescribeRefreshActivities {
            refresh_activity_ids: None,
            filters: vec![Filter::new(
                "auto-scaling-group-id",
                vec![auto_scaling_group_id.into()],
            )],
            ..DescribeRefreshActivities::new(Vec::new())
        }
    }

    /// The region, if set.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Sets the region (optional; `None` sends no region header).
    pub fn set_region(&mut self, region: Option<String>) -> &mut DescribeRefreshActivities {
        self.region = region;
        self
    }

    /// `Filters`.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<DescribeRefreshActivities, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            refresh_activity_ids: Option<Vec<String>>,
            #[serde(default)]
            filters: Vec<Filter>,
            offset: Option<u32>,
            limit: Option<u32>,
        }
        let p = Params::deserialize(params)
            .map_err(|e| params_error("DescribeRefreshActivities", e))?;
        Ok(DescribeRefreshActivities {
            region: region.map(str::to_owned),
            refresh_activity_ids: p.refresh_activity_ids,
            filters: p.filters,
            offset: p.offset,
            limit: p.limit,
        })
    }
}

impl crate::ops::sealed::Sealed for DescribeRefreshActivities {}

#[allow(private_interfaces)]
impl Request for DescribeRefreshActivities {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &DESCRIBE_REFRESH_ACTIVITIES;

    fn plan(&self) -> Result<Plan, Error> {
        let key = self
            .filters
            .first()
            .and_then(|f| f.values.first())
            .map_or("", String::as_str);
        plan(self, key, self.refresh_activity_ids.as_deref(), |ids| {
            DescribeRefreshActivities {
                refresh_activity_ids: Some(ids),
                ..self.clone()
            }
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        super::Describe {
            op: Self::OP,
            region: self.region.as_deref(),
            ids: self
                .refresh_activity_ids
                .as_deref()
                .map(|ids| (&REFRESH_ACTIVITY_IDS, ids)),
            filters: &self.filters,
            offset: self.offset,
            limit: self.limit,
            extra: &[],
        }
        .call()
    }
}
