//! Beyond one server: several endpoints per client, retries that never run a
//! call twice unless it is idempotent, a retry budget, a bound on
//! connections, and deadlines that travel with calls across hops. Every
//! server is real, on loopback; "killed" servers drop every connection at
//! once, as a dying process does.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::Killable;
use remotipy::client::Retry;
use remotipy::{CallOptions, Error};

/// Which server ran what, shared by the servers of one test.
#[derive(Default)]
struct Ledger {
    /// key → every server that ran `write(key)`.
    writes: Mutex<HashMap<u64, Vec<u64>>>,
    /// Calls each server ran.
    calls: Mutex<HashMap<u64, usize>>,
}

#[remotipy::remote]
pub trait Work {
    /// Which server answered.
    #[remote(idempotent)]
    async fn read(&self) -> u64;
    /// Not idempotent: records that this server ran it for `key`.
    async fn write(&self, key: u64) -> u64;
    /// Sleeps, then says which server answered.
    #[remote(idempotent)]
    async fn slow(&self, millis: u64) -> u64;
    /// Milliseconds left before the caller's deadline, as this server sees
    /// it, then the same from each next hop (each called through a
    /// generated client with no timeout of its own).
    #[remote(idempotent)]
    async fn budget(&self, hops: Vec<String>, sleep_ms: u64) -> Vec<u64>;
}

struct Node {
    id: u64,
    ledger: Arc<Ledger>,
    /// Handlers stopped before they finished (dropped at the deadline).
    dropped: Arc<AtomicUsize>,
}

impl Node {
    fn count(&self) {
        *self.ledger.calls.lock().unwrap().entry(self.id).or_default() += 1;
    }
}

/// Counts a handler dropped before it finished.
struct Unfinished(Arc<AtomicUsize>, bool);

impl Drop for Unfinished {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl Work for Node {
    async fn read(&self) -> u64 {
        self.count();
        self.id
    }
    async fn write(&self, key: u64) -> u64 {
        self.count();
        self.ledger.writes.lock().unwrap().entry(key).or_default().push(self.id);
        self.id
    }
    async fn slow(&self, millis: u64) -> u64 {
        self.count();
        tokio::time::sleep(Duration::from_millis(millis)).await;
        self.id
    }
    async fn budget(&self, hops: Vec<String>, sleep_ms: u64) -> Vec<u64> {
        let mut guard = Unfinished(self.dropped.clone(), false);
        let deadline = remotipy::Context::current().and_then(|c| c.deadline()).expect("the caller sent its deadline");
        let mut left = vec![deadline.saturating_duration_since(tokio::time::Instant::now()).as_millis() as u64];
        tokio::time::sleep(Duration::from_millis(sleep_ms)).await;
        if let Some((next, rest)) = hops.split_first() {
            // No timeout of its own: the deadline comes from the call being handled.
            let client = WorkClient::builder(next).no_timeout().build().unwrap();
            left.extend(client.budget(rest.to_vec(), sleep_ms).await.unwrap());
        }
        guard.1 = true;
        left
    }
}

fn node(id: u64, ledger: &Arc<Ledger>, dropped: &Arc<AtomicUsize>) -> axum::Router {
    let node = Node { id, ledger: ledger.clone(), dropped: dropped.clone() };
    axum::Router::new().route("/rpc", WorkServer::new(node).into_route())
}

fn cluster(n: u64) -> (Vec<Killable>, Arc<Ledger>) {
    let ledger = Arc::new(Ledger::default());
    let dropped = Arc::new(AtomicUsize::new(0));
    ((1..=n).map(|id| Killable::start(node(id, &ledger, &dropped))).collect(), ledger)
}

fn client_of(servers: &[Killable]) -> remotipy::ClientBuilder<WorkClient> {
    WorkClient::builder(&servers[0].url).endpoints(servers[1..].iter().map(|s| s.url.clone()))
}

/// A URL nothing listens on.
fn nowhere() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/rpc", listener.local_addr().unwrap())
}

#[tokio::test]
async fn calls_spread_over_every_endpoint() {
    let (servers, ledger) = cluster(3);
    let client = client_of(&servers).build().unwrap();
    for _ in 0..300 {
        client.read().await.unwrap();
    }
    let calls = ledger.calls.lock().unwrap().clone();
    assert_eq!(calls.values().sum::<usize>(), 300);
    assert!(calls.len() == 3 && calls.values().all(|&n| n > 50), "{calls:?}");
}

#[tokio::test]
async fn a_call_that_never_left_goes_to_another_endpoint_whatever_the_method() {
    let (servers, ledger) = cluster(1);
    let client = WorkClient::builder(nowhere()).endpoints([servers[0].url.clone()]).build().unwrap();
    for key in 0..20 {
        // Refused connections, then the live server: each write ran exactly once.
        assert_eq!(client.write(key).await.unwrap(), 1);
    }
    let writes = ledger.writes.lock().unwrap().clone();
    assert!(writes.values().all(|servers| servers.len() == 1), "{writes:?}");
    // Alone, an endpoint that refuses is a transport error, after its retries.
    let alone = WorkClient::new(nowhere()).unwrap();
    assert!(matches!(alone.write(1).await.unwrap_err(), Error::Transport { .. }));
}

/// A server that reads each request, counts it as run, and drops the
/// connection without answering: a crash after the work was done.
async fn runs_then_dies() -> (String, Arc<AtomicUsize>) {
    use tokio::io::AsyncReadExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = Vec::new();
                let mut chunk = [0u8; 4096];
                while !request.ends_with(b"}") {
                    match socket.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => request.extend_from_slice(&chunk[..n]),
                    }
                }
                counter.fetch_add(1, Ordering::Relaxed);
                // Closed without an answer: the client sees the connection end.
                drop(socket);
            });
        }
    });
    (url, ran)
}

#[tokio::test]
async fn a_call_that_may_have_run_is_retried_only_if_idempotent() {
    // Alone, the dying endpoint gets every attempt: a retry would reach it twice.
    let (dying, ran) = runs_then_dies().await;
    let client = WorkClient::new(&dying).unwrap();
    let error = client.write(7).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(ran.load(Ordering::Relaxed), 1, "the write reached the dying server once, and was not sent again");
    let error = client.read().await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert_eq!(ran.load(Ordering::Relaxed), 1 + 3, "the read was sent again, up to the default 3 attempts");
    // Beside a live endpoint, an idempotent call is sent again there and succeeds.
    let (servers, ledger) = cluster(1);
    let client = WorkClient::builder(&dying).endpoints([servers[0].url.clone()]).build().unwrap();
    for _ in 0..20 {
        assert_eq!(client.read().await.unwrap(), 1);
    }
    // A write that reached the dying one fails; one that did not, ran once.
    let (mut failed, mut before) = (0, ran.load(Ordering::Relaxed));
    for key in 0..20 {
        match client.write(key).await {
            Ok(server) => assert_eq!(server, 1),
            Err(error) => {
                assert!(matches!(error, Error::Transport { .. }), "{error:?}");
                assert_eq!(ran.load(Ordering::Relaxed), before + 1);
                failed += 1;
            }
        }
        before = ran.load(Ordering::Relaxed);
    }
    let writes = ledger.writes.lock().unwrap();
    assert_eq!(writes.len() + failed, 20, "{writes:?}");
    assert!(writes.values().all(|servers| servers.len() == 1), "{writes:?}");
}

/// An endpoint answering `status` (with `Retry-After: retry_after` if given)
/// to everything, and counting what it got.
async fn answering(status: u16, retry_after: Option<u64>) -> (String, Arc<AtomicUsize>) {
    let got = Arc::new(AtomicUsize::new(0));
    let counter = got.clone();
    let route = axum::routing::post(move || {
        counter.fetch_add(1, Ordering::Relaxed);
        async move {
            let mut response =
                axum::response::IntoResponse::into_response(axum::http::StatusCode::from_u16(status).unwrap());
            if let Some(seconds) = retry_after {
                response.headers_mut().insert("retry-after", seconds.into());
            }
            response
        }
    });
    (common::serve(axum::Router::new().route("/", route)).await, got)
}

#[tokio::test]
async fn unavailable_answers_are_retried_elsewhere_for_idempotent_calls_only() {
    let (servers, ledger) = cluster(1);
    for status in [502, 503, 504] {
        let (busy, got) = answering(status, None).await;
        let client = WorkClient::builder(&busy).endpoints([servers[0].url.clone()]).build().unwrap();
        assert_eq!(client.read().await.unwrap(), 1, "{status}");
        let before = got.load(Ordering::Relaxed);
        // A write refused with 503 may or may not have run behind a proxy: not retried.
        let alone = WorkClient::new(&busy).unwrap();
        let error = alone.write(1).await.unwrap_err();
        assert!(matches!(error, Error::Status { status: s, .. } if s == status), "{error:?}");
        assert_eq!(got.load(Ordering::Relaxed), before + 1);
    }
    assert!(ledger.writes.lock().unwrap().is_empty());
}

#[tokio::test]
async fn retry_after_is_honoured_within_the_calls_timeout() {
    let (busy, got) = answering(503, Some(1)).await;
    let client = WorkClient::builder(&busy).retry(Retry::new().max_attempts(2)).build().unwrap();
    let started = Instant::now();
    let error = client.read().await.unwrap_err();
    assert!(matches!(error, Error::Status { .. }), "{error:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "retried after {:?}", started.elapsed());
    assert_eq!(got.load(Ordering::Relaxed), 2);
    // A wait past the call's timeout is not waited: one attempt, at once.
    let (busy, got) = answering(503, Some(5)).await;
    let client = WorkClient::builder(&busy).timeout(Duration::from_secs(2)).build().unwrap();
    let started = Instant::now();
    assert!(client.read().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(got.load(Ordering::Relaxed), 1);
}

#[tokio::test]
async fn the_retry_budget_keeps_a_failing_service_from_being_stormed() {
    let (busy, got) = answering(503, None).await;
    let client = WorkClient::builder(&busy)
        .retry(Retry::new().max_attempts(5).backoff(Duration::ZERO, Duration::ZERO).budget(0.2, 1))
        .build()
        .unwrap();
    for _ in 0..100 {
        assert!(client.read().await.is_err());
    }
    let attempts = got.load(Ordering::Relaxed);
    // 5 attempts each would be 500; the budget allows 20% of the calls
    // (20) and its floor of 1 a second over ten seconds (10).
    assert_eq!(attempts, 130, "{attempts} attempts for 100 calls");
}

#[tokio::test]
async fn an_attempt_that_hangs_is_retried_elsewhere_when_idempotent() {
    let (servers, _) = cluster(2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}/rpc", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = WorkClient::builder(&silent)
        .endpoints([servers[0].url.clone()])
        .retry(Retry::new().attempt_timeout(Duration::from_millis(200)))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let started = Instant::now();
    for _ in 0..5 {
        assert_eq!(client.read().await.unwrap(), 1);
    }
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    let alone =
        WorkClient::builder(&silent).retry(Retry::new().attempt_timeout(Duration::from_millis(200))).build().unwrap();
    let error = alone.write(1).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

/// Waits (up to `within`) until `done` holds; whether it did.
async fn eventually(within: Duration, done: impl Fn() -> bool) -> bool {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > within {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    true
}

/// Killed under the load of 32 callers and restarted 3 s later: the calls
/// that failed at the kill are one failure of the endpoint (not 32, each
/// doubling its wait), so it is probed again soon after it is back and
/// serves its share within 1 s of listening again. No idempotent call fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_killed_under_load_serves_again_soon_after_it_is_back() {
    killed_under_load_and_back(|reqwest| reqwest).await;
    #[cfg(feature = "hyper")]
    killed_under_load_and_back(remotipy::ClientBuilder::hyper).await;
}

type Transport = fn(remotipy::ClientBuilder<WorkClient>) -> remotipy::ClientBuilder<WorkClient>;

async fn killed_under_load_and_back(transport: Transport) {
    let (mut servers, ledger) = cluster(3);
    let client = transport(client_of(&servers)).build().unwrap();
    let calls_of = |id: u64| *ledger.calls.lock().unwrap().get(&id).unwrap_or(&0);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let callers: Vec<_> = (0..32)
        .map(|_| {
            let (client, stop) = (client.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    client.slow(2).await.unwrap();
                }
            })
        })
        .collect();
    assert!(eventually(Duration::from_secs(5), || calls_of(2) > 50).await, "the load reaches every server");
    servers[1].kill();
    tokio::time::sleep(Duration::from_secs(3)).await; // the outage
    servers[1].restart();
    let (back, before) = (Instant::now(), calls_of(2));
    let serving = eventually(Duration::from_secs(1), || calls_of(2) > before + 20).await;
    let took = back.elapsed();
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }
    assert!(serving, "the restarted endpoint served {} calls in {took:?}", calls_of(2) - before);
}

/// Every endpoint down: the error says how many attempts went to how many.
#[tokio::test]
async fn when_every_endpoint_is_down_the_error_says_what_was_tried() {
    let client = WorkClient::builder(nowhere()).endpoints([nowhere()]).build().unwrap();
    let error = client.read().await.unwrap_err();
    assert!(matches!(error, Error::Transport { method: "read", .. }), "{error:?}");
    let tried = std::error::Error::source(&error).unwrap();
    assert_eq!(tried.to_string(), "3 attempts at 2 endpoints failed");
    assert!(tried.source().is_some(), "the last attempt's failure is its source");
}

#[tokio::test]
async fn calls_in_flight_to_one_endpoint_and_its_connections_are_bounded() {
    let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
    let client = common::ProbeClient::builder(&url).max_connections_per_endpoint(16).build().unwrap();
    let calls: Vec<_> = (0..1000)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.sleep(5 + i % 3).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let connections = accepted.load(Ordering::Relaxed);
    assert!(connections <= 16, "{connections} connections for a bound of 16");
    // The default bound, 128, holds too.
    let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
    let client = common::ProbeClient::new(&url).unwrap();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            tokio::spawn({
                let client = client.clone();
                async move { client.sleep(20).await }
            })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert!(accepted.load(Ordering::Relaxed) <= 128, "{}", accepted.load(Ordering::Relaxed));
}

/// A → B → C: each hop sees less time left, and when the first caller's
/// deadline passes, every hop's handler is stopped.
#[tokio::test]
async fn deadlines_travel_across_hops_and_stop_the_whole_chain() {
    let ledger = Arc::new(Ledger::default());
    let dropped = Arc::new(AtomicUsize::new(0));
    let hops: Vec<Killable> = (1..=3).map(|id| Killable::start(node(id, &ledger, &dropped))).collect();
    let urls: Vec<String> = hops.iter().map(|h| h.url.clone()).collect();
    let client = WorkClient::builder(&urls[0]).timeout(Duration::from_millis(2_000)).build().unwrap();
    let left = client.budget(urls[1..].to_vec(), 100).await.unwrap();
    assert_eq!(left.len(), 3);
    assert!(left[0] <= 2_000 && left[0] > 1_800, "{left:?}");
    // Each hop sees what the previous one had left after its 100 ms of work.
    assert!(left[1] < left[0] - 80 && left[2] < left[1] - 80, "{left:?}");
    // Now a chain slower than the deadline: the first caller times out at
    // 500 ms, and every hop still working is stopped, not left running.
    let client = WorkClient::builder(&urls[0]).timeout(Duration::from_millis(500)).build().unwrap();
    let started = Instant::now();
    let error = client.budget(urls[1..].to_vec(), 300).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_millis(800), "{:?}", started.elapsed());
    // A slept 300 ms then called B, which was stopped at the deadline while sleeping;
    // A, waiting on B, was stopped too.
    let stopped = eventually(Duration::from_secs(2), || dropped.load(Ordering::Relaxed) == 2).await;
    assert!(stopped, "{} handlers stopped at the deadline", dropped.load(Ordering::Relaxed));
}

#[tokio::test]
async fn a_per_call_timeout_is_the_deadline_sent() {
    let (servers, _) = cluster(1);
    let client = WorkClient::new(&servers[0].url).unwrap();
    let quick = client.with_options(CallOptions::new().timeout(Duration::from_millis(300))).unwrap();
    let left = quick.budget(vec![], 0).await.unwrap();
    assert!(left[0] <= 300 && left[0] > 200, "{left:?}");
}

/// Over h2c, concurrent calls share a connection per endpoint: reqwest one,
/// the hyper transport one per 100 exchanges in flight (the 128 calls the
/// default bound lets through take two).
#[tokio::test]
async fn http2_multiplexes_concurrent_calls_on_few_connections() {
    type Builder = fn(&str) -> remotipy::ClientBuilder<common::ProbeClient>;
    let builders: [(Builder, usize); _] = [
        (|url| common::ProbeClient::builder(url).http2_prior_knowledge(), 1),
        #[cfg(feature = "hyper")]
        (|url| common::ProbeClient::builder(url).hyper().http2_prior_knowledge(), 2),
    ];
    for (builder, connections) in builders {
        let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
        let client = builder(&url).build().unwrap();
        let calls: Vec<_> = (0..200)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move { client.sleep(50).await })
            })
            .collect();
        let started = Instant::now();
        for call in calls {
            call.await.unwrap().unwrap();
        }
        // Concurrent, not one after another: 200 × 50 ms would be 10 s.
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        assert_eq!(accepted.load(Ordering::Relaxed), connections);
    }
}
