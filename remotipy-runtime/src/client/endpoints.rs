//! Several endpoints of one service: each call goes to one of them, picked
//! by the least outstanding calls of two chosen at random; an endpoint that
//! fails (cannot be reached, answers 502/503/504) is left out for a while,
//! then tried again by the next calls (probes), its wait doubling while it
//! keeps failing. Each endpoint also bounds its calls and open streams in
//! flight, and so its connections: calls beyond the bound wait for a place.
//!
//! A client of one endpoint pays for none of the choosing or the leaving
//! out: only the bound, one atomic operation each way.

use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

use crate::rt::Instant;
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
    /// Calls and open streams in flight here, at most `max`.
    in_flight: AtomicUsize,
    max: usize,
    /// Calls waiting for a place, woken one at a time as places free up.
    waiting: AtomicUsize,
    freed: Notify,
    /// Consecutive ejections; 0 when healthy.
    failures: AtomicU32,
    /// Left out until this many nanoseconds after `epoch` (0: never was).
    ejected_until: AtomicU64,
    /// Counts ejections: a failure counts only if no ejection came between
    /// its call's start and its end, so that the calls in flight when an
    /// endpoint dies are one failure, not one each.
    generation: AtomicU32,
}

/// A place at one endpoint, held by a call in flight (or an open stream);
/// dropping it gives the place back.
pub(crate) struct Lease<'a> {
    pub index: usize,
    pub endpoint: &'a Endpoint,
    /// The endpoint's ejections when the call started.
    generation: u32,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        self.endpoint.release();
    }
}

impl Lease<'_> {
    /// The endpoint's index, the place kept: give it back with
    /// [`Endpoints::release`].
    pub fn keep(self) -> usize {
        let index = self.index;
        std::mem::forget(self);
        index
    }
}

impl Endpoints {
    pub fn new(transports: Vec<Box<dyn Transport>>, max_in_flight: usize) -> Self {
        let list = transports
            .into_iter()
            .map(|transport| Endpoint {
                transport,
                in_flight: AtomicUsize::new(0),
                max: max_in_flight.max(1),
                waiting: AtomicUsize::new(0),
                freed: Notify::new(),
                failures: AtomicU32::new(0),
                ejected_until: AtomicU64::new(0),
                generation: AtomicU32::new(0),
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
        endpoint.acquire().await;
        Lease { index, endpoint, generation: endpoint.generation.load(Ordering::Relaxed) }
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
                    .filter(|&i| Some(i) != avoid)
                    .min_by_key(|&i| self.list[i].ejected_until.load(Ordering::Relaxed))
                    .unwrap_or(a)
            }),
        }
    }

    /// Gives back a place kept with [`Lease::keep`].
    pub fn release(&self, index: usize) {
        self.list[index].release();
    }

    /// The endpoint answered: it is healthy.
    pub fn succeeded(&self, lease: &Lease<'_>) {
        let endpoint = lease.endpoint;
        if self.list.len() > 1 && endpoint.failures.load(Ordering::Relaxed) != 0 {
            endpoint.failures.store(0, Ordering::Relaxed);
            endpoint.ejected_until.store(0, Ordering::Relaxed);
        }
    }

    /// The endpoint could not be reached, or answered 502/503/504: it is left
    /// out, for longer each time its probes fail again. The failures of calls
    /// that started before the latest ejection are that ejection's, already
    /// counted.
    pub fn failed(&self, lease: &Lease<'_>) {
        if self.list.len() == 1 {
            return;
        }
        let endpoint = lease.endpoint;
        let next = lease.generation.wrapping_add(1);
        let counted =
            endpoint.generation.compare_exchange(lease.generation, next, Ordering::AcqRel, Ordering::Relaxed).is_err();
        if counted {
            return;
        }
        let failures = endpoint.failures.fetch_add(1, Ordering::Relaxed) + 1;
        let wait = EJECT_FIRST.saturating_mul(1 << (failures - 1).min(16)).min(EJECT_MAX);
        let until = self.now().saturating_add(u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX));
        endpoint.ejected_until.store(until, Ordering::Relaxed);
        tracing::debug!(endpoint = endpoint.transport.endpoint(), ?wait, "remotipy: endpoint left out");
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
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

impl Endpoint {
    /// Takes a place, waiting for one when all `max` are taken. The common
    /// case is one compare-and-swap; only a call that must wait touches the
    /// waiters (a tokio `Semaphore` takes a lock on every release).
    async fn acquire(&self) {
        loop {
            if self.try_acquire() {
                return;
            }
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            freed.as_mut().enable();
            self.waiting.fetch_add(1, Ordering::SeqCst);
            // A place freed between the first try and `enable` woke nobody.
            if self.try_acquire() {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            let _waiting = Waiting(&self.waiting);
            freed.await;
        }
    }

    fn try_acquire(&self) -> bool {
        let mut current = self.in_flight.load(Ordering::Relaxed);
        while current < self.max {
            match self.in_flight.compare_exchange_weak(current, current + 1, Ordering::SeqCst, Ordering::Relaxed) {
                Ok(_) => return true,
                Err(now) => current = now,
            }
        }
        false
    }

    fn release(&self) {
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) != 0 {
            self.freed.notify_one();
        }
    }
}

/// A call counted among an endpoint's waiters until it stops waiting
/// (woken, or dropped by its timeout).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
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

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;
    use crate::transport::InProcess;

    fn endpoints(n: usize, max: usize) -> Endpoints {
        let server = crate::server::Server::builder().build().unwrap();
        Endpoints::new((0..n).map(|_| Box::new(InProcess::from(server.clone())) as Box<dyn Transport>).collect(), max)
    }

    fn lease_at(e: &Endpoints, index: usize) -> Lease<'_> {
        let endpoint = &e.list[index];
        assert!(endpoint.try_acquire());
        Lease { index, endpoint, generation: endpoint.generation.load(Ordering::Relaxed) }
    }

    #[test]
    fn calls_spread_over_the_least_loaded_and_skip_the_failed() {
        let e = endpoints(3, 8);
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
        e.failed(&lease_at(&e, 1));
        assert!((0..1000).all(|_| e.pick(None) != 1));
        assert!((0..1000).all(|_| e.pick(Some(0)) == 2));
        e.succeeded(&lease_at(&e, 1));
        assert!((0..1000).any(|_| e.pick(None) == 1));
    }

    #[test]
    fn probes_that_keep_failing_double_the_wait_up_to_a_bound() {
        let e = endpoints(2, 8);
        for _ in 0..40 {
            // One probe at a time: each started after the previous ejection.
            e.failed(&lease_at(&e, 0));
        }
        let until = Duration::from_nanos(e.list[0].ejected_until.load(Ordering::Relaxed) - e.now());
        assert!(until <= EJECT_MAX && until > EJECT_MAX - Duration::from_secs(1), "{until:?}");
    }

    #[test]
    fn calls_in_flight_when_an_endpoint_dies_are_one_failure() {
        let e = endpoints(2, 64);
        let in_flight: Vec<Lease<'_>> = (0..32).map(|_| lease_at(&e, 0)).collect();
        for lease in &in_flight {
            e.failed(lease);
        }
        assert_eq!(e.list[0].failures.load(Ordering::Relaxed), 1, "32 calls of one outage count once");
        let until = Duration::from_nanos(e.list[0].ejected_until.load(Ordering::Relaxed) - e.now());
        assert!(until <= EJECT_FIRST, "left out for the first wait only: {until:?}");
    }

    #[tokio::test]
    async fn the_bound_makes_calls_wait_for_a_place_and_frees_it_on_drop() {
        let e = endpoints(1, 2);
        let (a, b) = (e.lease(None).await, e.lease(None).await);
        let mut third = Box::pin(e.lease(None));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(third.as_mut().poll(&mut cx).is_pending(), "both places are taken");
        drop(a);
        let c = third.await;
        assert_eq!(e.list[0].in_flight.load(Ordering::Relaxed), 2);
        drop((b, c));
        assert_eq!(e.list[0].in_flight.load(Ordering::Relaxed), 0);
        // A waiter that gives up leaves no trace.
        let (_x, _y) = (e.lease(None).await, e.lease(None).await);
        let gave_up = tokio::time::timeout(Duration::from_millis(1), e.lease(None)).await;
        assert!(gave_up.is_err());
        assert_eq!(e.list[0].waiting.load(Ordering::Relaxed), 0);
    }
}
