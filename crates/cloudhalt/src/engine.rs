//! The one client engine under both clouds: configuration, the connection pool, building,
//! signing, sending and reading the answer. [`Tencent`](crate::Tencent) and
//! [`Alibaba`](crate::Alibaba) are this client with a different [`Cloud`]; the clouds differ only
//! in how a call is signed and where it goes, and in how an answer is read.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::audit::{AuditLog, Resume};
use crate::batch::{AttemptResult, ProgressFn};
use crate::credentials::ChainOptions;
use crate::credentials::cache::Provider as CredentialProvider;
use crate::endpoint::BaseUrl;
use crate::error::{Error, Provider};
use crate::limiter::{Limiter, Pacing};
use crate::ops::{Call, Plan, Request, Response};
use crate::retry::Retry;
use crate::transport::{HttpAnswer, Network, Prepared, Timeouts, Transport};
use crate::wait::Wait;

/// A cloud: Tencent ([`TencentCloud`](crate::TencentCloud)) or Alibaba
/// ([`AlibabaCloud`](crate::AlibabaCloud)). Sealed: its methods are the engine's internals.
pub trait Cloud: private::Wire {}

pub(crate) mod private {
    use super::*;

    /// What differs between the clouds. `pub` only so that it can seal [`Cloud`]: its module is
    /// private, so no user can name it, and the crate-private types it uses stay private.
    #[allow(private_interfaces)]
    pub trait Wire: Sized + Send + Sync + 'static {
        /// The cloud's credentials.
        type Credentials: Clone + fmt::Debug + Send + Sync + 'static;
        /// Where the cloud's requests go.
        type Endpoint: Clone + fmt::Debug + Default + PartialEq + Send + Sync + 'static;

        /// Which cloud.
        const PROVIDER: Provider;

        /// Credentials from the cloud's default chain, run with `options`.
        fn chain(options: &ChainOptions) -> Result<CredentialProvider<Self::Credentials>, Error>;

        /// The endpoint that sends everything to `url`.
        fn url_endpoint(url: BaseUrl) -> Self::Endpoint;

        /// The public key ID, for Debug output.
        fn key_id(credentials: &Self::Credentials) -> &str;

        /// The secret values, to be redacted from anything a peer sends back.
        fn secrets(credentials: &Self::Credentials) -> Vec<&str>;

        /// Signs `call` with `credentials` for sending at `timestamp` (and, where the cloud signs
        /// one, a fresh nonce).
        fn prepare(
            config: &Config<Self>,
            credentials: &Self::Credentials,
            call: &Call,
            timestamp: i64,
        ) -> Prepared;

        /// Judges an answer whose body the engine parsed once (`None`: not JSON): the
        /// RequestId of a success, or the error.
        fn read_answer(
            answer: &HttpAnswer,
            data: Option<&serde_json::Value>,
        ) -> Result<String, Error>;
    }
}

use private::Wire;

impl<C: Wire> Clone for Config<C> {
    fn clone(&self) -> Self {
        Config {
            credentials: self.credentials.clone(),
            endpoint: self.endpoint.clone(),
            timeouts: self.timeouts,
            network: self.network.clone(),
            language: self.language,
            fleet: self.fleet.clone(),
        }
    }
}

/// How a client runs a call of many requests: retries, pacing, concurrency, audit, progress.
#[derive(Clone, Default)]
pub(crate) struct Fleet {
    pub retry: Retry,
    pub pacing: Pacing,
    pub concurrency: usize,
    pub audit: Option<AuditLog>,
    pub progress: Option<ProgressFn>,
    /// Wait after each write until its IDs reach their end state.
    pub wait: Option<crate::wait::Wait>,
    /// A CancelInstanceRefresh blocked by a refreshing batch pauses the refresh first.
    pub pause_first: bool,
    /// Asked between the slices of a wait's sleeps: true ends the wait (Python's Ctrl-C).
    pub interrupt: Option<InterruptFn>,
}

/// A check a long wait makes every 100 ms or so while it sleeps: `true` ends the wait at once
/// (with a `wait_timeout` error saying it was interrupted). The Python binding uses it so that
/// Ctrl-C stops a wait, as it would a `time.sleep`.
pub type InterruptFn = Arc<dyn Fn() -> bool + Send + Sync>;

/// The default number of requests of one batch in flight at once.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// A client's settings, fixed at construction; the `with_*` methods make a new client.
pub(crate) struct Config<C: Wire> {
    /// Fixed, or temporary and refreshed: shared by every clone and derived client.
    pub credentials: CredentialProvider<C::Credentials>,
    pub endpoint: C::Endpoint,
    pub timeouts: Timeouts,
    /// Proxy and CA roots.
    pub network: Network,
    /// Tencent's `X-TC-Language`; unused by Alibaba.
    pub language: Option<crate::Language>,
    pub fleet: Fleet,
}

/// A client of one cloud. Cheap to clone and safe to share between threads: clones share one
/// connection pool. Configuration is fixed at construction; the `with_*` methods return a new
/// client sharing the credentials (and the pool, unless the timeouts change).
pub struct Client<C: Cloud> {
    inner: Arc<Inner<C>>,
}

struct Inner<C: Wire> {
    config: Config<C>,
    transport: Transport,
    /// Shared by every clone and every client derived from this one.
    limiter: Arc<Limiter>,
}

impl<C: Cloud> Clone for Client<C> {
    fn clone(&self) -> Self {
        Client {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<C: Cloud> fmt::Debug for Client<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let config = &self.inner.config;
        f.debug_struct(C::PROVIDER.display_name())
            .field("key_id", &config.credentials.first_key_id())
            .field("credential_source", &config.credentials.source())
            .field("endpoint", &config.endpoint)
            .field("timeouts", &config.timeouts)
            .field("language", &config.language)
            .field("retry", &config.fleet.retry)
            .field("pacing", &config.fleet.pacing)
            .field("concurrency", &config.fleet.concurrency)
            .field("audit", &config.fleet.audit)
            .field("wait", &config.fleet.wait)
            .field("pause_first", &config.fleet.pause_first)
            .finish_non_exhaustive()
    }
}

impl<C: Cloud> Client<C> {
    /// A client with these explicit credentials (the first link of every chain), the default
    /// endpoint and timeouts.
    pub fn new(credentials: C::Credentials) -> Client<C> {
        let key_id = C::key_id(&credentials).to_owned();
        Client::with_provider(CredentialProvider::fixed(
            credentials,
            "explicit values",
            key_id,
        ))
    }

    fn with_provider(credentials: CredentialProvider<C::Credentials>) -> Client<C> {
        let config = Client::default_config(credentials, Network::default());
        // The environment's settings: a broken `SSL_CERT_FILE` fails each request (unsent), not
        // the making of the client.
        let transport = Transport::with_network(config.timeouts, &config.network)
            .unwrap_or_else(|(transport, _)| transport);
        Client::from_parts(config, transport)
    }

    fn default_config(
        credentials: CredentialProvider<C::Credentials>,
        network: Network,
    ) -> Config<C> {
        Config {
            credentials,
            endpoint: C::Endpoint::default(),
            timeouts: Timeouts::default(),
            network,
            language: None,
            fleet: Fleet {
                concurrency: DEFAULT_CONCURRENCY,
                ..Fleet::default()
            },
        }
    }

    /// A client with credentials from the cloud's default chain: the first source that yields
    /// wins, in the order of the README's "Credentials" table (Tencent: the
    /// `TENCENTCLOUD_SECRET_ID` / `TENCENTCLOUD_SECRET_KEY` variables, the tccli profile, the
    /// SDK credentials file, TKE OIDC, the CVM role; Alibaba: the `ALIBABA_CLOUD_ACCESS_KEY_ID`
    /// variables, OIDC, aliyun-cli's config.json, the credentials file, the ECS RAM role,
    /// `ALIBABA_CLOUD_CREDENTIALS_URI`). When none yields, one `Credentials` error lists every
    /// source tried and why; [`credential_source`](Client::credential_source) tells which one
    /// was used. Temporary credentials are refreshed before they expire.
    pub fn from_env() -> Result<Client<C>, Error> {
        Client::from_chain(&ChainOptions::default())
    }

    /// The default chain using the profile `name` of the tools' files (tccli's
    /// `~/.tccli/<name>.credential` and the `[name]` section of the SDK file; aliyun-cli's
    /// profile `name` and the `[name]` INI section). The credential environment variables are
    /// skipped, as the CLIs skip them for `--profile`.
    pub fn from_profile(name: &str) -> Result<Client<C>, Error> {
        Client::from_chain(&ChainOptions::default().with_profile(name))
    }

    /// The default chain run with `options` (profile, environment, metadata and STS addresses,
    /// network settings for STS). The client gets the options' network settings.
    pub fn from_chain(options: &ChainOptions) -> Result<Client<C>, Error> {
        let provider = C::chain(options).map_err(|e| e.with_provider(C::PROVIDER))?;
        if options.network == Network::default() {
            return Ok(Client::with_provider(provider));
        }
        // Settings given explicitly must work: a bad proxy or CA bundle is refused here. The
        // transport is built once, with them (never first with the environment's CA roots).
        let config = Client::default_config(provider, options.network.clone());
        let transport =
            Transport::with_network(config.timeouts, &config.network).map_err(|(_, e)| e)?;
        Ok(Client::from_parts(config, transport))
    }

    /// Where the credentials came from, without any secret: `explicit values`,
    /// `env TENCENTCLOUD_SECRET_ID`, `tccli profile default (/home/me/.tccli/default.credential)`,
    /// `CVM role (http://metadata.tencentyun.com/)`, ...
    pub fn credential_source(&self) -> &str {
        self.inner.config.credentials.source()
    }

    /// The same client with other network settings (proxy, CA roots) and a new connection
    /// pool. Refused with `InvalidInput` when the proxy URL does not parse or the CA bundle
    /// cannot be read. The credential refreshes that call STS keep the settings the chain ran
    /// with: to send those through a proxy too, give it to the chain
    /// ([`ChainOptions::with_network`] and [`from_chain`](Client::from_chain)).
    pub fn with_network(&self, network: Network) -> Result<Client<C>, Error> {
        let transport =
            Transport::with_network(self.inner.config.timeouts, &network).map_err(|(_, e)| e)?;
        let mut config = self.inner.config.clone();
        config.network = network;
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                config,
                limiter: Arc::clone(&self.inner.limiter),
            }),
        })
    }

    /// The same client sending through the proxy `url` (`http://proxy.example:3128`), whatever
    /// `HTTPS_PROXY` says.
    pub fn with_proxy(&self, url: &str) -> Result<Client<C>, Error> {
        let network = self.inner.config.network.clone().with_proxy(url);
        self.with_network(network)
    }

    /// The same client trusting only the CA certificates of the PEM file `path` (it replaces
    /// the built-in roots: give a bundle that holds every root you need).
    pub fn with_ca_bundle(&self, path: impl Into<std::path::PathBuf>) -> Result<Client<C>, Error> {
        let network = self.inner.config.network.clone().with_ca_bundle(path);
        self.with_network(network)
    }

    /// The network settings.
    pub fn network(&self) -> &Network {
        &self.inner.config.network
    }

    fn from_parts(config: Config<C>, transport: Transport) -> Client<C> {
        Client {
            inner: Arc::new(Inner {
                config,
                transport,
                limiter: Arc::default(),
            }),
        }
    }

    /// The same settings with one changed, sharing the connection pool.
    pub(crate) fn derive(&self, change: impl FnOnce(&mut Config<C>)) -> Client<C> {
        let mut config = self.inner.config.clone();
        change(&mut config);
        Client {
            inner: Arc::new(Inner {
                config,
                transport: self.inner.transport.clone(),
                limiter: Arc::clone(&self.inner.limiter),
            }),
        }
    }

    /// The same client, sending to `endpoint`.
    pub fn with_endpoint(&self, endpoint: C::Endpoint) -> Client<C> {
        self.derive(|c| c.endpoint = endpoint)
    }

    /// The same client, sending every request to `url` (e.g. `http://127.0.0.1:8123`).
    pub fn with_endpoint_url(&self, url: &str) -> Result<Client<C>, Error> {
        Ok(self.with_endpoint(C::url_endpoint(BaseUrl::parse(url)?)))
    }

    /// The same client with other timeouts (and a new connection pool). Refused with
    /// `InvalidInput` unless each is from 1 ms to one day.
    pub fn with_timeouts(&self, timeouts: Timeouts) -> Result<Client<C>, Error> {
        let timeouts = timeouts.check()?;
        let mut config = self.inner.config.clone();
        config.timeouts = timeouts;
        let transport = self
            .inner
            .transport
            .with_timeouts(timeouts, &config.network)
            .unwrap_or_else(|(transport, _)| transport);
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                config,
                limiter: Arc::clone(&self.inner.limiter),
            }),
        })
    }

    /// The same client with another retry policy (checked: see [`Retry::check`]).
    pub fn with_retry(&self, retry: Retry) -> Result<Client<C>, Error> {
        let retry = retry.check()?;
        Ok(self.derive(|c| c.fleet.retry = retry))
    }

    /// The same client with another client-side rate limit ([`Pacing::Off`] to switch it off).
    /// The limiter itself is shared: requests of this client and of the one it came from are
    /// paced together.
    pub fn with_rate_limit(&self, pacing: Pacing) -> Result<Client<C>, Error> {
        let pacing = pacing.check()?;
        Ok(self.derive(|c| c.fleet.pacing = pacing))
    }

    /// The same client sending up to `concurrency` requests of one batch at once (1 to 64;
    /// default 4). Requests of one action and region are still paced at its rate limit.
    pub fn with_concurrency(&self, concurrency: usize) -> Result<Client<C>, Error> {
        let concurrency = crate::batch::check_concurrency(concurrency)?;
        Ok(self.derive(|c| c.fleet.concurrency = concurrency))
    }

    /// The same client recording every request in `audit` (or none for `None`): one line before
    /// each attempt is sent, one after its answer, each fsync'ed first.
    pub fn with_audit_log(&self, audit: Option<AuditLog>) -> Client<C> {
        self.derive(|c| c.fleet.audit = audit)
    }

    /// The same client calling `progress` after every request of a batch finishes.
    pub fn with_progress(&self, progress: Option<ProgressFn>) -> Client<C> {
        self.derive(|c| c.fleet.progress = progress)
    }

    /// The same client waiting after every write it sends (the five stop operations, their
    /// `call_json`, `resume`) until the IDs reach their end state, as the operation's waiter says
    /// ([`crate::ops::waiters`]), or not at all for `None` (the default). The wait polls the
    /// Describe call only, through the retry policy and the rate limits; the write is never
    /// re-sent. Refused with `InvalidInput` when the wait's settings are out of range.
    pub fn with_wait(&self, wait: Option<Wait>) -> Result<Client<C>, Error> {
        let wait = wait.map(Wait::check).transpose()?;
        Ok(self.derive(|c| c.fleet.wait = wait))
    }

    /// The wait after each write, if any.
    pub fn wait_setting(&self) -> Option<Wait> {
        self.inner.config.fleet.wait
    }

    /// The same client asking `interrupt` while its waits sleep (see [`InterruptFn`]), or never
    /// for `None` (the default).
    pub fn with_interrupt(&self, interrupt: Option<InterruptFn>) -> Client<C> {
        self.derive(|c| c.fleet.interrupt = interrupt)
    }

    /// The same client pausing an instance refresh before cancelling it when a refreshing
    /// batch blocks the cancel (`ResourceUnavailable.RefreshActivityStatusConflictWithOperation`):
    /// it sends AS StopInstanceRefresh, waits for `MANUAL_PAUSE` with no batch running, then
    /// sends CancelInstanceRefresh again. Off by default: pausing is a second write the caller
    /// asks for.
    pub fn with_pause_first(&self, pause_first: bool) -> Client<C> {
        self.derive(|c| c.fleet.pause_first = pause_first)
    }

    /// Whether a blocked cancel pauses the refresh first.
    pub fn pause_first(&self) -> bool {
        self.inner.config.fleet.pause_first
    }

    /// Waits for what `request` asks for on the IDs it names, sending nothing but the
    /// waiter's Describe call (for IDs written earlier, by this process or another). Uses the
    /// client's wait setting, or [`Wait::default`].
    pub fn wait<R: Request<Cloud = C>>(&self, request: &R) -> Result<Response, Error> {
        let plan = request
            .plan()
            .map_err(|e| e.for_call(C::PROVIDER, R::OP.action))?;
        crate::finish::wait_only(self, &plan, &self.wait_setting().unwrap_or_default())
    }

    /// [`wait`](Client::wait) by the write's provider name and JSON parameters (as
    /// [`call_json`](crate::Tencent::call_json) takes them). An empty instance list returns at
    /// once with no states.
    pub fn wait_json(
        &self,
        action: &str,
        region: Option<&str>,
        params: &serde_json::Value,
    ) -> Result<Response, Error> {
        let op = crate::ops::lookup(C::PROVIDER, action)
            .map_err(|e| e.for_call(C::PROVIDER, &crate::ops::shown_action(action)))?;
        if let Some(field) = op.instance_list()
            && params
                .get(field.name)
                .and_then(|v| v.as_array())
                .is_some_and(Vec::is_empty)
        {
            return Ok(crate::finish::synthetic(
                C::PROVIDER,
                op.action,
                String::new(),
            ));
        }
        let plan = crate::ops::call_from_json(C::PROVIDER, action, region, params)?;
        crate::finish::wait_only(self, &plan, &self.wait_setting().unwrap_or_default())
    }

    /// The same client for the read-only calls of a wait: no audit lines, no progress, no wait.
    pub(crate) fn reader(&self) -> Client<C> {
        self.derive(|c| {
            c.fleet.audit = None;
            c.fleet.progress = None;
            c.fleet.wait = None;
        })
    }

    /// The retry policy.
    pub fn retry(&self) -> Retry {
        self.inner.config.fleet.retry
    }

    /// The client-side rate limit.
    pub fn rate_limit(&self) -> Pacing {
        self.inner.config.fleet.pacing
    }

    /// How many requests of one batch may be in flight at once.
    pub fn concurrency(&self) -> usize {
        self.inner.config.fleet.concurrency
    }

    /// The audit log, if any.
    pub fn audit_log(&self) -> Option<&AuditLog> {
        self.inner.config.fleet.audit.as_ref()
    }

    /// The same client with a total timeout per request (connecting keeps the default 5 s, or
    /// less when the total is shorter). Refused with `InvalidInput` unless from 1 ms to one day.
    pub fn with_timeout(&self, total: Duration) -> Result<Client<C>, Error> {
        self.with_timeouts(Timeouts::with_total(total)?)
    }

    /// The endpoint this client sends to.
    pub fn endpoint(&self) -> &C::Endpoint {
        &self.inner.config.endpoint
    }

    /// The timeouts of this client.
    pub fn timeouts(&self) -> Timeouts {
        self.inner.config.timeouts
    }

    /// The credentials' public key ID (Tencent SecretId, Alibaba AccessKey ID). For temporary
    /// credentials that are refreshed, the ID of the first set: see
    /// [`current_key_id`](Client::current_key_id).
    pub fn key_id(&self) -> &str {
        self.inner.config.credentials.first_key_id()
    }

    /// The key ID of the credentials the next request will be signed with (refreshing them
    /// first if they are about to expire).
    pub fn current_key_id(&self) -> Result<String, Error> {
        let fresh = self.inner.config.credentials.current()?;
        Ok(C::key_id(&fresh.creds).to_owned())
    }

    pub(crate) fn config(&self) -> &Config<C> {
        &self.inner.config
    }

    pub(crate) fn fleet(&self) -> &Fleet {
        &self.inner.config.fleet
    }

    pub(crate) fn limiter(&self) -> &Limiter {
        &self.inner.limiter
    }

    /// Validates, signs and sends any typed request of this client's cloud
    /// (`tencent.send(&StopInstances::new(..))` is `tencent.stop_instances(..)`).
    ///
    /// Any number of IDs is accepted: the whole list is checked first (shape, duplicates), then
    /// split into requests of at most the provider's limit, sent at the rate limit,
    /// [`concurrency`](Client::with_concurrency) at a time, each retried by the
    /// [`retry`](Client::with_retry) policy. The answer accounts for every ID once
    /// ([`Response::outcomes`]); when a request fails, the error is that of the first failed
    /// request, carrying the outcomes of every ID and every RequestId ([`Error::outcomes`]).
    pub fn send<R: Request<Cloud = C>>(&self, request: &R) -> Result<Response, Error> {
        let plan = request
            .plan()
            .map_err(|e| e.for_call(C::PROVIDER, R::OP.action))?;
        crate::finish::run(self, plan)
    }

    /// Runs a planned call (a write is finished: see [`crate::finish`]).
    pub(crate) fn run(&self, plan: Plan) -> Result<Response, Error> {
        crate::finish::run(self, plan)
    }

    /// Finishes an interrupted batch read from its audit log: sends what [`Resume::to_send`]
    /// lists (skipping finished IDs and holding back unknown TerminateInstances IDs). Refused
    /// with `InvalidInput` when the log is of the other cloud or nothing is left to send.
    pub fn resume(&self, resume: &Resume) -> Result<Response, Error> {
        let fail = |e: Error| e.for_call(resume.provider(), resume.action());
        if resume.provider() != C::PROVIDER {
            return Err(fail(Error::invalid_input(
                "audit",
                format!(
                    "the audit log is of a {} batch: resume it with a {} client",
                    resume.provider().display_name(),
                    resume.provider().display_name()
                ),
            )));
        }
        let result = resume.plan().map_err(fail).and_then(|plan| self.run(plan));
        // IDs held back (a TerminateInstances that may have taken effect) are never re-sent:
        // what the provider shows for them is reported instead.
        let held: Vec<String> = resume.held_back().into_iter().map(str::to_owned).collect();
        let Some(waiter) = crate::ops::waiters::waiter(resume.operation()) else {
            return result;
        };
        let target = crate::ops::waiters::Target {
            region: resume.region().map(str::to_owned),
            params: resume.params().clone(),
            keys: None,
            request_ids: Vec::new(),
        };
        let states = crate::finish::resolve_ids(self, waiter, &target, &held);
        if states.is_empty() {
            return result;
        }
        match result {
            Ok(mut response) => {
                response.states.extend(states);
                Ok(response)
            }
            Err(e) => {
                let mut all = e.states().to_vec();
                all.extend(states);
                Err(e.with_states(all))
            }
        }
    }

    /// What sending `request` would do, without sending anything: its requests, the IDs of
    /// each, the signed headers (session tokens redacted, signatures shortened) and the
    /// expected duration at the rate limit.
    pub fn dry_run<R: Request<Cloud = C>>(&self, request: &R) -> Result<DryRun, Error> {
        let plan = request
            .plan()
            .map_err(|e| e.for_call(C::PROVIDER, R::OP.action))?;
        self.dry_run_plan(&plan)
    }

    pub(crate) fn dry_run_plan(&self, plan: &Plan) -> Result<DryRun, Error> {
        let now = crate::clock::unix_now();
        let fresh = self
            .inner
            .config
            .credentials
            .current()
            .map_err(|e| e.for_call(C::PROVIDER, plan.op.action))?;
        let requests = plan
            .parts
            .iter()
            .map(|part| {
                let prepared = C::prepare(&self.inner.config, &fresh.creds, &part.call, now);
                DryRequest {
                    ids: part.ids.clone(),
                    url: prepared.url.clone(),
                    body: String::from_utf8_lossy(&prepared.body).into_owned(),
                    headers: prepared.into_record().into_list(),
                }
            })
            .collect::<Vec<_>>();
        let gaps = requests.len().saturating_sub(1) as u32;
        let expected = self
            .fleet()
            .pacing
            .interval(plan.op)
            .map_or(std::time::Duration::ZERO, |i| i * gaps);
        Ok(DryRun {
            action: plan.op.action,
            region: plan.region.clone(),
            ids: plan.ids.len(),
            requests,
            expected,
        })
    }

    /// Signs, sends and reads one call: one attempt, secrets redacted from whatever came back.
    pub(crate) fn attempt_once(&self, call: &Call) -> AttemptResult {
        let action = call.op.action;
        let fresh = match self.inner.config.credentials.current() {
            Ok(fresh) => fresh,
            Err(e) => {
                return AttemptResult {
                    result: Err(e.for_call(C::PROVIDER, action)),
                    answer_json: None,
                    empty_body: false,
                    sent_headers: Default::default(),
                };
            }
        };
        // The current token is among the secrets: a peer echoing it gets it redacted.
        let secrets = C::secrets(&fresh.creds);
        let mut result = self.attempt(&fresh.creds, call, &secrets);
        if let Some(json) = &mut result.answer_json {
            redact_json(json, &secrets);
        }
        result.result = result
            .result
            .map_err(|e| e.for_call(C::PROVIDER, action).redact(&secrets));
        result
    }

    fn attempt(&self, creds: &C::Credentials, call: &Call, secrets: &[&str]) -> AttemptResult {
        let prepared = C::prepare(&self.inner.config, creds, call, crate::clock::unix_now());
        let sent = self.inner.transport.post(&prepared);
        let sent_headers = prepared.into_record();
        let failed = |error: Error, answer_json, empty_body, sent_headers| AttemptResult {
            result: Err(error),
            answer_json,
            empty_body,
            sent_headers,
        };
        let answer = match sent {
            Ok(answer) => answer,
            Err(e) => return failed(e, None, false, sent_headers),
        };
        // Parsed once: the success's data, or the failure's answer for the audit log.
        let data = serde_json::from_slice::<serde_json::Value>(&answer.body).ok();
        let request_id = match C::read_answer(&answer, data.as_ref()) {
            Ok(id) => id,
            Err(e) => {
                let empty = answer.body.iter().all(u8::is_ascii_whitespace);
                let e = e.with_headers(answer.headers.into_list());
                return failed(e, data, empty, sent_headers);
            }
        };
        let data = data.unwrap_or_default();
        // The record travels in the response (the runner reads it there for its log line).
        let mut response = Response {
            provider: C::PROVIDER,
            action: call.op.action,
            request_id,
            data,
            sent_headers,
            headers: answer.headers,
            outcomes: Vec::new(),
            request_ids: Vec::new(),
            attempts: 1,
            states: Vec::new(),
        };
        // A peer that echoes a secret gets it redacted. Every string is searched, not the raw
        // body: JSON may escape a token's characters (`\/`), and an answer is a few hundred bytes.
        redact_json(&mut response.data, secrets);
        crate::error::redact_in(&mut response.request_id, secrets);
        response.headers.redact(secrets);
        AttemptResult {
            result: Ok(response),
            answer_json: None,
            empty_body: false,
            sent_headers: Default::default(),
        }
    }
}

/// What a call would send, from [`Client::dry_run`]: nothing was sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DryRun {
    /// The operation.
    pub action: &'static str,
    /// The region.
    pub region: Option<String>,
    /// How many IDs the call covers.
    pub ids: usize,
    /// Each request, in order.
    pub requests: Vec<DryRequest>,
    /// The least time the requests take at the client's rate limit.
    pub expected: std::time::Duration,
}

/// One request of a [`DryRun`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DryRequest {
    /// The IDs it carries.
    pub ids: Vec<String>,
    /// The URL (with the query, for Alibaba).
    pub url: String,
    /// The headers that would be sent, session tokens redacted and the signature shortened.
    pub headers: Vec<(String, String)>,
    /// The body (Tencent's JSON; empty for Alibaba).
    pub body: String,
}

/// Replaces known secrets in every string of a JSON answer.
fn redact_json(value: &mut serde_json::Value, secrets: &[&str]) {
    match value {
        serde_json::Value::String(s) => crate::error::redact_in(s, secrets),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| redact_json(v, secrets)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| redact_json(v, secrets)),
        _ => {}
    }
}
