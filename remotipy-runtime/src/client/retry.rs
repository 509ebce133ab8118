//! When a call is sent again, and how often.
//!
//! A call marked `#[remote(idempotent)]` is retried after any failure of an
//! attempt (a connection that failed or was reset, an attempt's timeout, an
//! HTTP 502, 503 or 504); any other call only when its request certainly
//! never left (the connection could not be made), since it may have run.
//! Retries go to another endpoint where there is one, after a jittered
//! backoff (or the server's `Retry-After`), within the call's own timeout,
//! and only while the retry budget allows (20% extra attempts over the last
//! ten seconds, and at least 10 retries a second).

use std::sync::Mutex;
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
    pub(crate) ratio: f64,
    pub(crate) min_per_second: u32,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: 3,
            first_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_secs(1),
            attempt_timeout: None,
            ratio: 0.2,
            min_per_second: 10,
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

    /// Never retries.
    pub fn never() -> Self {
        Retry { max_attempts: 1, ..Retry::default() }
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
    pub(crate) fn backoff_before(&self, retry: u32, random: u64) -> Duration {
        let ceiling = self.first_backoff.saturating_mul(1 << (retry - 1).min(20)).min(self.max_backoff);
        ceiling.mul_f64((random >> 11) as f64 / (1u64 << 53) as f64)
    }
}

/// How long the budget remembers calls and retries, in one-second slots.
const WINDOW_SECONDS: usize = 10;

/// The retry budget of one client (see [`Retry::budget`]): calls and
/// retries counted per second over a sliding window.
#[derive(Debug)]
pub(crate) struct Budget {
    slots: Mutex<[Slot; WINDOW_SECONDS]>,
    /// Retries allowed: `ratio × calls + reserve`.
    ratio: f64,
    reserve: f64,
    epoch: Instant,
}

#[derive(Debug, Default, Clone, Copy)]
struct Slot {
    /// The second since `epoch` this slot counts.
    second: u64,
    calls: u32,
    retries: u32,
}

impl Budget {
    pub fn new(retry: &Retry) -> Self {
        Budget {
            slots: Mutex::new([Slot::default(); WINDOW_SECONDS]),
            ratio: retry.ratio,
            reserve: f64::from(retry.min_per_second) * WINDOW_SECONDS as f64,
            epoch: Instant::now(),
        }
    }

    /// A call is made: it earns `ratio` of a retry.
    pub fn called(&self) {
        self.with_slot(|slot| slot.calls = slot.calls.saturating_add(1));
    }

    /// Whether one more retry fits in the budget; if so, it is spent.
    pub fn retry(&self) -> bool {
        let second = self.second();
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let live = slots.iter().filter(|slot| slot.second + WINDOW_SECONDS as u64 > second);
        let (calls, retries) =
            live.fold((0u64, 0u64), |(c, r), slot| (c + u64::from(slot.calls), r + u64::from(slot.retries)));
        let allowed = (retries + 1) as f64 <= calls as f64 * self.ratio + self.reserve;
        if allowed {
            let slot = current(&mut slots, second);
            slot.retries = slot.retries.saturating_add(1);
        }
        allowed
    }

    fn with_slot(&self, update: impl FnOnce(&mut Slot)) {
        let second = self.second();
        let mut slots = self.slots.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        update(current(&mut slots, second));
    }

    fn second(&self) -> u64 {
        self.epoch.elapsed().as_secs()
    }
}

/// The slot of `second`, emptied if it last counted an older one.
fn current(slots: &mut [Slot; WINDOW_SECONDS], second: u64) -> &mut Slot {
    let slot = &mut slots[(second % WINDOW_SECONDS as u64) as usize];
    if slot.second != second {
        *slot = Slot { second, calls: 0, retries: 0 };
    }
    slot
}

/// An HTTP answer that says the server (or the proxy before it) could not
/// take the call now: worth another attempt, elsewhere, if the call may run twice.
pub(crate) fn unavailable(status: StatusCode) -> bool {
    matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT)
}

/// `Retry-After` in seconds (the HTTP-date form is not worth a date parser
/// here: it is taken as absent).
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let seconds = headers.get(http::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok()?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_allows_its_ratio_of_retries_plus_its_floor() {
        // No floor: 20% of the calls.
        let budget = Budget::new(&Retry::new().budget(0.2, 0));
        assert!(!budget.retry(), "no call made yet, nothing earned");
        for _ in 0..100 {
            budget.called();
        }
        assert_eq!((0..100).filter(|_| budget.retry()).count(), 20);
        // A floor of 3 a second: 30 over the window, with no calls at all.
        let budget = Budget::new(&Retry::new().budget(0.2, 3));
        assert_eq!((0..100).filter(|_| budget.retry()).count(), 30);
    }

    #[test]
    fn the_window_forgets_what_is_older_than_ten_seconds() {
        let mut slots = [Slot::default(); WINDOW_SECONDS];
        current(&mut slots, 3).calls = 7;
        assert_eq!(current(&mut slots, 3).calls, 7);
        assert_eq!(current(&mut slots, 13).calls, 0, "the same slot, ten seconds later, starts again");
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
