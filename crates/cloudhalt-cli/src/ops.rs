//! The five operations as subcommands.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Subcommand;
use cloudhalt::{
    Alibaba, CancelInstanceRefresh, CancelInvocation, Error, Response, StopInstances,
    StopInvocation, StopType, StoppedMode, Tencent, TerminateInstances,
};

use crate::exit;
use crate::{Global, Output};

/// Tencent Cloud subcommands.
#[derive(Subcommand, Debug)]
pub enum TencentCommand {
    /// CVM StopInstances: shut down 1 to 100 RUNNING instances.
    StopInstances {
        /// Region, e.g. ap-guangzhou.
        #[arg(long)]
        region: String,
        /// ForceStop (deprecated by the provider; prefer --stop-type SOFT_FIRST).
        #[arg(long)]
        force: bool,
        /// SOFT, HARD or SOFT_FIRST.
        #[arg(long, value_name = "TYPE")]
        stop_type: Option<String>,
        /// KEEP_CHARGING or STOP_CHARGING.
        #[arg(long, value_name = "MODE")]
        stopped_mode: Option<String>,
        /// Instance IDs (ins-...), or `-` to read them one per line from stdin.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// CVM TerminateInstances: return (destroy) 1 to 100 instances. Never retried automatically.
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
        /// Instance IDs (ins-...), or `-` to read them one per line from stdin.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
    /// TAT CancelInvocation: cancel a command invocation (on all or the given instances).
    CancelInvocation {
        /// Region, e.g. ap-guangzhou.
        #[arg(long)]
        region: String,
        /// The invocation, inv-...
        #[arg(long, value_name = "ID")]
        invocation_id: String,
        /// Instance IDs (ins-, lhins-, mi-); none = every instance; `-` reads stdin.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
    /// Auto Scaling CancelInstanceRefresh: cancel the pending batches of a refresh activity.
    CancelInstanceRefresh {
        /// Region (optional for this operation).
        #[arg(long)]
        region: Option<String>,
        /// The scaling group, asg-...
        #[arg(long, value_name = "ID")]
        group: String,
        /// The refresh activity, asr-...
        #[arg(long, value_name = "ID")]
        activity: String,
    },
}

/// Alibaba Cloud subcommands.
#[derive(Subcommand, Debug)]
pub enum AlibabaCommand {
    /// ECS StopInvocation: stop a Cloud Assistant command task (on all or the given instances).
    StopInvocation {
        /// RegionId, e.g. cn-hangzhou.
        #[arg(long)]
        region: String,
        /// The command task, t-...
        #[arg(long, value_name = "ID")]
        invoke_id: String,
        /// Instance IDs (i-...), at most 50; none = every instance; `-` reads stdin.
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
}

/// The IDs: arguments, with `-` replaced by the non-blank lines of stdin.
fn read_ids(args: Vec<String>) -> Result<Vec<String>, String> {
    let mut ids = Vec::with_capacity(args.len());
    let mut stdin_used = false;
    for arg in args {
        if arg != "-" {
            ids.push(arg);
            continue;
        }
        if stdin_used {
            return Err("`-` (read IDs from stdin) may be given only once".into());
        }
        stdin_used = true;
        for line in std::io::stdin().lock().lines() {
            let line = line.map_err(|e| format!("cannot read IDs from stdin: {e}"))?;
            let id = line.trim();
            if !id.is_empty() {
                ids.push(id.to_owned());
            }
        }
    }
    Ok(ids)
}

fn tencent_client(global: &Global) -> Result<Tencent, Error> {
    let mut client = Tencent::from_env()?;
    if let Some(url) = &global.endpoint {
        client = client.with_endpoint_url(url)?;
    }
    if let Some(t) = global.timeout {
        client = client.with_timeout(t)?;
    }
    Ok(client)
}

fn alibaba_client(global: &Global) -> Result<Alibaba, Error> {
    let mut client = Alibaba::from_env()?;
    if let Some(url) = &global.endpoint {
        client = client.with_endpoint_url(url)?;
    }
    if let Some(t) = global.timeout {
        client = client.with_timeout(t)?;
    }
    Ok(client)
}

/// Runs a Tencent subcommand.
pub fn run_tencent(global: &Global, cmd: TencentCommand) -> ExitCode {
    let action = match &cmd {
        TencentCommand::StopInstances { .. } => "StopInstances",
        TencentCommand::TerminateInstances { .. } => "TerminateInstances",
        TencentCommand::CancelInvocation { .. } => "CancelInvocation",
        TencentCommand::CancelInstanceRefresh { .. } => "CancelInstanceRefresh",
    };
    let result = (|| -> Result<Result<(Response, String), Error>, String> {
        Ok(match cmd {
            TencentCommand::StopInstances {
                region,
                force,
                stop_type,
                stopped_mode,
                ids,
            } => {
                let ids = read_ids(ids)?;
                let summary = format!("{} instance(s) in {region}", ids.len());
                (|| {
                    let client = tencent_client(global)?;
                    let mut request = StopInstances::new(region, ids);
                    request
                        .set_force_stop(force)
                        .set_stop_type(stop_type.as_deref().map(StopType::parse).transpose()?)
                        .set_stopped_mode(
                            stopped_mode
                                .as_deref()
                                .map(StoppedMode::parse)
                                .transpose()?,
                        );
                    client.stop_instances(&request)
                })()
                .map(|r| (r, summary))
            }
            TencentCommand::TerminateInstances {
                region,
                release_prepaid_data_disks,
                release_address,
                ids,
            } => {
                let ids = read_ids(ids)?;
                let summary = format!("{} instance(s) in {region}", ids.len());
                let mut request = TerminateInstances::new(region, ids);
                request.set_release_prepaid_data_disks(release_prepaid_data_disks);
                request.set_release_address(release_address);
                tencent_client(global)
                    .and_then(|c| c.terminate_instances(&request))
                    .map(|r| (r, summary))
            }
            TencentCommand::CancelInvocation {
                region,
                invocation_id,
                ids,
            } => {
                let ids = read_ids(ids)?;
                let summary = if ids.is_empty() {
                    format!("{invocation_id} on every instance")
                } else {
                    format!("{invocation_id} on {} instance(s)", ids.len())
                };
                let mut request = CancelInvocation::new(region, invocation_id);
                request.set_instance_ids((!ids.is_empty()).then_some(ids));
                tencent_client(global)
                    .and_then(|c| c.cancel_invocation(&request))
                    .map(|r| (r, summary))
            }
            TencentCommand::CancelInstanceRefresh {
                region,
                group,
                activity,
            } => {
                let summary = format!("{activity} of {group}");
                let mut request = CancelInstanceRefresh::new(group, activity);
                request.set_region(region);
                tencent_client(global)
                    .and_then(|c| c.cancel_instance_refresh(&request))
                    .map(|r| (r, summary))
            }
        })
    })();
    finish(global, result, ("tencent", action))
}

/// Runs an Alibaba subcommand.
pub fn run_alibaba(global: &Global, cmd: AlibabaCommand) -> ExitCode {
    let result = (|| -> Result<Result<(Response, String), Error>, String> {
        Ok(match cmd {
            AlibabaCommand::StopInvocation {
                region,
                invoke_id,
                ids,
            } => {
                let ids = read_ids(ids)?;
                let summary = if ids.is_empty() {
                    format!("{invoke_id} on every instance")
                } else {
                    format!("{invoke_id} on {} instance(s)", ids.len())
                };
                let mut request = StopInvocation::new(region, invoke_id);
                request.set_instance_ids((!ids.is_empty()).then_some(ids));
                alibaba_client(global)
                    .and_then(|c| c.stop_invocation(&request))
                    .map(|r| (r, summary))
            }
        })
    })();
    finish(global, result, ("alibaba", "StopInvocation"))
}

fn finish(
    global: &Global,
    result: Result<Result<(Response, String), Error>, String>,
    call: (&str, &str),
) -> ExitCode {
    match result {
        Err(usage) => exit::usage(&usage),
        Ok(Err(err)) => exit::report(&err, call),
        Ok(Ok((response, summary))) => {
            println!("{}", render(global.output, &response, &summary));
            ExitCode::SUCCESS
        }
    }
}

/// The success output: one JSON object or one readable line.
pub fn render(output: Output, response: &Response, summary: &str) -> String {
    match output {
        Output::Json => serde_json::json!({
            "operation": response.action(),
            "provider": response.provider().as_str(),
            "request_id": response.request_id(),
            "response": response.data(),
        })
        .to_string(),
        Output::Text => format!(
            "ok: {} {} ({summary}), RequestId {}",
            response.provider(),
            response.action(),
            response.request_id()
        ),
    }
}
