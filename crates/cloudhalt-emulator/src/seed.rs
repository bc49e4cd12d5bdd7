//! Fleets for tests: `POST /_emulator/seed` generates many instances (and an invocation running
//! on them) from a few numbers, where a state file of a thousand instances would be unwieldy.

use serde::{Deserialize, Serialize};

use crate::state::{
    CvmInstance, EcsInstance, EcsInvocation, EcsInvokeInstance, Resources, TatInvocation, TatTask,
};

/// Most instances one seed may create per cloud: enough for any fleet test, small enough that a
/// typo cannot exhaust memory.
pub const MAX_SEED_INSTANCES: u32 = 100_000;

/// What `POST /_emulator/seed` takes: fleets to add to the current resources.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// Drop every current resource of both clouds first (default: add to them).
    #[serde(default)]
    pub replace: bool,
    /// A Tencent fleet.
    #[serde(default)]
    pub tencent: Option<TencentFleet>,
    /// An Alibaba fleet.
    #[serde(default)]
    pub alibaba: Option<AlibabaFleet>,
}

/// A Tencent fleet: CVM instances `prefix` + a zero-padded number (from 0), the `running` ones
/// first, then the `stopped` ones, and a TAT invocation RUNNING on every running one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TencentFleet {
    /// The region (default `ap-guangzhou`).
    #[serde(default = "guangzhou")]
    pub region: String,
    /// RUNNING instances.
    #[serde(default)]
    pub running: u32,
    /// STOPPED instances, numbered after the running ones.
    #[serde(default)]
    pub stopped: u32,
    /// `ins-` and up to 7 lower-case letters or digits (default `ins-flt`); the number fills
    /// the ID to `ins-` + 8 characters.
    #[serde(default = "tencent_prefix")]
    pub prefix: String,
    /// The TAT invocation's ID (default `inv-` + the prefix's letters, zero-filled to 8:
    /// `inv-flt00000` for `ins-flt`).
    #[serde(default)]
    pub invocation_id: Option<String>,
    /// Every instance's and the invocation's own transition delay (`TransitionMs`), in
    /// milliseconds; absent = the `transitionMs` setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
    /// Every instance's `InstanceChargeType` (default `POSTPAID_BY_HOUR`; `PREPAID` for the
    /// recycle bin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_type: Option<String>,
    /// Every instance's `FailOperations` (`["StopInstances"]`: its next stop fails).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fail_operations: Vec<String>,
}

/// An Alibaba fleet: ECS instances `prefix` + a zero-padded number (from 0, at least 5
/// digits), the `running` ones first, then the `stopped` ones, and a Cloud Assistant
/// invocation Running on every running one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AlibabaFleet {
    /// The region (default `cn-hangzhou`).
    #[serde(default = "hangzhou")]
    pub region: String,
    /// Running instances.
    #[serde(default)]
    pub running: u32,
    /// Stopped instances, numbered after the running ones.
    #[serde(default)]
    pub stopped: u32,
    /// `i-` and letters or digits (default `i-flt`).
    #[serde(default = "alibaba_prefix")]
    pub prefix: String,
    /// The invocation's ID (default `t-` + the prefix's letters + `00000`: `t-flt00000`).
    #[serde(default)]
    pub invoke_id: Option<String>,
    /// The invocation's own transition delay (`TransitionMs`: Stopping -> Stopped), in
    /// milliseconds; absent = the `transitionMs` setting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_ms: Option<u64>,
}

fn guangzhou() -> String {
    "ap-guangzhou".into()
}
fn hangzhou() -> String {
    "cn-hangzhou".into()
}
fn tencent_prefix() -> String {
    "ins-flt".into()
}
fn alibaba_prefix() -> String {
    "i-flt".into()
}

impl Default for TencentFleet {
    fn default() -> TencentFleet {
        TencentFleet {
            region: guangzhou(),
            running: 0,
            stopped: 0,
            prefix: tencent_prefix(),
            invocation_id: None,
            transition_ms: None,
            charge_type: None,
            fail_operations: Vec::new(),
        }
    }
}

impl Default for AlibabaFleet {
    fn default() -> AlibabaFleet {
        AlibabaFleet {
            region: hangzhou(),
            running: 0,
            stopped: 0,
            prefix: alibaba_prefix(),
            invoke_id: None,
            transition_ms: None,
        }
    }
}

/// One generated fleet, as `POST /_emulator/seed` answers it: region, instance IDs (running,
/// stopped) and the invocation's ID under the cloud's own name for it.
fn fleet_json(
    region: &str,
    running: &[String],
    stopped: &[String],
    invocation: Option<(&str, String)>,
) -> serde_json::Value {
    let mut fleet = serde_json::json!({"region": region, "running": running, "stopped": stopped});
    if let Some((name, id)) = invocation {
        fleet[name] = id.into();
    }
    fleet
}

fn is_lower_alnum(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn check_count(cloud: &str, running: u32, stopped: u32) -> Result<u32, String> {
    let total = running.saturating_add(stopped);
    if total > MAX_SEED_INSTANCES {
        return Err(format!(
            "{cloud}: running + stopped is {total}, more than {MAX_SEED_INSTANCES}: seed fewer"
        ));
    }
    Ok(total)
}

fn check_region(cloud: &str, region: &str) -> Result<(), String> {
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err(format!(
            "{cloud}.region {region:?} is not a region: use e.g. \"ap-guangzhou\" / \"cn-hangzhou\""
        ));
    }
    Ok(())
}

impl TencentFleet {
    /// The instance IDs (running, stopped) and the invocation ID, or why the spec is wrong.
    fn ids(&self) -> Result<(Vec<String>, Vec<String>, String), String> {
        check_region("tencent", &self.region)?;
        let total = check_count("tencent", self.running, self.stopped)?;
        let letters = self
            .prefix
            .strip_prefix("ins-")
            .filter(|l| l.len() < 8 && is_lower_alnum(l))
            .ok_or_else(|| {
                format!(
                    "tencent.prefix {:?} is not usable: give \"ins-\" and up to 7 lower-case letters or digits, e.g. \"ins-flt\"",
                    self.prefix
                )
            })?;
        let width = 8 - letters.len();
        if u64::from(total) > 10u64.pow(width as u32) {
            return Err(format!(
                "tencent: {total} instances do not fit in {width} digits after {:?}: use a shorter prefix",
                self.prefix
            ));
        }
        if let Some(charge) = &self.charge_type
            && !crate::state::CHARGE_TYPES.contains(&charge.as_str())
        {
            return Err(format!(
                "tencent.chargeType {charge:?} is not one of {}",
                crate::state::CHARGE_TYPES.join(", ")
            ));
        }
        if let Some(op) = self
            .fail_operations
            .iter()
            .find(|o| !crate::state::FAILABLE_OPERATIONS.contains(&o.as_str()))
        {
            return Err(format!(
                "tencent.failOperations entry {op:?} is not one of {}",
                crate::state::FAILABLE_OPERATIONS.join(", ")
            ));
        }
        let id = |n: u32| format!("{}{n:0width$}", self.prefix);
        let running = (0..self.running).map(id).collect();
        let stopped = (self.running..total).map(id).collect();
        let invocation = match &self.invocation_id {
            Some(inv) => inv.clone(),
            None => format!("inv-{letters:0<8}"),
        };
        if !invocation
            .strip_prefix("inv-")
            .is_some_and(|r| r.len() == 8 && is_lower_alnum(r))
        {
            return Err(format!(
                "tencent.invocationId {invocation:?} is not a TAT invocation ID: give \"inv-\" and 8 lower-case letters or digits"
            ));
        }
        Ok((running, stopped, invocation))
    }
}

impl AlibabaFleet {
    fn ids(&self) -> Result<(Vec<String>, Vec<String>, String), String> {
        check_region("alibaba", &self.region)?;
        let total = check_count("alibaba", self.running, self.stopped)?;
        let alnum = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
        let letters = self
            .prefix
            .strip_prefix("i-")
            .filter(|l| l.len() <= 64 && (l.is_empty() || alnum(l)))
            .ok_or_else(|| {
                format!(
                    "alibaba.prefix {:?} is not usable: give \"i-\" and letters or digits, e.g. \"i-flt\"",
                    self.prefix
                )
            })?;
        let width = total.saturating_sub(1).to_string().len().max(5);
        let id = |n: u32| format!("{}{n:0width$}", self.prefix);
        let running = (0..self.running).map(id).collect();
        let stopped = (self.running..total).map(id).collect();
        let invocation = match &self.invoke_id {
            Some(inv) => inv.clone(),
            None => format!("t-{letters}00000"),
        };
        if !invocation
            .strip_prefix("t-")
            .is_some_and(|r| r.len() <= 64 && alnum(r))
        {
            return Err(format!(
                "alibaba.invokeId {invocation:?} is not a Cloud Assistant task ID: give \"t-\" and letters or digits"
            ));
        }
        Ok((running, stopped, invocation))
    }
}

impl Seed {
    /// Adds the fleets to `resources` (after emptying it with `replace`); what was created, or
    /// why the spec is wrong (then nothing changed).
    pub(crate) fn apply(&self, resources: &mut Resources) -> Result<serde_json::Value, String> {
        let tencent = self.tencent.as_ref().map(TencentFleet::ids).transpose()?;
        let alibaba = self.alibaba.as_ref().map(AlibabaFleet::ids).transpose()?;
        if self.replace {
            *resources = Resources::default();
        }
        let mut seeded = serde_json::json!({});
        if let (Some(fleet), Some((running, stopped, invocation))) = (&self.tencent, tencent) {
            let new: std::collections::HashSet<&String> = running.iter().chain(&stopped).collect();
            let t = &mut resources.tencent;
            t.instances.retain(|i| !new.contains(&i.instance_id));
            let cvm = |id: &String, state: &str| {
                let mut instance = CvmInstance::new(id.clone(), fleet.region.clone(), state);
                if let Some(charge) = &fleet.charge_type {
                    instance.instance_charge_type = charge.clone();
                }
                instance.transition_ms = fleet.transition_ms;
                instance.fail_operations = fleet.fail_operations.clone();
                instance
            };
            t.instances
                .extend(running.iter().map(|id| cvm(id, "RUNNING")));
            t.instances
                .extend(stopped.iter().map(|id| cvm(id, "STOPPED")));
            let invocation = (!running.is_empty()).then(|| {
                t.invocations.retain(|i| i.invocation_id != invocation);
                t.invocations.push(TatInvocation {
                    invocation_id: invocation.clone(),
                    region: fleet.region.clone(),
                    invocation_status: "RUNNING".into(),
                    tasks: running
                        .iter()
                        .map(|id| TatTask::new(id.clone(), "RUNNING"))
                        .collect(),
                    transition_ms: fleet.transition_ms,
                });
                invocation
            });
            seeded["tencent"] = fleet_json(
                &fleet.region,
                &running,
                &stopped,
                invocation.map(|i| ("invocationId", i)),
            );
        }
        if let (Some(fleet), Some((running, stopped, invocation))) = (&self.alibaba, alibaba) {
            let new: std::collections::HashSet<&String> = running.iter().chain(&stopped).collect();
            let a = &mut resources.alibaba;
            a.instances.retain(|i| !new.contains(&i.instance_id));
            let ecs = |id: &String, status: &str| EcsInstance {
                instance_id: id.clone(),
                region_id: fleet.region.clone(),
                status: status.into(),
            };
            a.instances
                .extend(running.iter().map(|id| ecs(id, "Running")));
            a.instances
                .extend(stopped.iter().map(|id| ecs(id, "Stopped")));
            let invocation = (!running.is_empty()).then(|| {
                a.invocations.retain(|i| i.invoke_id != invocation);
                a.invocations.push(EcsInvocation {
                    invoke_id: invocation.clone(),
                    region_id: fleet.region.clone(),
                    invocation_status: "Running".into(),
                    invoke_instances: running
                        .iter()
                        .map(|id| EcsInvokeInstance::new(id.clone(), "Running"))
                        .collect(),
                    transition_ms: fleet.transition_ms,
                });
                invocation
            });
            seeded["alibaba"] = fleet_json(
                &fleet.region,
                &running,
                &stopped,
                invocation.map(|i| ("invokeId", i)),
            );
        }
        Ok(seeded)
    }
}
