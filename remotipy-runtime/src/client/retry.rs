//! When a call is sent again, and how often.
//!
//! A call marked `#[remote(idempotent)]` is retried after any failure of an
//! attempt (a connection that failed or was reset, an attempt's timeout, an
//! HTTP 502, 503 or 504); any other call only when its request certainly
//! never left (the connection could not be made), since it may have run.
//! Retries go to another endpoint where there is one, after a jittered
//! backoff (or the server's `Retry-After`), within the call's own timeout,
//! and only while the retry budget allows (20% extra attempts over the last
//! ten seconds, and at least 10 retries a second). A `Retry-After` that asks
//! for longer than the call has left, or longer than
//! [`Retry::max_retry_after`] (60 s by default, which also bounds calls
//! without a timeout), is not waited for: the 502/503/504 is the answer.
//!
//! A resumable stream (items `Tracked`) that breaks off reconnects under
//! the same policy: at once to another endpoint, then with the backoff,
//! each reconnect spending the budget, at most
//! [`Retry::max_stream_reconnects`] times in a row without an item between.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{HeaderMap, StatusCode};

use crate::rt::Instant;

/// How a client retries calls (`ClientBuilder::retry`).
///
/// ```
/// use std::time::Duration;
/// use remotipy::client::Retry;
///
/// let retry = Retry::new()
///     .max_attempts(4)                                                // the first and up to 3 retries
///     .attempt_timeout(Duration::from_millis(500))                    // one attempt; the call's timeout bounds all
///     .backoff(Duration::from_millis(10), Duration::from_millis(200)) // jittered, doubling
///     .budget(0.1, 5);                                                // 10% extra attempts, or 5 a second
/// # let _ = retry;
/// ```
#[derive(Debug, Clone)]
pub struct Retry {
    pub(crate) max_attempts: u32,
    pub(crate) first_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) max_retry_after: Duration,
    pub(crate) ratio: f64,
    pub(crate) min_per_second: u32,
    pub(crate) max_stream_reconnects: u32,
}

/// The default longest `Retry-After` a client waits for before a retry.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// The default bound on a resumable stream's reconnects in a row, with no
/// item between: 10 (with the default backoff, about 5 s of trying).
pub const DEFAULT_MAX_STREAM_RECONNECTS: u32 = 10;

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: 3,
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_secs(1),
            attempt_timeout: None,
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            ratio: 0.2,
            min_per_second: 10,
            max_stream_reconnects: DEFAULT_MAX_STREAM_RECONNECTS,
        }
    }
}

impl Retry {
    /// The defaults: 3 attempts, backoff from 20 ms up to 1 s, no timeout of
    /// its own for one attempt, a budget of 20% extra attempts (and at least
    /// 10 retries a second).
    pub fn new() -> Self {
        Retry::default()
    }

    /// Never retries, nor reconnects a stream.
    pub fn never() -> Self {
        Retry { max_attempts: 1, max_stream_reconnects: 0, ..Retry::default() }
    }

    /// A resumable stream that broke off reconnects at most `reconnects`
    /// times in a row, with no item arriving between (default
    /// [`DEFAULT_MAX_STREAM_RECONNECTS`], 10); each item starts the count
    /// again, so a stream lasting days survives any number of cuts spread
    /// over it. Then it ends with [`Error::StreamBroken`](crate::Error::StreamBroken),
    /// which says how many it made. `0`: streams never reconnect.
    pub fn max_stream_reconnects(mut self, reconnects: u32) -> Self {
        self.max_stream_reconnects = reconnects;
        self
    }

    /// At most `attempts` attempts per call, the first included.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Gives up on one attempt after `timeout` (and retries an idempotent
    /// call); the call's timeout still bounds them all.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = Some(timeout);
        self
    }

    /// Waits at most this long before a retry (default
    /// [`DEFAULT_MAX_RETRY_AFTER`], 60 s): a server that answers 502, 503 or
    /// 504 with a longer `Retry-After` (or one past the call's deadline) is
    /// not retried, and the call fails with that answer; a longer backoff is
    /// cut to it. This bounds the waits of a call without a timeout too.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Waits a random time up to `first` before the first retry, up to
    /// twice that before the next, and so on up to `max`.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    /// The retry budget, as Finagle's: over the last 10 seconds, retries
    /// may add `ratio` of the calls made (0.2: at most 20% extra attempts),
    /// plus `min_per_second` retries per second whatever the traffic (so
    /// that a client making few calls still retries one). A service that
    /// fails every call sees at most that much extra load, never a storm of
    /// `max_attempts` times its traffic. The defaults: 0.2 and 10.
    pub fn budget(mut self, ratio: f64, min_per_second: u32) -> Self {
        self.ratio = ratio.max(0.0);
        self.min_per_second = min_per_second;
        self
    }

    /// The wait before retry number `retry` (1 for the first), jittered by
    /// `random`: anything from zero to the doubled backoff.
    /// Never longer than [`Retry::max_retry_after`], nor a panic for a
    /// ceiling as long as `Duration::MAX`.
    pub(crate) fn backoff_before(&self, retry: u32, random: u64) -> Duration {
        let ceiling = self.first_backoff.saturating_mul(1 << (retry - 1).min(20)).min(self.max_backoff);
        let fraction = (random >> 11) as f64 / (1u64 << 53) as f64;
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * fraction).unwrap_or(ceiling).min(self.max_retry_after)
    }
}

/// How long the budget remembers calls and retries, in one-second slots.
const WINDOW_SECONDS: usize = 10;

/// The retry budget of one client (see [`Retry::budget`]): calls and
/// retries counted over a sliding window of seconds.
///
/// A call costs one atomic increment (and, once a second, a rotation of
/// the window under its lock); only retries, which are rare, take the lock
/// to count and decide.
#[derive(Debug)]
pub(crate) struct Budget {
    /// Every call made, ever.
    calls: AtomicU64,
    /// The second since `epoch` the window last rotated to.
    second: AtomicU64,
    slots: Mutex<[Slot; WINDOW_SECONDS]>,
    /// Retries allowed: `ratio × calls + reserve`.
    ratio: f64,
    reserve: f64,
    epoch: Instant,
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    /// The second since `epoch` this slot counts (`u64::MAX`: none yet).
    second: u64,
    /// `calls` when the second began.
    calls_before: u64,
    retries: u32,
}

const EMPTY: Slot = Slot { second: u64::MAX, calls_before: 0, retries: 0 };

impl Budget {
    pub fn new(retry: &Retry) -> Self {
        Budget {
            calls: AtomicU64::new(0),
            second: AtomicU64::new(u64::MAX),
            slots: Mutex::new([EMPTY; WINDOW_SECONDS]),
            ratio: retry.ratio,
            reserve: f64::from(retry.min_per_second) * WINDOW_SECONDS as f64,
            epoch: Instant::now(),
        }
    }

    /// A call is made at `now`: it earns `ratio` of a retry.
    pub fn called(&self, now: Instant) {
        let second = self.second_of(now);
        if self.second.load(Ordering::Relaxed) != second {
            drop(self.rotate(second));
        }
        self.calls.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether one more retry, at `now`, fits in the budget; if so, it is spent.
    pub fn retry(&self, now: Instant) -> bool {
        let second = self.second_of(now);
        let mut slots = self.rotate(second);
        let live = slots.iter().filter(|slot| slot.second != u64::MAX && slot.second + WINDOW_SECONDS as u64 > second);
        let since = live.clone().map(|slot| slot.calls_before).min().unwrap_or(0);
        let retries: u64 = live.map(|slot| u64::from(slot.retries)).sum();
        let calls = self.calls.load(Ordering::Relaxed).saturating_sub(since);
        let allowed = (retries + 1) as f64 <= calls as f64 * self.ratio + self.reserve;
        if allowed {
            let slot = &mut slots[(second % WINDOW_SECONDS as u64) as usize];
            slot.retries = slot.retries.saturating_add(1);
        }
        allowed
    }

    /// Starts the slot of `second` if it is not started yet; returns the slots.
    fn rotate(&self, second: u64) -> std::sync::MutexGuard<'_, [Slot; WINDOW_SECONDS]> {
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let slot = &mut slots[(second % WINDOW_SECONDS as u64) as usize];
        if slot.second != second {
            *slot = Slot { second, calls_before: self.calls.load(Ordering::Relaxed), retries: 0 };
        }
        self.second.store(second, Ordering::Relaxed);
        slots
    }

    fn second_of(&self, now: Instant) -> u64 {
        now.saturating_duration_since(self.epoch).as_secs()
    }
}

/// An HTTP answer that says the server (or the proxy before it) could not
/// take the call now: worth another attempt, elsewhere, if the call may run twice.
pub(crate) fn unavailable(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT)
}

/// `Retry-After` in seconds (the HTTP-date form is not worth a date parser
/// here: it is taken as absent). Any number of seconds reads: a `u64` of
/// them is a valid `Duration`, and the caller bounds the wait.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

/// What a call that failed after several attempts failed with: how many,
/// at how many endpoints, and the last attempt's failure as the source.
#[derive(Debug, thiserror::Error)]
#[error("{attempts} attempts at {endpoints} endpoint{} failed", if *endpoints == 1 { "" } else { "s" })]
pub struct AttemptsFailed {
    /// The attempts made.
    pub attempts: u32,
    /// The distinct endpoints they went to.
    pub endpoints: usize,
    /// The last attempt's failure.
    #[source]
    pub last: crate::error::BoxError,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_allows_its_ratio_of_retries_plus_its_floor() {
        // No floor: 20% of the calls.
        let budget = Budget::new(&Retry::new().budget(0.2, 0));
        assert!(!budget.retry(Instant::now()), "no call made yet, nothing earned");
        for _ in 0..100 {
            budget.called(Instant::now());
        }
        assert_eq!((0..100).filter(|_| budget.retry(Instant::now())).count(), 20);
        // A floor of 3 a second: 30 over the window, with no calls at all.
        let budget = Budget::new(&Retry::new().budget(0.2, 3));
        assert_eq!((0..100).filter(|_| budget.retry(Instant::now())).count(), 30);
    }

    #[test]
    fn the_window_forgets_what_is_older_than_ten_seconds() {
        let budget = Budget::new(&Retry::new().budget(0.2, 0));
        let t0 = budget.epoch;
        for _ in 0..100 {
            budget.called(t0);
        }
        assert!(budget.retry(t0 + Duration::from_secs(9)), "the calls of 9 s ago still count");
        assert!(!budget.retry(t0 + Duration::from_secs(10)), "those of 10 s ago no longer do");
    }

    #[test]
    fn backoff_is_jittered_below_a_doubling_ceiling() {
        let retry = Retry::new().backoff(Duration::from_millis(10), Duration::from_millis(50));
        assert_eq!(
            retry.backoff_before(1, u64::MAX),
            Duration::from_millis(10).mul_f64(1.0 - 1.0 / (1u64 << 53) as f64)
        );
        assert!(retry.backoff_before(2, u64::MAX) <= Duration::from_millis(20));
        assert!(retry.backoff_before(9, u64::MAX) <= Duration::from_millis(50));
        assert_eq!(retry.backoff_before(3, 0), Duration::ZERO);
    }
}
