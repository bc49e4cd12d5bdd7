//! Waiting until a write shows in the provider's state: the polling loop of every waiter
//! ([`crate::ops::waiters`]), its backoff, its deadline, and the per-ID states it reports.
//!
//! A wait only sends the waiter's Describe call, through the client's retries and rate limits;
//! it never re-sends the write it confirms.

use std::time::{Duration, Instant};

use crate::engine::{Client, Cloud};
use crate::error::{Error, ErrorKind, SendState};
use crate::ops::waiters::{Target, Then, Waiter};

/// How long to wait and how often to look.
///
/// Polls are spaced like Smithy's waiters: a random delay between `min_delay` and
/// `min_delay * 2^(poll - 1)`, capped at `max_delay`; the last sleep is trimmed to the deadline,
/// and one last look is taken at the deadline itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wait {
    /// The deadline, from the start of the wait (0: look once).
    pub timeout: Duration,
    /// The shortest delay between two looks.
    pub min_delay: Duration,
    /// The longest delay between two looks.
    pub max_delay: Duration,
}

impl Default for Wait {
    fn default() -> Wait {
        Wait {
            timeout: Wait::DEFAULT_TIMEOUT,
            min_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        }
    }
}

impl Wait {
    /// The default deadline: 300 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);
    /// The longest deadline accepted: one day.
    pub const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);
    /// The longest delay between looks accepted: one hour.
    pub const MAX_DELAY: Duration = Duration::from_secs(3600);

    /// A wait of `timeout` with the default delays (1 s to 10 s).
    pub fn new(timeout: Duration) -> Wait {
        Wait {
            timeout,
            ..Wait::default()
        }
    }

    /// The same wait looking every `min_delay` to `max_delay`.
    pub fn with_delays(self, min_delay: Duration, max_delay: Duration) -> Wait {
        Wait {
            min_delay,
            max_delay,
            ..self
        }
    }

    /// A wait from seconds as the bindings take them (`None`: the default delay), checked.
    pub fn from_secs_f64(
        timeout: f64,
        min_delay: Option<f64>,
        max_delay: Option<f64>,
    ) -> Result<Wait, Error> {
        let secs = |field: &str, value: f64, max: Duration| {
            if value.is_finite() && value >= 0.0 && value <= max.as_secs_f64() {
                Ok(Duration::from_secs_f64(value))
            } else {
                Err(Error::invalid_input(
                    field,
                    format!(
                        "{field} {value} is out of range: give 0 to {} seconds",
                        max.as_secs()
                    ),
                ))
            }
        };
        let default = Wait::default();
        let timeout = secs("wait_timeout", timeout, Wait::MAX_TIMEOUT)?;
        let min_delay = match min_delay {
            Some(v) => secs("wait_min_delay", v, Wait::MAX_DELAY)?,
            None => default.min_delay,
        };
        let max_delay = match max_delay {
            Some(v) => secs("wait_max_delay", v, Wait::MAX_DELAY)?,
            // Only a minimum was given: the maximum is at least that.
            None => default.max_delay.max(min_delay),
        };
        Wait {
            timeout,
            min_delay,
            max_delay,
        }
        .check()
    }

    /// Checks the wait: a deadline of at most a day, `0 < min_delay <= max_delay <= 1 h`.
    pub fn check(self) -> Result<Wait, Error> {
        if self.timeout > Wait::MAX_TIMEOUT {
            return Err(Error::invalid_input(
                "wait_timeout",
                format!(
                    "wait_timeout {:?} is longer than one day: give at most 86400 seconds",
                    self.timeout
                ),
            ));
        }
        if self.min_delay.is_zero() || self.min_delay > self.max_delay {
            return Err(Error::invalid_input(
                "wait_min_delay",
                format!(
                    "wait_min_delay {:?} must be above zero and at most wait_max_delay {:?}",
                    self.min_delay, self.max_delay
                ),
            ));
        }
        if self.max_delay > Wait::MAX_DELAY {
            return Err(Error::invalid_input(
                "wait_max_delay",
                format!(
                    "wait_max_delay {:?} is longer than one hour: give at most 3600 seconds",
                    self.max_delay
                ),
            ));
        }
        Ok(self)
    }

    /// The delay before look number `poll + 1` (`poll` from 1).
    pub(crate) fn delay(&self, poll: u32) -> Duration {
        let min = self.min_delay.as_secs_f64();
        let ceiling = (min * 2f64.powi(poll.saturating_sub(1).min(30) as i32))
            .min(self.max_delay.as_secs_f64());
        Duration::from_secs_f64(min + (ceiling - min).max(0.0) * crate::clock::unit_random())
    }
}

/// The state one ID reached in a wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdState {
    pub(crate) id: String,
    pub(crate) state: String,
    pub(crate) result: String,
    pub(crate) then: Then,
}

impl IdState {
    /// The ID (an instance ID; the RefreshActivityId of a refresh).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The provider's state (`STOPPED`, `SHUTDOWN`, `TERMINATED`, `Stopped`, ...), or `"gone"`
    /// when the Describe answer no longer lists it.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// What the state means for the write (`"stopped"`, `"recycle bin"`, `"gone"`,
    /// `"finished before the cancel landed"`, `"failed"`, ...; `"waiting"` when the deadline came
    /// first).
    pub fn result(&self) -> &str {
        &self.result
    }

    /// Whether it reached success, failure, or was still waiting.
    pub fn then(&self) -> Then {
        self.then
    }
}

/// What a wait found: every ID's state, and the Describe calls' record.
pub(crate) struct Report {
    pub states: Vec<IdState>,
    pub request_ids: Vec<String>,
    pub attempts: u32,
    /// `wait_timeout`, `wait_failed`, or the Describe call's own error when it could not go on.
    pub error: Option<Error>,
}

/// True for the Describe errors a wait survives (it looks again at the next poll): throttling,
/// the provider's own trouble and the network's.
fn passing(error: &Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::Throttled
            | ErrorKind::Server
            | ErrorKind::Transport
            | ErrorKind::Timeout
            | ErrorKind::UnexpectedResponse
    )
}

/// Polls `waiter`'s Describe call until every ID of `target` is settled or the deadline passes.
pub(crate) fn run<C: Cloud>(
    client: &Client<C>,
    waiter: &Waiter,
    target: Target,
    wait: &Wait,
) -> Report {
    let started = Instant::now();
    let deadline = started + wait.timeout;
    // The Describe calls are not part of the batch: no audit lines, no progress callbacks.
    let reader = client.reader();
    // The look taken at the deadline gets no retries: their backoff would carry the wait past
    // its deadline, and a throttled last look changes nothing (the wait has timed out).
    let last_reader = reader
        .with_retry(crate::retry::Retry::never())
        .unwrap_or_else(|_| reader.clone());
    let mut last_look = false;
    let mut report = Report {
        states: Vec::new(),
        request_ids: Vec::new(),
        attempts: 0,
        error: None,
    };
    let mut pending: Option<Vec<String>> = target.keys.clone();
    // The last state seen of each pending ID, for the timeout report.
    let mut last_seen: Vec<(String, String)> = Vec::new();
    let mut last_error: Option<Error>;
    let mut poll = 0;
    loop {
        if pending.as_ref().is_some_and(Vec::is_empty) {
            break;
        }
        poll += 1;
        let looker = if last_look { &last_reader } else { &reader };
        let looked = (waiter.poll)(&target, pending.as_deref().unwrap_or_default())
            .and_then(|plan| looker.run(plan));
        match looked {
            Ok(response) => {
                report
                    .request_ids
                    .extend(response.request_ids.iter().cloned());
                report.attempts += response.attempts;
                match waiter.items(&response.data) {
                    // Not the documented shape: nothing can be read from it; look again.
                    None => {
                        last_error = Some(Error::new(
                            ErrorKind::UnexpectedResponse,
                            format!(
                                "the {} answer has no {}",
                                waiter.describe.action,
                                waiter.items.join(".")
                            ),
                            SendState::Answered,
                        ));
                    }
                    Some(items) => {
                        last_error = None;
                        settle_seen(
                            waiter,
                            &items,
                            &target.request_ids,
                            pending.get_or_insert_with(|| unique_ids(&items)),
                            &mut report.states,
                            &mut last_seen,
                        );
                    }
                }
            }
            Err(e) if passing(&e) => {
                report.request_ids.extend(e.request_ids().iter().cloned());
                report.attempts += e.attempts();
                last_error = Some(e);
            }
            Err(e) => {
                report.request_ids.extend(e.request_ids().iter().cloned());
                report.attempts += e.attempts();
                report.error = Some(e);
                break;
            }
        }
        if pending.as_ref().is_some_and(Vec::is_empty) {
            break;
        }
        let now = Instant::now();
        if now >= deadline {
            let mut still: Vec<IdState> = match &pending {
                Some(keys) => keys
                    .iter()
                    .map(|id| IdState {
                        id: id.clone(),
                        state: last_seen
                            .iter()
                            .find(|(i, _)| i == id)
                            .map_or_else(String::new, |(_, s)| s.clone()),
                        result: "waiting".to_owned(),
                        then: Then::Wait,
                    })
                    .collect(),
                None => Vec::new(),
            };
            report.error = Some(timeout_error(waiter, wait, &still, last_error));
            report.states.append(&mut still);
            break;
        }
        let delay = wait.delay(poll);
        last_look = now + delay >= deadline;
        if pause(client, delay.min(deadline - now)) {
            let still = pending.as_ref().map_or(0, Vec::len);
            report.error = Some(
                Error::new(
                    ErrorKind::WaitTimeout,
                    format!(
                        "the wait for {} was interrupted with {still} ID(s) still waiting; \
                         nothing is re-sent",
                        waiter.action
                    ),
                    SendState::Answered,
                )
                .for_call(waiter.provider, waiter.action),
            );
            break;
        }
    }
    if report.error.is_none() {
        let failed: Vec<&IdState> = report
            .states
            .iter()
            .filter(|s| s.then == Then::Failure)
            .collect();
        if !failed.is_empty() {
            report.error = Some(failed_error(waiter, &failed));
        }
    }
    // The order of the IDs as given, where they were given.
    if let Some(keys) = &target.keys {
        report
            .states
            .sort_by_key(|s| keys.iter().position(|k| *k == s.id).unwrap_or(usize::MAX));
    }
    report
}

/// Sleeps `total`, in slices of at most 100 ms when the client has an interrupt check; true
/// when the check asked to stop.
fn pause<C: Cloud>(client: &Client<C>, total: Duration) -> bool {
    let Some(interrupt) = &client.fleet().interrupt else {
        std::thread::sleep(total);
        return false;
    };
    let end = Instant::now() + total;
    loop {
        if interrupt() {
            return true;
        }
        let now = Instant::now();
        if now >= end {
            return false;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(100)));
    }
}

/// Every ID of the answer's items, once each, in its order.
fn unique_ids(items: &[(&str, &serde_json::Value)]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .iter()
        .map(|(id, _)| (*id).to_owned())
        .filter(|id| seen.insert(id.clone()))
        .collect()
}

/// Reads one look: the IDs an acceptor settles leave `keys` for `states`; the others stay,
/// with their last state in `last_seen`.
fn settle_seen(
    waiter: &Waiter,
    items: &[(&str, &serde_json::Value)],
    request_ids: &[String],
    keys: &mut Vec<String>,
    states: &mut Vec<IdState>,
    last_seen: &mut Vec<(String, String)>,
) {
    last_seen.clear();
    keys.retain(|id| {
        let item = items.iter().find(|(i, _)| i == id).map(|(_, item)| *item);
        let state = waiter.state_of(item);
        match waiter.decide(waiter.acceptors, item, request_ids) {
            Some(a) if a.then != Then::Wait => {
                states.push(IdState {
                    id: id.clone(),
                    state,
                    result: a.result.to_owned(),
                    then: a.then,
                });
                false
            }
            _ => {
                last_seen.push((id.clone(), state));
                true
            }
        }
    });
}

/// At most this many IDs are named in a message; the rest are counted.
const NAMED: usize = 10;

fn name_ids(states: &[&IdState], with_state: bool) -> String {
    let mut text = states
        .iter()
        .take(NAMED)
        .map(|s| {
            if with_state && !s.state.is_empty() {
                format!("{} ({}: {})", s.id, s.state, s.result)
            } else if with_state {
                format!("{} (not seen)", s.id)
            } else {
                format!("{} ({})", s.id, s.result)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    if states.len() > NAMED {
        text.push_str(&format!(" and {} more", states.len() - NAMED));
    }
    text
}

fn timeout_error(
    waiter: &Waiter,
    wait: &Wait,
    still: &[IdState],
    last_error: Option<Error>,
) -> Error {
    let refs: Vec<&IdState> = still.iter().collect();
    let mut message = format!(
        "{} was sent, but {} ID(s) had not reached the end state after {:.1} s: {}",
        waiter.action,
        still.len(),
        wait.timeout.as_secs_f64(),
        name_ids(&refs, true)
    );
    if let Some(e) = last_error {
        message.push_str(&format!(
            "; the last {} failed: {}",
            waiter.describe.action,
            e.message()
        ));
    }
    message.push_str(&format!(
        ". Nothing is re-sent: wait longer (wait_timeout) or check them with {}",
        waiter.describe.action
    ));
    Error::new(ErrorKind::WaitTimeout, message, SendState::Answered)
        .for_call(waiter.provider, waiter.action)
}

fn failed_error(waiter: &Waiter, failed: &[&IdState]) -> Error {
    Error::new(
        ErrorKind::WaitFailed,
        format!(
            "{} did not take effect for {} ID(s): {}. See {} for why (LatestOperationErrorMsg, \
             the task's output)",
            waiter.action,
            failed.len(),
            name_ids(failed, false),
            waiter.describe.action
        ),
        SendState::Answered,
    )
    .for_call(waiter.provider, waiter.action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_from_the_minimum_and_stay_under_the_maximum() {
        let wait = Wait::new(Duration::from_secs(60))
            .with_delays(Duration::from_millis(100), Duration::from_secs(1));
        for poll in 1..40 {
            let d = wait.delay(poll);
            assert!(
                d >= Duration::from_millis(100) && d <= Duration::from_secs(1),
                "{d:?}"
            );
        }
        assert_eq!(wait.delay(1), Duration::from_millis(100));
    }

    #[test]
    fn bad_waits_are_refused_naming_the_setting() {
        let e = Wait::from_secs_f64(-1.0, None, None).unwrap_err();
        assert_eq!(e.field(), Some("wait_timeout"));
        let e = Wait::from_secs_f64(10.0, Some(5.0), Some(1.0)).unwrap_err();
        assert_eq!(e.field(), Some("wait_min_delay"));
        let e = Wait::from_secs_f64(10.0, Some(0.0), None).unwrap_err();
        assert_eq!(e.field(), Some("wait_min_delay"));
        let w = Wait::from_secs_f64(10.0, Some(20.0), None).unwrap();
        assert_eq!(w.max_delay, Duration::from_secs(20));
        assert!(Wait::from_secs_f64(f64::NAN, None, None).is_err());
    }
}
