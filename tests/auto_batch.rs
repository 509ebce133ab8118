//! Automatic batching (`ClientBuilder::auto_batch`): concurrent calls
//! travel as JSON-RPC batches, and each caller gets exactly its own answer
//! with the failure semantics it would have alone. The client suite
//! (`tests/client.rs`) runs every case with it on too; these are the
//! cases only batching has. Servers are real, on loopback; some are
//! hand-written to misbehave.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ProbeClient, ProbeImpl, ProbeServer};
use remotipy::{CallOptions, Error};
use serde_json::{Value, json};

/// What a server received: each request's body, as JSON.
#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<Value>>>);

impl Seen {
    fn requests(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn batches(&self) -> Vec<usize> {
        self.0.lock().unwrap().iter().filter_map(|body| body.as_array().map(Vec::len)).collect()
    }
}

/// `app` served with every request body recorded first.
async fn recorded(app: axum::Router) -> (String, Seen) {
    let seen = Seen::default();
    let sink = seen.clone();
    let record = axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| {
        let sink = sink.clone();
        async move {
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            sink.0.lock().unwrap().push(serde_json::from_slice(&bytes).unwrap_or(Value::Null));
            next.run(axum::extract::Request::from_parts(parts, bytes.into())).await
        }
    });
    (common::serve(app.layer(record)).await, seen)
}

/// The probe, recorded.
async fn probe(server: remotipy::Server) -> (String, Seen) {
    recorded(server.into_router()).await
}

fn probe_server() -> remotipy::Server {
    ProbeServer::new(ProbeImpl::default()).into_server()
}

/// `n` concurrent `sum(i, i)` calls; checks each caller got `2 i`.
async fn sums(client: &ProbeClient, n: i64) {
    let calls: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { assert_eq!(client.sum(i, i).await.unwrap(), 2 * i, "call {i}") })
        })
        .collect();
    for call in calls {
        call.await.unwrap();
    }
}

#[tokio::test]
async fn many_concurrent_callers_share_requests_and_each_gets_its_own_answer() {
    let (url, seen) = probe(probe_server()).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::ZERO).build().unwrap();
    sums(&client, 1000).await;
    let batched: usize = seen.batches().iter().sum();
    assert!(seen.requests() < 100, "{} requests for 1000 calls", seen.requests());
    assert!(batched > 900, "{batched} calls went in batches");
    // Notifications ride along with calls.
    let (url, seen) = probe(probe_server()).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    let (a, b, c) = tokio::join!(client.log("one".into()), client.sum(1, 2), client.log("two".into()));
    a.unwrap();
    assert_eq!(b.unwrap(), 3);
    c.unwrap();
    assert_eq!(seen.batches(), [3]);
    let mut logged = client.logged().await.unwrap();
    logged.sort();
    assert_eq!(logged, ["one", "two"]);
}

#[tokio::test]
async fn a_lone_call_goes_at_once_as_a_plain_request() {
    let (url, seen) = probe(probe_server()).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::ZERO).build().unwrap();
    for i in 0..5 {
        assert_eq!(client.sum(i, 1).await.unwrap(), i + 1);
    }
    assert_eq!(seen.requests(), 5);
    assert!(seen.batches().is_empty(), "no batch of one");
}

#[tokio::test]
async fn a_caller_that_gives_up_harms_no_one() {
    let (url, seen) = probe(probe_server()).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(50)).build().unwrap();
    // The first call leads the batch: polled once, it waits out the window.
    let log = client.log("dropped".into());
    let mut leader = Box::pin(log);
    assert!(futures_util::poll!(leader.as_mut()).is_pending());
    // Ten more join it, each polled once: queued behind the leader.
    let mut others: Vec<_> = (0..10).map(|i| Box::pin(client.echo(format!("caller {i}")))).collect();
    for other in &mut others {
        assert!(futures_util::poll!(other.as_mut()).is_pending());
    }
    // The leader's caller gives up; the others still go, together.
    drop(leader);
    for (i, other) in others.into_iter().enumerate() {
        assert_eq!(other.await.unwrap(), format!("caller {i}"));
    }
    // The dropped call never left; the others went together.
    assert_eq!(seen.batches(), [10]);
    assert!(client.logged().await.unwrap().is_empty());
}

#[tokio::test]
async fn batches_refused_as_too_large_are_sent_again_in_halves_and_each_call_runs_once() {
    // A server taking at most 4 calls a batch (-32600 beyond), and 300 bytes a body (413 beyond).
    let server = remotipy::Server::builder()
        .service(ProbeServer::new(ProbeImpl::default()))
        .max_batch_len(4)
        .body_limit(300)
        .build()
        .unwrap();
    let (url, seen) = probe(server).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    // Not idempotent: resent only because the server certainly did not run them.
    let calls: Vec<_> = (0..40)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.log(format!("line {i}")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let mut logged = client.logged().await.unwrap();
    logged.sort();
    let mut expected: Vec<String> = (0..40).map(|i| format!("line {i}")).collect();
    expected.sort();
    assert_eq!(logged, expected, "each call ran exactly once");
    assert!(seen.batches().iter().any(|&n| n > 4), "some batches were refused first: {:?}", seen.batches());
}

/// A hand-written JSON-RPC server answering `sum` in batches backwards,
/// leaving out the answer to `sum(13, _)`, and breaking off the connection
/// of any request with header `x-poison` halfway through its answer.
async fn misbehaving() -> String {
    use axum::response::IntoResponse;
    let handler = |headers: axum::http::HeaderMap, body: axum::Json<Value>| async move {
        if headers.contains_key("x-poison") {
            let broken =
                futures_util::stream::iter([Ok(bytes::Bytes::from_static(b"[{")), Err(std::io::Error::other("cut"))]);
            return axum::body::Body::from_stream(broken).into_response();
        }
        let answer = |call: &Value| {
            let params = &call["params"];
            let (a, b) = (params["a"].as_i64().unwrap(), params["b"].as_i64().unwrap());
            (a != 13).then(|| json!({"jsonrpc": "2.0", "result": a + b, "id": call["id"]}))
        };
        match body.0 {
            Value::Array(calls) => {
                axum::Json(Value::Array(calls.iter().rev().filter_map(answer).collect())).into_response()
            }
            call => axum::Json(answer(&call).unwrap()).into_response(),
        }
    };
    common::serve(axum::Router::new().route("/", axum::routing::post(handler))).await
}

#[tokio::test]
async fn answers_out_of_order_reach_their_callers_and_a_missing_one_fails_alone() {
    let url = misbehaving().await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    let calls: Vec<_> = (0..30i64)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { (i, client.sum(i, 100).await) })
        })
        .collect();
    for call in calls {
        match call.await.unwrap() {
            (13, Err(Error::Decode { detail, .. })) => assert!(detail.contains("no answer"), "{detail}"),
            (13, other) => panic!("the unanswered call got {other:?}"),
            (i, result) => assert_eq!(result.unwrap(), i + 100),
        }
    }
}

#[tokio::test]
async fn a_transport_failure_fails_exactly_the_calls_of_that_batch() {
    let url = misbehaving().await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    // Calls with a header of their own go in a batch of their own.
    let poisoned = client.with_options(CallOptions::new().header("x-poison", "1")).unwrap();
    let calls: Vec<_> = (0..20i64)
        .map(|i| {
            let client = if i % 2 == 0 { poisoned.clone() } else { client.clone() };
            tokio::spawn(async move { (i, client.sum(i, 1).await) })
        })
        .collect();
    for call in calls {
        match call.await.unwrap() {
            (i, Err(Error::Transport { .. })) if i % 2 == 0 => {}
            (i, Ok(sum)) if i % 2 == 1 => assert_eq!(sum, i + 1),
            (13, Err(Error::Decode { .. })) => {} // this server does not answer it
            (i, other) => panic!("call {i}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn each_caller_keeps_its_own_timeout() {
    let (url, _) = probe(probe_server()).await;
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    let impatient = client.with_options(CallOptions::new().timeout(Duration::from_millis(100))).unwrap();
    let started = Instant::now();
    let (slow, quick) = tokio::join!(impatient.sleep(1_000), client.sleep(10));
    assert!(slow.unwrap_err().is_timeout());
    assert_eq!(quick.unwrap(), 10);
    // The impatient caller gave up at its timeout; the batch went on for the other.
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());
}

#[tokio::test]
async fn idempotent_and_other_calls_travel_apart_so_that_retries_stay_safe() {
    #[remotipy::remote]
    pub trait Mixed {
        #[remote(idempotent)]
        async fn read(&self) -> u32;
        async fn write(&self) -> u32;
    }
    struct Impl;
    impl Mixed for Impl {
        async fn read(&self) -> u32 {
            1
        }
        async fn write(&self) -> u32 {
            2
        }
    }
    let (url, seen) = recorded(MixedServer::new(Impl).into_router()).await;
    let client = MixedClient::builder(&url).auto_batch(Duration::from_millis(5)).build().unwrap();
    let (r1, w1, r2, w2) = tokio::join!(client.read(), client.write(), client.read(), client.write());
    assert_eq!((r1.unwrap(), w1.unwrap(), r2.unwrap(), w2.unwrap()), (1, 2, 1, 2));
    let mut batches = seen.0.lock().unwrap().clone();
    batches.sort_by_key(|b| b[0]["method"].as_str().unwrap().to_owned());
    let methods: Vec<Vec<&str>> =
        batches.iter().map(|b| b.as_array().unwrap().iter().map(|c| c["method"].as_str().unwrap()).collect()).collect();
    assert_eq!(methods, [["read", "read"], ["write", "write"]]);
}

/// A window longer than a caller's timeout holds no caller past it: the
/// leader stops waiting at its own deadline, and its expired call is not
/// sent (the next batch carries only what is still wanted).
#[tokio::test]
async fn a_window_longer_than_a_timeout_holds_no_caller_past_it() {
    type Builder = fn(&str) -> remotipy::ClientBuilder<ProbeClient>;
    let transports: &[Builder] = &[
        |url| ProbeClient::builder(url),
        #[cfg(feature = "hyper")]
        |url| ProbeClient::builder(url).hyper(),
    ];
    for builder in transports {
        let (url, seen) = probe(probe_server()).await;
        let client = builder(&url).auto_batch(Duration::from_secs(1)).build().unwrap();
        let impatient = client.with_options(CallOptions::new().timeout(Duration::from_millis(100))).unwrap();
        let started = Instant::now();
        let error = impatient.log("expired".into()).await.unwrap_err();
        assert!(error.is_timeout(), "{error:?}");
        assert!(started.elapsed() < Duration::from_millis(500), "held {:?} by a 1 s window", started.elapsed());
        // The next caller leads a batch of its own, after the window.
        client.log("wanted".into()).await.unwrap();
        assert_eq!(ProbeClient::new(&url).unwrap().logged().await.unwrap(), ["wanted"]);
        assert_eq!(seen.requests(), 2, "the expired call never left: {:?}", seen.0.lock().unwrap());
    }
}

/// A caller waiting in an automatic batch led from another runtime, which
/// shuts down before sending it: the call was dropped unsent, and says so.
#[test]
fn a_batch_dropped_with_its_runtime_is_abandoned() {
    // The server runs on a runtime of its own, for as long as the test.
    let serving = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let url = serving.block_on(async { probe(probe_server()).await.0 });
    let runtime = || tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (leading, waiting) = (runtime(), runtime());
    let client = ProbeClient::builder(&url).auto_batch(Duration::from_secs(10)).build().unwrap();
    // The leader, polled once on `leading`, waits out its long window.
    let mut leader = Box::pin(client.echo("leader".into()));
    leading.block_on(async { assert!(futures_util::poll!(leader.as_mut()).is_pending()) });
    // A follower, on `waiting`, joins its batch.
    let mut follower = Box::pin(client.echo("follower".into()));
    waiting.block_on(async { assert!(futures_util::poll!(follower.as_mut()).is_pending()) });
    // The leader goes away inside its runtime, which is shutting down: the batch cannot go.
    leading.shutdown_background();
    drop(leader);
    let error = waiting.block_on(follower).unwrap_err();
    assert!(matches!(error, Error::Abandoned { method: "echo" }), "{error:?}");
    assert_eq!(error.to_string(), "`echo` was dropped unsent: the runtime of its automatic batch shut down");
    drop(serving);
}
