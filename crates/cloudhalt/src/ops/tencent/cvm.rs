//! CVM (2017-03-12): StopInstances and TerminateInstances.

use serde::{Deserialize, Serialize};

use super::{
    MAX_INSTANCE_IDS, TencentCall, TencentOperation, check_instance_id, is_false, required_region,
    to_body,
};
use crate::error::Error;
use crate::ops::{check_list, params_error, parse_enum};

const SERVICE: &str = "cvm";
const VERSION: &str = "2017-03-12";

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
    const NAMES: [(&'static str, StopType); 3] = [
        ("SOFT", StopType::Soft),
        ("HARD", StopType::Hard),
        ("SOFT_FIRST", StopType::SoftFirst),
    ];

    /// Parses the provider's spelling (`SOFT`, `HARD`, `SOFT_FIRST`).
    pub fn parse(value: &str) -> Result<StopType, Error> {
        parse_enum("StopType", value, &Self::NAMES)
    }

    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(n, _)| n)
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
    const NAMES: [(&'static str, StoppedMode); 2] = [
        ("KEEP_CHARGING", StoppedMode::KeepCharging),
        ("STOP_CHARGING", StoppedMode::StopCharging),
    ];

    /// Parses the provider's spelling (`KEEP_CHARGING`, `STOP_CHARGING`).
    pub fn parse(value: &str) -> Result<StoppedMode, Error> {
        parse_enum("StoppedMode", value, &Self::NAMES)
    }

    /// The provider's spelling.
    pub fn as_str(self) -> &'static str {
        Self::NAMES
            .iter()
            .find(|(_, v)| *v == self)
            .map_or("", |(n, _)| n)
    }
}

/// CVM `StopInstances`: shuts down 1 to 100 RUNNING instances (they go STOPPING, then STOPPED).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopInstances {
    /// The region (`X-TC-Region`), e.g. `ap-guangzhou`. Required.
    pub region: String,
    /// `InstanceIds`: 1 to 100 `ins-xxxxxxxx` IDs.
    pub instance_ids: Vec<String>,
    /// `ForceStop` (deprecated by the provider): force after a failed soft stop. Never together
    /// with `stop_type`; prefer `StopType::SoftFirst`.
    pub force_stop: bool,
    /// `StopType`; the provider's default is `SOFT`.
    pub stop_type: Option<StopType>,
    /// `StoppedMode`; the provider's default is `KEEP_CHARGING`.
    pub stopped_mode: Option<StoppedMode>,
}

impl StopInstances {
    /// A soft stop of `instance_ids` in `region`, with the provider's defaults.
    pub fn new(region: impl Into<String>, instance_ids: Vec<String>) -> StopInstances {
        StopInstances {
            region: region.into(),
            instance_ids,
            force_stop: false,
            stop_type: None,
            stopped_mode: None,
        }
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

impl TencentOperation for StopInstances {
    const ACTION: &'static str = "StopInstances";

    fn to_call(&self) -> Result<TencentCall, Error> {
        required_region(&self.region)?;
        check_list(
            "InstanceIds",
            &self.instance_ids,
            MAX_INSTANCE_IDS,
            check_instance_id,
        )?;
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
        Ok(TencentCall {
            action: Self::ACTION,
            service: SERVICE,
            version: VERSION,
            region: Some(self.region.clone()),
            body: to_body(&Body {
                instance_ids: &self.instance_ids,
                force_stop: self.force_stop,
                stop_type: self.stop_type,
                stopped_mode: self.stopped_mode,
            }),
        })
    }
}

/// CVM `TerminateInstances`: returns (destroys) 1 to 100 instances.
///
/// A prepaid instance goes to the recycle bin on the first call and is destroyed for good on a
/// second: cloudhalt therefore never re-sends this request by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminateInstances {
    /// The region (`X-TC-Region`). Required.
    pub region: String,
    /// `InstanceIds`: 1 to 100 `ins-xxxxxxxx` IDs.
    pub instance_ids: Vec<String>,
    /// `ReleaseAddress`: also release the instance's EIP.
    pub release_address: bool,
    /// `ReleasePrepaidDataDisks`: also release prepaid data disks mounted on the instance.
    pub release_prepaid_data_disks: bool,
}

impl TerminateInstances {
    /// Terminates `instance_ids` in `region`, keeping addresses and prepaid data disks.
    pub fn new(region: impl Into<String>, instance_ids: Vec<String>) -> TerminateInstances {
        TerminateInstances {
            region: region.into(),
            instance_ids,
            release_address: false,
            release_prepaid_data_disks: false,
        }
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

impl TencentOperation for TerminateInstances {
    const ACTION: &'static str = "TerminateInstances";

    fn to_call(&self) -> Result<TencentCall, Error> {
        required_region(&self.region)?;
        check_list(
            "InstanceIds",
            &self.instance_ids,
            MAX_INSTANCE_IDS,
            check_instance_id,
        )?;
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            instance_ids: &'a [String],
            #[serde(skip_serializing_if = "is_false")]
            release_address: bool,
            #[serde(skip_serializing_if = "is_false")]
            release_prepaid_data_disks: bool,
        }
        Ok(TencentCall {
            action: Self::ACTION,
            service: SERVICE,
            version: VERSION,
            region: Some(self.region.clone()),
            body: to_body(&Body {
                instance_ids: &self.instance_ids,
                release_address: self.release_address,
                release_prepaid_data_disks: self.release_prepaid_data_disks,
            }),
        })
    }
}
