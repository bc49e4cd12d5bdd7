//! The one client engine under both clouds: configuration, the connection pool, building,
//! signing, sending and reading the answer. [`Tencent`](crate::Tencent) and
//! [`Alibaba`](crate::Alibaba) are this client with a different [`Cloud`]; the clouds differ only
//! in how a call is signed and where it goes, and in how an answer is read.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::endpoint::BaseUrl;
use crate::error::{Error, Provider};
use crate::ops::{Call, Request, Response};
use crate::transport::{HttpAnswer, Prepared, Timeouts, Transport};

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

        /// Credentials from the cloud's environment variables.
        fn credentials_from_env() -> Result<Self::Credentials, Error>;

        /// The endpoint that sends everything to `url`.
        fn url_endpoint(url: BaseUrl) -> Self::Endpoint;

        /// The public key ID, for Debug output.
        fn key_id(credentials: &Self::Credentials) -> &str;

        /// The secret values, to be redacted from anything a peer sends back.
        fn secrets(credentials: &Self::Credentials) -> Vec<&str>;

        /// Signs `call` for sending at `timestamp` (and, where the cloud signs one, a fresh nonce).
        fn prepare(config: &Config<Self>, call: &Call, timestamp: i64) -> Prepared;

        /// Reads an answer: the RequestId and the whole JSON of a success, or the error.
        fn read_answer(answer: &HttpAnswer) -> Result<(String, serde_json::Value), Error>;
    }
}

use private::Wire;

impl<C: Wire> Clone for Config<C> {
    fn clone(&self) -> Self {
        Config {
            credentials: self.credentials.clone(),
            endpoint: self.endpoint.clone(),
            timeouts: self.timeouts,
            language: self.language,
        }
    }
}

/// A client's settings, fixed at construction; the `with_*` methods make a new client.
pub(crate) struct Config<C: Wire> {
    pub credentials: C::Credentials,
    pub endpoint: C::Endpoint,
    pub timeouts: Timeouts,
    /// Tencent's `X-TC-Language`; unused by Alibaba.
    pub language: Option<crate::Language>,
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
            .field("key_id", &C::key_id(&config.credentials))
            .field("endpoint", &config.endpoint)
            .field("timeouts", &config.timeouts)
            .field("language", &config.language)
            .finish_non_exhaustive()
    }
}

impl<C: Cloud> Client<C> {
    /// A client with the default endpoint and timeouts.
    pub fn new(credentials: C::Credentials) -> Client<C> {
        Client::from_config(Config {
            credentials,
            endpoint: C::Endpoint::default(),
            timeouts: Timeouts::default(),
            language: None,
        })
    }

    /// A client with credentials from the cloud's environment variables (Tencent:
    /// `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN`;
    /// Alibaba: `ALIBABA_CLOUD_ACCESS_KEY_ID`, `ALIBABA_CLOUD_ACCESS_KEY_SECRET`,
    /// `ALIBABA_CLOUD_SECURITY_TOKEN`).
    pub fn from_env() -> Result<Client<C>, Error> {
        Ok(Client::new(C::credentials_from_env()?))
    }

    fn from_config(config: Config<C>) -> Client<C> {
        let transport = Transport::new(config.timeouts);
        Client {
            inner: Arc::new(Inner { config, transport }),
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
        Ok(Client::from_config(config))
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

    /// The credentials' public key ID (Tencent SecretId, Alibaba AccessKey ID).
    pub fn key_id(&self) -> &str {
        C::key_id(&self.inner.config.credentials)
    }

    pub(crate) fn config(&self) -> &Config<C> {
        &self.inner.config
    }

    /// Validates, signs and sends any typed request of this client's cloud: one attempt, never
    /// re-sent by cloudhalt (`tencent.send(&StopInstances::new(..))` is
    /// `tencent.stop_instances(..)`).
    pub fn send<R: Request<Cloud = C>>(&self, request: &R) -> Result<Response, Error> {
        let call = request
            .to_call()
            .map_err(|e| e.for_call(C::PROVIDER, R::OP.action))?;
        self.execute(call)
    }

    /// Signs, sends and reads one call: one attempt.
    pub(crate) fn execute(&self, call: Call) -> Result<Response, Error> {
        let action = call.op.action;
        let secrets = C::secrets(&self.inner.config.credentials);
        self.attempt(&call, &secrets)
            .map_err(|e| e.for_call(C::PROVIDER, action).redact(&secrets))
    }

    fn attempt(&self, call: &Call, secrets: &[&str]) -> Result<Response, Error> {
        let prepared = C::prepare(&self.inner.config, call, crate::clock::unix_now());
        let answer = self.inner.transport.post(&prepared)?;
        let (request_id, data) =
            C::read_answer(&answer).map_err(|e| e.with_headers(answer.headers.clone()))?;
        let mut response = Response {
            provider: C::PROVIDER,
            action: call.op.action,
            request_id,
            data,
            sent_headers: prepared.record(),
            headers: answer.headers,
        };
        // A peer that echoes a secret gets it redacted. Every string is searched, not the raw
        // body: JSON may escape a token's characters (`\/`), and an answer is a few hundred bytes.
        redact_json(&mut response.data, secrets);
        crate::error::redact_in(&mut response.request_id, secrets);
        for (_, value) in &mut response.headers {
            crate::error::redact_in(value, secrets);
        }
        Ok(response)
    }
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
