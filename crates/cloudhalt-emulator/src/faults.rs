//! Fault injection: the first queued fault that matches a request and whose turn it is replaces
//! or wraps its handling.

use std::time::Duration;

use crate::answer::{Answer, alibaba_error, tencent_error, throttled_as};
use crate::model::{FaultKind, FaultProvider};
use crate::shared::Shared;

/// What a fault made of a request, for the call counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Faulted {
    /// No fault fired: the request was handled normally.
    No,
    /// A `throttle` fault answered it.
    Throttled,
    /// Another fault answered it (or dropped it) without handling it.
    Refused,
    /// A fault wrapped its handling (`latency`, `close`, `truncate`).
    Wrapped,
}

/// Applies the next matching fault, if any, around the real handling. `handle` is told
/// whether the write it applies must fail later (an `operation_fails` fault).
pub(crate) fn with_fault(
    shared: &Shared,
    provider: FaultProvider,
    action: &str,
    handle: impl FnOnce(bool) -> Answer,
) -> (Answer, Faulted) {
    let fault = shared.model().take_fault(provider, action);
    let Some(fault) = fault else {
        return (handle(false), Faulted::No);
    };
    let (mut answer, faulted) = match fault.kind {
        FaultKind::Throttle => (
            throttled_as(
                provider,
                fault.code.as_deref(),
                fault.message.as_deref(),
                fault.http_status,
            ),
            Faulted::Throttled,
        ),
        FaultKind::Error => {
            let code = fault.code.unwrap_or_default();
            let message = fault
                .message
                .unwrap_or_else(|| format!("{code} (injected by the emulator)"));
            let answer = match provider {
                FaultProvider::Tencent => {
                    tencent_error(fault.http_status.unwrap_or(200), &code, &message)
                }
                FaultProvider::Alibaba => {
                    alibaba_error(fault.http_status.unwrap_or(500), &code, &message, None)
                }
            };
            (answer, Faulted::Refused)
        }
        FaultKind::HttpStatus => (
            Answer {
                status: fault.http_status.unwrap_or(502),
                content_type: "text/plain",
                body: fault.body.unwrap_or_default().into_bytes(),
                cut: None,
                headers: Vec::new(),
            },
            Faulted::Refused,
        ),
        FaultKind::Latency => {
            std::thread::sleep(Duration::from_millis(fault.ms.unwrap_or(0)));
            (handle(false), Faulted::Wrapped)
        }
        // The call takes effect; only its answer is lost, which is what these faults rehearse.
        FaultKind::Close | FaultKind::Truncate => {
            let mut answer = handle(false);
            answer.cut = Some(fault.kind);
            (answer, Faulted::Wrapped)
        }
        // Accepted now, failed later: the answer is the normal one.
        FaultKind::OperationFails => (handle(true), Faulted::Wrapped),
        // Lost before it was applied: the client cannot tell this from `close`, the state can.
        FaultKind::DropBeforeApply => {
            let mut answer = Answer::control(200, serde_json::json!({}));
            answer.cut = Some(fault.kind);
            (answer, Faulted::Refused)
        }
    };
    if provider == FaultProvider::Alibaba
        && let Some(ms) = fault.retry_after_ms
    {
        answer.headers.push(("x-acs-retry-after", ms.to_string()));
    }
    (answer, faulted)
}
