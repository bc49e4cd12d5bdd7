//! Stops that finish what they start: what runs around a write's batch.
//!
//! - A request refused as a whole because some of its instances are already in the end state
//!   (StopInstances on a stopped instance) is described: those IDs are `already`, and the write
//!   is sent again only for the ones that can still take it (the refused request did nothing).
//! - A CancelInstanceRefresh blocked by a refreshing batch is, on request (`pause_first`),
//!   paused first (StopInstanceRefresh), waited on until paused, then cancelled again.
//! - IDs left `unknown` (a lost answer) are described, never re-sent: the provider's state says
//!   whether the write took effect.
//! - With a wait setting, the IDs the write reached are then waited on ([`crate::wait`]).
//!
//! What decides each step is the operation's waiter ([`crate::ops::waiters`]): data, not code.

use crate::batch::{IdOutcome, Outcome};
use crate::engine::{Client, Cloud};
use crate::error::{Error, Provider, SendState};
use crate::ops::waiters::{self, Target, Then, Waiter};
use crate::ops::{Plan, Response};
use crate::wait::{IdState, Wait};

/// How many times a request refused because of some instances' states is narrowed and sent
/// again (each round can only shrink the list; a second refusal means the states are changing
/// under us).
const SETTLE_ROUNDS: usize = 3;

/// The error code of a CancelInstanceRefresh that a refreshing batch (or a finished activity)
/// blocks.
pub(crate) const REFRESH_CONFLICT: &str =
    "ResourceUnavailable.RefreshActivityStatusConflictWithOperation";

/// The record of a write being finished, merged over its rounds.
struct Record {
    outcomes: Vec<IdOutcome>,
    request_ids: Vec<String>,
    attempts: u32,
    response: Option<Response>,
    error: Option<Error>,
    states: Vec<IdState>,
}

impl Record {
    fn new(result: Result<Response, Error>) -> Record {
        let mut record = Record {
            outcomes: Vec::new(),
            request_ids: Vec::new(),
            attempts: 0,
            response: None,
            error: None,
            states: Vec::new(),
        };
        record.add(result);
        record
    }

    /// Merges a round: its IDs' outcomes replace theirs, its RequestIds and attempts add up.
    fn add(&mut self, result: Result<Response, Error>) {
        let (outcomes, request_ids, attempts) = match &result {
            Ok(r) => (r.outcomes.clone(), r.request_ids.clone(), r.attempts),
            Err(e) => (
                e.outcomes().to_vec(),
                e.request_ids().to_vec(),
                e.attempts(),
            ),
        };
        if self.outcomes.is_empty() {
            self.outcomes = outcomes;
        } else {
            for outcome in outcomes {
                match self.outcomes.iter_mut().find(|o| o.id == outcome.id) {
                    Some(old) => *old = outcome,
                    None => self.outcomes.push(outcome),
                }
            }
        }
        self.request_ids.extend(request_ids);
        self.attempts += attempts;
        match result {
            Ok(r) => {
                if self.response.is_none() {
                    self.response = Some(r);
                }
            }
            Err(e) => self.error = Some(e),
        }
    }

    fn ids_with(&self, wanted: impl Fn(&IdOutcome) -> bool) -> Vec<String> {
        self.outcomes
            .iter()
            .filter(|o| wanted(o))
            .map(|o| o.id.clone())
            .collect()
    }

    fn set(&mut self, id: &str, outcome: Outcome) {
        if let Some(o) = self.outcomes.iter_mut().find(|o| o.id == id) {
            o.outcome = outcome;
        }
    }

    fn put_state(&mut self, state: IdState) {
        self.states.retain(|s| s.id != state.id);
        self.states.push(state);
    }

    /// The answer: a success when every ID ended `done` or `already`, else the error that
    /// explains the first ID that did not, carrying the whole record.
    fn finish(
        self,
        op: &crate::ops::Operation,
        wait_error: Option<Error>,
    ) -> Result<Response, Error> {
        // No outcome at all means nothing was sent (the audit log could not be written).
        let all_ok =
            !self.outcomes.is_empty() && self.outcomes.iter().all(|o| o.outcome.is_success());
        if !all_ok || wait_error.is_some() {
            let error = match (all_ok, self.error, wait_error) {
                (false, Some(e), _) => e,
                (_, _, Some(w)) => w,
                (_, Some(e), None) => e,
                (_, None, None) => Error::new(
                    crate::ErrorKind::Api,
                    "the write did not take effect for every ID: see the outcomes",
                    SendState::Answered,
                )
                .for_call(op.provider, op.action),
            };
            return Err(error
                .with_record(self.outcomes, self.request_ids, self.attempts)
                .with_states(self.states));
        }
        let mut response = self.response.unwrap_or_else(|| {
            let request_id = self.request_ids.first().cloned().unwrap_or_default();
            synthetic(op.provider, op.action, request_id)
        });
        response.outcomes = self.outcomes;
        response.request_ids = self.request_ids;
        response.attempts = self.attempts;
        response.states = self.states;
        Ok(response)
    }
}

/// An answer for a call whose every request was refused but whose IDs all turned out done
/// (already stopped): the provider's shape, with the RequestId of the refusal.
pub(crate) fn synthetic(provider: Provider, action: &'static str, request_id: String) -> Response {
    let data = match provider {
        Provider::Alibaba => serde_json::json!({ "RequestId": request_id }),
        _ => serde_json::json!({ "Response": { "RequestId": request_id } }),
    };
    Response {
        provider,
        action,
        request_id,
        data,
        sent_headers: Default::default(),
        headers: Default::default(),
        outcomes: Vec::new(),
        request_ids: Vec::new(),
        attempts: 0,
        states: Vec::new(),
    }
}

/// Runs a planned call; for a write, finishes it as the module says.
pub(crate) fn run<C: Cloud>(client: &Client<C>, mut plan: Plan) -> Result<Response, Error> {
    let op = plan.op;
    let Some(waiter) = waiters::waiter(op).filter(|_| op.mutating) else {
        return crate::batch::run(client, &plan);
    };
    // Later rounds of this call continue its batch in the audit log (resume reads the chain).
    if client.fleet().audit.is_some() && plan.batch.is_none() {
        plan.batch = Some(crate::clock::nonce()[..16].to_owned());
    }
    let first = crate::batch::run(client, &plan);
    // Nothing to finish: every ID done and no wait asked for (the common case, kept cheap).
    let finished = first
        .as_ref()
        .is_ok_and(|r| r.outcomes.iter().all(|o| o.outcome.is_success()));
    if finished && client.fleet().wait.is_none() {
        return first;
    }
    let original = plan;
    let mut record = Record::new(first);
    if op.action == "CancelInstanceRefresh" {
        cancel_blocked_refresh(client, &original, &mut record);
    }
    settle(client, waiter, &original, &mut record);
    let unknown = record.ids_with(|o| o.outcome == Outcome::Unknown);
    resolve(client, waiter, &original, &unknown, &mut record);
    let wait_error = match client.fleet().wait {
        Some(wait) => wait_for(client, waiter, &original, &wait, &mut record),
        None => None,
    };
    record.finish(op, wait_error)
}

/// A plan of the same write for other IDs (of its instance list), continuing its batch.
fn narrowed(original: &Plan, ids: &[String]) -> Result<Plan, Error> {
    let op = original.op;
    let mut params = original.params();
    if let Some(field) = op.instance_list()
        && params.get(field.name).is_some()
    {
        params[field.name] = ids.to_vec().into();
    }
    let mut plan =
        crate::ops::call_from_json(op.provider, op.action, original.region.as_deref(), &params)?;
    plan.resume_of = original
        .resume_of
        .clone()
        .or_else(|| original.batch.clone());
    Ok(plan)
}

/// Describes `ids` once with the waiter's Describe call: the items found, by ID.
fn describe<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    original: &Plan,
    ids: &[String],
) -> Result<serde_json::Value, Error> {
    let target = target(original, Some(ids.to_vec()), Vec::new());
    let plan = (waiter.poll)(&target, ids)?;
    client.reader().run(plan).map(|r| r.data)
}

fn target(original: &Plan, keys: Option<Vec<String>>, request_ids: Vec<String>) -> Target {
    Target {
        region: original.region.clone(),
        params: original.params(),
        keys,
        request_ids,
    }
}

/// The state-conflict refusals: already-done IDs become `already`, the others are sent again.
fn settle<C: Cloud>(client: &Client<C>, waiter: &Waiter, original: &Plan, record: &mut Record) {
    if waiter.refusals.is_empty() {
        return;
    }
    for _ in 0..SETTLE_ROUNDS {
        let refused = record.ids_with(|o| {
            o.outcome == Outcome::Failed
                && o.code
                    .as_deref()
                    .is_some_and(|c| waiter.refusals.iter().any(|r| c.starts_with(r)))
        });
        if refused.is_empty() {
            return;
        }
        // When nothing more can be known, the refusals stand as they are.
        let Some(items) = describe(client, waiter, original, &refused)
            .ok()
            .and_then(|data| waiter.items(&data).map(owned))
        else {
            return;
        };
        let mut again = Vec::new();
        for id in &refused {
            let item = items.iter().find(|(i, _)| i == id).map(|(_, item)| item);
            let not_found = record
                .outcomes
                .iter()
                .any(|o| o.id == *id && o.code.as_deref() == Some(waiters::NOT_FOUND));
            if item.is_none() && not_found {
                // Unknown to the provider: it stays refused, whatever a missing ID means to
                // the settle list.
                continue;
            }
            match waiter.decide(waiter.settle, item, &[]) {
                Some(a) if a.then == Then::Success => {
                    record.set(id, Outcome::Already);
                    record.put_state(IdState {
                        id: id.clone(),
                        state: waiter.state_of(item),
                        result: a.result.to_owned(),
                        then: Then::Success,
                    });
                }
                Some(a) if a.then == Then::Wait => again.push(id.clone()),
                _ => {}
            }
        }
        if again.is_empty() {
            return;
        }
        log::info!(
            "{} {}: {} ID(s) of a refused request are sent again (the others were already done)",
            waiter.provider,
            waiter.action,
            again.len()
        );
        match narrowed(original, &again) {
            Ok(plan) => record.add(crate::batch::run(client, &plan)),
            Err(_) => return,
        }
    }
}

/// Unknown outcomes: described, and `done` where the provider shows the write took effect.
fn resolve<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    original: &Plan,
    unknown: &[String],
    record: &mut Record,
) {
    if unknown.is_empty() {
        return;
    }
    let target = target(original, None, record.request_ids.clone());
    for state in resolve_ids(client, waiter, &target, unknown) {
        if state.then == Then::Success {
            record.set(&state.id, Outcome::Done);
        }
        record.put_state(state);
    }
}

/// What the provider shows for IDs whose write may or may not have taken effect, read with
/// the waiter's `resolve` acceptors (nothing when the Describe call fails or there are none).
pub(crate) fn resolve_ids<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    target: &Target,
    ids: &[String],
) -> Vec<IdState> {
    if waiter.resolve.is_empty() || ids.is_empty() {
        return Vec::new();
    }
    let Some(items) = (waiter.poll)(target, ids)
        .and_then(|plan| client.reader().run(plan))
        .ok()
        .and_then(|r| waiter.items(&r.data).map(owned))
    else {
        return Vec::new();
    };
    ids.iter()
        .map(|id| {
            let item = items.iter().find(|(i, _)| i == id).map(|(_, item)| item);
            let accepted = waiter.decide(waiter.resolve, item, &target.request_ids);
            IdState {
                id: id.clone(),
                state: waiter.state_of(item),
                result: accepted.map_or("unknown", |a| a.result).to_owned(),
                then: accepted.map_or(Then::Wait, |a| a.then),
            }
        })
        .collect()
}

/// The IDs of a call that a wait follows: those its write reached. `None` inside: every item
/// of the Describe answer (a cancel of all of an invocation's instances).
fn wait_keys(original: &Plan, record: &Record) -> Option<Option<Vec<String>>> {
    let op = original.op;
    let reached = record.ids_with(|o| o.outcome.is_success());
    let listed = original.listed;
    if listed || op.instance_list().is_none() {
        return (!reached.is_empty()).then_some(Some(reached));
    }
    // No instance list: the one outcome is the invocation's; follow all its instances.
    (!reached.is_empty()).then_some(None)
}

/// Waits for the IDs the write reached; returns the wait's error, if any.
fn wait_for<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    original: &Plan,
    wait: &Wait,
    record: &mut Record,
) -> Option<Error> {
    let keys = wait_keys(original, record)?;
    let report = crate::wait::run(
        client,
        waiter,
        target(original, keys, record.request_ids.clone()),
        wait,
    );
    for state in report.states {
        record.put_state(state);
    }
    report.error
}

/// Waits on what `plan` names, sending nothing but its waiter's Describe call.
pub(crate) fn wait_only<C: Cloud>(
    client: &Client<C>,
    plan: &Plan,
    wait: &Wait,
) -> Result<Response, Error> {
    let op = plan.op;
    let Some(waiter) = waiters::waiter(op).filter(|_| op.mutating) else {
        return Err(Error::invalid_input(
            "action",
            format!(
                "{} changes nothing, so there is nothing to wait for: wait on one of the writes ({})",
                op.action,
                waiters::WAITERS
                    .iter()
                    .filter(|w| w.provider == op.provider)
                    .map(|w| w.action)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .for_call(op.provider, op.action));
    };
    let listed = plan.listed;
    let keys = (listed || op.instance_list().is_none()).then(|| plan.ids.clone());
    run_wait(client, waiter, target(plan, keys, Vec::new()), wait)
}

/// Runs a standalone wait and shapes its answer.
pub(crate) fn run_wait<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    target: Target,
    wait: &Wait,
) -> Result<Response, Error> {
    let report = crate::wait::run(client, waiter, target, wait);
    if let Some(error) = report.error {
        return Err(error
            .with_record(Vec::new(), report.request_ids, report.attempts)
            .with_states(report.states));
    }
    let request_id = report.request_ids.last().cloned().unwrap_or_default();
    let mut response = synthetic(waiter.provider, waiter.action, request_id);
    response.request_ids = report.request_ids;
    response.attempts = report.attempts;
    response.states = report.states;
    Ok(response)
}

/// CancelInstanceRefresh refused by a refreshing batch: with `pause_first`, pause, wait for
/// the pause, and cancel again; without it, say so in the error.
fn cancel_blocked_refresh<C: Cloud>(client: &Client<C>, original: &Plan, record: &mut Record) {
    let blocked = record
        .error
        .as_ref()
        .is_some_and(|e| e.code() == Some(REFRESH_CONFLICT));
    if !blocked {
        return;
    }
    let pause = &waiters::STOP_INSTANCE_REFRESH;
    // What the activity looks like decides what to say or do.
    let data = describe(client, pause, original, &original.ids).ok();
    let item = data.as_ref().and_then(|d| {
        pause
            .items(d)?
            .into_iter()
            .find(|(id, _)| original.ids.iter().any(|i| i == id))
            .map(|(_, item)| item.clone())
    });
    let status = item
        .as_ref()
        .and_then(|i| i.get("Status"))
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_owned();
    let refreshing = item.as_ref().is_some_and(|i| {
        i.get("RefreshBatchSet")
            .and_then(|l| l.as_array())
            .into_iter()
            .flatten()
            .any(|b| b.get("RefreshBatchStatus").and_then(|v| v.as_str()) == Some("RUNNING"))
    });
    let finished = matches!(status.as_str(), "SUCCESSFUL" | "FAILED" | "CANCELLED");
    if finished {
        note(
            record,
            &format!(
                "the refresh activity is {status}: it has ended, so there is nothing left to cancel"
            ),
        );
        return;
    }
    if !client.fleet().pause_first {
        let why = if refreshing {
            "a refresh batch is running now"
        } else {
            "a refresh batch may be running now"
        };
        note(
            record,
            &format!(
                "{why}, and Auto Scaling refuses a cancel until it ends. To cancel anyway, ask cloudhalt \
             to pause it first (Python pause_first=True, CLI --pause-first, C \
             cloudhalt_tencent_set_pause_first, Rust with_pause_first(true)): it sends \
             StopInstanceRefresh, waits for MANUAL_PAUSE with no batch running, then cancels"
            ),
        );
        return;
    }
    let plan = match crate::ops::call_from_json(
        Provider::Tencent,
        "StopInstanceRefresh",
        original.region.as_deref(),
        &original.params(),
    ) {
        Ok(mut plan) => {
            plan.resume_of = original.batch.clone();
            plan
        }
        Err(e) => {
            record.error = Some(e);
            return;
        }
    };
    let op = plan.op;
    let paused = match crate::batch::run(client, &plan) {
        Ok(r) => r,
        Err(e) => {
            let e =
                e.with_note("(sent StopInstanceRefresh to pause the refresh before cancelling it)");
            record.request_ids.extend(e.request_ids().iter().cloned());
            record.attempts += e.attempts();
            record.error = Some(e);
            return;
        }
    };
    record
        .request_ids
        .extend(paused.request_ids.iter().cloned());
    record.attempts += paused.attempts;
    let wait = client.fleet().wait.unwrap_or_default();
    let report = crate::wait::run(
        client,
        pause,
        Target {
            region: original.region.clone(),
            params: original.params(),
            keys: Some(original.ids.clone()),
            request_ids: paused.request_ids.clone(),
        },
        &wait,
    );
    if let Some(e) = report.error {
        for state in report.states {
            record.put_state(state);
        }
        record.error = Some(e.for_call(op.provider, "CancelInstanceRefresh").with_note(
            "(the refresh was paused with StopInstanceRefresh; the cancel was not sent again)",
        ));
        return;
    }
    let mut again = match narrowed(original, &original.ids) {
        Ok(plan) => plan,
        Err(e) => {
            record.error = Some(e);
            return;
        }
    };
    again.resume_of = original.batch.clone();
    record.add(crate::batch::run(client, &again));
    if record.outcomes.iter().all(|o| o.outcome.is_success()) {
        record.error = None;
    }
}

/// The items of an answer, owned (the answer is dropped).
fn owned(items: Vec<(&str, &serde_json::Value)>) -> Vec<(String, serde_json::Value)> {
    items
        .into_iter()
        .map(|(id, item)| (id.to_owned(), item.clone()))
        .collect()
}

fn note(record: &mut Record, text: &str) {
    if let Some(e) = record.error.take() {
        record.error = Some(e.with_note(text));
    }
}
