//! The emulated resources: the JSON shape of `GET /_emulator/state` and of `--state FILE`, the
//! built-in seed, and the timed transitions (STOPPING -> STOPPED, TERMINATING -> removed).

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Every emulated resource of both clouds. Serialises to the documented state shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// Tencent Cloud: CVM instances, TAT invocations, Auto Scaling groups.
    #[serde(default)]
    pub tencent: TencentResources,
    /// Alibaba Cloud: ECS instances and Cloud Assistant invocations.
    #[serde(default)]
    pub alibaba: AlibabaResources,
}

/// Tencent Cloud resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct TencentResources {
    /// CVM instances.
    #[serde(default)]
    pub instances: Vec<CvmInstance>,
    /// TAT command invocations.
    #[serde(default)]
    pub invocations: Vec<TatInvocation>,
    /// Auto Scaling groups with their instance refresh activities.
    #[serde(default)]
    pub scaling_groups: Vec<ScalingGroup>,
}

/// A CVM instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CvmInstance {
    /// `ins-xxxxxxxx`.
    pub instance_id: String,
    /// `ap-guangzhou`, ...
    pub region: String,
    /// `RUNNING`, `STOPPING`, `STOPPED`, `TERMINATING`, ...
    pub instance_state: String,
    /// When the current transitional state began (not part of the JSON shape).
    #[serde(skip)]
    pub(crate) since: Option<Instant>,
}

/// A TAT invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TatInvocation {
    /// `inv-xxxxxxxx`.
    pub invocation_id: String,
    /// The region.
    pub region: String,
    /// `RUNNING`, `CANCELLED`, `SUCCESS`, ...
    pub invocation_status: String,
    /// One task per instance.
    pub tasks: Vec<TatTask>,
}

/// One instance's task of a TAT invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TatTask {
    /// The CVM (`ins-`), Lighthouse (`lhins-`) or managed (`mi-`) instance.
    pub instance_id: String,
    /// `PENDING`, `DELIVERING`, `DELIVER_DELAYED`, `RUNNING`, `SUCCESS`, `CANCELLED`, `TERMINATED`, ...
    pub task_status: String,
}

/// An Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScalingGroup {
    /// `asg-xxxxxxxx`.
    pub auto_scaling_group_id: String,
    /// The region.
    pub region: String,
    /// Its instance refresh activities.
    pub refresh_activities: Vec<RefreshActivity>,
}

/// An instance refresh activity of a scaling group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshActivity {
    /// `asr-xxxxxxxx`.
    pub refresh_activity_id: String,
    /// `INIT`, `RUNNING`, `SUCCESSFUL`, `CANCELLED`, `FAILED`, `*_PAUSE`.
    pub status: String,
    /// The refresh batches.
    pub batches: Vec<RefreshBatch>,
}

/// One batch of an instance refresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RefreshBatch {
    /// 1, 2, 3 ...
    pub batch_number: u32,
    /// `WAITING`, `RUNNING`, `SUCCESSFUL`, `CANCELLED`, `FAILED`.
    pub batch_status: String,
}

/// Alibaba Cloud resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct AlibabaResources {
    /// ECS instances.
    #[serde(default)]
    pub instances: Vec<EcsInstance>,
    /// Cloud Assistant invocations.
    #[serde(default)]
    pub invocations: Vec<EcsInvocation>,
}

/// An ECS instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInstance {
    /// `i-...`.
    pub instance_id: String,
    /// `cn-hangzhou`, ...
    pub region_id: String,
    /// `Running`, `Stopped`, ...
    pub status: String,
}

/// A Cloud Assistant invocation (command task).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInvocation {
    /// `t-...`.
    pub invoke_id: String,
    /// The region.
    pub region_id: String,
    /// `Running`, `Stopped`, `Finished`, ...
    pub invocation_status: String,
    /// One entry per instance.
    pub invoke_instances: Vec<EcsInvokeInstance>,
}

/// One instance's execution of a Cloud Assistant invocation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EcsInvokeInstance {
    /// `i-...`.
    pub instance_id: String,
    /// `Pending`, `Running`, `Stopped`, `Finished`, ...
    pub invocation_status: String,
}

impl Resources {
    /// Reads the state shape (a `"requests"` member, as `GET /_emulator/state` answers it, is
    /// ignored), so a saved state can be fed back with `--state FILE`.
    pub fn from_json(text: &str) -> Result<Resources, String> {
        serde_json::from_str(text).map_err(|e| {
            format!(
                "the state JSON is not valid: {e}; expected {{\"tencent\": {{\"instances\": [...], \
                 \"invocations\": [...], \"scalingGroups\": [...]}}, \"alibaba\": {{\"instances\": \
                 [...], \"invocations\": [...]}}}} as GET /_emulator/state answers it"
            )
        })
    }

    /// The built-in seed state documented in the README.
    pub fn builtin() -> Resources {
        let cvm = |id: String, region: &str, state: &str| CvmInstance {
            instance_id: id,
            region: region.into(),
            instance_state: state.into(),
            since: None,
        };
        let mut instances: Vec<CvmInstance> = (0..150)
            .map(|i| cvm(format!("ins-run{i:05}"), "ap-guangzhou", "RUNNING"))
            .collect();
        instances.extend((0..10).map(|i| cvm(format!("ins-stp{i:05}"), "ap-guangzhou", "STOPPED")));
        instances.push(cvm("ins-sha00000".into(), "ap-shanghai", "RUNNING"));

        let task = |id: &str, status: &str| TatTask {
            instance_id: id.into(),
            task_status: status.into(),
        };
        let invocations = vec![
            TatInvocation {
                invocation_id: "inv-inv00001".into(),
                region: "ap-guangzhou".into(),
                invocation_status: "RUNNING".into(),
                tasks: vec![
                    task("ins-run00000", "PENDING"),
                    task("ins-run00001", "RUNNING"),
                    task("ins-run00002", "SUCCESS"),
                    task("lhins-lh000001", "DELIVERING"),
                ],
            },
            TatInvocation {
                invocation_id: "inv-inv00002".into(),
                region: "ap-guangzhou".into(),
                invocation_status: "RUNNING".into(),
                tasks: vec![
                    task("ins-run00003", "DELIVER_DELAYED"),
                    task("ins-run00004", "RUNNING"),
                ],
            },
        ];
        let batch = |n: u32, status: &str| RefreshBatch {
            batch_number: n,
            batch_status: status.into(),
        };
        let scaling_groups = vec![ScalingGroup {
            auto_scaling_group_id: "asg-grp00001".into(),
            region: "ap-guangzhou".into(),
            refresh_activities: vec![
                RefreshActivity {
                    refresh_activity_id: "asr-act00001".into(),
                    status: "RUNNING".into(),
                    batches: vec![
                        batch(1, "SUCCESSFUL"),
                        batch(2, "WAITING"),
                        batch(3, "WAITING"),
                    ],
                },
                RefreshActivity {
                    refresh_activity_id: "asr-act00002".into(),
                    status: "SUCCESSFUL".into(),
                    batches: vec![batch(1, "SUCCESSFUL")],
                },
            ],
        }];

        let ecs_id = |n: u32| format!("i-bp67acfmxazb4p{n:04}");
        let ecs_instances = (1..=60)
            .map(|n| EcsInstance {
                instance_id: ecs_id(n),
                region_id: "cn-hangzhou".into(),
                status: "Running".into(),
            })
            .collect();
        let run = |ids: &mut dyn Iterator<Item = u32>, status: &str| -> Vec<EcsInvokeInstance> {
            ids.map(|n| EcsInvokeInstance {
                instance_id: ecs_id(n),
                invocation_status: status.into(),
            })
            .collect()
        };
        let ecs_invocations = vec![
            EcsInvocation {
                invoke_id: "t-hz0jdfwd9f0001".into(),
                region_id: "cn-hangzhou".into(),
                invocation_status: "Running".into(),
                invoke_instances: run(&mut (1..=3), "Running"),
            },
            EcsInvocation {
                invoke_id: "t-hz0jdfwd9f0002".into(),
                region_id: "cn-hangzhou".into(),
                invocation_status: "Finished".into(),
                invoke_instances: run(&mut (4..=4), "Finished"),
            },
            EcsInvocation {
                invoke_id: "t-hz0jdfwd9f0003".into(),
                region_id: "cn-hangzhou".into(),
                invocation_status: "Running".into(),
                invoke_instances: run(&mut (1..=60), "Running"),
            },
        ];
        Resources {
            tencent: TencentResources {
                instances,
                invocations,
                scaling_groups,
            },
            alibaba: AlibabaResources {
                instances: ecs_instances,
                invocations: ecs_invocations,
            },
        }
    }

    /// Finishes the transitions whose delay has passed: STOPPING -> STOPPED, and TERMINATING
    /// instances are removed.
    pub(crate) fn advance(&mut self, now: Instant, delay: Duration) {
        let due = |since: Option<Instant>| since.is_none_or(|s| now.duration_since(s) >= delay);
        self.tencent
            .instances
            .retain(|i| !(i.instance_state == "TERMINATING" && due(i.since)));
        for i in &mut self.tencent.instances {
            if i.instance_state == "STOPPING" && due(i.since) {
                i.instance_state = "STOPPED".into();
                i.since = None;
            }
        }
    }
}
