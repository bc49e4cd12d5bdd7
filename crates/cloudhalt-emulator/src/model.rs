//! The emulator's mutable world: resources, settings, queued faults, used nonces, rate counters
//! and request counts, all behind one lock.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::state::Resources;

/// Settings that `POST /_emulator/config` may change at run time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Delay of every transition (STOPPING -> STOPPED, removing a TERMINATING instance, the
    /// move to the recycle bin, TAT CANCELLING -> TERMINATED, a paused activity's refreshing
    /// batch, Cloud Assistant Stopping -> Stopped), in milliseconds (0 = immediate); a
    /// resource's own `TransitionMs` wins.
    pub transition_ms: u64,
    /// Requests per second per action, enforced per action and region over a sliding
    /// one-second window; 0 (or a missing action) disables the limit.
    pub rate_limits: BTreeMap<String, u32>,
    /// Tencent's timestamp window (AuthFailure.SignatureExpire beyond it), seconds.
    pub timestamp_window_secs: i64,
    /// Alibaba's `x-acs-date` window (InvalidTimeStamp.Expired beyond it), seconds.
    pub alibaba_timestamp_window_secs: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            transition_ms: 1000,
            rate_limits: default_rate_limits(),
            timestamp_window_secs: 300,
            alibaba_timestamp_window_secs: 900,
        }
    }
}

/// What the emulator enforces where the provider publishes no number (Alibaba's thresholds are
/// per account, in its Quota Center).
const UNPUBLISHED_RATE_LIMIT: u32 = 20;

/// The documented per-action limits (requests per second), from the core's operation table.
pub fn default_rate_limits() -> BTreeMap<String, u32> {
    cloudhalt::OPERATIONS
        .iter()
        .map(|op| {
            let per_second = match op.rate_limit {
                cloudhalt::ops::RateLimit::PerSecond(n) => n,
                _ => UNPUBLISHED_RATE_LIMIT,
            };
            (op.action.to_owned(), per_second)
        })
        .collect()
}

/// The span over which a rate limit counts requests.
const RATE_WINDOW: Duration = Duration::from_secs(1);

/// A partial settings update, as `POST /_emulator/config` takes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsUpdate {
    /// New transition delay, milliseconds.
    pub transition_ms: Option<u64>,
    /// Per-action limits to set (merged into the current ones).
    pub rate_limits: Option<BTreeMap<String, u32>>,
    /// New Tencent timestamp window, seconds.
    pub timestamp_window_secs: Option<i64>,
    /// New Alibaba date window, seconds.
    pub alibaba_timestamp_window_secs: Option<i64>,
}

impl Settings {
    pub(crate) fn apply(&mut self, update: SettingsUpdate) {
        if let Some(ms) = update.transition_ms {
            self.transition_ms = ms;
        }
        if let Some(limits) = update.rate_limits {
            self.rate_limits.extend(limits);
        }
        if let Some(w) = update.timestamp_window_secs {
            self.timestamp_window_secs = w;
        }
        if let Some(w) = update.alibaba_timestamp_window_secs {
            self.alibaba_timestamp_window_secs = w;
        }
    }
}

/// What a fault does to the requests it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer the provider's throttling error.
    Throttle,
    /// Answer `code` (and `message`) in the provider's error shape.
    Error,
    /// Answer `httpStatus` with the raw, non-JSON `body`.
    HttpStatus,
    /// Wait `ms` before handling the request.
    Latency,
    /// Handle the request (apply it), then close the connection without an answer. Also
    /// spelled `apply_then_drop`.
    #[serde(alias = "apply_then_drop")]
    Close,
    /// Read the request and close the connection without an answer and WITHOUT applying it.
    DropBeforeApply,
    /// Handle the request, then send the headers and half the body of the answer and close.
    Truncate,
    /// Accept the write (`action` StopInstances or TerminateInstances) with a normal answer;
    /// every instance it names goes through its transitional state and then returns to where
    /// it was, with `LatestOperationState` `FAILED` and a `LatestOperationErrorMsg`. Also
    /// spelled `operationFails`.
    #[serde(alias = "operationFails")]
    OperationFails,
}

/// Which provider's requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultProvider {
    /// Tencent Cloud requests (`X-TC-Action`).
    Tencent,
    /// Alibaba Cloud requests (`x-acs-action`).
    Alibaba,
}

/// One fault spec, as `POST /_emulator/faults` takes it. Among the matching requests (counted
/// from 1 since it was queued) its turn comes on every one of them, or with `every` on 1 in
/// `every` (shifted by `offset`); it fires on its turns until it has fired `count` times, or
/// without end when `forever`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// What to do.
    pub kind: FaultKind,
    /// Only this provider's requests; `None` = both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<FaultProvider>,
    /// Only this action's requests (`StopInstances`, ...); `None` = any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// How many times it fires (at least 1); left to fire, in `GET /_emulator/faults`.
    #[serde(default = "one")]
    pub count: u32,
    /// Never used up: `count` is ignored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub forever: bool,
    /// Its turn comes on 1 matching request in `every`: the `offset + every`-th,
    /// `offset + 2 * every`-th, ... (at least 1; `None` = every matching request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<u32>,
    /// Shifts the turns: they are the matching requests numbered `offset + k * every` for
    /// k = 1, 2, ...; more than `-every` (e.g. -2 with every 3: the 1st, 4th, 7th, ...).
    /// Without `every`, the first `offset` matching requests pass untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// `error` (and optionally `throttle`): the provider error code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `error` and `throttle`: the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// `error` and `throttle` (optional) and `http_status` (required): the HTTP status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// `http_status`: the raw body (empty when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// `latency`: the delay in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// An Alibaba request's answer carries the header `x-acs-retry-after` with this value
    /// (milliseconds); ignored on Tencent requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_ms: Option<u64>,
}

fn one() -> u32 {
    1
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Fault {
    /// A fault of `kind` for the next request of either provider.
    pub fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            provider: None,
            action: None,
            count: 1,
            forever: false,
            every: None,
            offset: None,
            code: None,
            message: None,
            http_status: None,
            body: None,
            ms: None,
            retry_after_ms: None,
        }
    }

    /// Checks that the fields `kind` needs are there.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 && !self.forever {
            return Err("count must be at least 1 (or give \"forever\": true)".into());
        }
        if self.every == Some(0) {
            return Err("every must be at least 1, e.g. {\"every\": 3} for 1 request in 3".into());
        }
        let every = i64::from(self.every.unwrap_or(1));
        if self.offset.is_some_and(|o| o <= -every) {
            return Err(format!(
                "offset must be more than -{every} (minus every): the turns are the matching requests numbered offset + every, offset + 2 * every, ..."
            ));
        }
        match self.kind {
            FaultKind::Error if self.code.as_deref().is_none_or(str::is_empty) => {
                Err("an error fault needs a code, e.g. {\"kind\": \"error\", \"code\": \"InternalError\"}".into())
            }
            FaultKind::Throttle if self.code.as_deref().is_some_and(str::is_empty) => {
                Err("a throttle fault's code must not be empty: omit it for RequestLimitExceeded / Throttling.User".into())
            }
            FaultKind::HttpStatus if !self.http_status.is_some_and(|s| (100..600).contains(&s)) => {
                Err("an http_status fault needs httpStatus between 100 and 599, e.g. 502".into())
            }
            FaultKind::Error | FaultKind::Throttle
                if self.http_status.is_some_and(|s| !(100..600).contains(&s)) =>
            {
                Err("httpStatus must be between 100 and 599".into())
            }
            FaultKind::OperationFails
                if !self
                    .action
                    .as_deref()
                    .is_some_and(|a| crate::state::FAILABLE_OPERATIONS.contains(&a)) =>
            {
                Err(format!(
                    "an operation_fails fault needs an action, one of {}, e.g. {{\"kind\": \"operation_fails\", \"action\": \"StopInstances\"}}",
                    crate::state::FAILABLE_OPERATIONS.join(", ")
                ))
            }
            FaultKind::OperationFails if self.provider == Some(FaultProvider::Alibaba) => Err(
                "an operation_fails fault applies to Tencent's StopInstances and TerminateInstances: drop \"provider\": \"alibaba\"".into(),
            ),
            FaultKind::Latency if self.ms.is_none() => {
                Err("a latency fault needs ms, e.g. {\"kind\": \"latency\", \"ms\": 2000}".into())
            }
            _ => Ok(()),
        }
    }

    fn matches(&self, provider: FaultProvider, action: &str) -> bool {
        self.provider.is_none_or(|p| p == provider)
            && self.action.as_deref().is_none_or(|a| a == action)
    }

    /// Whether the `n`-th matching request (from 1) is one of its turns.
    fn turn(&self, n: u64) -> bool {
        let every = i64::from(self.every.unwrap_or(1));
        let k = i64::try_from(n).unwrap_or(i64::MAX) - self.offset.unwrap_or(0);
        k >= 1 && k % every == 0
    }
}

/// A queued fault and how far it has got, as `GET /_emulator/faults` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct QueuedFault {
    #[serde(flatten)]
    pub fault: Fault,
    /// Matching requests seen since it was queued.
    pub seen: u64,
    /// Times it fired.
    pub fired: u64,
}

impl QueuedFault {
    pub fn new(fault: Fault) -> QueuedFault {
        QueuedFault {
            fault,
            seen: 0,
            fired: 0,
        }
    }
}

/// Who sent the last accepted call of a provider, for `GET /_emulator/state`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LastCall {
    pub action: String,
    pub key_id: String,
    pub token_present: bool,
    pub signed_headers: String,
    pub request_id: String,
}

/// The call counters of one action, for `GET /_emulator/calls`.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct ActionCalls {
    /// Requests that reached dispatch (whatever their answer, faults and throttling included).
    pub received: u64,
    /// Requests applied (answered with success, or applied and then cut).
    pub applied: u64,
    /// Requests answered with a throttle, by the rate limiter or a `throttle` fault.
    pub throttled: u64,
    /// Per ID named in the requests.
    pub ids: BTreeMap<String, IdCalls>,
}

/// The call counters of one ID within an action.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct IdCalls {
    /// Received requests that named it.
    pub received: u64,
    /// Applied requests that named it.
    pub applied: u64,
}

/// When the next transition under way falls due, as last worked out (see [`Model::advance`]).
#[derive(Debug, Clone, Copy)]
struct NextDue {
    /// No transition falls due before this instant; `None`: none is under way.
    at: Option<Instant>,
    /// The `transitionMs` setting it was worked out for: a change makes it unknown again.
    transition_ms: u64,
}

/// Everything mutable.
pub(crate) struct Model {
    seed: Resources,
    startup_settings: Settings,
    startup_faults: Vec<Fault>,
    pub resources: Resources,
    pub settings: Settings,
    pub faults: VecDeque<QueuedFault>,
    /// Alibaba nonces seen, with the request date, kept for the timestamp window.
    nonces: HashMap<String, i64>,
    /// Per (action, region): the arrival times of the requests admitted in the last second,
    /// oldest first.
    rate: HashMap<(String, String), VecDeque<Instant>>,
    pub requests: BTreeMap<String, u64>,
    /// Per action: received, applied and throttled requests, also per ID.
    calls: BTreeMap<String, ActionCalls>,
    pub last_tencent: Option<LastCall>,
    pub last_alibaba: Option<LastCall>,
    /// When a transition next falls due; `None`: unknown, the next `advance` looks at every
    /// resource. Without it every request scanned the whole fleet twice (thousands of
    /// instances in a seeded one), which was most of the emulator's time per request.
    next_due: Option<NextDue>,
    /// Nonces by request date, oldest first, so that the expired ones are dropped from the
    /// front instead of by a pass over all of them on every request.
    nonces_by_date: BTreeMap<i64, Vec<String>>,
    /// A CVM instance's position in `resources.tencent.instances` by ID (its first one), for
    /// [`Model::cvm_position`]. A hint: checked on every use and rebuilt when wrong, so it need
    /// not be kept in step with every change of the list.
    cvm_index: HashMap<String, usize>,
    /// The length of the instance list when `cvm_index` was built: a removal shifts positions.
    cvm_index_len: usize,
    /// Per Alibaba invocation (by position), its instances' positions by ID, for
    /// [`Model::ecs_positions`]; a hint like `cvm_index`.
    ecs_index: HashMap<usize, EcsIndex>,
}

/// The positions of one Cloud Assistant invocation's instances, by ID.
struct EcsIndex {
    /// The invocation's number of instances when it was built.
    len: usize,
    /// Every position of each ID (an ID listed twice in a loaded state is two entries).
    positions: HashMap<String, Vec<usize>>,
}

impl Model {
    pub fn new(seed: Resources, settings: Settings, faults: Vec<Fault>) -> Model {
        let mut model = Model {
            seed,
            startup_settings: settings.clone(),
            startup_faults: faults,
            resources: Resources::default(),
            settings,
            faults: VecDeque::new(),
            nonces: HashMap::new(),
            rate: HashMap::new(),
            requests: BTreeMap::new(),
            calls: BTreeMap::new(),
            last_tencent: None,
            last_alibaba: None,
            next_due: None,
            nonces_by_date: BTreeMap::new(),
            cvm_index: HashMap::new(),
            cvm_index_len: 0,
            ecs_index: HashMap::new(),
        };
        model.reset();
        model
    }

    /// Back to the seed state and the start-up settings and faults.
    pub fn reset(&mut self) {
        self.set_resources(self.seed.clone());
        self.settings = self.startup_settings.clone();
        self.faults = self
            .startup_faults
            .iter()
            .cloned()
            .map(QueuedFault::new)
            .collect();
        self.nonces.clear();
        self.nonces_by_date.clear();
        self.rate.clear();
        self.requests.clear();
        self.calls.clear();
        self.last_tencent = None;
        self.last_alibaba = None;
    }

    /// Replaces every resource (the seed that a reset returns to stays); instances in a
    /// transitional state begin it now.
    pub fn set_resources(&mut self, resources: Resources) {
        self.resources = resources;
        self.resources.begin_transitions(Instant::now());
        self.next_due = None;
        self.cvm_index.clear();
        self.ecs_index.clear();
    }

    /// Adds the fleets of `seed`; what was created, or why the spec is wrong (nothing changed).
    pub fn seed(&mut self, seed: &crate::seed::Seed) -> Result<serde_json::Value, String> {
        self.advance();
        let created = seed.apply(&mut self.resources);
        self.next_due = None;
        self.cvm_index.clear();
        self.ecs_index.clear();
        created
    }

    /// Finishes due transitions; called under the lock before every read or change. Looks at
    /// the resources only when a transition may be due: every place that begins one tells
    /// [`Model::begun`] (or [`Model::rescan`]) when it falls due.
    pub fn advance(&mut self) {
        let now = Instant::now();
        let ms = self.settings.transition_ms;
        let delay = Duration::from_millis(ms);
        if let Some(next) = self.next_due
            && next.transition_ms == ms
            && next.at.is_none_or(|at| now < at)
        {
            // Tests run this: a place that began a transition without saying so shows here.
            debug_assert!(
                self.resources
                    .next_due(now, delay)
                    .is_none_or(|at| now < at),
                "a transition is due that Model::begun was not told of"
            );
            return;
        }
        self.resources.advance(now, delay);
        self.next_due = Some(NextDue {
            at: self.resources.next_due(now, delay),
            transition_ms: ms,
        });
    }

    /// A transition began at `since`, with the resource's own delay `own_ms` (else the
    /// setting's): the next `advance` finishes it once due.
    pub fn begun(&mut self, since: Instant, own_ms: Option<u64>) {
        let delay = Duration::from_millis(own_ms.unwrap_or(self.settings.transition_ms));
        // A delay too long to fall due changes nothing.
        if let Some(due) = since.checked_add(delay)
            && let Some(next) = &mut self.next_due
        {
            next.at = Some(next.at.map_or(due, |at| at.min(due)));
        }
    }

    /// Transitions began whose due time the caller does not work out: the next `advance`
    /// looks at every resource.
    pub fn rescan(&mut self) {
        self.next_due = None;
    }

    /// Every position of instance `id` in the Alibaba invocation at position `invocation` (of
    /// `resources.alibaba.invocations`), in order; `None` when it has none.
    pub fn ecs_positions(&mut self, invocation: usize, id: &str) -> Option<Vec<usize>> {
        let instances = &self
            .resources
            .alibaba
            .invocations
            .get(invocation)?
            .invoke_instances;
        if let Some(index) = self.ecs_index.get(&invocation)
            && index.len == instances.len()
            && let Some(found) = index.positions.get(id)
            && found.iter().all(|&p| instances[p].instance_id == id)
        {
            return Some(found.clone());
        }
        // Not indexed, out of date, or not there: a scan decides.
        let found: Vec<usize> = instances
            .iter()
            .enumerate()
            .filter(|(_, i)| i.instance_id == id)
            .map(|(p, _)| p)
            .collect();
        if found.is_empty() {
            return None;
        }
        let mut positions: HashMap<String, Vec<usize>> = HashMap::new();
        for (p, i) in instances.iter().enumerate() {
            positions.entry(i.instance_id.clone()).or_default().push(p);
        }
        let len = instances.len();
        self.ecs_index
            .insert(invocation, EcsIndex { len, positions });
        Some(found)
    }

    /// The position of CVM instance `id` of `region` in `resources.tencent.instances` (the
    /// first one, as a scan would find it).
    pub fn cvm_position(&mut self, id: &str, region: &str) -> Option<usize> {
        let instances = &self.resources.tencent.instances;
        let at = |p: usize| {
            instances
                .get(p)
                .is_some_and(|i| i.instance_id == id && i.region == region)
        };
        if self.cvm_index_len == instances.len()
            && let Some(&p) = self.cvm_index.get(id)
            && at(p)
        {
            return Some(p);
        }
        // Not indexed, out of date, or in another region than the first one with this ID.
        let found = instances
            .iter()
            .position(|i| i.instance_id == id && i.region == region);
        if found.is_some() {
            self.cvm_index.clear();
            for (p, i) in instances.iter().enumerate() {
                self.cvm_index.entry(i.instance_id.clone()).or_insert(p);
            }
            self.cvm_index_len = instances.len();
        }
        found
    }

    /// Takes one use of the first queued fault that matches and whose turn it is. Every
    /// matching fault counts the request, whichever fires, so that `every` counts all the
    /// matching requests since the fault was queued.
    pub fn take_fault(&mut self, provider: FaultProvider, action: &str) -> Option<Fault> {
        let mut chosen = None;
        for (index, queued) in self.faults.iter_mut().enumerate() {
            if !queued.fault.matches(provider, action) {
                continue;
            }
            queued.seen += 1;
            if chosen.is_none() && queued.fault.turn(queued.seen) {
                chosen = Some(index);
            }
        }
        let index = chosen?;
        let queued = &mut self.faults[index];
        queued.fired += 1;
        let taken = queued.fault.clone();
        if !queued.fault.forever {
            queued.fault.count = queued.fault.count.saturating_sub(1);
            if queued.fault.count == 0 {
                self.faults.remove(index);
            }
        }
        Some(taken)
    }

    /// Admits one request of `action` in `region` arriving `now`, or refuses it (false) when
    /// the one second before it already holds the limit of admitted requests. The window
    /// slides with every request, so no second-long stretch ever holds more than the limit
    /// (a per-second bucket would let a burst across a second boundary through twice).
    /// Refused requests are not recorded: they do not keep the window full.
    pub fn admit(&mut self, action: &str, region: &str, now: Instant) -> bool {
        let limit = self.settings.rate_limits.get(action).copied().unwrap_or(0);
        if limit == 0 {
            return true;
        }
        let admitted = self
            .rate
            .entry((action.to_owned(), region.to_owned()))
            .or_default();
        while admitted
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= RATE_WINDOW)
        {
            admitted.pop_front();
        }
        if admitted.len() >= limit as usize {
            return false;
        }
        admitted.push_back(now);
        true
    }

    /// Records an Alibaba nonce; false when it was already used within the window.
    pub fn use_nonce(&mut self, nonce: &str, timestamp: i64, now: i64) -> bool {
        let window = self.settings.alibaba_timestamp_window_secs.max(0);
        // Every nonce dated outside the window of `now` is forgotten: those from the oldest
        // date up, and those dated beyond `now + window` (a clock that went back).
        while let Some(entry) = self.nonces_by_date.first_entry() {
            if now - *entry.key() <= window {
                break;
            }
            for old in entry.remove() {
                self.nonces.remove(&old);
            }
        }
        while let Some(entry) = self.nonces_by_date.last_entry() {
            if *entry.key() - now <= window {
                break;
            }
            for old in entry.remove() {
                self.nonces.remove(&old);
            }
        }
        if self.nonces.contains_key(nonce) {
            return false;
        }
        self.nonces.insert(nonce.to_owned(), timestamp);
        self.nonces_by_date
            .entry(timestamp)
            .or_default()
            .push(nonce.to_owned());
        true
    }

    /// Counts one accepted call.
    pub fn count(&mut self, action: &str) {
        *self.requests.entry(action.to_owned()).or_insert(0) += 1;
    }

    /// Counts a request of `action` that reached dispatch, naming `ids`.
    pub fn received(&mut self, action: &str, ids: &[String]) {
        let calls = self.calls.entry(action.to_owned()).or_default();
        calls.received += 1;
        for id in ids {
            calls.ids.entry(id.clone()).or_default().received += 1;
        }
    }

    /// Counts a request of `action`, naming `ids`, that was applied.
    pub fn applied(&mut self, action: &str, ids: &[String]) {
        let calls = self.calls.entry(action.to_owned()).or_default();
        calls.applied += 1;
        for id in ids {
            calls.ids.entry(id.clone()).or_default().applied += 1;
        }
    }

    /// Counts a request of `action` answered with a throttle.
    pub fn throttled(&mut self, action: &str) {
        self.calls.entry(action.to_owned()).or_default().throttled += 1;
    }

    /// The JSON of `GET /_emulator/calls`: every action of the operation table, called or not.
    pub fn calls_json(&self) -> serde_json::Value {
        let mut calls: BTreeMap<String, ActionCalls> = default_rate_limits()
            .into_keys()
            .map(|a| (a, ActionCalls::default()))
            .collect();
        calls.extend(self.calls.iter().map(|(a, c)| (a.clone(), c.clone())));
        serde_json::to_value(calls).unwrap_or_default()
    }

    /// The state JSON of `GET /_emulator/state`.
    pub fn snapshot(&mut self) -> serde_json::Value {
        self.advance();
        let mut value = serde_json::to_value(&self.resources).unwrap_or_default();
        let mut requests: serde_json::Map<String, serde_json::Value> = default_rate_limits()
            .keys()
            .map(|a| (a.clone(), 0.into()))
            .collect();
        for (action, n) in &self.requests {
            requests.insert(action.clone(), (*n).into());
        }
        value["requests"] = requests.into();
        value["calls"] = self.calls_json();
        value["lastCall"] = serde_json::json!({
            "tencent": self.last_tencent,
            "alibaba": self.last_alibaba,
        });
        value["faults"] = serde_json::to_value(&self.faults).unwrap_or_default();
        value["config"] = serde_json::to_value(&self.settings).unwrap_or_default();
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model::new(Resources::builtin(), Settings::default(), Vec::new())
    }

    #[test]
    fn a_nonce_is_refused_within_the_window_and_forgotten_after_it() {
        let mut m = model();
        let window = m.settings.alibaba_timestamp_window_secs;
        assert!(m.use_nonce("n1", 1000, 1000));
        assert!(!m.use_nonce("n1", 1000, 1000 + window));
        assert!(m.use_nonce("n2", 1000 + window, 1000 + window));
        // n1's date is now outside the window: forgotten, and taken again.
        assert!(m.use_nonce("n1", 1001 + window, 1001 + window));
        assert!(!m.use_nonce("n2", 1001 + window, 1001 + window));
        // A clock that went back forgets the nonces dated beyond its window too.
        assert!(m.use_nonce("n2", 900, 900));
        assert_eq!(
            m.nonces.len(),
            m.nonces_by_date.values().map(Vec::len).sum::<usize>()
        );
    }

    #[test]
    fn a_begun_transition_is_finished_once_due_and_not_before() {
        let mut m = model();
        m.settings.transition_ms = 50;
        m.advance();
        let now = Instant::now();
        let index = m.cvm_position("ins-run00000", "ap-guangzhou").unwrap();
        m.resources.tencent.instances[index].begin("StopInstances", "r", "STOPPING", false, now);
        m.begun(now, None);
        m.advance();
        assert_eq!(
            m.resources.tencent.instances[index].instance_state,
            "STOPPING"
        );
        std::thread::sleep(Duration::from_millis(60));
        m.advance();
        assert_eq!(
            m.resources.tencent.instances[index].instance_state,
            "STOPPED"
        );
        // A shorter setting applies to a transition under way at once.
        let index = m.cvm_position("ins-run00001", "ap-guangzhou").unwrap();
        let now = Instant::now();
        m.resources.tencent.instances[index].begin("StopInstances", "r", "STOPPING", false, now);
        m.begun(now, None);
        m.settings.transition_ms = 0;
        m.advance();
        assert_eq!(
            m.resources.tencent.instances[index].instance_state,
            "STOPPED"
        );
    }

    #[test]
    fn an_invocation_instance_is_found_by_its_index_and_after_a_change() {
        let mut m = model();
        let invocations = &m.resources.alibaba.invocations;
        let at = invocations
            .iter()
            .position(|i| i.invoke_id == "t-hz0jdfwd9f0003")
            .unwrap();
        let id = invocations[at].invoke_instances[7].instance_id.clone();
        assert_eq!(m.ecs_positions(at, &id), Some(vec![7]));
        assert_eq!(m.ecs_positions(at, "i-notthere"), None);
        let instances = &mut m.resources.alibaba.invocations[at].invoke_instances;
        let moved = instances.remove(0);
        instances.push(moved.clone());
        let last = instances.len() - 1;
        assert_eq!(m.ecs_positions(at, &id), Some(vec![6]));
        assert_eq!(m.ecs_positions(at, &moved.instance_id), Some(vec![last]));
        m.resources.alibaba.invocations[at]
            .invoke_instances
            .push(moved.clone());
        assert_eq!(
            m.ecs_positions(at, &moved.instance_id),
            Some(vec![last, last + 1])
        );
    }

    #[test]
    fn an_instance_is_found_after_the_list_changed_under_its_index() {
        let mut m = model();
        let first = m.cvm_position("ins-run00005", "ap-guangzhou").unwrap();
        assert_eq!(m.cvm_position("ins-run00005", "ap-shanghai"), None);
        m.resources.tencent.instances.remove(0);
        assert_eq!(
            m.cvm_position("ins-run00005", "ap-guangzhou"),
            Some(first - 1)
        );
        assert_eq!(m.cvm_position("ins-run00000", "ap-guangzhou"), None);
        let moved = m.resources.tencent.instances.remove(3);
        m.resources.tencent.instances.push(moved);
        let last = m.resources.tencent.instances.len() - 1;
        assert_eq!(
            m.cvm_position(
                &m.resources.tencent.instances[last].instance_id.clone(),
                "ap-guangzhou"
            ),
            Some(last)
        );
    }
}
