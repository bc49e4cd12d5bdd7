//! What every operation command shares at fleet scale: the client settings from the global flags
//! (retries, pacing, concurrency, audit log, progress), the dry run, and the report of a call of
//! any size (a line per ID, a summary, the exit code of the worst outcome).

use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudhalt::{
    AuditLog, Client, Cloud, DryRun, Error, IdOutcome, Outcome, Pacing, Progress, Provider,
    Request, Response, Retry,
};
use serde_json::{Map, Value, json};

use crate::exit::{self, clean};
use crate::setup::flag_error;
use crate::wait::{self, StateLine};
use crate::{Global, Output};

/// A client of cloud `C` set up from the global flags: credentials from the default chain (or
/// `--profile`) with the network flags (see [`crate::setup`]), then
/// endpoint, timeout, retry policy, pacing, concurrency, the audit log at `audit` and the
/// progress line. Every value is checked by the core (exit 2, naming the flag and the field).
pub fn client<C: Cloud>(
    global: &Global,
    audit: Option<&Path>,
    progress: Option<&Arc<ProgressLine>>,
) -> Result<Client<C>, Error> {
    let mut client = crate::setup::chain_client::<C>(global)?;
    if let Some(url) = &global.endpoint {
        client = client.with_endpoint_url(url)?;
    }
    if let Some(t) = global.timeout {
        client = client.with_timeout(t)?;
    }
    if let Some(max_attempts) = global.max_attempts {
        let retry = Retry {
            max_attempts,
            ..Retry::default()
        };
        client = client
            .with_retry(retry)
            .map_err(|e| flag_error("--max-attempts", e))?;
    }
    if global.no_rate_limit {
        client = client.with_rate_limit(Pacing::Off)?;
    }
    if let Some(n) = global.concurrency {
        client = client
            .with_concurrency(n)
            .map_err(|e| flag_error("--concurrency", e))?;
    }
    if let Some(path) = audit {
        let log = AuditLog::open(path).map_err(|e| flag_error("--audit", e))?;
        client = client.with_audit_log(Some(log));
    }
    if let Some(line) = progress {
        client = client.with_progress(Some(line.callback()));
    }
    Ok(client)
}

/// What an operation command did: sent its requests, or (with `--dry-run`) only planned them.
// One value per command, moved once: boxing the response would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Finished {
    /// Sent; the response accounts for every ID.
    Sent(Response),
    /// Planned, nothing sent.
    Planned(DryRun),
}

/// Sends `request`, or with `dry_run` only plans it.
pub fn execute<C: Cloud, R: Request<Cloud = C>>(
    client: &Client<C>,
    request: &R,
    dry_run: bool,
) -> Result<Finished, Error> {
    if dry_run {
        client.dry_run(request).map(Finished::Planned)
    } else {
        client.send(request).map(Finished::Sent)
    }
}

// ---------------------------------------------------------------- progress

/// The one progress line of a batch on stderr, rewritten in place after every request, and
/// while a wait runs after it, every half second with the time waited.
pub struct ProgressLine {
    action: String,
    /// The deadline of the wait that follows the writes (`--wait`), if any.
    wait_timeout: Option<Duration>,
    state: Mutex<LineState>,
}

#[derive(Default)]
struct LineState {
    /// True once the line was drawn (then it is ended with a newline).
    drawn: bool,
    /// True once the wait's ticker runs.
    waiting: bool,
    /// True once the command has its result: nothing is drawn after that.
    finished: bool,
}

/// How often the line of a wait is redrawn.
const TICK: Duration = Duration::from_millis(500);

impl ProgressLine {
    /// A progress line for `action`, or `None` when stderr is not a terminal, with `-q`, with
    /// `-v` (whose log lines it would overwrite), or on a dry run (nothing to wait for): a log
    /// file or a pipe gets no carriage returns.
    pub fn new(global: &Global, action: &str) -> Option<Arc<ProgressLine>> {
        ProgressLine::waiting(global, action, None)
    }

    /// As [`new`](ProgressLine::new), for a command that waits up to `wait_timeout` after its
    /// writes (or only waits): the line then also shows the wait.
    pub fn waiting(
        global: &Global,
        action: &str,
        wait_timeout: Option<Duration>,
    ) -> Option<Arc<ProgressLine>> {
        if global.quiet || global.verbose > 0 || global.dry_run || !std::io::stderr().is_terminal()
        {
            return None;
        }
        Some(Arc::new(ProgressLine {
            action: clean(action),
            wait_timeout,
            state: Mutex::new(LineState::default()),
        }))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LineState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn callback(self: &Arc<Self>) -> cloudhalt::ProgressFn {
        let line = Arc::clone(self);
        Arc::new(move |p: &Progress| line.draw(p))
    }

    fn draw(self: &Arc<Self>, p: &Progress) {
        let mut state = self.lock();
        if state.finished || state.waiting {
            return;
        }
        if p.left() == 0 && self.wait_timeout.is_some() {
            drop(state);
            self.start_wait(Some(p.done + p.already));
            return;
        }
        // A call of one request is finished by its first report: it shows its result, not a
        // progress line (so it prints exactly what it printed before batches existed).
        if !state.drawn && p.left() == 0 {
            return;
        }
        state.drawn = true;
        let mut err = std::io::stderr().lock();
        // \r and "erase to end of line": one line, rewritten in place.
        let _ = write!(err, "\r\x1b[K{}", progress_text(&self.action, p));
        let _ = err.flush();
    }

    /// Shows the wait from now on, redrawn every [`TICK`] until [`finish`](ProgressLine::finish):
    /// `sent` is how many IDs the writes got through, `None` for a standalone wait.
    pub fn start_wait(self: &Arc<Self>, sent: Option<usize>) {
        let Some(timeout) = self.wait_timeout else {
            return;
        };
        {
            let mut state = self.lock();
            if state.waiting || state.finished {
                return;
            }
            state.waiting = true;
        }
        let line = Arc::clone(self);
        let started = Instant::now();
        // Detached: it stops at the first tick after `finish`, or with the process.
        std::thread::spawn(move || {
            loop {
                {
                    let mut state = line.lock();
                    if state.finished {
                        return;
                    }
                    state.drawn = true;
                    let text = wait_text(&line.action, sent, started.elapsed(), timeout);
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[K{text}");
                    let _ = err.flush();
                }
                std::thread::sleep(TICK);
            }
        });
    }

    /// Ends the line (if it was drawn) so that what follows starts on a line of its own.
    pub fn finish(&self) {
        let mut state = self.lock();
        state.finished = true;
        if state.drawn {
            eprintln!();
        }
    }
}

/// `cloudhalt: StopInstances: 250 sent; waiting for their end state: 3.5 s of 300 s`.
fn wait_text(action: &str, sent: Option<usize>, waited: Duration, timeout: Duration) -> String {
    let what = match sent {
        Some(n) => format!("{n} sent; waiting for their end state"),
        None => "waiting for the end state".to_owned(),
    };
    format!(
        "cloudhalt: {action}: {what}: {:.1} s of {:.0} s",
        waited.as_secs_f64(),
        timeout.as_secs_f64()
    )
}

/// `StopInstances: 200 done, 0 already, 0 failed, 0 unknown, 200 left of 400; 36.4 IDs/s; 5.5 s`.
fn progress_text(action: &str, p: &Progress) -> String {
    let secs = p.elapsed.as_secs_f64();
    let finished = p.total - p.left();
    let rate = if secs > 0.0 {
        finished as f64 / secs
    } else {
        0.0
    };
    format!(
        "cloudhalt: {action}: {} done, {} already, {} failed, {} unknown, {} left of {}; \
         {rate:.1} IDs/s; {secs:.1} s",
        p.done,
        p.already,
        p.failed,
        p.unknown,
        p.left(),
        p.total
    )
}

// ---------------------------------------------------------------- the report

/// One line of the per-ID report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdLine {
    /// The ID (cleaned for the terminal).
    pub id: String,
    /// What happened to it.
    pub outcome: Outcome,
    /// The provider's code of its request's last answer.
    pub code: Option<String>,
    /// The RequestId of its request's last answer.
    pub request_id: Option<String>,
    /// Set by `resume` for IDs it did not send: `"skipped"` (finished before) or `"held_back"`.
    pub note: Option<&'static str>,
}

impl IdLine {
    /// The line of one ID's outcome from the core.
    pub fn from_outcome(o: &IdOutcome) -> IdLine {
        IdLine {
            id: clean(o.id()),
            outcome: o.outcome(),
            code: o.code().map(clean),
            request_id: o.request_id().map(clean),
            note: None,
        }
    }

    /// `{"id", "outcome", "code", "request_id"}` (and the note, when set).
    pub fn json(&self) -> Value {
        let mut v = json!({
            "id": self.id,
            "outcome": self.outcome.as_str(),
            "code": self.code,
            "request_id": self.request_id,
        });
        if let Some(note) = self.note {
            v[note] = true.into();
        }
        v
    }

    fn text(&self) -> String {
        let mut line = format!("  {} {}", self.id, self.outcome);
        match (&self.code, self.outcome) {
            (Some(code), _) => line.push_str(&format!(": {code}")),
            (None, Outcome::Unknown) => {
                line.push_str(": no answer, it may have taken effect: check its state")
            }
            (None, _) => {}
        }
        if let Some(id) = &self.request_id {
            line.push_str(&format!(", RequestId {id}"));
        }
        if self.note == Some("held_back") {
            line.push_str(" (held back: not sent again)");
        }
        line
    }
}

/// The lines of every ID of a core result.
pub fn lines_of(outcomes: &[IdOutcome]) -> Vec<IdLine> {
    outcomes.iter().map(IdLine::from_outcome).collect()
}

/// The count of each outcome, as the summary's `summary` object.
pub fn counts(lines: &[IdLine]) -> Value {
    let count = |o: Outcome| lines.iter().filter(|l| l.outcome == o).count();
    json!({
        "done": count(Outcome::Done),
        "already": count(Outcome::Already),
        "failed": count(Outcome::Failed),
        "unknown": count(Outcome::Unknown),
    })
}

/// The exit code of a call from its IDs' outcomes: 0 when every ID is done or already (unless
/// the wait after them did not reach success: then the wait's code, 10 or 11); the "may have
/// been sent" code (8) when any is unknown; else the code of the error's kind (the first failed
/// request's). Without outcomes (nothing was sent), the error's code as always.
pub fn exit_code(lines: &[IdLine], err: Option<&Error>) -> u8 {
    let error_code = |e: &Error| exit::code_for(e.kind(), e.send_state());
    match lines.iter().map(|l| l.outcome).max_by_key(|o| o.severity()) {
        Some(Outcome::Unknown) => exit::may_have_been_sent_code(),
        Some(Outcome::Failed) => err.map_or(1, error_code),
        Some(_) => err.filter(|e| wait::is_wait_error(e)).map_or(0, error_code),
        None => err.map_or(0, error_code),
    }
}

/// Everything the report of one call says.
pub struct Report<'a> {
    /// `(provider, action)`.
    pub call: (&'a str, &'a str),
    /// What was asked, for the text line: `400 instance(s) in ap-guangzhou`.
    pub summary: String,
    /// Every ID once, in input order.
    pub lines: Vec<IdLine>,
    /// Every attempt's RequestId, in order.
    pub request_ids: Vec<String>,
    /// Requests sent, retries included.
    pub attempts: u32,
    /// Extra members of the JSON summary (resume: what it skipped and held back).
    pub extra: Map<String, Value>,
    /// Text printed before the result (resume: what it skips and holds back).
    pub notes: Vec<String>,
    /// The state of each ID when a wait ran (`--wait`) or the core described IDs whose outcome
    /// was unknown (TerminateInstances), else `None`; see [`wait::report_states`].
    pub states: Option<Vec<StateLine>>,
    /// True when the states come from a wait (`--wait`).
    pub waited: bool,
}

impl Report<'_> {
    /// Prints the report of a call that ended with `result` and returns its exit code.
    ///
    /// JSON: one line per ID on stdout, then one summary line (the success object of a single
    /// call, or the error object of the first failed request, plus the counts, every RequestId
    /// and the number of attempts); an error also goes to stderr as before. Text: the one-line
    /// result (or the error line on stderr), with the counts and the failed and unknown IDs
    /// when they did not all end alike.
    pub fn print(&self, output: Output, result: Result<&Response, &Error>) -> ExitCode {
        let code = exit_code(&self.lines, result.err());
        match output {
            Output::Json => self.print_json(result),
            Output::Text => self.print_text(result),
        }
        ExitCode::from(code)
    }

    fn print_json(&self, result: Result<&Response, &Error>) {
        let mut out = std::io::stdout().lock();
        let states: HashMap<&str, &StateLine> = self
            .states
            .iter()
            .flatten()
            .map(|s| (s.id.as_str(), s))
            .collect();
        for line in &self.lines {
            let mut v = line.json();
            if self.states.is_some() {
                let state = states.get(line.id.as_str());
                v["state"] = state.map(|s| s.state.clone()).into();
                v["result"] = state.map(|s| s.result.clone()).into();
            }
            let _ = writeln!(out, "{v}");
        }
        let mut summary = match result {
            Ok(response) => success_value(response),
            Err(err) => exit::error_value(err, self.call),
        };
        summary["ok"] = result.is_ok().into();
        summary["summary"] = counts(&self.lines);
        summary["request_ids"] = self.request_ids.iter().map(|r| clean(r)).collect();
        summary["attempts"] = self.attempts.into();
        for (key, value) in &self.extra {
            summary[key] = value.clone();
        }
        if let Some(states) = &self.states {
            for (key, value) in wait::summary_members(states) {
                summary[key] = value;
            }
        }
        let _ = writeln!(out, "{summary}");
        let _ = out.flush();
        drop(out);
        if let Err(err) = result {
            exit::print(err, self.call, Output::Json);
        }
    }

    fn print_text(&self, result: Result<&Response, &Error>) {
        let mut out = std::io::stdout().lock();
        for note in &self.notes {
            let _ = writeln!(out, "{note}");
        }
        let n = |o: Outcome| self.lines.iter().filter(|l| l.outcome == o).count();
        let counted = format!(
            "{} done, {} already, {} failed, {} unknown; {} attempt(s)",
            n(Outcome::Done),
            n(Outcome::Already),
            n(Outcome::Failed),
            n(Outcome::Unknown),
            self.attempts
        );
        let request_ids = self
            .request_ids
            .iter()
            .map(|r| clean(r))
            .collect::<Vec<_>>()
            .join(", ");
        // Nothing to say when no ID was waited for (every request failed).
        let wait_lines = self
            .states
            .as_deref()
            .filter(|states| !states.is_empty())
            .map(|states| wait::text_lines(states, self.waited));
        // A wait that did not reach success comes after a write that went through: that is
        // said as for a success, then the states, then the wait's error.
        let sent_ok = match result {
            Ok(_) => true,
            Err(err) => {
                wait::is_wait_error(err) && self.lines.iter().all(|l| l.outcome.is_success())
            }
        };
        if sent_ok && let Err(err) = result {
            let _ = writeln!(
                out,
                "ok: {} {} ({}): {counted}; RequestIds {}",
                clean(self.call.0),
                clean(self.call.1),
                clean(&self.summary),
                if request_ids.is_empty() {
                    "none"
                } else {
                    &request_ids
                }
            );
            for line in wait_lines.iter().flatten() {
                let _ = writeln!(out, "{line}");
            }
            let _ = out.flush();
            drop(out);
            exit::print(err, self.call, Output::Text);
            return;
        }
        match result {
            Ok(response) => {
                let plain = self.attempts <= 1
                    && self.notes.is_empty()
                    && self.lines.iter().all(|l| l.outcome == Outcome::Done);
                if plain {
                    let _ = writeln!(out, "{}", render_text(response, &self.summary));
                } else {
                    // Every sent ID succeeded, but a resume may hold IDs back (unknown).
                    let all = self.lines.iter().all(|l| l.outcome.is_success());
                    let _ = writeln!(
                        out,
                        "{}: {} {} ({}): {counted}; RequestIds {}",
                        if all { "ok" } else { "partly done" },
                        clean(self.call.0),
                        clean(self.call.1),
                        clean(&self.summary),
                        if request_ids.is_empty() {
                            "none"
                        } else {
                            &request_ids
                        }
                    );
                    for line in self.lines.iter().filter(|l| !l.outcome.is_success()) {
                        let _ = writeln!(out, "{}", line.text());
                    }
                }
                for line in wait_lines.iter().flatten() {
                    let _ = writeln!(out, "{line}");
                }
            }
            Err(err) => {
                // The IDs said apart only when they did not all end like the request whose
                // error is shown (a single request's IDs share its error line).
                let kinds: BTreeSet<_> = self
                    .lines
                    .iter()
                    .filter(|l| l.note.is_none())
                    .map(|l| (l.outcome.as_str(), &l.code, &l.request_id))
                    .collect();
                if kinds.len() > 1 || !self.notes.is_empty() {
                    let done = n(Outcome::Done) + n(Outcome::Already) > 0;
                    let _ = writeln!(
                        out,
                        "{}: {} {} ({}): {counted}; RequestIds {}",
                        if done { "partly done" } else { "not done" },
                        clean(self.call.0),
                        clean(self.call.1),
                        clean(&self.summary),
                        if request_ids.is_empty() {
                            "none"
                        } else {
                            &request_ids
                        }
                    );
                    for line in &self.lines {
                        if !line.outcome.is_success() {
                            let _ = writeln!(out, "{}", line.text());
                        }
                    }
                }
                for line in wait_lines.iter().flatten() {
                    let _ = writeln!(out, "{line}");
                }
                let _ = out.flush();
                drop(out);
                exit::print(err, self.call, Output::Text);
            }
        }
    }
}

/// The JSON success object of a single call: `{"action", "operation", "provider",
/// "request_id", "response"}` (`operation` is the 0.1 name of `action`).
pub fn success_value(response: &Response) -> Value {
    json!({
        "action": response.action(),
        // The old name of `action`, kept for scripts written before it.
        "operation": response.action(),
        "provider": response.provider().as_str(),
        "request_id": clean(response.request_id()),
        "response": response.data(),
    })
}

/// The one-line text success of a single call. The provider's RequestId is cleaned of control
/// characters like every provider text the command prints.
pub fn render_text(response: &Response, summary: &str) -> String {
    // A result the core put together without an answer of its own (the states of IDs it
    // described after a lost answer) has no RequestId to show.
    let request_id = match response.request_id() {
        "" => "none".to_owned(),
        id => clean(id),
    };
    format!(
        "ok: {} {} ({}), RequestId {request_id}",
        response.provider(),
        response.action(),
        clean(summary),
    )
}

/// Prints the report of an operation command's result and returns the exit code.
pub fn finish(
    global: &Global,
    call: (&str, &str),
    result: Result<(Result<Finished, Error>, String), String>,
    progress: Option<Arc<ProgressLine>>,
    waited: bool,
) -> ExitCode {
    if let Some(line) = &progress {
        line.finish();
    }
    match result {
        Err(usage) => exit::usage(&usage, call, global.output),
        Ok((Ok(Finished::Planned(plan)), _)) => print_dry_run(global, call, &plan),
        Ok((Ok(Finished::Sent(response)), summary)) => {
            report_result(global, call, summary, Ok(&response), waited)
        }
        Ok((Err(err), summary)) => report_result(global, call, summary, Err(&err), waited),
    }
}

/// Prints the result of a sent call (every ID's outcome, or an error before anything was sent);
/// `waited` when the client waited after the write (the lines then carry each ID's state).
pub fn report_result(
    global: &Global,
    call: (&str, &str),
    summary: String,
    result: Result<&Response, &Error>,
    waited: bool,
) -> ExitCode {
    let (outcomes, request_ids, attempts) = match result {
        Ok(r) => (r.outcomes(), r.request_ids(), r.attempts()),
        Err(e) => (e.outcomes(), e.request_ids(), e.attempts()),
    };
    if let Err(err) = result
        && outcomes.is_empty()
    {
        // Nothing was sent (bad input, credentials, an audit log that cannot be opened): the
        // error alone, as always.
        return exit::report(err, call, global.output);
    }
    Report {
        call,
        summary,
        lines: lines_of(outcomes),
        request_ids: request_ids.to_vec(),
        attempts,
        extra: Map::new(),
        notes: Vec::new(),
        states: wait::report_states(waited, result),
        waited,
    }
    .print(global.output, result)
}

// ---------------------------------------------------------------- dry run

/// The pacing the global flags ask for.
fn pacing(global: &Global) -> Pacing {
    if global.no_rate_limit {
        Pacing::Off
    } else {
        Pacing::Documented
    }
}

fn provider_named(name: &str) -> Option<Provider> {
    match name {
        "tencent" => Some(Provider::Tencent),
        "alibaba" => Some(Provider::Alibaba),
        _ => None,
    }
}

/// Prints what a call would send, sends nothing, exit 0.
fn print_dry_run(global: &Global, call: (&str, &str), plan: &DryRun) -> ExitCode {
    let rate = provider_named(call.0)
        .and_then(|p| cloudhalt::operation(p, plan.action))
        .and_then(|op| pacing(global).rate(op));
    let mut out = std::io::stdout().lock();
    match global.output {
        Output::Json => {
            let requests: Vec<Value> = plan
                .requests
                .iter()
                .map(|r| {
                    let headers: Map<String, Value> = r
                        .headers
                        .iter()
                        .map(|(n, v)| (n.clone(), v.clone().into()))
                        .collect();
                    json!({"ids": r.ids, "url": r.url, "headers": headers, "body": r.body})
                })
                .collect();
            let _ = writeln!(
                out,
                "{}",
                json!({
                    "dry_run": true,
                    "provider": call.0,
                    "action": plan.action,
                    "region": plan.region,
                    "id_count": plan.ids,
                    "requests": requests,
                    "rate_limit": rate,
                    "expected_secs": plan.expected.as_secs_f64(),
                })
            );
        }
        Output::Text => {
            let region = plan
                .region
                .as_deref()
                .map_or(String::new(), |r| format!(" in {}", clean(r)));
            let paced = match rate {
                Some(rate) => format!("paced at {rate} requests/s"),
                None => "not paced (--no-rate-limit)".to_owned(),
            };
            let _ = writeln!(
                out,
                "dry run, nothing was sent: {} {}{region}: {} ID(s) in {} request(s); expected \
                 duration {:.1} s ({paced})",
                call.0,
                plan.action,
                plan.ids,
                plan.requests.len(),
                plan.expected.as_secs_f64(),
            );
            let total = plan.requests.len();
            for (i, r) in plan.requests.iter().enumerate() {
                let span = match (r.ids.first(), r.ids.last()) {
                    (Some(first), Some(last)) if r.ids.len() > 1 => {
                        format!(": {} ... {}", clean(first), clean(last))
                    }
                    (Some(only), _) => format!(": {}", clean(only)),
                    _ => String::new(),
                };
                let _ = writeln!(
                    out,
                    "request {} of {total}, {} ID(s){span}",
                    i + 1,
                    r.ids.len()
                );
                let _ = writeln!(out, "  URL: {}", clean(&r.url));
                for (name, value) in &r.headers {
                    let _ = writeln!(out, "  {name}: {}", clean(value));
                }
                if !r.body.is_empty() {
                    let _ = writeln!(out, "  body: {}", clean(&r.body));
                }
            }
        }
    }
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudhalt::ErrorKind;

    fn line(outcome: Outcome) -> IdLine {
        IdLine {
            id: "ins-a".into(),
            outcome,
            code: None,
            request_id: None,
            note: None,
        }
    }

    #[test]
    fn the_exit_code_is_the_worst_outcome_s() {
        let throttled = Error::new(
            ErrorKind::Throttled,
            "slow down",
            cloudhalt::SendState::Answered,
        );
        let done = [line(Outcome::Done), line(Outcome::Already)];
        assert_eq!(exit_code(&done, None), 0);
        let failed = [line(Outcome::Done), line(Outcome::Failed)];
        assert_eq!(exit_code(&failed, Some(&throttled)), 4);
        let unknown = [
            line(Outcome::Unknown),
            line(Outcome::Failed),
            line(Outcome::Done),
        ];
        assert_eq!(exit_code(&unknown, Some(&throttled)), 8);
        // Nothing sent: the error's own code.
        assert_eq!(exit_code(&[], Some(&throttled)), 4);
        assert_eq!(exit_code(&[], None), 0);
    }

    #[test]
    fn a_wait_that_did_not_succeed_decides_the_code_only_when_every_id_was_sent() {
        let timeout = Error::new(
            ErrorKind::WaitTimeout,
            "late",
            cloudhalt::SendState::Answered,
        );
        let failed = Error::new(
            ErrorKind::WaitFailed,
            "failed",
            cloudhalt::SendState::Answered,
        );
        let done = [line(Outcome::Done), line(Outcome::Already)];
        assert_eq!(exit_code(&done, Some(&timeout)), 10);
        assert_eq!(exit_code(&done, Some(&failed)), 11);
        // A request that may have been sent outranks the wait.
        let unknown = [line(Outcome::Done), line(Outcome::Unknown)];
        assert_eq!(exit_code(&unknown, Some(&timeout)), 8);
        // Any other error with every ID done keeps the old rule (exit 0).
        let api = Error::new(ErrorKind::Api, "odd", cloudhalt::SendState::Answered);
        assert_eq!(exit_code(&done, Some(&api)), 0);
    }

    #[test]
    fn the_progress_line_counts_what_is_left() {
        // Progress is non-exhaustive: built field by field.
        let mut p = Progress::default();
        p.total = 400;
        p.done = 150;
        p.already = 50;
        p.attempts = 2;
        p.elapsed = std::time::Duration::from_secs(4);
        let text = progress_text("StopInstances", &p);
        assert_eq!(
            text,
            "cloudhalt: StopInstances: 150 done, 50 already, 0 failed, 0 unknown, 200 left of \
             400; 50.0 IDs/s; 4.0 s"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn the_wait_line_shows_the_time_waited_of_the_deadline() {
        let text = wait_text(
            "StopInstances",
            Some(250),
            Duration::from_millis(3500),
            Duration::from_secs(300),
        );
        assert_eq!(
            text,
            "cloudhalt: StopInstances: 250 sent; waiting for their end state: 3.5 s of 300 s"
        );
        let text = wait_text(
            "TerminateInstances",
            None,
            Duration::ZERO,
            Duration::from_secs(60),
        );
        assert!(
            text.ends_with("waiting for the end state: 0.0 s of 60 s"),
            "{text}"
        );
    }
}
