//! Waiting for what a command asked for: `--wait` (with `--wait-timeout`, `--wait-min-delay`,
//! `--wait-max-delay`) on each write command, `call` and `resume`, and the standalone waits
//! (`tencent wait-instances`, `tencent wait ACTION`, `alibaba wait ACTION`) that only read the
//! Describe calls. The core does the polling; this module turns the flags into its setting and
//! its per-ID states into the report's lines.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use cloudhalt::{AlibabaCloud, Client, Cloud, Error, IdState, Response, TencentCloud, Wait};
use serde_json::{Map, Value, json};

use crate::exit::{self, clean};
use crate::setup::flag_error;
use crate::{Global, Output};

/// `--wait` and the timings, on a command that sends a write.
#[derive(Args, Debug, Clone, Default, PartialEq)]
#[command(next_help_heading = "Waiting")]
pub struct WaitArgs {
    /// After sending, wait until every ID reached its end state (STOPPED; gone or the recycle
    /// bin; CANCELLED; ...), reading the Describe call and never sending the write again. Each
    /// JSON line gains "state" and "result". Exit 10 when --wait-timeout passes first, 11 when
    /// an ID reached a failure state (the stop FAILED, the instance vanished, ...).
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub timing: WaitTiming,
}

/// How long to wait and how often to look (the standalone waits take these alone).
#[derive(Args, Debug, Clone, Default, PartialEq)]
#[command(next_help_heading = "Waiting")]
pub struct WaitTiming {
    /// How long to wait, in seconds (fractions allowed; 0 looks once), at most 86400. Default
    /// 300.
    #[arg(long, value_name = "SECONDS")]
    pub wait_timeout: Option<f64>,
    /// The shortest pause between two looks, in seconds (more than 0). Default 1.
    #[arg(long, value_name = "SECONDS")]
    pub wait_min_delay: Option<f64>,
    /// The longest pause between two looks, in seconds (the pauses grow with jitter up to it;
    /// at most 3600). Default 10.
    #[arg(long, value_name = "SECONDS")]
    pub wait_max_delay: Option<f64>,
}

impl WaitTiming {
    fn given(&self) -> Option<&'static str> {
        if self.wait_timeout.is_some() {
            Some("--wait-timeout")
        } else if self.wait_min_delay.is_some() {
            Some("--wait-min-delay")
        } else if self.wait_max_delay.is_some() {
            Some("--wait-max-delay")
        } else {
            None
        }
    }

    /// The core's setting of these flags, checked by the core (an error names the flag and the
    /// field, exit 2).
    pub fn setting(&self) -> Result<Wait, Error> {
        let timeout = self
            .wait_timeout
            .unwrap_or_else(|| Wait::default().timeout.as_secs_f64());
        // Only a maximum was given: the minimum is at most that (as the core makes the maximum
        // at least a minimum given alone), so `--wait-max-delay 0.2` alone is no error.
        let default_min = Wait::default().min_delay.as_secs_f64();
        let min_delay = match (self.wait_min_delay, self.wait_max_delay) {
            (None, Some(max)) if max > 0.0 && max < default_min => Some(max),
            (min, _) => min,
        };
        Wait::from_secs_f64(timeout, min_delay, self.wait_max_delay).map_err(|e| {
            let flag = match e.field() {
                Some("wait_min_delay") => "--wait-min-delay",
                Some("wait_max_delay") => "--wait-max-delay",
                _ => "--wait-timeout",
            };
            flag_error(flag, e)
        })
    }
}

impl WaitArgs {
    /// The wait to do after the write, `None` without `--wait`. A timing flag without `--wait`
    /// is refused rather than ignored: the user expected a wait.
    pub fn setting(&self) -> Result<Option<Wait>, Error> {
        if !self.wait {
            return match self.timing.given() {
                Some(flag) => Err(Error::invalid_input(
                    "wait",
                    format!("{flag} has no effect without --wait: add --wait; nothing was sent"),
                )),
                None => Ok(None),
            };
        }
        self.timing.setting().map(Some)
    }
}

/// The deadline of the wait the flags ask for, for the progress line (`None` without `--wait`
/// or when the flags are wrong: [`configure`] then refuses them before anything is sent).
pub fn deadline(wait: &WaitArgs) -> Option<std::time::Duration> {
    wait.setting().ok().flatten().map(|w| w.timeout)
}

/// `client` with the wait of the flags and `--pause-first`: checked before anything is sent.
pub fn configure<C: Cloud>(
    client: Client<C>,
    wait: &WaitArgs,
    pause_first: bool,
) -> Result<Client<C>, Error> {
    let setting = wait.setting()?;
    let mut client = client.with_wait(setting)?;
    if pause_first {
        client = client.with_pause_first(true);
    }
    Ok(client)
}

// ---------------------------------------------------------------- the states

/// One ID's state at the end of a wait, cleaned for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateLine {
    /// The ID (an instance, an invocation's instance, a refresh activity).
    pub id: String,
    /// The provider's state (`STOPPED`, `SHUTDOWN`, `CANCELLED`, `Stopped`, `gone` ...).
    pub state: String,
    /// What it means (`stopped`, `recycle bin`, `finished before the cancel landed` ...).
    pub result: String,
    /// `success`, `failure` or `wait` (the deadline came first).
    pub then: &'static str,
}

impl StateLine {
    fn from_core(s: &IdState) -> StateLine {
        StateLine {
            id: clean(s.id()),
            state: clean(s.state()),
            result: clean(s.result()),
            then: s.then().as_str(),
        }
    }

    /// `{"id", "state", "result", "then"}`: a line of a standalone wait.
    pub fn json(&self) -> Value {
        json!({"id": self.id, "state": self.state, "result": self.result, "then": self.then})
    }
}

/// The states of a result, in the core's order.
pub fn states_of(result: Result<&Response, &Error>) -> Vec<StateLine> {
    let states = match result {
        Ok(r) => r.states(),
        Err(e) => e.states(),
    };
    states.iter().map(StateLine::from_core).collect()
}

/// The states the report of a write shows: those of its wait (`waited`: every line then gets
/// `"state"` and `"result"`, null where there is none), or those the core found describing IDs
/// whose outcome was unknown (TerminateInstances after a lost answer), or `None`.
pub fn report_states(waited: bool, result: Result<&Response, &Error>) -> Option<Vec<StateLine>> {
    let states = states_of(result);
    (waited || !states.is_empty()).then_some(states)
}

/// The summary members of a wait: `"states"` (ID -> the provider's state) and `"wait_results"`
/// (ID -> what it means), as the Python binding's `Response.states` and `wait_results`.
pub fn summary_members(states: &[StateLine]) -> Map<String, Value> {
    let mut by_state = Map::new();
    let mut by_result = Map::new();
    for s in states {
        by_state.insert(s.id.clone(), s.state.clone().into());
        by_result.insert(s.id.clone(), s.result.clone().into());
    }
    let mut members = Map::new();
    members.insert("states".into(), by_state.into());
    members.insert("wait_results".into(), by_result.into());
    members
}

/// The text lines of a wait: `waited: 248 success, 2 failure, 0 still waiting: 248 STOPPED
/// (stopped), 2 RUNNING (failed)`, then each ID that did not reach success. Without a wait
/// (`waited` false: the core described IDs whose outcome was unknown), `described: 2 gone
/// (gone)`.
pub fn text_lines(states: &[StateLine], waited: bool) -> Vec<String> {
    let count = |then: &str| states.iter().filter(|s| s.then == then).count();
    let mut groups: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for s in states {
        *groups.entry((&s.state, &s.result)).or_default() += 1;
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    // The largest group first: "248 STOPPED" reads before "2 RUNNING".
    groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let listed = if groups.is_empty() {
        "no ID to wait for".to_owned()
    } else {
        groups
            .iter()
            .map(|((state, result), n)| format!("{n} {state} ({result})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !waited {
        return vec![format!(
            "described (the outcome was unknown, so the state was read): {listed}"
        )];
    }
    let mut lines = vec![format!(
        "waited: {} success, {} failure, {} still waiting: {listed}",
        count("success"),
        count("failure"),
        count("wait")
    )];
    for s in states.iter().filter(|s| s.then != "success") {
        let late = if s.then == "wait" {
            " (still waiting at the deadline)"
        } else {
            ""
        };
        lines.push(format!("  {} {}: {}{late}", s.id, s.state, s.result));
    }
    lines
}

// ---------------------------------------------------------------- standalone waits

/// `cloudhalt tencent wait-instances`.
#[derive(Args, Debug)]
pub struct WaitInstancesArgs {
    /// Region, e.g. ap-guangzhou.
    #[arg(long)]
    region: String,
    /// STOPPED (StopInstances' end: success at STOPPED, failure when our stop FAILED or the
    /// instance vanished) or TERMINATED (TerminateInstances' end: gone, or SHUTDOWN in the
    /// recycle bin for a prepaid instance).
    #[arg(long, value_name = "STATE", ignore_case = true,
          value_parser = clap::builder::PossibleValuesParser::new(["STOPPED", "TERMINATED"]))]
    state: String,
    /// An instance to wait for (ins-...); repeat it for more. Same as giving the IDs as
    /// arguments.
    #[arg(long = "instance-id", value_name = "ID")]
    instance_id: Vec<String>,
    /// Instance IDs, or `-` to read them one per line from stdin.
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    #[command(flatten)]
    timing: WaitTiming,
}

/// `cloudhalt tencent wait ACTION`.
#[derive(Args, Debug)]
pub struct TencentWaitArgs {
    /// The write whose end to wait for, by its provider name.
    action: String,
    /// Region (`X-TC-Region`); required by every action but the Auto Scaling ones.
    #[arg(long)]
    region: Option<String>,
    /// The write's parameters as one JSON object (as `call` takes them), or `-` to read it
    /// from stdin: the IDs it names are waited for.
    #[arg(long, value_name = "JSON")]
    params: String,
    #[command(flatten)]
    timing: WaitTiming,
}

/// `cloudhalt alibaba wait ACTION`.
#[derive(Args, Debug)]
pub struct AlibabaWaitArgs {
    /// The write whose end to wait for, by its provider name (StopInvocation).
    action: String,
    /// The write's parameters as one JSON object (as `call` takes them: `RegionId`,
    /// `InvokeId`, `InstanceId`), or `-` to read it from stdin.
    #[arg(long, value_name = "JSON")]
    params: String,
    #[command(flatten)]
    timing: WaitTiming,
}

/// What a standalone wait does, before it is done.
struct Standalone<'a> {
    global: &'a Global,
    call: (&'a str, &'a str),
    /// For the text line and `waited_for`: `3 instance(s) in R to be STOPPED`, or `by its JSON
    /// parameters`.
    what: String,
    /// How many IDs are known up front (wait-instances), for the dry run.
    ids: Option<usize>,
}

impl Standalone<'_> {
    /// Runs `wait` on a client of the flags (and of `timing`), or with `--dry-run` only says
    /// what it would read.
    fn run<C: Cloud>(
        &self,
        timing: &WaitTiming,
        wait: impl FnOnce(&Client<C>) -> Result<Response, Error>,
    ) -> ExitCode {
        let setting = match timing.setting() {
            Ok(setting) => setting,
            Err(err) => return exit::report(&err, self.call, self.global.output),
        };
        if self.global.dry_run {
            let line = format!(
                "dry run, nothing was sent: {} wait for {} ({}), reading the Describe call \
                 (never the write), for at most {:.1} s",
                self.call.0,
                clean(self.call.1),
                clean(&self.what),
                setting.timeout.as_secs_f64()
            );
            match self.global.output {
                Output::Json => println!(
                    "{}",
                    json!({"dry_run": true, "provider": self.call.0, "action": self.call.1,
                           "waited_for": self.what, "id_count": self.ids,
                           "wait_timeout_secs": setting.timeout.as_secs_f64()})
                ),
                Output::Text => println!("{line}"),
            }
            return ExitCode::SUCCESS;
        }
        let progress =
            crate::fleet::ProgressLine::waiting(self.global, self.call.1, Some(setting.timeout));
        if let Some(line) = &progress {
            line.start_wait(None);
        }
        let audit = self.global.audit.as_deref();
        let result = crate::fleet::client::<C>(self.global, audit, progress.as_ref())
            .and_then(|c| c.with_wait(Some(setting)))
            .and_then(|c| wait(&c));
        if let Some(line) = &progress {
            line.finish();
        }
        report(self.global, self.call, &self.what, result)
    }
}

/// Runs `tencent wait-instances`.
pub fn wait_instances(global: &Global, args: WaitInstancesArgs) -> ExitCode {
    let state = args.state.to_ascii_uppercase();
    let action = if state == "TERMINATED" {
        "TerminateInstances"
    } else {
        "StopInstances"
    };
    let call = ("tencent", action);
    let mut ids = args.instance_id;
    if !args.ids.is_empty() || ids.is_empty() {
        match crate::ops::read_ids(args.ids, None) {
            Ok(more) => ids.extend(more),
            Err(usage) => return exit::usage(&usage, call, global.output),
        }
    }
    let standalone = Standalone {
        global,
        call,
        what: format!(
            "{} instance(s) in {} to be {state}",
            ids.len(),
            clean(&args.region)
        ),
        ids: Some(ids.len()),
    };
    standalone.run::<TencentCloud>(&args.timing, |c| {
        c.wait_instances(&args.region, &ids, &state)
    })
}

/// Runs `tencent wait ACTION`.
pub fn tencent_wait(global: &Global, args: TencentWaitArgs) -> ExitCode {
    let call = ("tencent", args.action.as_str());
    let params = match crate::ops::read_params(&args.params) {
        Ok(params) => params,
        Err(usage) => return exit::usage(&usage, call, global.output),
    };
    let standalone = Standalone {
        global,
        call,
        what: "by its JSON parameters".to_owned(),
        ids: None,
    };
    standalone.run::<TencentCloud>(&args.timing, |c| {
        c.wait_json(&args.action, args.region.as_deref(), &params)
    })
}

/// Runs `alibaba wait ACTION`.
pub fn alibaba_wait(global: &Global, args: AlibabaWaitArgs) -> ExitCode {
    let call = ("alibaba", args.action.as_str());
    let params = match crate::ops::read_params(&args.params) {
        Ok(params) => params,
        Err(usage) => return exit::usage(&usage, call, global.output),
    };
    let standalone = Standalone {
        global,
        call,
        what: "by its JSON parameters".to_owned(),
        ids: None,
    };
    standalone.run::<AlibabaCloud>(&args.timing, |c| c.wait_json(&args.action, None, &params))
}

/// Prints the result of a standalone wait of `call` (`(provider, action)`), `what` saying what
/// was waited for, and returns its exit code: a JSON line per ID then the summary, or the text
/// lines; an error goes to stderr as for every call, with its kind's code (10 past the deadline,
/// 11 on a failure state).
pub fn report(
    global: &Global,
    call: (&str, &str),
    what: &str,
    result: Result<Response, Error>,
) -> ExitCode {
    let states = states_of(result.as_ref());
    let (request_ids, attempts) = match &result {
        Ok(r) => (r.request_ids().to_vec(), r.attempts()),
        Err(e) => (e.request_ids().to_vec(), e.attempts()),
    };
    if let Err(err) = &result
        && states.is_empty()
        && attempts == 0
    {
        // Nothing was read (bad input, credentials): the error alone, as always.
        return exit::report(err, call, global.output);
    }
    let mut out = std::io::stdout().lock();
    match global.output {
        Output::Json => {
            for s in &states {
                let _ = writeln!(out, "{}", s.json());
            }
            let mut summary = match &result {
                Ok(_) => json!({"action": call.1, "provider": call.0}),
                Err(err) => exit::error_value(err, call),
            };
            summary["ok"] = result.is_ok().into();
            summary["waited_for"] = what.into();
            for (key, value) in summary_members(&states) {
                summary[key] = value;
            }
            summary["request_ids"] = request_ids.iter().map(|r| clean(r)).collect();
            summary["attempts"] = attempts.into();
            let _ = writeln!(out, "{summary}");
        }
        Output::Text => {
            let _ = writeln!(
                out,
                "{}: {} wait for {} ({}): {} ID(s); {attempts} Describe request(s)",
                if result.is_ok() { "ok" } else { "not done" },
                clean(call.0),
                clean(call.1),
                clean(what),
                states.len(),
            );
            for line in text_lines(&states, true) {
                let _ = writeln!(out, "{line}");
            }
        }
    }
    let _ = out.flush();
    drop(out);
    match &result {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => {
            exit::print(err, call, global.output);
            ExitCode::from(exit::code_for(err.kind(), err.send_state()))
        }
    }
}

/// True for the error kinds of a wait that did not reach success (`wait_timeout`,
/// `wait_failed`): the write itself went through, so they decide the exit code of a batch whose
/// IDs were all sent.
pub fn is_wait_error(err: &Error) -> bool {
    err.kind().as_str().starts_with("wait_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(id: &str, state: &str, result: &str, then: &'static str) -> StateLine {
        StateLine {
            id: id.into(),
            state: state.into(),
            result: result.into(),
            then,
        }
    }

    #[test]
    fn a_timing_flag_without_wait_is_refused() {
        let mut args = WaitArgs::default();
        assert_eq!(args.setting().unwrap(), None);
        args.timing.wait_timeout = Some(5.0);
        let err = args.setting().unwrap_err();
        assert!(
            err.message().contains("--wait-timeout") && err.message().contains("--wait"),
            "{err}"
        );
        args.wait = true;
        assert_eq!(
            args.setting().unwrap().unwrap().timeout,
            std::time::Duration::from_secs(5)
        );
    }

    #[test]
    fn a_maximum_delay_alone_below_the_default_minimum_lowers_the_minimum() {
        let timing = WaitTiming {
            wait_max_delay: Some(0.2),
            ..WaitTiming::default()
        };
        let wait = timing.setting().unwrap();
        assert_eq!(wait.min_delay, std::time::Duration::from_millis(200));
        assert_eq!(wait.max_delay, std::time::Duration::from_millis(200));
    }

    #[test]
    fn a_bad_timing_names_the_flag() {
        // (A minimum above the maximum is the core's to name: it names the minimum.)
        for (timing, flag) in [
            (
                WaitTiming {
                    wait_timeout: Some(-1.0),
                    ..WaitTiming::default()
                },
                "--wait-timeout",
            ),
            (
                WaitTiming {
                    wait_min_delay: Some(0.0),
                    ..WaitTiming::default()
                },
                "--wait-min-delay",
            ),
            (
                WaitTiming {
                    wait_max_delay: Some(3601.0),
                    ..WaitTiming::default()
                },
                "--wait-max-delay",
            ),
        ] {
            let err = timing.setting().unwrap_err();
            assert!(err.message().starts_with(flag), "{flag}: {err}");
            assert_eq!(exit::code_for(err.kind(), err.send_state()), 2);
        }
    }

    #[test]
    fn the_summary_maps_each_id_to_its_state_and_result() {
        let states = [
            state("ins-a", "STOPPED", "stopped", "success"),
            state("ins-b", "SHUTDOWN", "recycle bin", "success"),
        ];
        let m = summary_members(&states);
        assert_eq!(
            m["states"],
            json!({"ins-a": "STOPPED", "ins-b": "SHUTDOWN"})
        );
        assert_eq!(
            m["wait_results"],
            json!({"ins-a": "stopped", "ins-b": "recycle bin"})
        );
    }

    #[test]
    fn the_text_counts_states_and_lists_the_ids_that_did_not_succeed() {
        let states = [
            state("ins-a", "STOPPED", "stopped", "success"),
            state("ins-b", "STOPPED", "stopped", "success"),
            state("ins-c", "RUNNING", "failed", "failure"),
            state("ins-d", "STOPPING", "waiting", "wait"),
        ];
        let lines = text_lines(&states, true);
        assert_eq!(
            lines[0],
            "waited: 2 success, 1 failure, 1 still waiting: 2 STOPPED (stopped), 1 RUNNING \
             (failed), 1 STOPPING (waiting)"
        );
        assert_eq!(lines[1], "  ins-c RUNNING: failed");
        assert_eq!(
            lines[2],
            "  ins-d STOPPING: waiting (still waiting at the deadline)"
        );
        assert_eq!(lines.len(), 3);
    }
}
