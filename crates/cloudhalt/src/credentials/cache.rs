//! The credentials a client signs with: fixed, or temporary and refreshed before they expire.
//!
//! One provider per client, shared by its clones and threads (it is an `Arc`). There is no
//! background thread and no signal handler: the thread that needs credentials and finds them
//! about to expire refreshes them, while the others wait for that one refresh instead of each
//! starting their own.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::Error;

/// Credentials with the time they stop working, if they do.
#[derive(Debug)]
pub(crate) struct Fresh<K> {
    pub creds: K,
    /// Unix seconds after which the provider refuses them; `None` for long-term keys.
    pub expires: Option<i64>,
}

/// Fetches a new set of temporary credentials (a metadata or STS call, a file re-read).
pub(crate) type Fetch<K> = Box<dyn Fn() -> Result<Fresh<K>, Error> + Send + Sync>;

/// After a refresh failed while the old credentials still worked, no new attempt is made for
/// this long: a metadata service that is down is not asked again by every request.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// The credentials of one client: fixed, or refreshed `early` before they expire.
pub(crate) struct Provider<K> {
    inner: Arc<Inner<K>>,
}

impl<K> Clone for Provider<K> {
    fn clone(&self) -> Self {
        Provider {
            inner: Arc::clone(&self.inner),
        }
    }
}

struct Inner<K> {
    /// Where the credentials came from, without any secret (`env TENCENTCLOUD_SECRET_ID`).
    source: String,
    fetch: Option<Fetch<K>>,
    early: Duration,
    current: Mutex<Arc<Fresh<K>>>,
    /// Held by the one thread refreshing; the time of the last failed refresh.
    refreshing: Mutex<Option<Instant>>,
    /// The key ID of the first credentials, for [`Client::key_id`](crate::Client::key_id).
    first_key_id: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl<K: Send + Sync + 'static> Provider<K> {
    /// Credentials that never change.
    pub fn fixed(creds: K, source: impl Into<String>, key_id: impl Into<String>) -> Provider<K> {
        Provider {
            inner: Arc::new(Inner {
                source: source.into(),
                fetch: None,
                early: Duration::ZERO,
                current: Mutex::new(Arc::new(Fresh {
                    creds,
                    expires: None,
                })),
                refreshing: Mutex::new(None),
                first_key_id: key_id.into(),
            }),
        }
    }

    /// Credentials fetched now by `fetch`, and again whenever less than `early` is left.
    pub fn refreshing(
        source: impl Into<String>,
        early: Duration,
        key_id: impl Fn(&K) -> String,
        fetch: Fetch<K>,
    ) -> Result<Provider<K>, Error> {
        let first = fetch()?;
        Ok(Provider {
            inner: Arc::new(Inner {
                source: source.into(),
                first_key_id: key_id(&first.creds),
                fetch: Some(fetch),
                early,
                current: Mutex::new(Arc::new(first)),
                refreshing: Mutex::new(None),
            }),
        })
    }

    /// Where the credentials came from, without any secret.
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// The key ID of the credentials the provider started with.
    pub fn first_key_id(&self) -> &str {
        &self.inner.first_key_id
    }

    /// The credentials to sign with now, refreshed first when they expire within `early`.
    pub fn current(&self) -> Result<Arc<Fresh<K>>, Error> {
        self.current_at(crate::clock::unix_now())
    }

    fn stale(&self, fresh: &Fresh<K>, now: i64) -> bool {
        fresh
            .expires
            .is_some_and(|at| now + self.inner.early.as_secs() as i64 >= at)
    }

    pub(crate) fn current_at(&self, now: i64) -> Result<Arc<Fresh<K>>, Error> {
        let inner = &*self.inner;
        let held = Arc::clone(&lock(&inner.current));
        let Some(fetch) = &inner.fetch else {
            return Ok(held);
        };
        if !self.stale(&held, now) {
            return Ok(held);
        }
        let still_valid = held.expires.is_some_and(|at| now < at);
        let mut last_failure = match inner.refreshing.try_lock() {
            Ok(guard) => guard,
            // Another thread is refreshing: credentials that still work are used meanwhile,
            // so that a slow STS call holds up no request but the one refreshing.
            Err(std::sync::TryLockError::WouldBlock) if still_valid => return Ok(held),
            Err(_) => lock(&inner.refreshing),
        };
        // Another thread may have refreshed while this one waited for the lock.
        let held = Arc::clone(&lock(&inner.current));
        if !self.stale(&held, now) {
            return Ok(held);
        }
        let still_valid = held.expires.is_some_and(|at| now < at);
        if still_valid && last_failure.is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE) {
            return Ok(held);
        }
        match fetch() {
            Ok(new) => {
                log::debug!(
                    "credentials from {} refreshed; they expire at unix time {}",
                    inner.source,
                    new.expires
                        .map_or_else(|| "never".into(), |t| t.to_string())
                );
                let new = Arc::new(new);
                *lock(&inner.current) = Arc::clone(&new);
                *last_failure = None;
                Ok(new)
            }
            Err(e) if still_valid => {
                log::warn!(
                    "refreshing the credentials from {} failed, the current ones stay in use \
                     until they expire: {e}",
                    inner.source
                );
                *last_failure = Some(Instant::now());
                Ok(held)
            }
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn counting(expires_in: i64, fail_after: u32) -> (Arc<AtomicU32>, Fetch<u32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let seen = Arc::clone(&calls);
        let base = crate::clock::unix_now();
        let fetch: Fetch<u32> = Box::new(move || {
            let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
            if n > fail_after {
                return Err(Error::credentials("metadata not reachable"));
            }
            Ok(Fresh {
                creds: n,
                // The n-th set expires n periods after the start.
                expires: Some(base + i64::from(n) * expires_in),
            })
        });
        (calls, fetch)
    }

    #[test]
    fn credentials_are_refreshed_only_when_about_to_expire() {
        let (calls, fetch) = counting(3600, u32::MAX);
        let p = Provider::refreshing("test", Duration::from_secs(300), |n| n.to_string(), fetch)
            .unwrap();
        let now = crate::clock::unix_now();
        assert_eq!(p.current_at(now).unwrap().creds, 1);
        assert_eq!(
            p.current_at(now + 3000).unwrap().creds,
            1,
            "55 min left: kept"
        );
        assert_eq!(
            p.current_at(now + 3400).unwrap().creds,
            2,
            "<5 min left: refreshed"
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(p.first_key_id(), "1");
    }

    #[test]
    fn a_failed_refresh_keeps_credentials_that_still_work_then_fails_once_expired() {
        let (_, fetch) = counting(3600, 1);
        let p = Provider::refreshing("test", Duration::from_secs(300), |n| n.to_string(), fetch)
            .unwrap();
        let now = crate::clock::unix_now();
        assert_eq!(p.current_at(now + 3400).unwrap().creds, 1, "old ones kept");
        let err = p.current_at(now + 3700).unwrap_err();
        assert!(err.message().contains("metadata not reachable"), "{err}");
    }

    #[test]
    fn clones_and_threads_share_one_refresh() {
        for (offset, still_valid) in [(3500, true), (3700, false)] {
            let (calls, fetch) = counting(3600, u32::MAX);
            let p =
                Provider::refreshing("test", Duration::from_secs(300), |n| n.to_string(), fetch)
                    .unwrap();
            let later = crate::clock::unix_now() + offset;
            std::thread::scope(|s| {
                for _ in 0..8 {
                    let p = p.clone();
                    s.spawn(move || {
                        let got = p.current_at(later).unwrap().creds;
                        // While one thread refreshes, the others use the set that still works;
                        // an expired one they wait for.
                        if still_valid {
                            assert!(got == 1 || got == 2, "{got}");
                        } else {
                            assert_eq!(got, 2);
                        }
                    });
                }
            });
            assert_eq!(
                calls.load(Ordering::SeqCst),
                2,
                "one fetch at start, one refresh"
            );
            assert_eq!(p.current_at(later).unwrap().creds, 2);
        }
    }
}
