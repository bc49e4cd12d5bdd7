//! The five operations as subcommands.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Subcommand;
use cloudhalt::{
    AlibabaCloud, CancelInstanceRefresh, CancelInvocation, Error, StopInstances, StopInvocation,
    StopType, StoppedMode, TencentCloud, TerminateInstances,
};

use crate::Global;
use crate::describe;
use crate::fleet::{self, Finished, ProgressLine};
use crate::wait::{self, WaitArgs};

/// Tencent Cloud subcommands.
#[derive(Subcommand, Debug)]
pub enum TencentCommand {
    /// Show the credential source and the key ID in use, never the secret.
    ///
    /// The source is the one the default chain (or --profile) picked; --output json prints
    /// {"provider", "source", "key_id"}. Sends no API call (the CVM role and STS sources fetch
    /// their temporary credentials). Exit 3, listing every source tried, when nothing yields.
    Whoami,
    /// CVM StopInstances: shut down RUNNING instances (any number: sent 100 per request).
    StopInstances {
        /// Region, e.g. ap-guangzhou.
        #[arg(long)]
        region: String,
        /// ForceStop (deprecated by the provider; prefer --stop-type SOFT_FIRST).
        // `--force` is the 0.1 spelling, kept as a hidden alias so old scripts keep working.
        #[arg(long = "force-stop", alias = "force")]
        force_stop: bool,
        /// SOFT, HARD or SOFT_FIRST.
        #[arg(long, value_name = "TYPE")]
        stop_type: Option<String>,
        /// KEEP_CHARGING or STOP_CHARGING.
        #[arg(long, value_name = "MODE")]
        stopped_mode: Option<String>,
        #[command(flatten)]
        wait: WaitArgs,
        /// Instance IDs (ins-...), or `-` to read them one per line from stdin.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// CVM TerminateInstances: return (destroy) instances (any number: sent 100 per request).
    /// Never repeated after a failure that may have taken effect.
    TerminateInstances {
        /// Region, e.g. ap-guangzhou.
        #[arg(long)]
        region: String,
        /// Also release prepaid data disks mounted on the instances.
        #[arg(long)]
        release_prepaid_data_disks: bool,
        /// Also release the instances' EIPs.
        #[arg(long)]
        release_address: bool,
        #[command(flatten)]
        wait: WaitArgs,
        /// Instance IDs (ins-...), or `-` to read them one per line from stdin.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// TAT CancelInvocation: cancel a command invocation on the given instances, or on every
    /// instance with --all-instances.
    CancelInvocation {
        /// Region, e.g. ap-guangzhou.
        #[arg(long)]
        region: String,
        /// The invocation, inv-...
        #[arg(long, value_name = "ID")]
        invocation_id: String,
        /// Cancel on every instance of the invocation (instead of listing IDs).
        #[arg(long, conflicts_with = "ids")]
        all_instances: bool,
        #[command(flatten)]
        wait: WaitArgs,
        /// Instance IDs (ins-, lhins-, mi-), or `-` to read them one per line from stdin. An empty
        /// list is refused: use --all-instances to mean every instance.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Auto Scaling CancelInstanceRefresh: cancel the pending batches of a refresh activity.
    CancelInstanceRefresh {
        /// Region (optional for this operation).
        #[arg(long)]
        region: Option<String>,
        /// The scaling group, asg-...
        // `--group` and `--activity` (the 0.1 spellings) are hidden aliases for old scripts.
        #[arg(long, alias = "group", value_name = "ID")]
        auto_scaling_group_id: String,
        /// The refresh activity, asr-...
        #[arg(long, alias = "activity", value_name = "ID")]
        refresh_activity_id: String,
        /// When the cancel is refused because a batch is refreshing
        /// (ResourceUnavailable.RefreshActivityStatusConflictWithOperation): pause the activity
        /// (StopInstanceRefresh), wait until it is MANUAL_PAUSE with no batch running, then
        /// cancel again. Without it that refusal is the answer (exit 6).
        #[arg(long)]
        pause_first: bool,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// CVM DescribeInstances: the instances named, those the filters select, or every instance
    /// of the region, with every page merged (the provider's JSON: `Response.InstanceSet`,
    /// `InstanceState`, `LatestOperation*`, `InstanceChargeType` ...). Read-only.
    DescribeInstances(crate::describe::DescribeInstancesArgs),
    /// TAT DescribeInvocationTasks: the tasks of an invocation (one per instance, `TaskStatus`),
    /// every page merged, output hidden. Read-only.
    DescribeInvocationTasks(crate::describe::DescribeInvocationTasksArgs),
    /// Auto Scaling DescribeRefreshActivities: refresh activities by ID, or every one of a
    /// scaling group (`Status`, `RefreshBatchSet`), every page merged. Read-only.
    DescribeRefreshActivities(crate::describe::DescribeRefreshActivitiesArgs),
    /// Any Tencent operation by its provider name (StopInstances, TerminateInstances,
    /// CancelInvocation, CancelInstanceRefresh) with the provider's JSON parameters, as in the
    /// API reference: `call StopInstances --region ap-guangzhou --params
    /// '{"InstanceIds":["ins-r8hr2upy"]}'`. The same checks apply; unknown parameters are refused.
    Call {
        /// The provider's action name.
        action: String,
        /// Region (`X-TC-Region`); required by every action but CancelInstanceRefresh.
        #[arg(long)]
        region: Option<String>,
        /// The parameters as one JSON object, or `-` to read it from stdin.
        #[arg(long, value_name = "JSON")]
        params: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Wait, sending nothing but CVM DescribeInstances, until the instances are STOPPED, or
    /// TERMINATED (gone, or in the recycle bin for a prepaid instance): one JSON line per ID
    /// {"id", "state", "result", "then"}, then a summary. Exit 10 when --wait-timeout passes
    /// first, 11 when an instance reached a failure state (its stop FAILED, it vanished ...).
    WaitInstances(crate::wait::WaitInstancesArgs),
    /// Wait for what a write asked for, sending only its Describe call: ACTION (StopInstances,
    /// TerminateInstances, CancelInvocation, CancelInstanceRefresh, StopInstanceRefresh) and
    /// --params as for `call` (`wait StopInstances --region ap-guangzhou --params
    /// '{"InstanceIds":["ins-r8hr2upy"]}'`). Output and exit codes as for wait-instances.
    Wait(crate::wait::TencentWaitArgs),
}

/// Alibaba Cloud subcommands.
#[derive(Subcommand, Debug)]
pub enum AlibabaCommand {
    /// Show the credential source and the key ID in use, never the secret.
    ///
    /// The source is the one the default chain (or --profile) picked; --output json prints
    /// {"provider", "source", "key_id"}. Sends no API call (the ECS role and STS sources fetch
    /// their temporary credentials). Exit 3, listing every source tried, when nothing yields.
    Whoami,
    /// ECS StopInvocation: stop a Cloud Assistant command task on the given instances, or on
    /// every instance with --all-instances.
    StopInvocation {
        /// RegionId, e.g. cn-hangzhou.
        #[arg(long)]
        region: String,
        /// The command task, t-...
        #[arg(long, value_name = "ID")]
        invoke_id: String,
        /// Stop the task on every instance it runs on (instead of listing IDs).
        #[arg(long, conflicts_with = "ids")]
        all_instances: bool,
        #[command(flatten)]
        wait: WaitArgs,
        /// Instance IDs (i-...; sent 50 per request), or `-` to read them one per line from
        /// stdin. An empty list is refused: use --all-instances to mean every instance.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// ECS DescribeInvocations: a Cloud Assistant task with each instance's `InvocationStatus`,
    /// every page merged (the provider's JSON). Read-only.
    DescribeInvocations(crate::describe::DescribeInvocationsArgs),
    /// Any Alibaba operation by its provider name (StopInvocation) with the provider's
    /// parameters as JSON: `call StopInvocation --params
    /// '{"RegionId":"cn-hangzhou","InvokeId":"t-...","InstanceId":["i-..."]}'`.
    Call {
        /// The provider's action name.
        action: String,
        /// The parameters as one JSON object (`InstanceId` as a list or `InstanceId.N` keys), or
        /// `-` to read it from stdin.
        #[arg(long, value_name = "JSON")]
        params: String,
        #[command(flatten)]
        wait: WaitArgs,
    },
    /// Wait for what a write asked for, sending only its Describe call (DescribeInvocations):
    /// ACTION (StopInvocation) and --params as for `call`. One JSON line per instance, then a
    /// summary; exit 10 past --wait-timeout, 11 on a failure state.
    Wait(crate::wait::AlibabaWaitArgs),
}

/// The JSON parameters of `call`: the argument, or stdin for `-`.
pub(crate) fn read_params(params: &str) -> Result<serde_json::Value, String> {
    let text = if params == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(|e| format!("cannot read the parameters from stdin: {e}"))?;
        text
    } else {
        params.to_owned()
    };
    let value = cloudhalt::params_from_json(&text).map_err(|e| {
        format!("--params is not valid JSON ({e}); nothing was sent: give one JSON object")
    })?;
    if !value.is_object() {
        return Err(
            "--params must be one JSON object, e.g. {\"InstanceIds\":[\"ins-...\"]}; \
                    nothing was sent"
                .into(),
        );
    }
    Ok(value)
}

/// The IDs: arguments, with `-` replaced by the non-blank lines of `stdin`. An empty result is
/// refused: the user meant some instances, and an empty list must never reach a request (where,
/// for CancelInvocation and StopInvocation, it would mean every instance). `all_hint` is how to
/// say "every instance" for the operations that can, or `None`.
fn read_ids_from(
    args: Vec<String>,
    stdin: impl BufRead,
    all_hint: Option<&str>,
) -> Result<Vec<String>, String> {
    let mut ids = Vec::with_capacity(args.len());
    let mut stdin = Some(stdin);
    let mut stdin_used = false;
    for arg in args {
        if arg != "-" {
            ids.push(arg);
            continue;
        }
        let Some(input) = stdin.take() else {
            return Err("`-` (read IDs from stdin) may be given only once".into());
        };
        stdin_used = true;
        for line in input.lines() {
            let line = line.map_err(|e| format!("cannot read IDs from stdin: {e}"))?;
            let id = line.trim();
            if !id.is_empty() {
                ids.push(id.to_owned());
            }
        }
    }
    if ids.is_empty() {
        let what = if stdin_used {
            "no instance IDs: stdin (`-`) had no non-blank line; nothing was sent"
        } else {
            "no instance IDs given; nothing was sent"
        };
        return Err(match all_hint {
            Some(hint) => format!("{what}; {hint}"),
            None => format!("{what}; give 1 or more IDs, one per line on stdin or as arguments"),
        });
    }
    Ok(ids)
}

/// The IDs from the arguments and stdin, refusing an empty list (see [`read_ids_from`]).
pub(crate) fn read_ids(args: Vec<String>, all_hint: Option<&str>) -> Result<Vec<String>, String> {
    read_ids_from(args, std::io::stdin().lock(), all_hint)
}

/// The instances to cancel on: `None` (every instance) only when `--all-instances` was given.
fn instance_choice(
    all_instances: bool,
    ids: Vec<String>,
    all_hint: &str,
) -> Result<Option<Vec<String>>, String> {
    if all_instances {
        // clap refuses --all-instances with IDs; this keeps the rule if that definition changes.
        if !ids.is_empty() {
            return Err(
                "--all-instances cannot be combined with instance IDs or `-`: give one \
                        or the other"
                    .into(),
            );
        }
        return Ok(None);
    }
    read_ids(ids, Some(all_hint)).map(Some)
}

const CANCEL_ALL_HINT: &str =
    "to cancel the invocation on every instance, run it with --all-instances and no IDs";
const STOP_ALL_HINT: &str =
    "to stop the task on every instance, run it with --all-instances and no IDs";

/// Runs a Tencent subcommand.
pub fn run_tencent(global: &Global, cmd: TencentCommand) -> ExitCode {
    // The Describe calls print the provider's answer, not a report per ID.
    let cmd = match cmd {
        TencentCommand::DescribeInstances(args) => return describe::instances(global, args),
        TencentCommand::DescribeInvocationTasks(args) => {
            return describe::invocation_tasks(global, args);
        }
        TencentCommand::DescribeRefreshActivities(args) => {
            return describe::refresh_activities(global, args);
        }
        TencentCommand::WaitInstances(args) => return wait::wait_instances(global, args),
        TencentCommand::Wait(args) => return wait::tencent_wait(global, args),
        other => other,
    };
    // The action (for the progress line and the report), and how to wait after it.
    let (action, wait, pause_first) = match &cmd {
        TencentCommand::Whoami => {
            return crate::setup::whoami::<TencentCloud>(global, "tencent");
        }
        TencentCommand::DescribeInstances(_)
        | TencentCommand::DescribeInvocationTasks(_)
        | TencentCommand::DescribeRefreshActivities(_)
        | TencentCommand::WaitInstances(_)
        | TencentCommand::Wait(_) => {
            unreachable!("the Describe calls and waits were routed above")
        }
        TencentCommand::StopInstances { wait, .. } => {
            ("StopInstances".to_owned(), wait.clone(), false)
        }
        TencentCommand::TerminateInstances { wait, .. } => {
            ("TerminateInstances".to_owned(), wait.clone(), false)
        }
        TencentCommand::CancelInvocation { wait, .. } => {
            ("CancelInvocation".to_owned(), wait.clone(), false)
        }
        TencentCommand::CancelInstanceRefresh {
            wait, pause_first, ..
        } => (
            "CancelInstanceRefresh".to_owned(),
            wait.clone(),
            *pause_first,
        ),
        TencentCommand::Call { action, wait, .. } => (action.clone(), wait.clone(), false),
    };
    let progress = ProgressLine::waiting(global, &action, wait::deadline(&wait));
    let dry = global.dry_run;
    // A dry run opens no audit log: it must change nothing, not even create a file.
    let audit = global.audit.as_deref().filter(|_| !dry);
    let client = || {
        fleet::client::<TencentCloud>(global, audit, progress.as_ref())
            .and_then(|c| wait::configure(c, &wait, pause_first))
    };
    let result = (|| -> Result<(Result<Finished, Error>, String), String> {
        Ok(match cmd {
            TencentCommand::Whoami => unreachable!("whoami returns before any request is made"),
            TencentCommand::DescribeInstances(_)
            | TencentCommand::DescribeInvocationTasks(_)
            | TencentCommand::DescribeRefreshActivities(_)
            | TencentCommand::WaitInstances(_)
            | TencentCommand::Wait(_) => {
                unreachable!("the Describe calls and waits return before the writes' report")
            }
            TencentCommand::StopInstances {
                region,
                force_stop,
                stop_type,
                stopped_mode,
                ids,
                wait: _,
            } => {
                let ids = read_ids(ids, None)?;
                let summary = format!("{} instance(s) in {region}", ids.len());
                let result = (|| {
                    let mut request = StopInstances::new(region, ids);
                    request
                        .set_force_stop(force_stop)
                        .set_stop_type(stop_type.as_deref().map(StopType::parse).transpose()?)
                        .set_stopped_mode(
                            stopped_mode
                                .as_deref()
                                .map(StoppedMode::parse)
                                .transpose()?,
                        );
                    fleet::execute(&client()?, &request, dry)
                })();
                (result, summary)
            }
            TencentCommand::TerminateInstances {
                region,
                release_prepaid_data_disks,
                release_address,
                ids,
                wait: _,
            } => {
                let ids = read_ids(ids, None)?;
                let summary = format!("{} instance(s) in {region}", ids.len());
                let mut request = TerminateInstances::new(region, ids);
                request.set_release_prepaid_data_disks(release_prepaid_data_disks);
                request.set_release_address(release_address);
                (
                    client().and_then(|c| fleet::execute(&c, &request, dry)),
                    summary,
                )
            }
            TencentCommand::CancelInvocation {
                region,
                invocation_id,
                all_instances,
                ids,
                wait: _,
            } => {
                let ids = instance_choice(all_instances, ids, CANCEL_ALL_HINT)?;
                let summary = match &ids {
                    None => format!("{invocation_id} on every instance"),
                    Some(ids) => format!("{invocation_id} on {} instance(s)", ids.len()),
                };
                let mut request = CancelInvocation::new(region, invocation_id);
                request.set_instance_ids(ids);
                (
                    client().and_then(|c| fleet::execute(&c, &request, dry)),
                    summary,
                )
            }
            TencentCommand::CancelInstanceRefresh {
                region,
                auto_scaling_group_id,
                refresh_activity_id,
                pause_first: _,
                wait: _,
            } => {
                let summary = format!("{refresh_activity_id} of {auto_scaling_group_id}");
                let mut request =
                    CancelInstanceRefresh::new(auto_scaling_group_id, refresh_activity_id);
                request.set_region(region);
                (
                    client().and_then(|c| fleet::execute(&c, &request, dry)),
                    summary,
                )
            }
            TencentCommand::Call {
                action,
                region,
                params,
                wait: _,
            } => {
                let params = read_params(&params)?;
                let result = client().and_then(|c| {
                    if dry {
                        c.dry_run_json(&action, region.as_deref(), &params)
                            .map(Finished::Planned)
                    } else {
                        c.call_json(&action, region.as_deref(), &params)
                            .map(Finished::Sent)
                    }
                });
                (result, "by its JSON parameters".to_owned())
            }
        })
    })();
    fleet::finish(global, ("tencent", &action), result, progress, wait.wait)
}

/// Runs an Alibaba subcommand.
pub fn run_alibaba(global: &Global, cmd: AlibabaCommand) -> ExitCode {
    let cmd = match cmd {
        AlibabaCommand::DescribeInvocations(args) => return describe::invocations(global, args),
        AlibabaCommand::Wait(args) => return wait::alibaba_wait(global, args),
        other => other,
    };
    let (action, wait) = match &cmd {
        AlibabaCommand::Whoami => return crate::setup::whoami::<AlibabaCloud>(global, "alibaba"),
        AlibabaCommand::DescribeInvocations(_) | AlibabaCommand::Wait(_) => {
            unreachable!("the Describe calls and waits were routed above")
        }
        AlibabaCommand::StopInvocation { wait, .. } => ("StopInvocation".to_owned(), wait.clone()),
        AlibabaCommand::Call { action, wait, .. } => (action.clone(), wait.clone()),
    };
    let progress = ProgressLine::waiting(global, &action, wait::deadline(&wait));
    let dry = global.dry_run;
    let audit = global.audit.as_deref().filter(|_| !dry);
    let client = || {
        fleet::client::<AlibabaCloud>(global, audit, progress.as_ref())
            .and_then(|c| wait::configure(c, &wait, false))
    };
    let result = (|| -> Result<(Result<Finished, Error>, String), String> {
        Ok(match cmd {
            AlibabaCommand::Whoami => unreachable!("whoami returns before any request is made"),
            AlibabaCommand::DescribeInvocations(_) | AlibabaCommand::Wait(_) => {
                unreachable!("the Describe calls and waits return before the writes' report")
            }
            AlibabaCommand::StopInvocation {
                region,
                invoke_id,
                all_instances,
                ids,
                wait: _,
            } => {
                let ids = instance_choice(all_instances, ids, STOP_ALL_HINT)?;
                let summary = match &ids {
                    None => format!("{invoke_id} on every instance"),
                    Some(ids) => format!("{invoke_id} on {} instance(s)", ids.len()),
                };
                let mut request = StopInvocation::new(region, invoke_id);
                request.set_instance_ids(ids);
                (
                    client().and_then(|c| fleet::execute(&c, &request, dry)),
                    summary,
                )
            }
            AlibabaCommand::Call {
                action,
                params,
                wait: _,
            } => {
                let params = read_params(&params)?;
                let result = client().and_then(|c| {
                    if dry {
                        c.dry_run_json(&action, &params).map(Finished::Planned)
                    } else {
                        c.call_json(&action, &params).map(Finished::Sent)
                    }
                });
                (result, "by its JSON parameters".to_owned())
            }
        })
    })();
    fleet::finish(global, ("alibaba", &action), result, progress, wait.wait)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn ids_from_arguments_and_stdin() {
        let ids = read_ids_from(
            args(&["ins-a", "-", "ins-d"]),
            "ins-b\n\n  ins-c  \n".as_bytes(),
            None,
        )
        .unwrap();
        assert_eq!(ids, args(&["ins-a", "ins-b", "ins-c", "ins-d"]));
    }

    #[test]
    fn an_empty_stdin_is_refused_and_names_the_way_to_mean_all() {
        for input in ["", "\n \n\t\n"] {
            let err =
                read_ids_from(args(&["-"]), input.as_bytes(), Some(CANCEL_ALL_HINT)).unwrap_err();
            assert!(
                err.contains("stdin") && err.contains("--all-instances"),
                "{err}"
            );
            assert!(!err.contains('\n'), "one line: {err}");
            let err = read_ids_from(args(&["-"]), input.as_bytes(), None).unwrap_err();
            assert!(
                err.contains("stdin") && err.contains("nothing was sent"),
                "{err}"
            );
        }
    }

    #[test]
    fn no_ids_mean_all_only_with_the_flag() {
        let err = instance_choice(false, Vec::new(), STOP_ALL_HINT).unwrap_err();
        assert!(err.contains("--all-instances"), "{err}");
        assert_eq!(instance_choice(true, Vec::new(), STOP_ALL_HINT), Ok(None));
        assert!(instance_choice(true, args(&["i-a"]), STOP_ALL_HINT).is_err());
        assert!(instance_choice(true, args(&["-"]), STOP_ALL_HINT).is_err());
        assert_eq!(
            instance_choice(false, args(&["i-a"]), STOP_ALL_HINT),
            Ok(Some(args(&["i-a"])))
        );
    }

    #[test]
    fn dash_may_be_given_once() {
        let err = read_ids_from(args(&["-", "-"]), "i-a\n".as_bytes(), None).unwrap_err();
        assert!(err.contains("only once"), "{err}");
    }

    fn parse(line: &[&str]) -> Result<crate::Cli, clap::Error> {
        use clap::Parser;
        crate::Cli::try_parse_from(std::iter::once("cloudhalt").chain(line.iter().copied()))
    }

    #[test]
    fn all_instances_with_ids_is_a_usage_error() {
        for line in [
            [
                "tencent",
                "cancel-invocation",
                "--region",
                "r",
                "--invocation-id",
                "inv-1",
                "--all-instances",
                "ins-1",
            ],
            [
                "tencent",
                "cancel-invocation",
                "--region",
                "r",
                "--invocation-id",
                "inv-1",
                "--all-instances",
                "-",
            ],
            [
                "alibaba",
                "stop-invocation",
                "--region",
                "r",
                "--invoke-id",
                "t-1",
                "--all-instances",
                "i-1",
            ],
        ] {
            let err = parse(&line).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{line:?}");
            assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        }
    }

    #[test]
    fn every_write_command_takes_the_wait_flags() {
        let wait = ["--wait", "--wait-timeout", "2.5", "--wait-min-delay", "0.1"];
        let wait = &wait[..];
        for line in [
            &["tencent", "stop-instances", "--region", "r", "ins-1"][..],
            &["tencent", "terminate-instances", "--region", "r", "ins-1"],
            &[
                "tencent",
                "cancel-invocation",
                "--region",
                "r",
                "--invocation-id",
                "inv-1",
                "ins-1",
            ],
            &[
                "tencent",
                "cancel-instance-refresh",
                "--auto-scaling-group-id",
                "asg-1",
                "--refresh-activity-id",
                "asr-1",
                "--pause-first",
            ],
            &[
                "tencent",
                "call",
                "StopInstances",
                "--region",
                "r",
                "--params",
                "{}",
            ],
            &[
                "alibaba",
                "stop-invocation",
                "--region",
                "r",
                "--invoke-id",
                "t-1",
                "i-1",
            ],
            &["alibaba", "call", "StopInvocation", "--params", "{}"],
            &["resume", "stop.log"],
        ] {
            let args: Vec<&str> = line.iter().chain(wait).copied().collect();
            let cli = parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
            let debug = format!("{:?}", cli.command);
            assert!(debug.contains("wait: true"), "{debug}");
            assert!(debug.contains("wait_timeout: Some(2.5)"), "{debug}");
        }
        for line in [
            &[
                "tencent",
                "wait-instances",
                "--region",
                "r",
                "--state",
                "STOPPED",
                "ins-1",
            ][..],
            &[
                "tencent",
                "wait-instances",
                "--region",
                "r",
                "--state",
                "terminated",
                "--instance-id",
                "ins-1",
            ],
            &[
                "tencent",
                "wait",
                "StopInstances",
                "--region",
                "r",
                "--params",
                "{}",
            ],
            &["alibaba", "wait", "StopInvocation", "--params", "{}"],
        ] {
            let args: Vec<&str> = line
                .iter()
                .chain(&["--wait-timeout", "1"])
                .copied()
                .collect();
            parse(&args).unwrap_or_else(|e| panic!("{args:?}: {e}"));
        }
        // A standalone wait always waits: it has no --wait to give.
        assert!(
            parse(&[
                "tencent",
                "wait-instances",
                "--region",
                "r",
                "--state",
                "STOPPED",
                "--wait",
                "i"
            ])
            .is_err()
        );
        assert!(
            parse(&[
                "tencent",
                "wait-instances",
                "--region",
                "r",
                "--state",
                "RUNNING",
                "i"
            ])
            .is_err()
        );
    }

    #[test]
    fn old_and_new_flag_spellings_parse_alike() {
        let refresh = |group: &str, activity: &str| {
            let cli = parse(&[
                "tencent",
                "cancel-instance-refresh",
                group,
                "asg-1",
                activity,
                "asr-1",
            ])
            .unwrap();
            format!("{:?}", cli.command)
        };
        assert_eq!(
            refresh("--auto-scaling-group-id", "--refresh-activity-id"),
            refresh("--group", "--activity")
        );
        let stop = |flag: &str| {
            let cli =
                parse(&["tencent", "stop-instances", "--region", "r", flag, "ins-1"]).unwrap();
            format!("{:?}", cli.command)
        };
        assert_eq!(stop("--force-stop"), stop("--force"));
        assert!(stop("--force-stop").contains("force_stop: true"));
    }
}
