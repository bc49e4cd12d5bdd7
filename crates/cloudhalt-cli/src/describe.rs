//! The read-only Describe calls as subcommands: `tencent describe-instances`,
//! `describe-invocation-tasks`, `describe-refresh-activities` and `alibaba describe-invocations`.
//! Each prints the provider's answer with every page (and every request of a long ID list)
//! merged by the core, so a script reads one JSON document whatever the fleet's size.

use std::collections::HashSet;
use std::io::Write;
use std::process::ExitCode;

use clap::{ArgGroup, Args};
use cloudhalt::{
    AlibabaCloud, Cloud, DescribeInstances, DescribeInvocationTasks, DescribeInvocations,
    DescribeRefreshActivities, Filter, Request, TencentCloud,
};
use serde_json::Value;

use crate::fleet::{self, Finished, ProgressLine};
use crate::{Global, Output};

/// Tencent's documented limit on the values of one `Filters` entry.
const MAX_FILTER_VALUES: usize = 5;

/// `cloudhalt tencent describe-instances`.
#[derive(Args, Debug)]
pub struct DescribeInstancesArgs {
    /// Region, e.g. ap-guangzhou.
    #[arg(long)]
    region: String,
    /// An instance to describe (ins-...); repeat it for more. Same as giving the IDs as
    /// arguments.
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: Vec<String>,
    /// A filter, NAME=VALUE[,VALUE...] (at most 5 values), e.g. instance-state=RUNNING; repeat
    /// it for more (at most 10). Not together with instance IDs (the provider refuses the
    /// combination).
    #[arg(long = "filter", value_name = "NAME=VALUES", value_parser = parse_filter)]
    filter: Vec<Filter>,
    /// Instance IDs (ins-...; any number, asked for 100 per request), or `-` to read them one
    /// per line from stdin. Without IDs or filters: every instance of the region.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
}

/// `cloudhalt tencent describe-invocation-tasks`.
#[derive(Args, Debug)]
pub struct DescribeInvocationTasksArgs {
    /// Region, e.g. ap-guangzhou.
    #[arg(long)]
    region: String,
    /// The invocation, inv-...
    #[arg(long, value_name = "ID")]
    invocation_id: String,
    /// Only this instance's task (ins-, lhins-, mi-); repeat it for more. Same as giving the IDs
    /// as arguments.
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: Vec<String>,
    /// Only the tasks on these instances, or `-` to read them one per line from stdin. Without
    /// IDs: every task of the invocation.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
}

/// `cloudhalt tencent describe-refresh-activities`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("which").required(true).args(["refresh_activity_id", "auto_scaling_group_id"])))]
pub struct DescribeRefreshActivitiesArgs {
    /// Region (optional for Auto Scaling).
    #[arg(long)]
    region: Option<String>,
    /// A refresh activity, asr-...; repeat it for more.
    #[arg(long = "refresh-activity-id", value_name = "ID")]
    refresh_activity_id: Vec<String>,
    /// Every refresh activity of this scaling group, asg-... (instead of activity IDs).
    #[arg(long, value_name = "ID", conflicts_with = "refresh_activity_id")]
    auto_scaling_group_id: Option<String>,
}

/// `cloudhalt alibaba describe-invocations`.
#[derive(Args, Debug)]
pub struct DescribeInvocationsArgs {
    /// RegionId, e.g. cn-hangzhou.
    #[arg(long)]
    region: String,
    /// The command task, t-...
    #[arg(long, value_name = "ID")]
    invoke_id: String,
    /// Only this instance's status (i-...).
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: Option<String>,
}

/// `NAME=V1,V2` as a Tencent filter. The values are split at commas: no filter value the
/// Describe calls document contains one.
pub(crate) fn parse_filter(value: &str) -> Result<Filter, String> {
    let hint = "give NAME=VALUE[,VALUE...], e.g. instance-state=RUNNING or \
                instance-id=ins-a,ins-b";
    let Some((name, values)) = value.split_once('=') else {
        return Err(format!("{value:?} has no `=`: {hint}"));
    };
    let name = name.trim();
    let values: Vec<String> = values
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    if name.is_empty() || values.is_empty() {
        return Err(format!("{value:?} lacks a name or a value: {hint}"));
    }
    Ok(Filter::new(name, values))
}

/// The IDs of the flag and the arguments (`-` read from stdin), or `None` when none was given at
/// all (the Describe call then lists everything). A `-` that reads nothing is refused like
/// everywhere else: a `grep` that matched nothing must not turn into "every instance".
fn optional_ids(flagged: Vec<String>, args: Vec<String>) -> Result<Option<Vec<String>>, String> {
    if flagged.is_empty() && args.is_empty() {
        return Ok(None);
    }
    let mut ids = flagged;
    if !args.is_empty() {
        ids.extend(crate::ops::read_ids(
            args,
            Some("leave out the IDs (and `-`) to describe every one"),
        )?);
    }
    Ok(Some(ids))
}

/// Runs `tencent describe-instances`.
pub fn instances(global: &Global, args: DescribeInstancesArgs) -> ExitCode {
    let call = ("tencent", "DescribeInstances");
    let request = (|| {
        let ids = optional_ids(args.instance_id, args.ids)?;
        let mut request = match ids {
            Some(ids) => DescribeInstances::new(args.region, ids),
            None => DescribeInstances::all(args.region),
        };
        request.set_filters(args.filter);
        Ok(request)
    })();
    run::<TencentCloud, _>(global, call, request, |data| data)
}

/// Runs `tencent describe-invocation-tasks`.
pub fn invocation_tasks(global: &Global, args: DescribeInvocationTasksArgs) -> ExitCode {
    let call = ("tencent", "DescribeInvocationTasks");
    let mut local: Option<HashSet<String>> = None;
    let request = (|| {
        let ids = optional_ids(args.instance_id, args.ids)?;
        let mut request =
            DescribeInvocationTasks::for_invocation(args.region, args.invocation_id.clone());
        match ids {
            // The provider's filter takes at most 5 values: a longer list is applied here, to
            // every task of the invocation, so any number of instances can be asked for.
            Some(ids) if ids.len() > MAX_FILTER_VALUES => local = Some(ids.into_iter().collect()),
            Some(ids) => {
                let mut filters = request.filters().to_vec();
                filters.push(Filter::new("instance-id", ids));
                request.set_filters(filters);
            }
            None => {}
        }
        Ok(request)
    })();
    run::<TencentCloud, _>(global, call, request, |data| match &local {
        Some(ids) => keep_tasks_of(data, ids),
        None => data,
    })
}

/// The answer `data` with only the tasks on `instances`, its `TotalCount` the tasks kept.
fn keep_tasks_of(mut data: Value, instances: &HashSet<String>) -> Value {
    if let Some(response) = data.get_mut("Response")
        && let Some(Value::Array(tasks)) = response.get_mut("InvocationTaskSet")
    {
        tasks.retain(|t| {
            t.get("InstanceId")
                .and_then(Value::as_str)
                .is_some_and(|id| instances.contains(id))
        });
        let kept = tasks.len();
        response["TotalCount"] = kept.into();
    }
    data
}

/// Runs `tencent describe-refresh-activities`.
pub fn refresh_activities(global: &Global, args: DescribeRefreshActivitiesArgs) -> ExitCode {
    let call = ("tencent", "DescribeRefreshActivities");
    let mut request = match args.auto_scaling_group_id {
        Some(group) => DescribeRefreshActivities::for_group(group),
        None => DescribeRefreshActivities::new(args.refresh_activity_id),
    };
    request.set_region(args.region);
    run::<TencentCloud, _>(global, call, Ok(request), |data| data)
}

/// Runs `alibaba describe-invocations`.
pub fn invocations(global: &Global, args: DescribeInvocationsArgs) -> ExitCode {
    let call = ("alibaba", "DescribeInvocations");
    let mut request = DescribeInvocations::new(args.region, args.invoke_id);
    request.set_instance_id(args.instance_id);
    run::<AlibabaCloud, _>(global, call, Ok(request), |data| data)
}

/// Sends a Describe `request` (or plans it with `--dry-run`) and prints the provider's merged
/// answer, after `adjust`, on stdout: one line with `--output json`, indented in text. An error
/// is reported as for every call (stderr, its kind's exit code); the per-ID lines of the write
/// operations would say nothing here, so they are left out.
fn run<C: Cloud, R: Request<Cloud = C>>(
    global: &Global,
    call: (&str, &str),
    request: Result<R, String>,
    adjust: impl FnOnce(Value) -> Value,
) -> ExitCode {
    let progress = ProgressLine::new(global, call.1);
    let dry = global.dry_run;
    let audit = global.audit.as_deref().filter(|_| !dry);
    let result = request.map(|request| {
        let sent = fleet::client::<C>(global, audit, progress.as_ref())
            .and_then(|client| fleet::execute(&client, &request, dry));
        (sent, String::new())
    });
    match result {
        Ok((Ok(Finished::Sent(response)), _)) => {
            if let Some(line) = &progress {
                line.finish();
            }
            print_data(global.output, &adjust(response.data().clone()))
        }
        Ok((Err(err), _)) => {
            if let Some(line) = &progress {
                line.finish();
            }
            crate::exit::report(&err, call, global.output)
        }
        other => fleet::finish(global, call, other, progress, false),
    }
}

/// Prints a provider's JSON document on stdout.
fn print_data(output: Output, data: &Value) -> ExitCode {
    let text = match output {
        Output::Json => data.to_string(),
        Output::Text => serde_json::to_string_pretty(data).unwrap_or_else(|_| data.to_string()),
    };
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is the reader's choice, not a failure of the call.
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_filter_is_name_equals_comma_separated_values() {
        let f = parse_filter("instance-state=RUNNING,STOPPED").unwrap();
        assert_eq!(f.name, "instance-state");
        assert_eq!(f.values, ["RUNNING", "STOPPED"]);
        for bad in ["instance-state", "=RUNNING", "instance-state=", "x=,"] {
            let err = parse_filter(bad).unwrap_err();
            assert!(err.contains("NAME=VALUE"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_long_instance_list_is_applied_to_the_tasks_here() {
        let data = serde_json::json!({"Response": {"TotalCount": 3, "InvocationTaskSet": [
            {"InstanceId": "ins-a"}, {"InstanceId": "ins-b"}, {"InstanceId": "ins-c"}]}});
        let keep: HashSet<String> = ["ins-a".to_owned(), "ins-c".to_owned()].into();
        let kept = keep_tasks_of(data, &keep);
        assert_eq!(kept["Response"]["TotalCount"], 2);
        assert_eq!(
            kept["Response"]["InvocationTaskSet"][1]["InstanceId"],
            "ins-c"
        );
    }
}
