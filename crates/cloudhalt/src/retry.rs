//! When a failed attempt is sent again, and after how long.
//!
//! The rule that matters most is one-sided: a request is repeated after an *ambiguous* failure
//! (it may have taken effect) only when the operation table says repeating it is harmless.
//! TerminateInstances never is: a second call destroys a prepaid instance that the first moved
//! to the recycle bin. Answers that mean "refused, not processed" (throttling, a gateway's bare
//! 503) and failures before the first byte was written are retried for every operation.

use std::time::Duration;

use crate::error::{Error, SendState};
use crate::ops::Operation;

/// How many times a request is attempted, and the backoff between attempts.
///
/// The delay before attempt `n + 1` is drawn uniformly from `0..=min(max_delay, base_delay *
/// 2^(n-1))` ("full jitter", so that many clients throttled at once do not retry in step).
/// Alibaba's `x-acs-retry-after` answer header, when present, sets the delay instead (capped by
/// `max_delay`). There is no sleep after the last attempt. Every attempt is signed afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, from 1 (no retry) to [`Retry::MAX_ATTEMPTS`]. Default 3.
    pub max_attempts: u32,
    /// The backoff's base. Default 200 ms.
    pub base_delay: Duration,
    /// The longest delay between two attempts. Default 5 s.
    pub max_delay: Duration,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl Retry {
    /// The most attempts a policy may ask for.
    pub const MAX_ATTEMPTS: u32 = 20;
    /// The longest `max_delay` a policy may ask for: one hour.
    pub const MAX_DELAY: Duration = Duration::from_secs(3600);

    /// One attempt: nothing is ever sent twice.
    pub fn never() -> Retry {
        Retry {
            max_attempts: 1,
            ..Retry::default()
        }
    }

    /// Checks the policy: refused with `InvalidInput` naming the bad field unless
    /// `max_attempts` is from 1 to 20, and `base_delay <= max_delay <= 1 hour`.
    pub fn check(self) -> Result<Retry, Error> {
        if !(1..=Retry::MAX_ATTEMPTS).contains(&self.max_attempts) {
            return Err(Error::invalid_input(
                "max_attempts",
                format!(
                    "max_attempts {} is out of range: give 1 (no retry) to {}",
                    self.max_attempts,
                    Retry::MAX_ATTEMPTS
                ),
            ));
        }
        if self.max_delay > Retry::MAX_DELAY {
            return Err(Error::invalid_input(
                "max_delay",
                format!(
                    "max_delay {:?} is too long: give at most one hour",
                    self.max_delay
                ),
            ));
        }
        if self.base_delay > self.max_delay {
            return Err(Error::invalid_input(
                "base_delay",
                format!(
                    "base_delay {:?} is longer than max_delay {:?}: give a base no longer than \
                     the maximum",
                    self.base_delay, self.max_delay
                ),
            ));
        }
        Ok(self)
    }

    /// The policy from seconds (as Python and C give them), checked; negative, NaN or infinite
    /// delays are refused naming the field.
    pub fn from_secs_f64(
        max_attempts: u32,
        base_delay: f64,
        max_delay: f64,
    ) -> Result<Retry, Error> {
        let secs = |field: &str, value: f64| {
            if value.is_finite() && (0.0..=Retry::MAX_DELAY.as_secs_f64()).contains(&value) {
                Ok(Duration::from_secs_f64(value))
            } else {
                Err(Error::invalid_input(
                    field,
                    format!("{field} {value} is not valid: give 0 to 3600 seconds"),
                ))
            }
        };
        Retry {
            max_attempts,
            base_delay: secs("base_delay", base_delay)?,
            max_delay: secs("max_delay", max_delay)?,
        }
        .check()
    }

    /// The delay after failed attempt `attempt` (1-based), before the next one.
    pub(crate) fn delay(&self, attempt: u32, error: &Error) -> Duration {
        if let Some(ms) = error
            .header("x-acs-retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            return Duration::from_millis(ms).min(self.max_delay);
        }
        let exp = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        ceiling.mul_f64(crate::clock::unit_random())
    }
}

/// What a failed attempt means for sending the same request again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The provider refused it unprocessed, or it never left: safe to send again, for every
    /// operation.
    Refused,
    /// It may have taken effect: sent again only when the operation is harmless to repeat.
    Ambiguous,
    /// Sending it again cannot help (signature, credentials, parameters, state).
    Final,
}

/// Classifies a failed attempt. `empty_body` tells a gateway's bare 503 from a provider's.
pub(crate) fn verdict(error: &Error, empty_body: bool) -> Verdict {
    if let Some(code) = error.code() {
        return if code == "RequestLimitExceeded"
            || code.starts_with("RequestLimitExceeded.")
            || code.starts_with("Throttling")
            || code == "ServiceUnavailable"
        {
            Verdict::Refused
        } else if code.starts_with("InternalError")
            || code == "InternalServerError"
            || (error.http_status().is_some_and(|s| s >= 500) && !is_client_fault(error))
        {
            Verdict::Ambiguous
        } else {
            Verdict::Final
        };
    }
    match error.send_state() {
        SendState::NotBuilt => Verdict::Final,
        SendState::NotSent => Verdict::Refused,
        SendState::SentNoAnswer => Verdict::Ambiguous,
        SendState::Answered => match error.http_status() {
            Some(503) if empty_body => Verdict::Refused,
            Some(s) if s >= 500 => Verdict::Ambiguous,
            _ => Verdict::Final,
        },
    }
}

/// Provider codes that name a fault of the request itself, whatever the status: never retried.
fn is_client_fault(error: &Error) -> bool {
    use crate::ErrorKind::*;
    matches!(
        error.kind(),
        InvalidInput | Credentials | Auth | NotFound | InvalidParameter | Quota | StateConflict
    )
}

/// True when `verdict` allows another attempt of `op`.
pub(crate) fn may_retry(op: &Operation, verdict: Verdict) -> bool {
    match verdict {
        Verdict::Refused => true,
        Verdict::Ambiguous => op.idempotent,
        Verdict::Final => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorKind, Provider};

    fn api(provider: Provider, code: &str, status: u16) -> Error {
        Error::api(provider, code.into(), "m".into(), Some("r".into()), status)
    }

    #[test]
    fn throttling_and_bare_503_are_refusals() {
        for code in [
            "RequestLimitExceeded",
            "RequestLimitExceeded.UinLimitExceeded",
            "RequestLimitExceeded.IPLimitExceeded",
        ] {
            assert_eq!(
                verdict(&api(Provider::Tencent, code, 200), false),
                Verdict::Refused
            );
        }
        for code in ["Throttling", "Throttling.User", "ServiceUnavailable"] {
            assert_eq!(
                verdict(&api(Provider::Alibaba, code, 400), false),
                Verdict::Refused
            );
        }
        let bare = Error::new(ErrorKind::Transport, "x", SendState::Answered).with_http_status(503);
        assert_eq!(verdict(&bare, true), Verdict::Refused);
        assert_eq!(verdict(&bare, false), Verdict::Ambiguous);
    }

    #[test]
    fn internal_errors_and_lost_answers_are_ambiguous() {
        assert_eq!(
            verdict(&api(Provider::Tencent, "InternalError", 200), false),
            Verdict::Ambiguous
        );
        assert_eq!(
            verdict(
                &api(Provider::Alibaba, "InternalError.Dispatch", 500),
                false
            ),
            Verdict::Ambiguous
        );
        let lost = Error::new(ErrorKind::Timeout, "x", SendState::SentNoAnswer);
        assert_eq!(verdict(&lost, false), Verdict::Ambiguous);
        let never = Error::new(ErrorKind::Transport, "x", SendState::NotSent);
        assert_eq!(verdict(&never, false), Verdict::Refused);
    }

    #[test]
    fn request_faults_are_final() {
        for code in [
            "AuthFailure.SignatureFailure",
            "InvalidInstanceId.NotFound",
            "UnsupportedOperation.InstanceStateStopped",
            "InvalidParameterValue",
        ] {
            assert_eq!(
                verdict(&api(Provider::Tencent, code, 200), false),
                Verdict::Final
            );
        }
        assert_eq!(
            verdict(
                &api(Provider::Alibaba, "InvalidInvokeId.NotFound", 404),
                false
            ),
            Verdict::Final
        );
    }

    #[test]
    fn terminate_is_never_repeated_after_an_ambiguous_failure() {
        let terminate = crate::operation(Provider::Tencent, "TerminateInstances").unwrap();
        let stop = crate::operation(Provider::Tencent, "StopInstances").unwrap();
        assert!(!may_retry(terminate, Verdict::Ambiguous));
        assert!(may_retry(terminate, Verdict::Refused));
        assert!(may_retry(stop, Verdict::Ambiguous));
        assert!(!may_retry(stop, Verdict::Final));
    }

    #[test]
    fn backoff_is_full_jitter_capped_and_retry_after_wins() {
        let policy = Retry::default();
        let e = api(Provider::Tencent, "RequestLimitExceeded", 200);
        for attempt in 1..10 {
            let ceiling = (policy.base_delay * (1 << (attempt - 1))).min(policy.max_delay);
            assert!(policy.delay(attempt, &e) <= ceiling);
        }
        let e = api(Provider::Alibaba, "Throttling.User", 400)
            .with_headers(vec![("x-acs-retry-after".into(), "1500".into())]);
        assert_eq!(policy.delay(1, &e), Duration::from_millis(1500));
        let e = e.with_headers(vec![("x-acs-retry-after".into(), "600000".into())]);
        assert_eq!(policy.delay(1, &e), policy.max_delay);
    }

    #[test]
    fn bad_policies_are_refused_naming_the_field() {
        let field = |r: Result<Retry, Error>| r.unwrap_err().field().unwrap().to_owned();
        assert_eq!(field(Retry::from_secs_f64(0, 0.1, 1.0)), "max_attempts");
        assert_eq!(field(Retry::from_secs_f64(3, f64::NAN, 1.0)), "base_delay");
        assert_eq!(field(Retry::from_secs_f64(3, 2.0, 1.0)), "base_delay");
        assert_eq!(field(Retry::from_secs_f64(3, 0.1, 1e9)), "max_delay");
        assert!(Retry::from_secs_f64(1, 0.0, 0.0).is_ok());
    }
}
