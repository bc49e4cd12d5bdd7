//! Running a planned call: its requests at the rate limit, several at a time, each retried by the
//! policy, every attempt recorded in the audit log, and every input ID accounted for once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audit::AuditLog;
use crate::engine::{Client, Cloud};
use crate::error::Error;
use crate::ops::{Part, Plan, Response};
use crate::retry::{Verdict, may_retry, verdict};

/// What happened to one input ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Its request succeeded.
    Done,
    /// After a retry that followed an ambiguous failure, the provider answered that it was
    /// already done (StopInstances: already stopping or stopped): the first attempt took effect.
    Already,
    /// Its request failed: the provider's code and RequestId say why; nothing was done.
    Failed,
    /// Its request may have reached the provider, but no answer says what happened: check the
    /// resource's state before sending it again.
    Unknown,
}

impl Outcome {
    /// Every outcome, in the order of the C values (append-only).
    pub const ALL: [Outcome; 4] = [
        Outcome::Done,
        Outcome::Already,
        Outcome::Failed,
        Outcome::Unknown,
    ];

    /// `"done"`, `"already"`, `"failed"` or `"unknown"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Already => "already",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
        }
    }

    /// The outcome spelled `name`, if any.
    pub fn from_name(name: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == name)
    }

    /// True for `done` and `already`.
    pub fn is_success(self) -> bool {
        matches!(self, Outcome::Done | Outcome::Already)
    }

    /// How bad it is, for "the worst outcome": done < already < failed < unknown.
    pub fn severity(self) -> u8 {
        match self {
            Outcome::Done => 0,
            Outcome::Already => 1,
            Outcome::Failed => 2,
            Outcome::Unknown => 3,
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of one input ID, with the provider's code and the RequestId of its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdOutcome {
    pub(crate) id: String,
    pub(crate) outcome: Outcome,
    pub(crate) code: Option<String>,
    pub(crate) request_id: Option<String>,
}

impl IdOutcome {
    /// The ID (an instance ID, or the InvocationId / InvokeId / RefreshActivityId of a call
    /// without an instance list).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What happened.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The provider's error code of its request's last answer, if it answered one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The RequestId of its request's last answer, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    pub(crate) fn redact(&mut self, secrets: &[&str]) {
        for text in [&mut self.code, &mut self.request_id].into_iter().flatten() {
            crate::error::redact_in(text, secrets);
        }
    }
}

/// How far a batch has got, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// IDs in the batch.
    pub total: usize,
    /// IDs done.
    pub done: usize,
    /// IDs already done.
    pub already: usize,
    /// IDs failed.
    pub failed: usize,
    /// IDs whose outcome is unknown.
    pub unknown: usize,
    /// Attempts made so far.
    pub attempts: u32,
    /// Time since the batch started.
    pub elapsed: Duration,
}

impl Progress {
    /// IDs not yet finished.
    pub fn left(&self) -> usize {
        self.total - self.done - self.already - self.failed - self.unknown
    }
}

/// A progress callback: called after every request of a batch finishes.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// The most requests of one batch in flight at once.
pub const MAX_CONCURRENCY: usize = 64;

/// Checks a concurrency setting: 1 to [`MAX_CONCURRENCY`].
pub(crate) fn check_concurrency(n: usize) -> Result<usize, Error> {
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        Err(Error::invalid_input(
            "concurrency",
            format!(
                "concurrency {n} is out of range: give 1 to {MAX_CONCURRENCY} requests at once"
            ),
        ))
    }
}

/// The result of one request of a plan, after all its attempts.
struct PartResult {
    outcome: Outcome,
    code: Option<String>,
    request_id: Option<String>,
    result: Result<Response, Error>,
    request_ids: Vec<String>,
    attempts: u32,
}

/// One attempt, as the engine reports it to the runner.
pub(crate) struct AttemptResult {
    pub result: Result<Response, Error>,
    /// The answer's JSON, when an error answer was JSON (for an `already` outcome's data).
    pub answer_json: Option<serde_json::Value>,
    /// True when an answer came back with an empty body (a gateway's bare 503).
    pub empty_body: bool,
    /// The record of the headers sent, for a failed attempt (a response carries its own).
    pub sent_headers: crate::transport::HeaderList,
}

/// Runs `plan` on `client`.
pub(crate) fn run<C: Cloud>(client: &Client<C>, plan: &Plan) -> Result<Response, Error> {
    let fleet = client.fleet();
    // The batch ID only names lines of the audit log: no randomness is drawn without one.
    let batch = match (&fleet.audit, &plan.batch) {
        (Some(_), Some(chosen)) => chosen.clone(),
        (Some(_), None) => crate::clock::nonce()[..16].to_owned(),
        (None, _) => String::new(),
    };
    // For the progress display's elapsed time only.
    let started = fleet.progress.is_some().then(Instant::now);
    if let Some(audit) = &fleet.audit {
        audit.batch(&batch, plan)?;
    }
    let progress = Mutex::new(Progress {
        total: plan.ids.len(),
        ..Progress::default()
    });
    let report = |result: &PartResult, ids: usize| {
        // Only a progress callback reads the counts: without one, no lock and no clock.
        let Some(callback) = &fleet.progress else {
            return;
        };
        let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
        match result.outcome {
            Outcome::Done => p.done += ids,
            Outcome::Already => p.already += ids,
            Outcome::Failed => p.failed += ids,
            Outcome::Unknown => p.unknown += ids,
        }
        p.attempts += result.attempts;
        p.elapsed = started.map(|s| s.elapsed()).unwrap_or_default();
        callback(&p);
    };
    let runner = PartRunner {
        client,
        plan,
        batch: &batch,
        audit: fleet.audit.as_ref(),
    };
    let results: Vec<PartResult> = if plan.parts.len() == 1 {
        let result = runner.run(0, &plan.parts[0]);
        report(&result, plan.parts[0].ids.len());
        vec![result]
    } else {
        let slots: Vec<Mutex<Option<PartResult>>> =
            plan.parts.iter().map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let workers = fleet.concurrency.min(plan.parts.len());
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(part) = plan.parts.get(index) else {
                            break;
                        };
                        let result = runner.run(index, part);
                        report(&result, part.ids.len());
                        *slots[index].lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
                    }
                });
            }
        });
        slots
            .into_iter()
            .map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .expect("every part ran (the workers ran until none was left)")
            })
            .collect()
    };
    let mut outcomes = Vec::with_capacity(plan.ids.len());
    let mut request_ids = Vec::new();
    let mut attempts = 0;
    let mut first_error = None;
    let mut first_response: Option<Response> = None;
    for (part, result) in plan.parts.iter().zip(results) {
        outcomes.extend(part.ids.iter().map(|id| IdOutcome {
            id: id.clone(),
            outcome: result.outcome,
            code: result.code.clone(),
            request_id: result.request_id.clone(),
        }));
        request_ids.extend(result.request_ids);
        attempts += result.attempts;
        match result.result {
            Err(e) if first_error.is_none() => first_error = Some(e),
            Ok(r) => match &mut first_response {
                None => first_response = Some(r),
                // A paged (Describe) answer of several requests holds every request's items.
                Some(first) => crate::ops::pages::merge_request(plan.op, &mut first.data, r.data),
            },
            _ => {}
        }
    }
    if let Some(audit) = &fleet.audit {
        // The batch is over whether or not this line lands; resume reads the answer lines.
        let _ = audit.end(&batch, &outcomes);
    }
    match first_error {
        Some(e) => Err(e.with_record(outcomes, request_ids, attempts)),
        None => {
            let mut response = first_response.expect("a plan has at least one request");
            response.outcomes = outcomes;
            response.request_ids = request_ids;
            response.attempts = attempts;
            Ok(response)
        }
    }
}

struct PartRunner<'a, C: Cloud> {
    client: &'a Client<C>,
    plan: &'a Plan,
    batch: &'a str,
    audit: Option<&'a AuditLog>,
}

impl<C: Cloud> PartRunner<'_, C> {
    /// Sends one request of the plan, and then its further pages when the operation is paged,
    /// merging every page's items into the first answer.
    fn run(&self, index: usize, part: &Part) -> PartResult {
        let mut first = self.run_request(index, part, &part.call);
        if part.call.op.pagination == crate::ops::Pagination::None {
            return first;
        }
        let mut call = part.call.clone();
        // The next page is decided by the last page's answer, not by the merged one.
        let mut last = match &first.result {
            Ok(response) => response.data.clone(),
            Err(_) => return first,
        };
        let mut pages = 1;
        loop {
            let Some(next) = crate::ops::pages::next(&call, &last, pages) else {
                return first;
            };
            let page = self.run_request(index, part, &next);
            first.attempts += page.attempts;
            first.request_ids.extend(page.request_ids);
            match page.result {
                Ok(more) => {
                    last = more.data;
                    if let Ok(response) = &mut first.result {
                        crate::ops::pages::merge(call.op, &mut response.data, last.clone());
                    }
                }
                Err(e) => {
                    first.outcome = page.outcome;
                    first.code = page.code;
                    first.request_id = page.request_id;
                    first.result = Err(e);
                    return first;
                }
            }
            call = next;
            pages += 1;
        }
    }

    /// Sends one request until it succeeds or the policy says stop.
    fn run_request(&self, index: usize, part: &Part, call: &crate::ops::Call) -> PartResult {
        let fleet = self.client.fleet();
        let op = call.op;
        let region = call.region.as_deref();
        let mut request_ids = Vec::new();
        // True once an attempt may have taken effect: from then on "already done" is success,
        // and giving up leaves the IDs unknown, not failed.
        let mut maybe_applied = part.maybe_applied;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.client.limiter().acquire(fleet.pacing, op, region);
            if let Some(audit) = self.audit
                && let Err(e) = audit.send(self.batch, index, attempt, self.plan, part)
            {
                return PartResult {
                    outcome: if maybe_applied {
                        Outcome::Unknown
                    } else {
                        Outcome::Failed
                    },
                    code: None,
                    request_id: None,
                    result: Err(e),
                    request_ids,
                    attempts: attempt - 1,
                };
            }
            // Timed for the log line only (a failure is logged at warn, a success at info).
            let sent_at = log::log_enabled!(log::Level::Warn).then(Instant::now);
            let AttemptResult {
                result,
                answer_json,
                empty_body,
                sent_headers,
            } = self.client.attempt_once(call);
            let record = match &result {
                Ok(response) => &response.sent_headers,
                Err(_) => &sent_headers,
            };
            if let Some(sent_at) = sent_at {
                log_attempt(op, record, &result, attempt, sent_at.elapsed());
            }
            let error = match result {
                Ok(response) => {
                    request_ids.push(response.request_id.clone());
                    let request_id = Some(response.request_id.clone());
                    self.answer(index, attempt, part, Outcome::Done, None, &request_id, true);
                    return PartResult {
                        outcome: Outcome::Done,
                        code: None,
                        request_id,
                        result: Ok(response),
                        request_ids,
                        attempts: attempt,
                    };
                }
                Err(e) => e,
            };
            request_ids.extend(error.request_id().map(str::to_owned));
            let code = error.code().map(str::to_owned);
            let request_id = error.request_id().map(str::to_owned);
            if maybe_applied && code.as_deref().is_some_and(|c| op.already.contains(&c)) {
                self.answer(
                    index,
                    attempt,
                    part,
                    Outcome::Already,
                    code.as_deref(),
                    &request_id,
                    true,
                );
                let response = Response {
                    provider: op.provider,
                    action: op.action,
                    request_id: request_id.clone().unwrap_or_default(),
                    data: answer_json.unwrap_or(serde_json::Value::Null),
                    sent_headers,
                    headers: error.headers().to_vec().into(),
                    outcomes: Vec::new(),
                    request_ids: Vec::new(),
                    attempts: 0,
                    states: Vec::new(),
                };
                return PartResult {
                    outcome: Outcome::Already,
                    code,
                    request_id,
                    result: Ok(response),
                    request_ids,
                    attempts: attempt,
                };
            }
            let verdict = verdict(&error, empty_body);
            if verdict == Verdict::Ambiguous {
                maybe_applied = true;
            }
            let again = attempt < fleet.retry.max_attempts && may_retry(op, verdict);
            let outcome = if maybe_applied && verdict != Verdict::Final {
                Outcome::Unknown
            } else {
                Outcome::Failed
            };
            self.answer(
                index,
                attempt,
                part,
                outcome,
                code.as_deref(),
                &request_id,
                !again,
            );
            if !again {
                let error = explain(error, op, outcome, attempt);
                return PartResult {
                    outcome,
                    code,
                    request_id,
                    result: Err(error),
                    request_ids,
                    attempts: attempt,
                };
            }
            std::thread::sleep(fleet.retry.delay(attempt, &error));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn answer(
        &self,
        index: usize,
        attempt: u32,
        part: &Part,
        outcome: Outcome,
        code: Option<&str>,
        request_id: &Option<String>,
        last: bool,
    ) {
        if let Some(audit) = self.audit {
            // A lost answer line leaves the IDs "sent, no answer" in the log: resume then treats
            // them as unknown, which is safe. The next request's line will fail loudly.
            let _ = audit.answer(
                self.batch,
                index,
                attempt,
                part,
                outcome,
                code,
                request_id.as_deref(),
                last,
            );
        }
    }
}

/// One log line per attempt: operation, host, status, RequestId, attempt number, duration.
/// Built from the sent-headers record and the (already redacted) result, so it holds no secret,
/// token or whole signature.
fn log_attempt(
    op: &crate::ops::Operation,
    sent_headers: &crate::transport::HeaderList,
    result: &Result<Response, Error>,
    attempt: u32,
    took: Duration,
) {
    let host = sent_headers.get("host");
    let host = host.as_deref().unwrap_or("-");
    let ms = took.as_millis();
    match result {
        Ok(r) => log::info!(
            "{} {} host={host} status=ok request_id={} attempt={attempt} took={ms}ms",
            op.provider,
            op.action,
            r.request_id()
        ),
        Err(e) => log::warn!(
            "{} {} host={host} status={} code={} request_id={} attempt={attempt} took={ms}ms \
             sent={}",
            op.provider,
            op.action,
            e.http_status()
                .map_or_else(|| e.kind().as_str().to_owned(), |s| s.to_string()),
            e.code().unwrap_or("-"),
            e.request_id().unwrap_or("-"),
            e.send_state().as_str()
        ),
    }
}

/// Adds what to do next to the error that ended a request, in whole sentences after the
/// error's own (which may already say "check its state before sending it again": the note says
/// whether sending it again is safe for this operation).
fn explain(error: Error, op: &crate::ops::Operation, outcome: Outcome, attempts: u32) -> Error {
    let tried = if attempts > 1 {
        format!("Gave up after {attempts} attempts. ")
    } else {
        String::new()
    };
    match outcome {
        Outcome::Unknown if !op.idempotent => error.with_note(&format!(
            "{tried}{} is never repeated after a failure that may have taken effect (a second \
             call destroys a prepaid instance the first moved to the recycle bin): check the \
             instances' state (DescribeInstances: InstanceState, LatestOperationState) before \
             calling again",
            op.action
        )),
        Outcome::Unknown => error.with_note(&format!(
            "{tried}{} is harmless to repeat: sending it again is safe",
            op.action
        )),
        _ if attempts > 1 => error.with_note(&format!("Gave up after {attempts} attempts")),
        _ => error,
    }
}
