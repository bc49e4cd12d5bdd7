//! ECS Cloud Assistant (2014-05-26, RPC): StopInvocation, and DescribeInvocations to confirm it.

use super::MAX_INSTANCE_IDS;
use crate::error::{Error, Provider};
use crate::ops::{
    Call, IdField, IdShape, Operation, Pagination, Plan, RateLimit, RegionRule, Request,
    check_region, json_call, plan, quoted,
};

const INVOKE_ID: IdField = IdField {
    name: "InvokeId",
    prefixes: &["t-"],
    shape: IdShape::Alibaba,
    what: "Cloud Assistant task ID",
    example: "t-hz0jdfwd9f0001",
    list: false,
    max: 1,
    omittable: false,
};

const INSTANCE_ID: IdField = IdField {
    name: "InstanceId",
    prefixes: &["i-"],
    shape: IdShape::Alibaba,
    what: "ECS instance ID",
    example: "i-bp67acfmxazb4p0001",
    list: true,
    max: MAX_INSTANCE_IDS,
    omittable: true,
};

/// ECS `StopInvocation` (2014-05-26, RPC): repeating it is harmless. Alibaba publishes no
/// per-API rate (thresholds are per account in its Quota Center).
pub static STOP_INVOCATION: Operation = Operation {
    provider: Provider::Alibaba,
    action: "StopInvocation",
    service: "ecs",
    version: "2014-05-26",
    host: "ecs.{region}.aliyuncs.com",
    region: RegionRule::Required,
    ids: &[INVOKE_ID, INSTANCE_ID],
    params: &[],
    idempotent: true,
    mutating: true,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::None,
    // ECS documents no "already stopped" code: a repeated stop is accepted.
    already: &[],
    from_json: |region, params| json_call(StopInvocation::from_json, region, params),
};

/// ECS `StopInvocation`: stops a Cloud Assistant command task. Executions not yet started are
/// cancelled; for a scheduled command, later runs are no longer scheduled.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StopInvocation {
    region_id: String,
    invoke_id: String,
    instance_ids: Option<Vec<String>>,
}

impl StopInvocation {
    /// Stops `invoke_id` (`InvokeId`, `t-...`) in `region_id` (`RegionId`, e.g. `cn-hangzhou`) on
    /// ALL its instances; the same as [`StopInvocation::all_instances`].
    pub fn new(region_id: impl Into<String>, invoke_id: impl Into<String>) -> StopInvocation {
        StopInvocation::all_instances(region_id, invoke_id)
    }

    /// Stops `invoke_id` in `region_id` on every instance of the task.
    pub fn all_instances(
        region_id: impl Into<String>,
        invoke_id: impl Into<String>,
    ) -> StopInvocation {
        StopInvocation {
            region_id: region_id.into(),
            invoke_id: invoke_id.into(),
            instance_ids: None,
        }
    }

    /// Stops `invoke_id` in `region_id` on `instance_ids` only (`InstanceId.N`: one or more `i-...`
    /// IDs; an empty list is refused).
    pub fn on_instances(
        region_id: impl Into<String>,
        invoke_id: impl Into<String>,
        instance_ids: Vec<String>,
    ) -> StopInvocation {
        let mut s = StopInvocation::all_instances(region_id, invoke_id);
        s.set_instance_ids(Some(instance_ids));
        s
    }

    /// `RegionId`.
    pub fn region_id(&self) -> &str {
        &self.region_id
    }

    /// `InvokeId`.
    pub fn invoke_id(&self) -> &str {
        &self.invoke_id
    }

    /// `InstanceId.N`: `None` means every instance of the task.
    pub fn instance_ids(&self) -> Option<&[String]> {
        self.instance_ids.as_deref()
    }

    /// Sets `InstanceId.N`: `None` for every instance; `Some` non-empty list of any length (sent 50 per request).
    pub fn set_instance_ids(&mut self, instance_ids: Option<Vec<String>>) -> &mut StopInvocation {
        self.instance_ids = instance_ids;
        self
    }

    /// Reads the provider's parameters: `RegionId`, `InvokeId`, and the instance IDs either as a
    /// list `InstanceId` or flattened as `InstanceId.1` ... `InstanceId.N` (the wire form).
    pub(crate) fn from_json(
        _region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<StopInvocation, Error> {
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
                    format!("{key} must be a string, not {}", quoted(&other.to_string())),
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
                                            format!(
                                                "InstanceId entries must be strings, not {}",
                                                quoted(&v.to_string())
                                            ),
                                        )
                                    })
                                })
                                .collect::<Result<_, _>>()?,
                        ),
                        other => {
                            return Err(Error::invalid_input(
                                "InstanceId",
                                format!(
                                    "InstanceId must be a list of strings, not {}",
                                    quoted(&other.to_string())
                                ),
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
}

impl crate::ops::sealed::Sealed for StopInvocation {}

#[allow(private_interfaces)]
impl Request for StopInvocation {
    type Cloud = crate::AlibabaCloud;
    const OP: &'static Operation = &STOP_INVOCATION;

    fn plan(&self) -> Result<Plan, Error> {
        plan(self, &self.invoke_id, self.instance_ids.as_deref(), |ids| {
            StopInvocation {
                instance_ids: Some(ids),
                ..self.clone()
            }
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, Some(&self.region_id))?;
        INVOKE_ID.check_one("InvokeId", &self.invoke_id)?;
        let mut query = vec![
            ("RegionId".to_owned(), self.region_id.clone()),
            ("InvokeId".to_owned(), self.invoke_id.clone()),
        ];
        if let Some(ids) = &self.instance_ids {
            INSTANCE_ID.check_list(ids)?;
            query.extend(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| (format!("InstanceId.{}", i + 1), id.clone())),
            );
        }
        Ok(Call {
            op: Self::OP,
            region: Some(self.region_id.clone()),
            body: Vec::new(),
            query,
        })
    }
}

/// The largest `MaxResults` of DescribeInvocations.
const MAX_RESULTS: u32 = 50;

/// ECS `DescribeInvocations` (2014-05-26, RPC): read-only, paged by `MaxResults` (at most 50) /
/// `NextToken`. What a stop waiter reads: each instance's `InvocationStatus` under
/// `Invocations.Invocation[].InvokeInstances.InvokeInstance[]` (never the aggregate alone).
pub static DESCRIBE_INVOCATIONS: Operation = Operation {
    provider: Provider::Alibaba,
    action: "DescribeInvocations",
    service: "ecs",
    version: "2014-05-26",
    host: "ecs.{region}.aliyuncs.com",
    region: RegionRule::Required,
    ids: &[INVOKE_ID],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::Unpublished,
    pagination: Pagination::NextToken {
        items: &["Invocations", "Invocation"],
        max_results: MAX_RESULTS,
    },
    already: &[],
    from_json: |region, params| json_call(DescribeInvocations::from_json, region, params),
};

/// ECS `DescribeInvocations`: the Cloud Assistant invocations of a region, narrowed to one task
/// (`InvokeId`) and one instance (`InstanceId`) when given; every page is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeInvocations {
    region_id: String,
    invoke_id: Option<String>,
    instance_id: Option<String>,
    max_results: Option<u32>,
}

impl DescribeInvocations {
    /// The invocation `invoke_id` (`t-...`) in `region_id`, with every instance's status.
    pub fn new(region_id: impl Into<String>, invoke_id: impl Into<String>) -> DescribeInvocations {
        DescribeInvocations {
            region_id: region_id.into(),
            invoke_id: Some(invoke_id.into()),
            instance_id: None,
            max_results: None,
        }
    }

    /// `RegionId`.
    pub fn region_id(&self) -> &str {
        &self.region_id
    }

    /// `InvokeId`, if given.
    pub fn invoke_id(&self) -> Option<&str> {
        self.invoke_id.as_deref()
    }

    /// Sets `InstanceId`: only invocations on this instance.
    pub fn set_instance_id(&mut self, instance_id: Option<String>) -> &mut DescribeInvocations {
        self.instance_id = instance_id;
        self
    }

    pub(crate) fn from_json(
        _region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<DescribeInvocations, Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            region_id: Option<String>,
            invoke_id: Option<String>,
            instance_id: Option<String>,
            max_results: Option<u32>,
        }
        let p = <Params as serde::Deserialize>::deserialize(params)
            .map_err(|e| crate::ops::params_error("DescribeInvocations", e))?;
        Ok(DescribeInvocations {
            region_id: p.region_id.ok_or_else(|| {
                Error::invalid_input("RegionId", "RegionId is required, e.g. cn-hangzhou")
            })?,
            invoke_id: p.invoke_id,
            instance_id: p.instance_id,
            max_results: p.max_results,
        })
    }
}

impl crate::ops::sealed::Sealed for DescribeInvocations {}

#[allow(private_interfaces)]
impl Request for DescribeInvocations {
    type Cloud = crate::AlibabaCloud;
    const OP: &'static Operation = &DESCRIBE_INVOCATIONS;

    fn plan(&self) -> Result<Plan, Error> {
        let key = self.invoke_id.as_deref().unwrap_or(&self.region_id);
        plan(self, key, None, |_| self.clone())
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, Some(&self.region_id))?;
        let mut query = vec![("RegionId".to_owned(), self.region_id.clone())];
        if let Some(id) = &self.invoke_id {
            INVOKE_ID.check_one("InvokeId", id)?;
            query.push(("InvokeId".to_owned(), id.clone()));
        }
        if let Some(id) = &self.instance_id {
            INSTANCE_ID.check_one("InstanceId", id)?;
            query.push(("InstanceId".to_owned(), id.clone()));
        }
        let max = self.max_results.unwrap_or(MAX_RESULTS);
        if !(1..=MAX_RESULTS).contains(&max) {
            return Err(Error::invalid_input(
                "MaxResults",
                format!(
                    "MaxResults {max} is out of range: give 1 to {MAX_RESULTS} (every page is fetched anyway)"
                ),
            ));
        }
        query.push(("MaxResults".to_owned(), max.to_string()));
        Ok(Call {
            op: Self::OP,
            region: Some(self.region_id.clone()),
            body: Vec::new(),
            query,
        })
    }
}
