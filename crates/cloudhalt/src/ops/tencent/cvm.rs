//! CVM (2017-03-12): StopInstances, TerminateInstances, and DescribeInstances to confirm them.

use serde::{Deserialize, Serialize};

use super::{CVM_INSTANCE_IDS, Filter, call, is_false};
use crate::error::{Error, Provider};
use crate::ops::{
    Call, Operation, Pagination, Param, ParamKind, Plan, RateLimit, RegionRule, Request,
    check_region, json_call, params_error, parse_enum, plan,
};

/// CVM `StopInstances` (2017-03-12): repeating it is harmless (a stopped instance answers
/// `UnsupportedOperation.InstanceStateStopped`).
pub static STOP_INSTANCES: Operation = Operation {
    provider: Provider::Tencent,
    action: "StopInstances",
    service: "cvm",
    version: "2017-03-12",
    host: "cvm.tencentcloudapi.com",
    region: RegionRule::Required,
    ids: &[CVM_INSTANCE_IDS],
    params: &[
        Param {
            name: "ForceStop",
            kind: ParamKind::Bool,
        },
        Param {
            name: "StopType",
            kind: ParamKind::Enum(&StopType::VALUES),
        },
        Param {
            name: "StoppedMode",
            kind: ParamKind::Enum(&StoppedMode::VALUES),
        },
    ],
    idempotent: true,
    mutating: true,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(10),
    pagination: Pagination::None,
    already: &[
        "UnsupportedOperation.InstanceStateStopped",
        "UnsupportedOperation.InstanceStateStopping",
    ],
    from_json: |region, params| json_call(StopInstances::from_json, region, params),
};

/// CVM `TerminateInstances` (2017-03-12): never repeated after an ambiguous failure, because a
/// second call destroys a prepaid instance that the first moved to the recycle bin.
pub static TERMINATE_INSTANCES: Operation = Operation {
    provider: Provider::Tencent,
    action: "TerminateInstances",
    service: "cvm",
    version: "2017-03-12",
    host: "cvm.tencentcloudapi.com",
    region: RegionRule::Required,
    ids: &[CVM_INSTANCE_IDS],
    params: &[
        Param {
            name: "ReleaseAddress",
            kind: ParamKind::Bool,
        },
        Param {
            name: "ReleasePrepaidDataDisks",
            kind: ParamKind::Bool,
        },
    ],
    idempotent: false,
    mutating: true,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(10),
    pagination: Pagination::None,
    // Never consulted: TerminateInstances is not repeated after an ambiguous failure.
    already: &[],
    from_json: |region, params| json_call(TerminateInstances::from_json, region, params),
};

/// How StopInstances shuts an instance down (`StopType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopType {
    /// `SOFT`: a normal shutdown (the provider's default).
    #[serde(rename = "SOFT")]
    Soft,
    /// `HARD`: a forced power-off.
    #[serde(rename = "HARD")]
    Hard,
    /// `SOFT_FIRST`: a normal shutdown, forced if that fails.
    #[serde(rename = "SOFT_FIRST")]
    SoftFirst,
}

impl StopType {
    /// The provider's spellings, in declaration order.
    pub const VALUES: [&'static str; 3] = ["SOFT", "HARD", "SOFT_FIRST"];
    const ALL: [StopType; 3] = [StopType::Soft, StopType::Hard, StopType::SoftFirst];

    /// Parses the provider's spelling (`SOFT`, `HARD`, `SOFT_FIRST`).
    pub fn parse(value: &str) -> Result<StopType, Error> {
        parse_enum("StopType", value, &Self::VALUES, &Self::ALL)
    }

    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}

/// Whether a stopped pay-as-you-go instance keeps being charged (`StoppedMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StoppedMode {
    /// `KEEP_CHARGING` (the provider's default).
    #[serde(rename = "KEEP_CHARGING")]
    KeepCharging,
    /// `STOP_CHARGING`: only for some pay-as-you-go instances with cloud disks.
    #[serde(rename = "STOP_CHARGING")]
    StopCharging,
}

impl StoppedMode {
    /// The provider's spellings, in declaration order.
    pub const VALUES: [&'static str; 2] = ["KEEP_CHARGING", "STOP_CHARGING"];
    const ALL: [StoppedMode; 2] = [StoppedMode::KeepCharging, StoppedMode::StopCharging];

    /// Parses the provider's spelling (`KEEP_CHARGING`, `STOP_CHARGING`).
    pub fn parse(value: &str) -> Result<StoppedMode, Error> {
        parse_enum("StoppedMode", value, &Self::VALUES, &Self::ALL)
    }

    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        Self::VALUES[self as usize]
    }
}

/// CVM `StopInstances`: shuts down RUNNING instances (any number, sent 100 per request) (they go STOPPING, then STOPPED).
///
/// ```
/// use cloudhalt::{StopInstances, StopType};
/// let mut stop = StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
/// stop.set_stop_type(StopType::SoftFirst);
/// assert_eq!(stop.instance_ids(), ["ins-r8hr2upy"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StopInstances {
    region: String,
    instance_ids: Vec<String>,
    force_stop: bool,
    stop_type: Option<StopType>,
    stopped_mode: Option<StoppedMode>,
}

impl StopInstances {
    /// A soft stop of `instance_ids` (`InstanceIds`: one or more `ins-xxxxxxxx`, sent 100 per request) in `region`
    /// (`X-TC-Region`, e.g. `ap-guangzhou`), with the provider's defaults.
    pub fn new(region: impl Into<String>, instance_ids: Vec<String>) -> StopInstances {
        StopInstances {
            region: region.into(),
            instance_ids,
            force_stop: false,
            stop_type: None,
            stopped_mode: None,
        }
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `InstanceIds`.
    pub fn instance_ids(&self) -> &[String] {
        &self.instance_ids
    }

    /// `ForceStop`.
    pub fn force_stop(&self) -> bool {
        self.force_stop
    }

    /// `StopType`, if set.
    pub fn stop_type(&self) -> Option<StopType> {
        self.stop_type
    }

    /// `StoppedMode`, if set.
    pub fn stopped_mode(&self) -> Option<StoppedMode> {
        self.stopped_mode
    }

    /// Sets `ForceStop` (deprecated by the provider): force after a failed soft stop. Never
    /// together with `StopType`; prefer [`StopType::SoftFirst`].
    pub fn set_force_stop(&mut self, force_stop: bool) -> &mut StopInstances {
        self.force_stop = force_stop;
        self
    }

    /// Sets `StopType` (`None`: the provider's default, `SOFT`).
    pub fn set_stop_type(&mut self, stop_type: impl Into<Option<StopType>>) -> &mut StopInstances {
        self.stop_type = stop_type.into();
        self
    }

    /// Sets `StoppedMode` (`None`: the provider's default, `KEEP_CHARGING`).
    pub fn set_stopped_mode(
        &mut self,
        stopped_mode: impl Into<Option<StoppedMode>>,
    ) -> &mut StopInstances {
        self.stopped_mode = stopped_mode.into();
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<StopInstances, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            instance_ids: Vec<String>,
            #[serde(default)]
            force_stop: bool,
            stop_type: Option<String>,
            stopped_mode: Option<String>,
        }
        let p = Params::deserialize(params).map_err(|e| params_error("StopInstances", e))?;
        Ok(StopInstances {
            region: region.unwrap_or_default().to_owned(),
            instance_ids: p.instance_ids,
            force_stop: p.force_stop,
            stop_type: p.stop_type.as_deref().map(StopType::parse).transpose()?,
            stopped_mode: p
                .stopped_mode
                .as_deref()
                .map(StoppedMode::parse)
                .transpose()?,
        })
    }
}

impl crate::ops::sealed::Sealed for StopInstances {}

#[allow(private_interfaces)]
impl Request for StopInstances {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &STOP_INSTANCES;

    fn plan(&self) -> Result<Plan, Error> {
        plan(self, "", Some(&self.instance_ids), |ids| StopInstances {
            instance_ids: ids,
            ..self.clone()
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, Some(&self.region))?;
        CVM_INSTANCE_IDS.check_list(&self.instance_ids)?;
        if self.force_stop && self.stop_type.is_some() {
            return Err(Error::invalid_input(
                "ForceStop",
                "ForceStop and StopType cannot be given together (the provider refuses the \
                 combination): drop ForceStop and use StopType SOFT_FIRST",
            ));
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            instance_ids: &'a [String],
            #[serde(skip_serializing_if = "is_false")]
            force_stop: bool,
            #[serde(skip_serializing_if = "Option::is_none")]
            stop_type: Option<StopType>,
            #[serde(skip_serializing_if = "Option::is_none")]
            stopped_mode: Option<StoppedMode>,
        }
        Ok(call(
            Self::OP,
            Some(&self.region),
            &Body {
                instance_ids: &self.instance_ids,
                force_stop: self.force_stop,
                stop_type: self.stop_type,
                stopped_mode: self.stopped_mode,
            },
        ))
    }
}

/// CVM `TerminateInstances`: returns (destroys) instances (any number, sent 100 per request).
///
/// A prepaid instance goes to the recycle bin on the first call and is destroyed for good on a
/// second: cloudhalt therefore re-sends this request only when it was refused unprocessed
/// (throttled, or nothing was written), never after a failure that may have taken effect.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TerminateInstances {
    region: String,
    instance_ids: Vec<String>,
    release_address: bool,
    release_prepaid_data_disks: bool,
}

impl TerminateInstances {
    /// Terminates `instance_ids` (one or more `ins-xxxxxxxx`) in `region`, keeping addresses and
    /// prepaid data disks.
    pub fn new(region: impl Into<String>, instance_ids: Vec<String>) -> TerminateInstances {
        TerminateInstances {
            region: region.into(),
            instance_ids,
            release_address: false,
            release_prepaid_data_disks: false,
        }
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `InstanceIds`.
    pub fn instance_ids(&self) -> &[String] {
        &self.instance_ids
    }

    /// `ReleaseAddress`.
    pub fn release_address(&self) -> bool {
        self.release_address
    }

    /// `ReleasePrepaidDataDisks`.
    pub fn release_prepaid_data_disks(&self) -> bool {
        self.release_prepaid_data_disks
    }

    /// Sets `ReleaseAddress`: also release the instances' EIPs.
    pub fn set_release_address(&mut self, release: bool) -> &mut TerminateInstances {
        self.release_address = release;
        self
    }

    /// Sets `ReleasePrepaidDataDisks`: also release prepaid data disks mounted on the instances.
    pub fn set_release_prepaid_data_disks(&mut self, release: bool) -> &mut TerminateInstances {
        self.release_prepaid_data_disks = release;
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<TerminateInstances, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            instance_ids: Vec<String>,
            #[serde(default)]
            release_address: bool,
            #[serde(default)]
            release_prepaid_data_disks: bool,
        }
        let p = Params::deserialize(params).map_err(|e| params_error("TerminateInstances", e))?;
        Ok(TerminateInstances {
            region: region.unwrap_or_default().to_owned(),
            instance_ids: p.instance_ids,
            release_address: p.release_address,
            release_prepaid_data_disks: p.release_prepaid_data_disks,
        })
    }
}

impl crate::ops::sealed::Sealed for TerminateInstances {}

#[allow(private_interfaces)]
impl Request for TerminateInstances {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &TERMINATE_INSTANCES;

    fn plan(&self) -> Result<Plan, Error> {
        plan(self, "", Some(&self.instance_ids), |ids| {
            TerminateInstances {
                instance_ids: ids,
                ..self.clone()
            }
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, Some(&self.region))?;
        CVM_INSTANCE_IDS.check_list(&self.instance_ids)?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            instance_ids: &'a [String],
            #[serde(skip_serializing_if = "is_false")]
            release_address: bool,
            #[serde(skip_serializing_if = "is_false")]
            release_prepaid_data_disks: bool,
        }
        Ok(call(
            Self::OP,
            Some(&self.region),
            &Body {
                instance_ids: &self.instance_ids,
                release_address: self.release_address,
                release_prepaid_data_disks: self.release_prepaid_data_disks,
            },
        ))
    }
}

/// The instance IDs of DescribeInstances: left out, every instance of the region (or those the
/// filters select).
const DESCRIBE_INSTANCE_IDS: crate::ops::IdField = crate::ops::IdField {
    omittable: true,
    ..CVM_INSTANCE_IDS
};

/// CVM `DescribeInstances` (2017-03-12): read-only, 40 requests per second, paged by
/// `Offset` / `Limit` (at most 100 per page). What a stop or terminate waiter reads:
/// `InstanceState`, `LatestOperation`, `LatestOperationState`, `LatestOperationRequestId`,
/// `InstanceChargeType`.
pub static DESCRIBE_INSTANCES: Operation = Operation {
    provider: Provider::Tencent,
    action: "DescribeInstances",
    service: "cvm",
    version: "2017-03-12",
    host: "cvm.tencentcloudapi.com",
    region: RegionRule::Required,
    ids: &[DESCRIBE_INSTANCE_IDS],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(40),
    pagination: Pagination::OffsetLimit {
        items: "InstanceSet",
        total: "TotalCount",
        limit: 100,
    },
    already: &[],
    from_json: |region, params| json_call(DescribeInstances::from_json, region, params),
};

/// CVM `DescribeInstances`: the instances named (any number, asked for 100 per request), or
/// every instance the filters select; every page is fetched, so the answer's `InstanceSet`
/// holds every instance. An ID that no longer exists is simply absent from it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeInstances {
    region: String,
    instance_ids: Option<Vec<String>>,
    filters: Vec<Filter>,
    offset: Option<u32>,
    limit: Option<u32>,
}

impl DescribeInstances {
    /// The instances `instance_ids` in `region`.
    pub fn new(region: impl Into<String>, instance_ids: Vec<String>) -> DescribeInstances {
        DescribeInstances {
            instance_ids: Some(instance_ids),
            ..DescribeInstances::all(region)
        }
    }

    /// Every instance in `region` (narrowed by [`set_filters`](DescribeInstances::set_filters)).
    pub fn all(region: impl Into<String>) -> DescribeInstances {
        DescribeInstances {
            region: region.into(),
            instance_ids: None,
            filters: Vec::new(),
            offset: None,
            limit: None,
        }
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `InstanceIds`, if given.
    pub fn instance_ids(&self) -> Option<&[String]> {
        self.instance_ids.as_deref()
    }

    /// `Filters` (never together with `InstanceIds`: the provider refuses the combination).
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// Sets `Filters`: at most 10, of at most 5 values each.
    pub fn set_filters(&mut self, filters: Vec<Filter>) -> &mut DescribeInstances {
        self.filters = filters;
        self
    }

    /// Sets the page size `Limit` (1 to 100; default 100). Every page is fetched whatever it is.
    pub fn set_limit(&mut self, limit: Option<u32>) -> &mut DescribeInstances {
        self.limit = limit;
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<DescribeInstances, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            instance_ids: Option<Vec<String>>,
            #[serde(default)]
            filters: Vec<Filter>,
            offset: Option<u32>,
            limit: Option<u32>,
        }
        let p = Params::deserialize(params).map_err(|e| params_error("DescribeInstances", e))?;
        Ok(DescribeInstances {
            region: region.unwrap_or_default().to_owned(),
            instance_ids: p.instance_ids,
            filters: p.filters,
            offset: p.offset,
            limit: p.limit,
        })
    }
}

impl crate::ops::sealed::Sealed for DescribeInstances {}

#[allow(private_interfaces)]
impl Request for DescribeInstances {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &DESCRIBE_INSTANCES;

    fn plan(&self) -> Result<Plan, Error> {
        plan(self, &self.region, self.instance_ids.as_deref(), |ids| {
            DescribeInstances {
                instance_ids: Some(ids),
                ..self.clone()
            }
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        super::Describe {
            op: Self::OP,
            region: Some(&self.region),
            ids: self
                .instance_ids
                .as_deref()
                .map(|ids| (&DESCRIBE_INSTANCE_IDS, ids)),
            filters: &self.filters,
            offset: self.offset,
            limit: self.limit,
            extra: &[],
        }
        .call()
    }
}
