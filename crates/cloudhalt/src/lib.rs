//! cloudhalt: the stop button for Tencent Cloud and Alibaba Cloud.
//!
//! It validates, signs and sends five operations, blocking:
//!
//! | operation | provider | client method |
//! |---|---|---|
//! | `StopInstances` | Tencent CVM 2017-03-12 | [`Tencent::stop_instances`] |
//! | `TerminateInstances` | Tencent CVM 2017-03-12 | [`Tencent::terminate_instances`] |
//! | `CancelInvocation` | Tencent TAT 2020-10-28 | [`Tencent::cancel_invocation`] |
//! | `CancelInstanceRefresh` | Tencent AS 2018-04-19 | [`Tencent::cancel_instance_refresh`] |
//! | `StopInvocation` | Alibaba ECS 2014-05-26 | [`Alibaba::stop_invocation`] |
//!
//! Both clients are one engine, [`Client`], over a [`Cloud`]; [`Client::send`] takes any typed
//! [`Request`] of its cloud, and `call_json` any operation by its provider name and parameters.
//! The facts of every operation (version, host, ID limits, whether repeating it is harmless, its
//! rate limit) are in one table, [`OPERATIONS`].
//!
//! Bad input is refused with [`ErrorKind::InvalidInput`] before anything is built; every error
//! says how far the request got ([`SendState`]), read from the transport's record of the
//! exchange, so a caller never loses track of what it did.
//!
//! # Stopping a fleet
//!
//! Every call takes any number of IDs: the whole list is checked first, then split into
//! requests of at most the provider's limit, run [`concurrency`](Client::with_concurrency) at a
//! time, paced under the documented rate ([`Pacing`], one limiter shared by every clone of a
//! client), each retried by the [`Retry`] policy. Throttling and failures before the first byte
//! was written are retried for every operation; ambiguous failures (the request may have taken
//! effect) only for the operations the table marks harmless to repeat — never
//! TerminateInstances, whose IDs are then reported [`Outcome::Unknown`].
//!
//! The answer accounts for every input ID once ([`Response::outcomes`]: [`Outcome::Done`],
//! [`Outcome::Already`]); a call with failures returns the error of its first failed request,
//! carrying every ID's outcome and every RequestId ([`Error::outcomes`],
//! [`Error::request_ids`]). An [`AuditLog`] records every attempt before it is sent and after
//! its answer, fsync'ed; [`Resume`] reads it back and [`Client::resume`] finishes the batch.
//! [`Client::dry_run`] shows the plan and the signed requests without sending anything.
//!
//! ```no_run
//! use cloudhalt::{AuditLog, Outcome, Retry, StopInstances, Tencent};
//!
//! let tencent = Tencent::from_env()?
//!     .with_retry(Retry { max_attempts: 5, ..Retry::default() })?
//!     .with_audit_log(Some(AuditLog::open("stop.audit.jsonl")?));
//! let ids: Vec<String> = (0..400).map(|i| format!("ins-{i:08}")).collect();
//! if let Err(e) = tencent.stop_instances(&StopInstances::new("ap-guangzhou", ids)) {
//!     for o in e.outcomes().iter().filter(|o| o.outcome() != Outcome::Done) {
//!         eprintln!("{} {} {:?}", o.id(), o.outcome(), o.code());
//!     }
//! }
//! # Ok::<(), cloudhalt::Error>(())
//! ```
//!
//! # Credentials
//!
//! [`Client::from_env`] runs the cloud's default chain — the environment variables, the files
//! of tccli / aliyun-cli / the SDKs, TKE and ACK OIDC, the instance role — and
//! [`Client::from_profile`] / [`Client::from_chain`] name a profile or give the chain its own
//! environment ([`ChainEnv`]), metadata and STS addresses ([`ChainOptions`]). The source used is
//! [`Client::credential_source`]; temporary credentials are refreshed before they expire. When
//! nothing yields, one [`ErrorKind::Credentials`] error lists every source tried and why. The
//! proxy and CA roots are [`Network`] settings. The order is the README's "Credentials" table.
//!
//! ```no_run
//! use cloudhalt::{Tencent, StopInstances, StopType};
//!
//! let tencent = Tencent::from_env()?;
//! let mut stop = StopInstances::new("ap-guangzhou", vec!["ins-r8hr2upy".into()]);
//! stop.set_stop_type(StopType::SoftFirst);
//! let response = tencent.stop_instances(&stop)?;
//! println!("stopped, RequestId {}", response.request_id());
//! # Ok::<(), cloudhalt::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod alibaba;
pub mod audit;
mod batch;
mod clock;
mod credentials;
mod endpoint;
mod engine;
mod error;
mod finish;
mod limiter;
pub mod ops;
mod retry;
#[doc(hidden)]
pub mod sign;
mod tencent;
mod transport;
mod wait;

pub use alibaba::{Alibaba, AlibabaCloud};
pub use audit::{AuditLog, Resume};
pub use batch::{IdOutcome, MAX_CONCURRENCY, Outcome, Progress, ProgressFn};
pub use credentials::{AlibabaCredentials, ChainEnv, ChainOptions, Secret, TencentCredentials};
pub use endpoint::{AlibabaEndpoint, BaseUrl, Scheme, TencentEndpoint, check_region};
pub use engine::{Client, Cloud, DEFAULT_CONCURRENCY, DryRequest, DryRun, InterruptFn};
pub use error::{Error, ErrorKind, Provider, SendState, classify};
pub use limiter::{PACING_MARGIN, Pacing, UNPUBLISHED_RATE};
pub use ops::alibaba::{DescribeInvocations, StopInvocation};
pub use ops::tencent::{
    CancelInstanceRefresh, CancelInvocation, DescribeInstances, DescribeInvocationTasks,
    DescribeRefreshActivities, Filter, StopInstanceRefresh, StopInstances, StopType, StoppedMode,
    TerminateInstances,
};
pub use ops::waiters::{Then, WAITERS, Waiter};
pub use ops::{OPERATIONS, Operation, Request, Response, operation, params_from_json};
pub use retry::Retry;
pub use tencent::{CONTENT_TYPE, Language, SIGNED_HEADERS, Tencent, TencentCloud};
pub use transport::{MAX_RESPONSE_BYTES, Network, ProxySetting, Timeouts};
pub use wait::{IdState, Wait};

/// The version of this library (`CARGO_PKG_VERSION`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod vector_tests;

/// The README's Rust example is compiled as a doc test, so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
