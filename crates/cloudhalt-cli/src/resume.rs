//! `cloudhalt resume FILE`: finishes a batch interrupted half-way (a `kill -9`, a lost laptop)
//! from the audit log it wrote with `--audit FILE`.
//!
//! What to send is decided by the core ([`cloudhalt::Resume`]): IDs already `done` or `already`
//! are skipped, `unknown` TerminateInstances IDs are held back (a second TerminateInstances
//! destroys a prepaid instance the first moved to the recycle bin), the rest is sent, and the
//! resume is appended to the same log, so that it can itself be resumed.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use cloudhalt::audit::Standing;
use cloudhalt::{AlibabaCloud, Cloud, Outcome, Provider, Resume, TencentCloud};
use serde_json::{Map, Value, json};

use crate::exit::{self, clean};
use crate::fleet::{self, IdLine, ProgressLine, Report};
use crate::wait::{self, StateLine, WaitArgs};
use crate::{Global, Output};

/// Arguments of `cloudhalt resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The audit log the interrupted command wrote with `--audit FILE`. The resume is appended
    /// to it.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// `--wait` and its timings, as for the command that wrote the log: after the resume, wait
    /// for the IDs it sent (and those finished before) to reach their end state.
    #[command(flatten)]
    wait: WaitArgs,
}

/// The call named in errors found before the log says which operation it is.
const CALL: (&str, &str) = ("cloudhalt", "resume");

/// Runs `cloudhalt resume`.
pub fn run(global: &Global, args: ResumeArgs) -> ExitCode {
    if let Some(other) = &global.audit
        && !same_file(other, &args.file)
    {
        return exit::usage(
            "resume appends to the audit log it reads, so that the resume is recorded with the \
             batch it finishes: leave out --audit",
            CALL,
            global.output,
        );
    }
    let resume = match Resume::read(&args.file) {
        Ok(resume) => resume,
        Err(err) => return exit::report(&err, CALL, global.output),
    };
    match resume.provider() {
        Provider::Tencent => resume_with::<TencentCloud>(global, &args, &resume),
        Provider::Alibaba => resume_with::<AlibabaCloud>(global, &args, &resume),
        other => exit::usage(
            &format!("the audit log is of {other}, which this command does not know"),
            CALL,
            global.output,
        ),
    }
}

/// True when `a` and `b` name the same file (or the same path, when it does not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// How to check the state of instances whose TerminateInstances outcome is unknown.
fn check_hint(region: Option<&str>, ids: &[&str]) -> String {
    let list = serde_json::to_string(&ids.iter().take(100).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_owned());
    let more = if ids.len() > 100 {
        " (DescribeInstances takes at most 100 IDs per call)"
    } else {
        ""
    };
    format!(
        "check each instance's state before sending anything again: DescribeInstances \
         (InstanceState, LatestOperationState), e.g. tccli cvm DescribeInstances --region {} \
         --InstanceIds '{}'{more}; then terminate only the instances that are still there and \
         not SHUTDOWN or TERMINATING",
        clean(region.unwrap_or("REGION")),
        clean(&list),
    )
}

fn resume_with<C: Cloud>(global: &Global, args: &ResumeArgs, resume: &Resume) -> ExitCode {
    let file = args.file.as_path();
    let call = (resume.provider().as_str(), resume.action());
    let finished = resume.finished();
    let held = resume.held_back();
    let to_send = resume.to_send();
    let total = resume.standings().len();
    let region = resume.region().map(clean);

    // What is skipped and held back, said before anything is sent.
    let mut notes = Vec::new();
    let where_ = region
        .as_deref()
        .map_or(String::new(), |r| format!(" in {r}"));
    notes.push(format!(
        "resume: {} {}{where_}, batch {} of {}: {total} ID(s): {} finished, {} held back, {} to \
         send",
        call.0,
        call.1,
        clean(resume.batch()),
        clean(&file.display().to_string()),
        finished.len(),
        held.len(),
        to_send.len()
    ));
    if !finished.is_empty() && !global.quiet {
        let count = |o: Outcome| finished.iter().filter(|(_, x)| *x == o).count();
        let ids: Vec<&str> = finished.iter().map(|(id, _)| *id).collect();
        notes.push(format!(
            "skipping {} ID(s) finished before ({} done, {} already): {}",
            finished.len(),
            count(Outcome::Done),
            count(Outcome::Already),
            clean(&ids.join(" "))
        ));
    }
    let hint = (!held.is_empty()).then(|| check_hint(resume.region(), &held));
    if let Some(hint) = &hint {
        notes.push(format!(
            "NOT sending again {} {} ID(s) whose outcome is unknown (the request may have taken \
             effect, and repeating it is not harmless): {}; {hint}",
            held.len(),
            call.1,
            clean(&held.join(" "))
        ));
    }

    let mut extra = Map::new();
    extra.insert("resume_of".into(), clean(resume.batch()).into());
    extra.insert(
        "skipped".into(),
        finished
            .iter()
            .map(|(id, _)| Value::from(clean(id)))
            .collect(),
    );
    extra.insert(
        "held_back".into(),
        held.iter().map(|id| Value::from(clean(id))).collect(),
    );
    if let Some(hint) = &hint {
        extra.insert("check".into(), hint.clone().into());
    }

    if global.dry_run {
        return print_plan(global, call, resume, notes, extra);
    }

    let summary = format!("resume of {total} ID(s){where_}");
    if to_send.is_empty() {
        notes.push(format!(
            "nothing left to send: every ID is finished{}",
            if held.is_empty() { "" } else { " or held back" }
        ));
        let lines = merged_lines(resume, &HashMap::new());
        let read = read_back::<C>(global, args, resume);
        return finish_without_sending(global, call, summary, lines, notes, extra, read);
    }

    let progress = ProgressLine::waiting(global, call.1, wait::deadline(&args.wait));
    let result = fleet::client::<C>(global, Some(file), progress.as_ref())
        .and_then(|c| wait::configure(c, &args.wait, false))
        .and_then(|c| c.resume(resume));
    if let Some(line) = &progress {
        line.finish();
    }
    let (outcomes, request_ids, attempts) = match &result {
        Ok(r) => (r.outcomes(), r.request_ids(), r.attempts()),
        Err(e) => (e.outcomes(), e.request_ids(), e.attempts()),
    };
    if let Err(err) = &result
        && outcomes.is_empty()
    {
        // Nothing was sent (credentials, a log that cannot be appended to, ...).
        print_notes(global, &notes);
        return exit::report(err, call, global.output);
    }
    let sent: HashMap<&str, IdLine> = outcomes
        .iter()
        .map(|o| (o.id(), IdLine::from_outcome(o)))
        .collect();
    Report {
        call,
        summary,
        lines: merged_lines(resume, &sent),
        request_ids: request_ids.to_vec(),
        attempts,
        extra,
        notes,
        states: wait::report_states(args.wait.wait, result.as_ref()),
        waited: args.wait.wait,
    }
    .print(global.output, result.as_ref())
}

/// Every ID of the batch once, in its input order: skipped ones with the outcome the log holds,
/// held-back ones `unknown`, the rest as the resume left them.
fn merged_lines(resume: &Resume, sent: &HashMap<&str, IdLine>) -> Vec<IdLine> {
    let held: HashSet<&str> = resume.held_back().into_iter().collect();
    resume
        .standings()
        .iter()
        .map(|(id, standing)| {
            if let Some(line) = sent.get(id.as_str()) {
                return line.clone();
            }
            let (outcome, note) = match standing {
                Standing::Answered(o) if o.is_success() => (*o, Some("skipped")),
                _ if held.contains(id.as_str()) => (Outcome::Unknown, Some("held_back")),
                // Neither finished nor held back, and not in the resume's answer: it was not
                // sent by this resume, so it is where the log left it.
                Standing::Answered(o) => (*o, None),
                _ => (Outcome::Unknown, None),
            };
            IdLine {
                id: clean(id),
                outcome,
                code: None,
                request_id: None,
                note,
            }
        })
        .collect()
}

fn print_notes(global: &Global, notes: &[String]) {
    // Stdout is JSON lines with --output json; the notes are in the summary there.
    if global.output == Output::Text {
        for note in notes {
            println!("{note}");
        }
    }
}

/// What a resume with nothing left to send reads back, sending no write: the states of the
/// held-back IDs (the core describes them, as after a lost answer) and, with `--wait`, the wait
/// for the IDs finished before.
#[derive(Default)]
struct ReadBack {
    /// Every state read, `None` when nothing was read.
    states: Option<Vec<StateLine>>,
    /// True when a wait ran.
    waited: bool,
    /// The wait's error (`wait_timeout`, `wait_failed`, or why it could not run).
    error: Option<cloudhalt::Error>,
}

fn read_back<C: Cloud>(global: &Global, args: &ResumeArgs, resume: &Resume) -> ReadBack {
    let held = resume.held_back();
    if held.is_empty() && !args.wait.wait {
        return ReadBack::default();
    }
    // No audit log: reading writes nothing worth resuming.
    let client = match fleet::client::<C>(global, None, None)
        .and_then(|c| wait::configure(c, &args.wait, false))
    {
        Ok(client) => client,
        Err(error) if args.wait.wait => {
            return ReadBack {
                error: Some(error),
                waited: true,
                ..ReadBack::default()
            };
        }
        // Without --wait the states are a courtesy: the log's report stands without them.
        Err(_) => return ReadBack::default(),
    };
    let mut states = Vec::new();
    if !held.is_empty() {
        // The core refuses the resume itself (nothing to send) but describes the held-back
        // IDs first; their states come with its answer either way.
        states.extend(wait::states_of(client.resume(resume).as_ref()));
    }
    let mut read = ReadBack {
        waited: args.wait.wait,
        ..ReadBack::default()
    };
    if args.wait.wait {
        let finished: Vec<String> = resume
            .finished()
            .iter()
            .map(|(id, _)| (*id).to_owned())
            .collect();
        let mut params = resume.params().clone();
        if let Some(field) = resume.operation().instance_list()
            && params.get(field.name).is_some()
        {
            params[field.name] = finished.into();
        }
        let result = client.wait_json(resume.action(), resume.region(), &params);
        states.extend(wait::states_of(result.as_ref()));
        read.error = result.err();
    }
    read.states = Some(states);
    read
}

/// Nothing left to send: the report of the log alone (with what was read back). Exit 0 when
/// every ID is finished, 8 when IDs are held back (their outcome is unknown: a script must not
/// read this as "all done"), 10 or 11 when the wait of `--wait` did not reach success.
fn finish_without_sending(
    global: &Global,
    call: (&str, &str),
    summary: String,
    lines: Vec<IdLine>,
    notes: Vec<String>,
    extra: Map<String, Value>,
    read: ReadBack,
) -> ExitCode {
    let code = match &read.error {
        // A wait that could not even start (bad credentials ...) is its own error.
        Some(err) if !wait::is_wait_error(err) => exit::code_for(err.kind(), err.send_state()),
        err => fleet::exit_code(&lines, err.as_ref()),
    };
    let states = read.states.unwrap_or_default();
    let by_id: HashMap<&str, &StateLine> = states.iter().map(|s| (s.id.as_str(), s)).collect();
    match global.output {
        Output::Text => {
            print_notes(global, &notes);
            if !states.is_empty() {
                for line in wait::text_lines(&states, read.waited) {
                    println!("{line}");
                }
            }
        }
        Output::Json => {
            for line in &lines {
                let mut v = line.json();
                if !states.is_empty() || read.waited {
                    let state = by_id.get(line.id.as_str());
                    v["state"] = state.map(|s| s.state.clone()).into();
                    v["result"] = state.map(|s| s.result.clone()).into();
                }
                println!("{v}");
            }
            let mut summary_line = json!({
                "ok": code == 0,
                "provider": call.0,
                "action": call.1,
                "summary": fleet::counts(&lines),
                "request_ids": [],
                "attempts": 0,
                "nothing_to_send": true,
                "what": summary,
            });
            for (k, v) in extra {
                summary_line[k] = v;
            }
            if !states.is_empty() || read.waited {
                for (k, v) in wait::summary_members(&states) {
                    summary_line[k] = v;
                }
            }
            if let Some(err) = &read.error {
                for (k, v) in exit::error_value(err, call)
                    .as_object()
                    .into_iter()
                    .flatten()
                {
                    summary_line[k] = v.clone();
                }
                summary_line["ok"] = false.into();
            }
            println!("{summary_line}");
        }
    }
    if let Some(err) = &read.error {
        exit::print(err, call, global.output);
    }
    ExitCode::from(code)
}

/// `resume --dry-run`: what would be skipped, held back and sent; nothing is sent or logged.
fn print_plan(
    global: &Global,
    call: (&str, &str),
    resume: &Resume,
    mut notes: Vec<String>,
    extra: Map<String, Value>,
) -> ExitCode {
    let to_send = resume.to_send();
    let per_request = resume
        .operation()
        .instance_list()
        .map_or(1, |field| field.max.max(1));
    let requests = to_send.len().div_ceil(per_request);
    match global.output {
        Output::Text => {
            notes.push(format!(
                "dry run, nothing was sent: would send {} ID(s) in {requests} request(s): {}",
                to_send.len(),
                clean(&to_send.join(" "))
            ));
            print_notes(global, &notes);
        }
        Output::Json => {
            let mut plan = json!({
                "dry_run": true,
                "provider": call.0,
                "action": call.1,
                "region": resume.region(),
                "to_send": to_send.iter().map(|id| clean(id)).collect::<Vec<_>>(),
                "requests": requests,
            });
            for (k, v) in extra {
                plan[k] = v;
            }
            println!("{plan}");
        }
    }
    ExitCode::SUCCESS
}
