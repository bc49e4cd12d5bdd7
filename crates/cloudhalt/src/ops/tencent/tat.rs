//! TAT (2020-10-28): CancelInvocation, and DescribeInvocationTasks to confirm it.

use serde::{Deserialize, Serialize};

use super::{Filter, MAX_INSTANCE_IDS, call};
use crate::error::{Error, Provider};
use crate::ops::{
    Call, IdField, IdShape, Operation, Pagination, Plan, RateLimit, RegionRule, Request,
    check_region, json_call, params_error, plan,
};

const INVOCATION_ID: IdField = IdField {
    name: "InvocationId",
    prefixes: &["inv-"],
    shape: IdShape::Tencent,
    what: "TAT invocation ID",
    example: "inv-ib2lld37",
    list: false,
    max: 1,
    omittable: false,
};

const TAT_INSTANCE_IDS: IdField = IdField {
    name: "InstanceIds",
    prefixes: &["ins-", "lhins-", "mi-"],
    shape: IdShape::Tencent,
    what: "CVM, Lighthouse or TAT managed instance ID",
    example: "ins-r8hr2upy",
    list: true,
    max: MAX_INSTANCE_IDS,
    omittable: true,
};

/// TAT `CancelInvocation` (2020-10-28): repeating it is harmless (a cancelled invocation stays
/// cancelled).
pub static CANCEL_INVOCATION: Operation = Operation {
    provider: Provider::Tencent,
    action: "CancelInvocation",
    service: "tat",
    version: "2020-10-28",
    host: "tat.tencentcloudapi.com",
    region: RegionRule::Required,
    ids: &[INVOCATION_ID, TAT_INSTANCE_IDS],
    params: &[],
    idempotent: true,
    mutating: true,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(20),
    pagination: Pagination::None,
    // TAT documents no "already cancelled" code: a repeated cancel is accepted.
    already: &[],
    from_json: |region, params| json_call(CancelInvocation::from_json, region, params),
};

/// TAT `CancelInvocation`: cancels a command invocation. Undelivered tasks (PENDING, DELIVERING,
/// DELIVER_DELAYED) become CANCELLED; RUNNING ones become TERMINATED.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CancelInvocation {
    region: String,
    invocation_id: String,
    instance_ids: Option<Vec<String>>,
}

impl CancelInvocation {
    /// Cancels `invocation_id` (`InvocationId`, `inv-xxxxxxxx`) in `region` on ALL its
    /// instances; the same as [`CancelInvocation::all_instances`].
    pub fn new(region: impl Into<String>, invocation_id: impl Into<String>) -> CancelInvocation {
        CancelInvocation::all_instances(region, invocation_id)
    }

    /// Cancels `invocation_id` in `region` on every instance of the invocation.
    pub fn all_instances(
        region: impl Into<String>,
        invocation_id: impl Into<String>,
    ) -> CancelInvocation {
        CancelInvocation {
            region: region.into(),
            invocation_id: invocation_id.into(),
            instance_ids: None,
        }
    }

    /// Cancels `invocation_id` in `region` on `instance_ids` only (`InstanceIds`: one or more CVM
    /// `ins-`, Lighthouse `lhins-` or TAT managed `mi-` IDs; an empty list is refused).
    pub fn on_instances(
        region: impl Into<String>,
        invocation_id: impl Into<String>,
        instance_ids: Vec<String>,
    ) -> CancelInvocation {
        let mut c = CancelInvocation::all_instances(region, invocation_id);
        c.set_instance_ids(Some(instance_ids));
        c
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `InvocationId`.
    pub fn invocation_id(&self) -> &str {
        &self.invocation_id
    }

    /// `InstanceIds`: `None` means every instance of the invocation.
    pub fn instance_ids(&self) -> Option<&[String]> {
        self.instance_ids.as_deref()
    }

    /// Sets `InstanceIds`: `None` for every instance; `Some` non-empty list of any length (sent 100 per request).
    pub fn set_instance_ids(&mut self, instance_ids: Option<Vec<String>>) -> &mut CancelInvocation {
        self.instance_ids = instance_ids;
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<CancelInvocation, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            invocation_id: String,
            instance_ids: Option<Vec<String>>,
        }
        let p = Params::deserialize(params).map_err(|e| params_error("CancelInvocation", e))?;
        Ok(CancelInvocation {
            region: region.unwrap_or_default().to_owned(),
            invocation_id: p.invocation_id,
            instance_ids: p.instance_ids,
        })
    }
}

impl crate::ops::sealed::Sealed for CancelInvocation {}

#[allow(private_interfaces)]
impl Request for CancelInvocation {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &CANCEL_INVOCATION;

    fn plan(&self) -> Result<Plan, Error> {
        plan(
            self,
            &self.invocation_id,
            self.instance_ids.as_deref(),
            |ids| CancelInvocation {
                instance_ids: Some(ids),
                ..self.clone()
            },
        )
    }

    fn to_call(&self) -> Result<Call, Error> {
        check_region(Self::OP, Some(&self.region))?;
        INVOCATION_ID.check_one("InvocationId", &self.invocation_id)?;
        if let Some(ids) = &self.instance_ids {
            TAT_INSTANCE_IDS.check_list(ids)?;
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            invocation_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            instance_ids: Option<&'a [String]>,
        }
        Ok(call(
            Self::OP,
            Some(&self.region),
            &Body {
                invocation_id: &self.invocation_id,
                instance_ids: self.instance_ids.as_deref(),
            },
        ))
    }
}

const INVOCATION_TASK_IDS: IdField = IdField {
    name: "InvocationTaskIds",
    prefixes: &["invt-"],
    shape: IdShape::Tencent,
    what: "TAT invocation task ID",
    example: "invt-0c5brvtk",
    list: true,
    max: MAX_INSTANCE_IDS,
    omittable: true,
};

/// TAT `DescribeInvocationTasks` (2020-10-28): read-only, 20 requests per second, paged by
/// `Offset` / `Limit` (at most 100). What a cancel waiter reads: `TaskStatus` per instance.
pub static DESCRIBE_INVOCATION_TASKS: Operation = Operation {
    provider: Provider::Tencent,
    action: "DescribeInvocationTasks",
    service: "tat",
    version: "2020-10-28",
    host: "tat.tencentcloudapi.com",
    region: RegionRule::Required,
    ids: &[INVOCATION_TASK_IDS],
    params: &[],
    idempotent: true,
    mutating: false,
    signed: true,
    chain_only: false,
    rate_limit: RateLimit::PerSecond(20),
    pagination: Pagination::OffsetLimit {
        items: "InvocationTaskSet",
        total: "TotalCount",
        limit: 100,
    },
    already: &[],
    from_json: |region, params| json_call(DescribeInvocationTasks::from_json, region, params),
};

/// TAT `DescribeInvocationTasks`: the tasks of an invocation (one per instance), or the tasks
/// named, with their output hidden (`HideOutput`, the provider's default, always sent); every
/// page is fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DescribeInvocationTasks {
    region: String,
    invocation_task_ids: Option<Vec<String>>,
    filters: Vec<Filter>,
    offset: Option<u32>,
    limit: Option<u32>,
}

impl DescribeInvocationTasks {
    /// Every task of `invocation_id` (the filter `invocation-id`) in `region`.
    pub fn for_invocation(
        region: impl Into<String>,
        invocation_id: impl Into<String>,
    ) -> DescribeInvocationTasks {
        DescribeInvocationTasks {
            region: region.into(),
            invocation_task_ids: None,
            filters: vec![Filter::new("invocation-id", vec![invocation_id.into()])],
            offset: None,
            limit: None,
        }
    }

    /// The tasks `invocation_task_ids` (`invt-...`) in `region`.
    pub fn new(
        region: impl Into<String>,
        invocation_task_ids: Vec<String>,
    ) -> DescribeInvocationTasks {
        DescribeInvocationTasks {
            region: region.into(),
            invocation_task_ids: Some(invocation_task_ids),
            filters: Vec::new(),
            offset: None,
            limit: None,
        }
    }

    /// The region.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `Filters`.
    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    /// Sets `Filters` (`invocation-id`, `instance-id`, `command-id`, `invocation-task-id`): at
    /// most 10, of at most 5 values each; never together with `InvocationTaskIds`.
    pub fn set_filters(&mut self, filters: Vec<Filter>) -> &mut DescribeInvocationTasks {
        self.filters = filters;
        self
    }

    pub(crate) fn from_json(
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<DescribeInvocationTasks, Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields, rename_all = "PascalCase")]
        struct Params {
            invocation_task_ids: Option<Vec<String>>,
            #[serde(default)]
            filters: Vec<Filter>,
            offset: Option<u32>,
            limit: Option<u32>,
            hide_output: Option<bool>,
        }
        let p =
            Params::deserialize(params).map_err(|e| params_error("DescribeInvocationTasks", e))?;
        if p.hide_output == Some(false) {
            return Err(Error::invalid_input(
                "HideOutput",
                "HideOutput false is not supported: cloudhalt reads task states, not output \
                 (up to 24 KB per task); leave HideOutput out",
            ));
        }
        Ok(DescribeInvocationTasks {
            region: region.unwrap_or_default().to_owned(),
            invocation_task_ids: p.invocation_task_ids,
            filters: p.filters,
            offset: p.offset,
            limit: p.limit,
        })
    }
}

impl crate::ops::sealed::Sealed for DescribeInvocationTasks {}

#[allow(private_interfaces)]
impl Request for DescribeInvocationTasks {
    type Cloud = crate::TencentCloud;
    const OP: &'static Operation = &DESCRIBE_INVOCATION_TASKS;

    fn plan(&self) -> Result<Plan, Error> {
        let key = self
            .filters
            .iter()
            .find(|f| f.name == "invocation-id")
            .and_then(|f| f.values.first())
            .map_or(self.region.as_str(), String::as_str);
        plan(self, key, self.invocation_task_ids.as_deref(), |ids| {
            DescribeInvocationTasks {
                invocation_task_ids: Some(ids),
                ..self.clone()
            }
        })
    }

    fn to_call(&self) -> Result<Call, Error> {
        for f in self.filters.iter().filter(|f| f.name == "invocation-id") {
            for (i, v) in f.values.iter().enumerate() {
                INVOCATION_ID.check_one(&format!("Filters[invocation-id][{i}]"), v)?;
            }
        }
        super::Describe {
            op: Self::OP,
            region: Some(&self.region),
            ids: self
                .invocation_task_ids
                .as_deref()
                .map(|ids| (&INVOCATION_TASK_IDS, ids)),
            filters: &self.filters,
            offset: self.offset,
            limit: self.limit,
            // Task states are what is read; output (up to 24 KB a task) never is.
            extra: &[("HideOutput", true)],
        }
        .call()
    }
}
