//! Several endpoints of one service: each call goes to one of them, picked
//! by the least outstanding calls of two chosen at random; an endpoint that
//! fails (cannot be reached, answers 5xx) is left out for a while, then
//! tried again by the next call (a probe), its wait doubling while it keeps
//! failing. Each endpoint also bounds its calls in flight, and so its
//! connections: calls beyond the bound wait for a free one.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use crate::rt::Instant;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::transport::Transport;

/// The first wait of an endpoint that failed, and the longest.
const EJECT_FIRST: Duration = Duration::from_millis(250);
const EJECT_MAX: Duration = Duration::from_secs(30);

pub(crate) struct Endpoints {
    list: Box<[Endpoint]>,
    /// When the client was built: ejections are kept as offsets from it.
    epoch: Instant,
    /// xorshift state for the random choices.
    random: AtomicU64,
}

pub(crate) struct Endpoint {
    pub transport: Box<dyn Transport>,
    in_flight: AtomicUsize,
    permits: Semaphore,
    /// Consecutive failures; 0 when healthy.
    failures: AtomicU32,
    /// Left out until this many nanoseconds after `epoch` (0: never was).
    ejected_until: AtomicU64,
}

/// A call in flight at one endpoint; dropping it ends the call there.
pub(crate) struct Lease<'a> {
    pub index: usize,
    pub endpoint: &'a Endpoint,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.endpoint.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Endpoints {
    pub fn new(transports: Vec<Box<dyn Transport>>, max_in_flight: usize) -> Self {
        let list = transports
            .into_iter()
            .map(|transport| Endpoint {
                transport,
                in_flight: AtomicUsize::new(0),
                permits: Semaphore::new(max_in_flight.min(Semaphore::MAX_PERMITS)),
                failures: AtomicU32::new(0),
                ejected_until: AtomicU64::new(0),
            })
            .collect();
        let seed = std::collections::hash_map::RandomState::new();
        let random = std::hash::BuildHasher::hash_one(&seed, since_epoch()) | 1;
        Endpoints { list, epoch: Instant::now(), random: AtomicU64::new(random) }
    }

    pub fn first(&self) -> &Endpoint {
        &self.list[0]
    }

    /// Picks an endpoint (not `avoid`, the one that just failed, when there
    /// is another) and waits for a free place there.
    pub async fn lease(&self, avoid: Option<usize>) -> Lease<'_> {
        let index = self.pick(avoid);
        let endpoint = &self.list[index];
        let permit = endpoint.permits.acquire().await.expect("the semaphore is never closed");
        endpoint.in_flight.fetch_add(1, Ordering::Relaxed);
        Lease { index, endpoint, _permit: permit }
    }

    fn pick(&self, avoid: Option<usize>) -> usize {
        let n = self.list.len();
        if n == 1 {
            return 0;
        }
        let now = self.now();
        let usable = |i: usize| Some(i) != avoid && self.list[i].ejected_until.load(Ordering::Relaxed) <= now;
        let r = self.next_random();
        let (a, b) = ((r % n as u64) as usize, ((r >> 32) % (n as u64 - 1)) as usize);
        let b = if b >= a { b + 1 } else { b }; // two different endpoints
        match (usable(a), usable(b)) {
            (true, true) => {
                let load = |i: usize| self.list[i].in_flight.load(Ordering::Relaxed);
                if load(b) < load(a) { b } else { a }
            }
            (true, false) => a,
            (false, true) => b,
            // Both left out: any usable one, else the one back soonest.
            (false, false) => (0..n).find(|&i| usable(i)).unwrap_or_else(|| {
                (0..n)
                    .filter(|&i| Some(i) != avoid || n == 1)
                    .min_by_key(|&i| self.list[i].ejected_until.load(Ordering::Relaxed))
                    .unwrap_or(a)
            }),
        }
    }

    /// The endpoint answered: it is healthy.
    pub fn succeeded(&self, index: usize) {
        let endpoint = &self.list[index];
        if endpoint.failures.load(Ordering::Relaxed) != 0 {
            endpoint.failures.store(0, Ordering::Relaxed);
            endpoint.ejected_until.store(0, Ordering::Relaxed);
        }
    }

    /// The endpoint could not be reached, or answered 5xx: it is left out,
    /// for longer each time it fails again.
    pub fn failed(&self, index: usize) {
        if self.list.len() == 1 {
            return;
        }
        let endpoint = &self.list[index];
        let failures = endpoint.failures.fetch_add(1, Ordering::Relaxed) + 1;
        let wait = EJECT_FIRST.saturating_mul(1 << (failures - 1).min(16)).min(EJECT_MAX);
        let until = self.now() + wait.as_nanos() as u64;
        endpoint.ejected_until.store(until, Ordering::Relaxed);
        tracing::debug!(endpoint = endpoint.transport.endpoint(), ?wait, "remotipy: endpoint left out");
    }

    fn now(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    /// A random number (xorshift64*): cheap, and good enough to spread calls.
    pub fn next_random(&self) -> u64 {
        let mut x = self.random.load(Ordering::Relaxed);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.random.store(x, Ordering::Relaxed);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A seed that differs between processes on every target (a browser's
/// hasher keys are fixed, and it has no process id).
fn since_epoch() -> u128 {
    #[cfg(not(target_arch = "wasm32"))]
    use std::time::SystemTime;
    #[cfg(target_arch = "wasm32")]
    use web_time::SystemTime;
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::InProcess;

    fn endpoints(n: usize) -> Endpoints {
        let server = crate::Server::builder().build().unwrap();
        Endpoints::new((0..n).map(|_| Box::new(InProcess::from(server.clone())) as Box<dyn Transport>).collect(), 8)
    }

    #[test]
    fn calls_spread_over_the_least_loaded_and_skip_the_failed() {
        let e = endpoints(3);
        let mut seen = [0; 3];
        for _ in 0..3000 {
            seen[e.pick(None)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 700), "{seen:?}");
        // A busy endpoint is chosen less.
        e.list[0].in_flight.store(5, Ordering::Relaxed);
        let mut seen = [0; 3];
        for _ in 0..3000 {
            seen[e.pick(None)] += 1;
        }
        assert!(seen[0] < 200, "{seen:?}");
        e.list[0].in_flight.store(0, Ordering::Relaxed);
        // A failed one is left out, and avoided right after failing.
        e.failed(1);
        assert!((0..1000).all(|_| e.pick(None) != 1));
        assert!((0..1000).all(|_| e.pick(Some(0)) == 2));
        e.succeeded(1);
        assert!((0..1000).any(|_| e.pick(None) == 1));
    }

    #[test]
    fn failures_double_the_wait_up_to_a_bound() {
        let e = endpoints(2);
        for _ in 0..40 {
            e.failed(0);
        }
        let until = Duration::from_nanos(e.list[0].ejected_until.load(Ordering::Relaxed) - e.now());
        assert!(until <= EJECT_MAX && until > EJECT_MAX - Duration::from_secs(1), "{until:?}");
    }
}
