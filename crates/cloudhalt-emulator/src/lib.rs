//! cloudhalt-emulator: a local fake of Tencent Cloud and Alibaba Cloud for the five cloudhalt
//! operations, so that stop scripts can be rehearsed and every test has a real peer.
//!
//! It serves HTTP on `127.0.0.1`, verifies every TC3 and ACS3 signature against its configured
//! credentials, keeps state (instances, invocations, refresh activities), answers the providers'
//! error codes and shapes, enforces per-action rate limits and injects faults on demand. The
//! contract (control endpoints, seed state, codes) is in this crate's README.
//!
//! ```no_run
//! let emulator = cloudhalt_emulator::Emulator::start(cloudhalt_emulator::Config::default())?;
//! let tencent = cloudhalt::Tencent::new(cloudhalt::TencentCredentials::new(
//!     cloudhalt_emulator::TENCENT_SECRET_ID,
//!     cloudhalt_emulator::TENCENT_SECRET_KEY,
//!     None,
//! )?)
//! .with_endpoint_url(emulator.url())?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod alibaba;
mod answer;
mod control;
mod describe;
mod dispatch;
mod faults;
mod flat_query;
mod http;
mod issued;
mod model;
mod request;
mod seed;
mod server;
mod shared;
mod state;
mod tencent;
mod verify;

use std::sync::Arc;

pub use issued::{ALIBABA_ECS_ROLE, TEMPORARY_TTL_SECS, TENCENT_CVM_ROLE};
pub use model::{Fault, FaultKind, FaultProvider, Settings, SettingsUpdate, default_rate_limits};
pub use seed::{AlibabaFleet, MAX_SEED_INSTANCES, Seed, TencentFleet};
pub use state::{
    AlibabaResources, CHARGE_TYPES, CvmInstance, EcsInstance, EcsInvocation, EcsInvokeInstance,
    FAILABLE_OPERATIONS, RefreshActivity, RefreshBatch, Resources, ScalingGroup, TatInvocation,
    TatTask, TencentResources, ecs_aggregate,
};

/// The built-in Tencent SecretId, accepted when no Tencent credentials are configured.
pub const TENCENT_SECRET_ID: &str = "AKIDcloudhaltEMULATOR";
/// The built-in Tencent SecretKey (a published test value, not a secret).
pub const TENCENT_SECRET_KEY: &str = "cloudhalt-emulator-tencent-key";
/// The built-in Alibaba AccessKey ID, accepted when no Alibaba credentials are configured.
pub const ALIBABA_ACCESS_KEY_ID: &str = "LTAIcloudhaltEMULATOR";
/// The built-in Alibaba AccessKey secret (a published test value, not a secret).
pub const ALIBABA_ACCESS_KEY_SECRET: &str = "cloudhalt-emulator-alibaba-secret";

/// How to start an emulator.
#[derive(Clone)]
pub struct Config {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Accepted Tencent `(SecretId, SecretKey)` pairs; empty = the built-in pair.
    pub tencent_credentials: Vec<(String, String)>,
    /// Accepted Alibaba `(AccessKey ID, secret)` pairs; empty = the built-in pair.
    pub alibaba_credentials: Vec<(String, String)>,
    /// The state to start from (and return to on reset); `None` = [`Resources::builtin`].
    pub seed: Option<Resources>,
    /// Transition delay, rate limits and timestamp windows at start-up (and after a reset).
    pub settings: Settings,
    /// Faults queued at start-up (and after a reset).
    pub faults: Vec<Fault>,
    /// No longer used, kept so that existing callers compile: every client connection is now
    /// served on its own thread, however many there are.
    pub workers: usize,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 0,
            tencent_credentials: Vec::new(),
            alibaba_credentials: Vec::new(),
            seed: None,
            settings: Settings::default(),
            faults: Vec::new(),
            workers: 16,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ids = |pairs: &[(String, String)]| -> Vec<String> {
            pairs.iter().map(|(id, _)| id.clone()).collect()
        };
        f.debug_struct("Config")
            .field("port", &self.port)
            .field("tencent_secret_ids", &ids(&self.tencent_credentials))
            .field("alibaba_access_key_ids", &ids(&self.alibaba_credentials))
            .field("settings", &self.settings)
            .field("faults", &self.faults)
            .field("workers", &self.workers)
            .finish_non_exhaustive()
    }
}

/// The emulator's entry point.
pub struct Emulator;

impl Emulator {
    /// Binds `127.0.0.1:port` and serves in background threads until
    /// [`RunningEmulator::shutdown`] (or drop).
    pub fn start(config: Config) -> std::io::Result<RunningEmulator> {
        let or_builtin = |pairs: Vec<(String, String)>, id: &str, secret: &str| {
            if pairs.is_empty() {
                vec![(id.to_owned(), secret.to_owned())]
            } else {
                pairs
            }
        };
        let model = model::Model::new(
            config.seed.unwrap_or_else(Resources::builtin),
            config.settings,
            config.faults,
        );
        let shared = Arc::new(shared::Shared::new(
            model,
            or_builtin(
                config.tencent_credentials,
                TENCENT_SECRET_ID,
                TENCENT_SECRET_KEY,
            ),
            or_builtin(
                config.alibaba_credentials,
                ALIBABA_ACCESS_KEY_ID,
                ALIBABA_ACCESS_KEY_SECRET,
            ),
        ));
        let threads = server::start(shared.clone(), config.port)?;
        Ok(RunningEmulator {
            url: format!("http://{}", threads.public_addr),
            shared,
            threads: Some(threads),
        })
    }
}

/// A started emulator. Dropping it shuts it down.
pub struct RunningEmulator {
    url: String,
    shared: Arc<shared::Shared>,
    threads: Option<server::Threads>,
}

impl std::fmt::Debug for RunningEmulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningEmulator")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`: give it to a client as its endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.threads.as_ref().map_or(0, |t| t.public_addr.port())
    }

    /// The state JSON, exactly as `GET /_emulator/state` answers it.
    pub fn state(&self) -> serde_json::Value {
        self.shared.model().snapshot()
    }

    /// Replaces every resource, as `POST /_emulator/state` does; a reset still returns to the
    /// start-up seed.
    pub fn set_resources(&self, resources: Resources) {
        self.shared.model().set_resources(resources);
    }

    /// Adds generated fleets, as `POST /_emulator/seed` does, answering what was created (the
    /// same JSON); fails, naming the field, when the spec is wrong, and then changes nothing.
    pub fn seed(&self, seed: &Seed) -> Result<serde_json::Value, String> {
        self.shared.model().seed(seed)
    }

    /// The call counters, exactly as `GET /_emulator/calls` answers them.
    pub fn calls(&self) -> serde_json::Value {
        self.shared.model().calls_json()
    }

    /// Back to the seed state, start-up settings and faults; nonces and counters cleared.
    pub fn reset(&self) {
        self.shared.model().reset();
    }

    /// Queues a fault (as `POST /_emulator/faults`). Fails, naming the missing field, when the
    /// spec is incomplete.
    pub fn add_fault(&self, fault: Fault) -> Result<(), String> {
        fault.validate()?;
        self.shared
            .model()
            .faults
            .push_back(model::QueuedFault::new(fault));
        Ok(())
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.model().faults.clear();
    }

    /// Changes settings at run time (as `POST /_emulator/config`).
    pub fn configure(&self, update: SettingsUpdate) {
        let mut model = self.shared.model();
        model.advance();
        model.settings.apply(update);
    }

    /// Stops serving, closes every connection and joins the threads.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(threads) = self.threads.take() {
            threads.stop(&self.shared);
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.stop();
    }
}
