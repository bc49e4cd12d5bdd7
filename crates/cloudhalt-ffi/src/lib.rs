//! The cloudhalt C ABI: `libcloudhalt.so` / `libcloudhalt.a` and `include/cloudhalt.h`.
//!
//! This crate only converts: C arguments into the core's typed requests, the core's errors into
//! a [`cloudhalt_status`] plus thread-local details. It is the only crate with `unsafe`.
//!
//! Every export's body runs inside `boundary!`, which catches panics (answered with
//! `CLOUDHALT_PANIC`) and, for fallible calls, clears the thread's last error on entry and fills it
//! on failure. A test counts exports against boundary uses. Never build this crate with
//! `panic = "abort"`: a panic would then kill the host program instead of becoming a status.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]

#[macro_use]
mod boundary;
#[macro_use]
mod client;
mod alibaba;
mod chain_options;
mod handle;
mod json;
mod last_error;
mod logging;
mod outcome;
mod response;
mod status;
mod strings;
#[cfg(test)]
mod teardown_tests;
mod tencent;
#[cfg(test)]
mod test_server;
mod version;

pub use alibaba::*;
pub use chain_options::*;
pub use last_error::*;
pub use logging::*;
pub use outcome::{cloudhalt_outcome, cloudhalt_outcome_name};
pub use response::*;
pub use status::*;
pub use strings::cloudhalt_string_free;
pub use tencent::*;
pub use version::*;
