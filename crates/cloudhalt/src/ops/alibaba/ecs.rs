//! ECS Cloud Assistant (2014-05-26, RPC): StopInvocation.

use super::{AlibabaCall, MAX_INSTANCE_IDS};
use crate::endpoint::check_region;
use crate::error::Error;
use crate::ops::{check_alibaba_id, check_list, quoted};

/// ECS `StopInvocation`: stops a Cloud Assistant command task. Executions not yet started are
/// cancelled; for a scheduled command, later runs are no longer scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopInvocation {
    /// `RegionId`, e.g. `cn-hangzhou`. Required.
    pub region_id: String,
    /// `InvokeId`: the command task ID, `t-...`.
    pub invoke_id: String,
    /// `InstanceId.N`: `None` stops the task on every instance; otherwise 1 to 50 `i-...` IDs.
    pub instance_ids: Option<Vec<String>>,
}

impl StopInvocation {
    /// Stops `invoke_id` on all its instances.
    pub fn new(region_id: impl Into<String>, invoke_id: impl Into<String>) -> StopInvocation {
        StopInvocation {
            region_id: region_id.into(),
            invoke_id: invoke_id.into(),
            instance_ids: None,
        }
    }

    /// Reads the provider's parameters: `RegionId`, `InvokeId`, and the instance IDs either as a
    /// list `InstanceId` or flattened as `InstanceId.1` ... `InstanceId.N` (the wire form).
    pub(crate) fn from_json(params: &serde_json::Value) -> Result<StopInvocation, Error> {
        let obj = params.as_object().ok_or_else(|| {
            Error::invalid_input(
                "params",
                "parameters for StopInvocation must be a JSON object, e.g. \
                 {\"RegionId\": \"cn-hangzhou\", \"InvokeId\": \"t-...\"}",
            )
        })?;
        let string = |key: &str| -> Result<Option<String>, Error> {
            match obj.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(Error::invalid_input(
                    key,
                    format!("{key} must be a string, not {other}"),
                )),
            }
        };
        let mut region_id = None;
        let mut invoke_id = None;
        let mut list: Option<Vec<String>> = None;
        let mut numbered: Vec<(usize, String)> = Vec::new();
        for key in obj.keys() {
            match key.as_str() {
                "RegionId" => region_id = string(key)?,
                "InvokeId" => invoke_id = string(key)?,
                "InstanceId" => {
                    list = match &obj[key] {
                        serde_json::Value::Null => None,
                        serde_json::Value::Array(items) => Some(
                            items
                                .iter()
                                .map(|v| {
                                    v.as_str().map(str::to_owned).ok_or_else(|| {
                                        Error::invalid_input(
                                            "InstanceId",
                                            format!("InstanceId entries must be strings, not {v}"),
                                        )
                                    })
                                })
                                .collect::<Result<_, _>>()?,
                        ),
                        other => {
                            return Err(Error::invalid_input(
                                "InstanceId",
                                format!("InstanceId must be a list of strings, not {other}"),
                            ));
                        }
                    }
                }
                k if k.starts_with("InstanceId.") => {
                    let n = k["InstanceId.".len()..]
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_INSTANCE_IDS).contains(n))
                        .ok_or_else(|| {
                            Error::invalid_input(
                                "InstanceId",
                                format!(
                                    "parameter {} is not InstanceId.N with N from 1 to {MAX_INSTANCE_IDS}",
                                    quoted(k)
                                ),
                            )
                        })?;
                    numbered.push((n, string(k)?.unwrap_or_default()));
                }
                other => {
                    return Err(Error::invalid_input(
                        "params",
                        format!(
                            "parameter {} is not a StopInvocation parameter: use RegionId, \
                             InvokeId and InstanceId",
                            quoted(other)
                        ),
                    ));
                }
            }
        }
        if !numbered.is_empty() {
            if list.is_some() {
                return Err(Error::invalid_input(
                    "InstanceId",
                    "give the instance IDs either as the list InstanceId or as InstanceId.N, not both",
                ));
            }
            numbered.sort();
            if numbered.iter().enumerate().any(|(i, (n, _))| *n != i + 1) {
                return Err(Error::invalid_input(
                    "InstanceId",
                    "InstanceId.N must be numbered 1, 2, 3 ... without gaps",
                ));
            }
            list = Some(numbered.into_iter().map(|(_, id)| id).collect());
        }
        Ok(StopInvocation {
            region_id: region_id.ok_or_else(|| {
                Error::invalid_input("RegionId", "RegionId is required, e.g. cn-hangzhou")
            })?,
            invoke_id: invoke_id.ok_or_else(|| {
                Error::invalid_input("InvokeId", "InvokeId is required, e.g. t-hz0jdfwd9f0001")
            })?,
            instance_ids: list,
        })
    }

    pub(crate) fn to_call(&self) -> Result<AlibabaCall, Error> {
        check_region("RegionId", &self.region_id)?;
        check_alibaba_id(
            "InvokeId",
            &self.invoke_id,
            "t-",
            "Cloud Assistant task ID",
            "t-hz0jdfwd9f0001",
        )?;
        let mut query = vec![
            ("RegionId".to_owned(), self.region_id.clone()),
            ("InvokeId".to_owned(), self.invoke_id.clone()),
        ];
        if let Some(ids) = &self.instance_ids {
            check_list("InstanceId", ids, MAX_INSTANCE_IDS, |field, id| {
                check_alibaba_id(field, id, "i-", "ECS instance ID", "i-bp67acfmxazb4p0001")
            })?;
            query.extend(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| (format!("InstanceId.{}", i + 1), id.clone())),
            );
        }
        Ok(AlibabaCall {
            action: "StopInvocation",
            version: "2014-05-26",
            region: self.region_id.clone(),
            query,
        })
    }
}
