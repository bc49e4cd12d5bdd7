//! TAT (2020-10-28): CancelInvocation.

use serde::{Deserialize, Serialize};

use super::{MAX_INSTANCE_IDS, TencentCall, TencentOperation, required_region, to_body};
use crate::error::Error;
use crate::ops::{check_list, check_tencent_id, params_error};

/// TAT `CancelInvocation`: cancels a command invocation. Undelivered tasks (PENDING, DELIVERING,
/// DELIVER_DELAYED) become CANCELLED; RUNNING ones become TERMINATED.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelInvocation {
    /// The region (`X-TC-Region`). Required.
    pub region: String,
    /// `InvocationId`: `inv-xxxxxxxx`.
    pub invocation_id: String,
    /// `InstanceIds`: `None` cancels on every instance of the invocation; otherwise 1 to 100 CVM
    /// (`ins-`), Lighthouse (`lhins-`) or TAT managed (`mi-`) instance IDs.
    pub instance_ids: Option<Vec<String>>,
}

impl CancelInvocation {
    /// Cancels `invocation_id` on all its instances.
    pub fn new(region: impl Into<String>, invocation_id: impl Into<String>) -> CancelInvocation {
        CancelInvocation {
            region: region.into(),
            invocation_id: invocation_id.into(),
            instance_ids: None,
        }
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

fn check_tat_instance_id(field: &str, id: &str) -> Result<(), Error> {
    check_tencent_id(
        field,
        id,
        &["ins-", "lhins-", "mi-"],
        "CVM, Lighthouse or TAT managed instance ID",
        "ins-r8hr2upy",
    )
}

impl TencentOperation for CancelInvocation {
    const ACTION: &'static str = "CancelInvocation";

    fn to_call(&self) -> Result<TencentCall, Error> {
        required_region(&self.region)?;
        check_tencent_id(
            "InvocationId",
            &self.invocation_id,
            &["inv-"],
            "TAT invocation ID",
            "inv-ib2lld37",
        )?;
        if let Some(ids) = &self.instance_ids {
            check_list("InstanceIds", ids, MAX_INSTANCE_IDS, check_tat_instance_id)?;
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Body<'a> {
            invocation_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            instance_ids: Option<&'a [String]>,
        }
        Ok(TencentCall {
            action: Self::ACTION,
            service: "tat",
            version: "2020-10-28",
            region: Some(self.region.clone()),
            body: to_body(&Body {
                invocation_id: &self.invocation_id,
                instance_ids: self.instance_ids.as_deref(),
            }),
        })
    }
}
