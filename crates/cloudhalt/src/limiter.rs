//! The client-side rate limit: requests of one action in one region are paced so that no
//! one-second window at the provider holds more than its documented number.
//!
//! A token bucket would let a full second's worth of requests out at once, and the next second's
//! right behind them: a provider counting on arrival time sees up to twice its limit in some
//! window. Instead the requests of one action and region leave one at a time, each at least
//! `1.1 / rate` seconds after the previous one left (a 10 % margin): any window of one second
//! then holds at most `rate` requests even when arrival jitters by up to ±50 ms at 10 req/s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::{Error, Provider};
use crate::ops::{Operation, RateLimit};

/// The pacing margin: slots are this many times the documented interval apart.
pub const PACING_MARGIN: f64 = 1.1;

/// The rate assumed where the provider publishes none (Alibaba shows per-account thresholds in
/// its Quota Center): 10 requests per second per action and region.
pub const UNPUBLISHED_RATE: u32 = 10;

/// How a client paces its requests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum Pacing {
    /// Each action at its documented rate from the operation table (StopInstances and
    /// TerminateInstances 10/s, CancelInvocation and CancelInstanceRefresh 20/s, StopInvocation
    /// [`UNPUBLISHED_RATE`]), with the [`PACING_MARGIN`]. The default.
    #[default]
    Documented,
    /// Every action at this many requests per second (0.01 to 10,000), with the margin: for an
    /// account whose limits were raised or lowered by ticket.
    PerSecond(f64),
    /// No client-side limit.
    Off,
}

impl Pacing {
    /// Checks a [`Pacing::PerSecond`] rate.
    pub fn check(self) -> Result<Pacing, Error> {
        match self {
            Pacing::PerSecond(rate) if !(rate.is_finite() && (0.01..=10_000.0).contains(&rate)) => {
                Err(Error::invalid_input(
                    "rate_limit",
                    format!(
                        "rate_limit {rate} is not valid: give 0.01 to 10000 requests per second"
                    ),
                ))
            }
            other => Ok(other),
        }
    }

    /// The requests per second `op` is paced at, or `None` when unpaced.
    pub fn rate(self, op: &Operation) -> Option<f64> {
        match self {
            Pacing::Off => None,
            Pacing::PerSecond(rate) => Some(rate),
            Pacing::Documented => Some(match op.rate_limit {
                RateLimit::PerSecond(n) => f64::from(n),
                _ => f64::from(UNPUBLISHED_RATE),
            }),
        }
    }

    /// The gap between two paced requests of `op`.
    pub fn interval(self, op: &Operation) -> Option<Duration> {
        self.rate(op)
            .map(|rate| Duration::from_secs_f64(PACING_MARGIN / rate))
    }
}

/// The pacing state per provider, action and region, shared by every clone of a client.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    keys: Mutex<HashMap<Key, Arc<Mutex<Option<Instant>>>>>,
}

/// What a limit applies to: one provider's action in one region.
type Key = (Provider, &'static str, String);

impl Limiter {
    /// Waits until a request of `op` in `region` may leave, and records that it left now.
    ///
    /// Requests of one key are released one at a time, each at least `interval` after the
    /// previous one actually left (not after its reserved slot): a thread that is slow to
    /// send cannot let the next one catch up with it. Call it right before the request is
    /// written, so that little happens between the release and the wire.
    pub fn acquire(&self, pacing: Pacing, op: &'static Operation, region: Option<&str>) {
        let Some(interval) = pacing.interval(op) else {
            return;
        };
        let key = {
            let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(
                keys.entry((
                    op.provider,
                    op.action,
                    region.unwrap_or_default().to_owned(),
                ))
                .or_default(),
            )
        };
        let mut last = key.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(at) = *last {
            let due = at + interval;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        *last = Some(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_one_second_window_holds_more_than_the_documented_rate() {
        let op = crate::operation(Provider::Tencent, "StopInstances").unwrap();
        let limiter = std::sync::Arc::new(Limiter::default());
        let times = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..3 {
                        limiter.acquire(Pacing::Documented, op, Some("ap-guangzhou"));
                        times.lock().unwrap().push(Instant::now());
                    }
                });
            }
        });
        let mut times = times.into_inner().unwrap();
        times.sort();
        assert_eq!(times.len(), 24);
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| u.duration_since(*t) < Duration::from_secs(1))
                .count();
            assert!(in_window <= 10, "{in_window} requests within one second");
        }
        // And it is not slower than it must be: 24 requests at 10/s with the margin.
        let span = times[23].duration_since(times[0]);
        assert!(
            span < Duration::from_secs_f64(23.0 * 0.11 + 0.5),
            "{span:?}"
        );
    }

    #[test]
    fn regions_and_actions_are_paced_apart_and_off_is_off() {
        let op = crate::operation(Provider::Tencent, "StopInstances").unwrap();
        let limiter = Limiter::default();
        let start = Instant::now();
        limiter.acquire(Pacing::Documented, op, Some("ap-guangzhou"));
        limiter.acquire(Pacing::Documented, op, Some("ap-shanghai"));
        for _ in 0..50 {
            limiter.acquire(Pacing::Off, op, Some("ap-guangzhou"));
        }
        assert!(start.elapsed() < Duration::from_millis(50));
    }

    #[test]
    fn bad_rates_are_refused() {
        for rate in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(Pacing::PerSecond(rate).check().is_err(), "{rate}");
        }
        assert!(Pacing::PerSecond(5.0).check().is_ok());
    }
}
