//! Fault injection: the next queued fault that matches a request replaces or wraps its handling.

use std::time::Duration;

use crate::answer::{Answer, alibaba_error, tencent_error, throttled};
use crate::model::{FaultKind, FaultProvider};
use crate::shared::Shared;

/// Applies the next matching fault, if any, around the real handling.
pub(crate) fn with_fault(
    shared: &Shared,
    provider: FaultProvider,
    action: &str,
    handle: impl FnOnce() -> Answer,
) -> Answer {
    let fault = shared.model().take_fault(provider, action);
    let Some(fault) = fault else { return handle() };
    match fault.kind {
        FaultKind::Throttle => throttled(provider),
        FaultKind::Error => {
            let code = fault.code.unwrap_or_default();
            let message = fault
                .message
                .unwrap_or_else(|| format!("{code} (injected by the emulator)"));
            match provider {
                FaultProvider::Tencent => {
                    tencent_error(fault.http_status.unwrap_or(200), &code, &message)
                }
                FaultProvider::Alibaba => {
                    alibaba_error(fault.http_status.unwrap_or(500), &code, &message, None)
                }
            }
        }
        FaultKind::HttpStatus => Answer {
            status: fault.http_status.unwrap_or(502),
            content_type: "text/plain",
            body: fault.body.unwrap_or_default().into_bytes(),
            cut: None,
        },
        FaultKind::Latency => {
            std::thread::sleep(Duration::from_millis(fault.ms.unwrap_or(0)));
            handle()
        }
        // The call takes effect; only its answer is lost, which is what these faults rehearse.
        FaultKind::Close | FaultKind::Truncate => {
            let mut answer = handle();
            answer.cut = Some(fault.kind);
            answer
        }
    }
}
