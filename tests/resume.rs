//! Resumable streams (items `Tracked`): a stream whose connection breaks
//! off — its server SIGKILLed, a proxy cutting it, an idle timeout, a
//! server shutting down — reconnects with `Last-Event-ID` and goes on, each
//! item reaching the caller once, in order. Real processes (three example
//! servers, alone and behind nginx), a real TCP relay that cuts
//! connections, a Python reader written from the wire contract, and the
//! contract itself checked on raw HTTP.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::api::CalculatorClient;
use common::process::ExampleServer;
use common::relay::{self, Plan};
use futures_util::StreamExt;
use proptest::prelude::*;
use remotipy::client::Retry;
use remotipy::protocol::code;
use remotipy::stream::{Stream, Tracked};
use serde_json::{Value, json};

#[remotipy::remote]
pub trait Feed {
    /// `1..=n` (ids the same), `pause_ms` apart; resumes after any id.
    #[remote(idempotent)]
    async fn count(&self, n: u64, pause_ms: u64) -> impl Stream<Item = Tracked<u64>> + Send;
    /// `1..=n`, but a stream started afresh goes silent after `stall_at`.
    async fn stall(&self, n: u64, stall_at: u64) -> impl Stream<Item = Tracked<u64>> + Send;
    /// Ids that go backwards: 2, then 1.
    async fn backwards(&self) -> impl Stream<Item = Tracked<u64>> + Send;
    /// The first `n` letters, each its own id (`String` ids).
    async fn letters(&self, n: u8) -> impl Stream<Item = Tracked<char, String>> + Send;
    /// `1..=n` with no ids: it cannot resume.
    async fn plain(&self, n: u64) -> impl Stream<Item = u64> + Send;
}

/// Counts the streams it starts, and those it resumes.
#[derive(Default)]
struct Feeds {
    started: AtomicUsize,
    resumed: AtomicUsize,
}

impl Feeds {
    /// Where this stream starts: after the id the caller resumes from.
    fn first(&self) -> u64 {
        self.started.fetch_add(1, Ordering::SeqCst);
        match remotipy::stream::resume_after::<u64>() {
            Some(after) => {
                self.resumed.fetch_add(1, Ordering::SeqCst);
                after + 1
            }
            None => 1,
        }
    }
}

fn numbers(from: u64, to: u64, pause: Duration) -> impl Stream<Item = Tracked<u64>> + Send {
    futures_util::stream::iter(from..=to).then(move |k| async move {
        if k > from && !pause.is_zero() {
            tokio::time::sleep(pause).await;
        }
        Tracked::new(k, k)
    })
}

impl Feed for Arc<Feeds> {
    async fn count(&self, n: u64, pause_ms: u64) -> impl Stream<Item = Tracked<u64>> + Send {
        numbers(self.first(), n, Duration::from_millis(pause_ms))
    }

    async fn stall(&self, n: u64, stall_at: u64) -> impl Stream<Item = Tracked<u64>> + Send {
        let first = self.first();
        let last = if first == 1 { stall_at } else { n };
        numbers(first, last, Duration::ZERO).chain(futures_util::stream::unfold(first == 1, |stalls| async move {
            if stalls {
                std::future::pending::<()>().await;
            }
            None::<(Tracked<u64>, bool)>
        }))
    }

    async fn backwards(&self) -> impl Stream<Item = Tracked<u64>> + Send {
        futures_util::stream::iter([Tracked::new(2, 2), Tracked::new(1, 1)])
    }

    async fn letters(&self, n: u8) -> impl Stream<Item = Tracked<char, String>> + Send {
        let after = remotipy::stream::resume_after::<String>();
        let letters = (b'a'..b'a' + n).map(char::from);
        let from = letters.clone().position(|c| Some(c.to_string()) == after).map_or(0, |at| at + 1);
        futures_util::stream::iter(letters.skip(from).map(|c| Tracked::new(c.to_string(), c)))
    }

    async fn plain(&self, n: u64) -> impl Stream<Item = u64> + Send {
        futures_util::stream::iter(1..=n)
    }
}

/// A feed server on loopback, with no keep-alive comments (so silence is
/// silence); its URL and implementation.
async fn feed_server() -> (String, Arc<Feeds>) {
    let feeds = Arc::new(Feeds::default());
    let rpc =
        remotipy::Server::builder().service(FeedServer::new(feeds.clone())).stream_keep_alive(None).build().unwrap();
    (common::serve(rpc.into_router()).await, feeds)
}

/// `host:port` of an `http://host:port/rpc` URL.
fn authority(url: &str) -> String {
    url.trim_start_matches("http://").trim_end_matches("/rpc").to_owned()
}

async fn all<T, E: std::fmt::Debug>(items: remotipy::stream::Items<T, E>) -> (Vec<T>, u32)
where
    remotipy::stream::Items<T, E>: Stream<Item = Result<T, remotipy::Error<E>>>,
{
    let mut items = items;
    let mut got = Vec::new();
    while let Some(item) = items.next().await {
        got.push(item.unwrap_or_else(|e| panic!("after {} items: {e:?}", got.len())));
    }
    (got, items.reconnects())
}

// ---- Three example server processes, one SIGKILLed mid-stream ----

const N: u64 = 300;

/// Reads `ticks(N, 10)` through `calc`, SIGKILLing the server serving it
/// when item `k` of `kills` arrives; what arrived, the longest wait between
/// two items, and the reconnects.
async fn read_ticks_killing(calc: &CalculatorClient, servers: &mut [ExampleServer], kills: &[u64]) -> Outcome {
    let mut ticks = calc.ticks(N, 10).await.unwrap();
    let (mut got, mut gaps, mut last) = (Vec::new(), Vec::new(), Instant::now());
    while let Some(tick) = ticks.next().await {
        let tick = tick.unwrap_or_else(|e| panic!("after {got:?}: {e}"));
        gaps.push(last.elapsed());
        last = Instant::now();
        got.push(tick);
        if kills.contains(&tick) {
            serving(servers).kill();
        }
    }
    Outcome { got, longest_gap: gaps.into_iter().skip(1).max().unwrap_or_default(), reconnects: ticks.reconnects() }
}

struct Outcome {
    got: Vec<u64>,
    longest_gap: Duration,
    reconnects: u32,
}

/// The live server that served the latest `ticks` (each logs one line per
/// stream it starts or resumes).
fn serving(servers: &mut [ExampleServer]) -> &mut ExampleServer {
    let mut live: Vec<_> = servers.iter_mut().filter(|s| s.is_alive() && s.lines_with("ticks") > 0).collect();
    live.sort_by_key(|s| s.latest_line_with("ticks"));
    live.pop().expect("a live server serves the stream")
}

fn three_servers() -> Vec<ExampleServer> {
    (0..3).map(|_| ExampleServer::start()).collect()
}

fn endpoints_client(servers: &[ExampleServer]) -> CalculatorClient {
    let urls: Vec<String> = servers.iter().map(ExampleServer::url).collect();
    CalculatorClient::builder(&urls[0]).endpoints(urls[1..].to_vec()).build().unwrap()
}

fn check(outcome: &Outcome, kills: usize, label: &str) {
    assert_eq!(outcome.got, (1..=N).collect::<Vec<_>>(), "{label}: every tick once, in order");
    assert!(outcome.reconnects >= kills as u32, "{label}: {} reconnects", outcome.reconnects);
    println!("{label}: {} reconnects, longest gap between items {:?}", outcome.reconnects, outcome.longest_gap);
    assert!(outcome.longest_gap < Duration::from_secs(2), "{label}: resumed in {:?}", outcome.longest_gap);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_survives_the_server_serving_it_killed() {
    let mut servers = three_servers();
    let calc = endpoints_client(&servers);
    let outcome = read_ticks_killing(&calc, &mut servers, &[100]).await;
    check(&outcome, 1, "three endpoints, one SIGKILL");
    assert_eq!(servers.iter().filter(|s| s.is_alive()).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_survives_two_of_its_servers_killed_in_turn() {
    let mut servers = three_servers();
    let calc = endpoints_client(&servers);
    let outcome = read_ticks_killing(&calc, &mut servers, &[80, 200]).await;
    check(&outcome, 2, "three endpoints, two SIGKILLs");
    assert_eq!(servers.iter().filter(|s| s.is_alive()).count(), 1);
}

/// The example client's `--ticks`: every `--url` an endpoint, each tick on
/// its own line as it arrives, the server serving it SIGKILLed after tick
/// 20; exit 0 after the stream's end. Against nothing: exit 1, the error
/// on stderr.
#[test]
fn the_example_client_reads_ticks_through_a_kill() {
    use std::io::BufRead;
    let mut servers = three_servers();
    let mut client = std::process::Command::new(common::process::example("client"))
        .args(servers.iter().flat_map(|s| ["--url".to_owned(), s.url()]))
        .args(["--ticks", "60", "--interval-ms", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in std::io::BufReader::new(client.stdout.take().unwrap()).lines() {
        lines.push(line.unwrap());
        if lines.len() == 20 {
            serving(&mut servers).kill();
        }
    }
    let output = client.wait_with_output().unwrap();
    assert!(output.status.success(), "{:?}: {}", output.status, String::from_utf8_lossy(&output.stderr));
    assert_eq!(lines, (1..=60).map(|k| k.to_string()).collect::<Vec<_>>());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("resumed"), "the reconnect is noted: {stderr}");
    let nowhere = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let output = std::process::Command::new(common::process::example("client"))
        .args(["--url", &format!("http://{nowhere}/rpc"), "--ticks", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: `ticks` could not reach the server"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_a_stream_survives_its_upstream_killed() {
    if !common::available("nginx", &["-v"]) {
        return;
    }
    let mut servers = three_servers();
    let proxy = common::nginx::Nginx::start(&servers.iter().map(|s| s.addr.as_str()).collect::<Vec<_>>());
    let calc = CalculatorClient::new(format!("{}/rpc", proxy.url())).unwrap();
    let outcome = read_ticks_killing(&calc, &mut servers, &[120]).await;
    check(&outcome, 1, "nginx, one upstream SIGKILLed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_reader_written_from_the_contract_resumes_too() {
    use tokio::io::AsyncBufReadExt;
    if !common::available("python3", &["-c", "import httpx, httpx_sse"]) {
        return;
    }
    let mut servers = three_servers();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/sse_resume.py");
    let mut python = tokio::process::Command::new("python3")
        .args([script, &N.to_string(), "10"])
        .args(servers.iter().map(ExampleServer::url))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(python.stdout.take().unwrap()).lines();
    let mut got = Vec::new();
    while let Some(line) = tokio::time::timeout(Duration::from_secs(20), lines.next_line()).await.unwrap().unwrap() {
        if line == "item 150" {
            serving(&mut servers).kill();
        }
        got.push(line);
    }
    let output = python.wait_with_output().await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected: Vec<String> = (1..=N).map(|k| format!("item {k}")).chain(["end".to_owned()]).collect();
    assert_eq!(got, expected, "{}", String::from_utf8_lossy(&output.stderr));
}

// ---- Connections cut by a proxy ----

/// `count(n)` through a relay that treats connection `i` as `plans[i]` (and
/// later ones as plain relays).
async fn count_through(plans: Vec<Plan>, n: u64, pause_ms: u64) -> (Vec<u64>, u32, Arc<Feeds>) {
    let (url, feeds) = feed_server().await;
    let (relay, _) = relay::start(authority(&url), move |i| plans.get(i).cloned().unwrap_or_default()).await;
    // Enough attempts for every cut to fall before a head (opening is idempotent here).
    let retry = Retry::new().max_attempts(10);
    let client = FeedClient::builder(format!("http://{relay}/rpc")).retry(retry).build().unwrap();
    let (got, reconnects) = all(client.count(n, pause_ms).await.unwrap()).await;
    (got, reconnects, feeds)
}

#[tokio::test]
async fn a_proxy_that_cuts_connections_every_few_bytes_loses_nothing() {
    // Each connection carries about 15 items, then is cut mid-event.
    let cut = Plan { cut_after: Some(1500), chunks: vec![] };
    let (got, reconnects, feeds) = count_through(vec![cut; 40], 200, 2).await;
    assert_eq!(got, (1..=200).collect::<Vec<_>>());
    assert!(reconnects >= 10, "{reconnects} reconnects");
    assert_eq!(feeds.resumed.load(Ordering::SeqCst), reconnects as usize);
}

#[tokio::test]
async fn a_stream_silent_past_the_idle_timeout_reconnects() {
    let (url, feeds) = feed_server().await;
    let client = FeedClient::builder(&url).stream_idle_timeout(Some(Duration::from_millis(300))).build().unwrap();
    let (got, reconnects) = all(client.stall(8, 3).await.unwrap()).await;
    assert_eq!(got, (1..=8).collect::<Vec<_>>());
    assert_eq!((reconnects, feeds.resumed.load(Ordering::SeqCst)), (1, 1));
}

#[tokio::test]
async fn string_ids_resume_too() {
    let (url, _) = feed_server().await;
    let (relay, _) = relay::start(authority(&url), |i| match i {
        // The head, then the first two events, cut: the third ("c") is half there.
        0 => Plan { cut_after: Some(400), chunks: vec![7] },
        _ => Plan::default(),
    })
    .await;
    let client = FeedClient::new(format!("http://{relay}/rpc")).unwrap();
    let (got, reconnects) = all(client.letters(6).await.unwrap()).await;
    assert_eq!(got.into_iter().collect::<String>(), "abcdef");
    assert_eq!(reconnects, 1);
}

#[tokio::test]
async fn reconnects_are_bounded_and_the_error_says_how_many() {
    let (url, _) = feed_server().await;
    // Every connection is cut just after the stream's head and first event.
    let (relay, accepted) = relay::start(authority(&url), |i| match i {
        0 => Plan { cut_after: Some(300), chunks: vec![] },
        _ => Plan { cut_after: Some(120), chunks: vec![] },
    })
    .await;
    let retry = Retry::new().max_stream_reconnects(3).backoff(Duration::from_millis(1), Duration::from_millis(5));
    let client = FeedClient::builder(format!("http://{relay}/rpc")).retry(retry).build().unwrap();
    let mut items = client.count(50, 0).await.unwrap();
    let mut got = Vec::new();
    let error = loop {
        match items.next().await.expect("the stream ends with an error") {
            Ok(item) => got.push(item),
            Err(error) => break error,
        }
    };
    assert!(matches!(error, remotipy::Error::StreamBroken { reconnects: 3, .. }), "{error:?}");
    assert!(error.to_string().contains("3 reconnects"), "{error}");
    assert_eq!(items.reconnects(), 3);
    assert!(got.is_empty() || got == [1], "{got:?}");
    assert!(items.next().await.is_none());
    // Each reconnect is one request here (its attempts were answered, just cut).
    assert!(accepted.load(Ordering::SeqCst) >= 4);
}

/// Reconnects spend the retry budget as retries do: with none (ratio and
/// floor 0) a cut stream ends at once; with a floor of 1 a second (10 over
/// the budget's 10 s window) it stops at 10, before its 20 reconnects in a row.
#[tokio::test]
async fn reconnects_spend_the_retry_budget() {
    let (url, _) = feed_server().await;
    let (relay, _) = relay::start(authority(&url), |_| Plan { cut_after: Some(300), chunks: vec![] }).await;
    for (budget, reconnects) in [((0.0, 0), 0), ((0.0, 1), 10)] {
        let retry = Retry::new()
            .max_stream_reconnects(20)
            .budget(budget.0, budget.1)
            .backoff(Duration::from_millis(1), Duration::from_millis(2));
        let client = FeedClient::builder(format!("http://{relay}/rpc")).retry(retry).build().unwrap();
        let mut items = client.count(50, 0).await.unwrap();
        let error = loop {
            match items.next().await.expect("the stream ends with an error") {
                Ok(_) => {}
                Err(error) => break error,
            }
        };
        assert!(
            matches!(error, remotipy::Error::StreamBroken { reconnects: r, .. } if r == reconnects),
            "budget {budget:?}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_stream_without_ids_still_fails_when_cut() {
    let (url, _) = feed_server().await;
    let (relay, _) = relay::start(authority(&url), |_| Plan { cut_after: Some(400), chunks: vec![] }).await;
    let client = FeedClient::new(format!("http://{relay}/rpc")).unwrap();
    let mut items = client.plain(100).await.unwrap();
    let mut last = None;
    while let Some(item) = items.next().await {
        last = Some(item);
    }
    assert!(matches!(last, Some(Err(remotipy::Error::StreamBroken { reconnects: 0, .. }))), "{last:?}");
}

#[cfg(feature = "blocking")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_iterator_resumes_the_same_way() {
    let (url, _) = feed_server().await;
    let cut = Plan { cut_after: Some(900), chunks: vec![5, 50] };
    let (relay, _) = relay::start(authority(&url), move |i| if i < 5 { cut.clone() } else { Plan::default() }).await;
    let got = tokio::task::spawn_blocking(move || {
        let client = FeedBlockingClient::new(format!("http://{relay}/rpc")).unwrap();
        let mut items = client.count(60, 1).unwrap();
        let got = items.by_ref().map(Result::unwrap).collect::<Vec<_>>();
        (got, items.reconnects())
    })
    .await
    .unwrap();
    assert_eq!(got, ((1..=60).collect::<Vec<_>>(), 5));
}

#[tokio::test]
async fn a_server_shutting_down_hands_its_streams_to_another() {
    let servers: Vec<_> = (0..2)
        .map(|_| {
            let feeds = Arc::new(Feeds::default());
            let rpc = remotipy::Server::builder().service(FeedServer::new(feeds.clone())).build().unwrap();
            (rpc, feeds)
        })
        .collect();
    let mut urls = Vec::new();
    for (rpc, _) in &servers {
        urls.push(common::serve(rpc.clone().into_router()).await);
    }
    let client = FeedClient::builder(&urls[0]).endpoints([urls[1].clone()]).build().unwrap();
    let mut items = client.count(40, 5).await.unwrap();
    let mut got = Vec::new();
    while let Some(item) = items.next().await {
        got.push(item.unwrap());
        if got.len() == 10 {
            let serving = servers.iter().find(|(_, feeds)| feeds.started.load(Ordering::SeqCst) > 0).unwrap();
            serving.0.shutdown();
        }
    }
    assert_eq!(got, (1..=40).collect::<Vec<_>>());
    assert_eq!(items.reconnects(), 1);
}

// ---- The wire contract, on raw HTTP ----

async fn post(url: &str, last_event_id: Option<&str>, request: Value) -> (String, String) {
    let mut post = reqwest::Client::new().post(url).header("accept", "text/event-stream").json(&request);
    if let Some(id) = last_event_id {
        post = post.header("last-event-id", id);
    }
    let response = post.send().await.unwrap();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    (content_type, response.text().await.unwrap())
}

fn ticks_request(n: u64) -> Value {
    json!({"jsonrpc": "2.0", "method": "ticks", "params": [n, 1], "id": 7})
}

#[tokio::test]
async fn each_item_event_carries_its_id_and_a_resumed_request_continues_after_it() {
    let server = ExampleServer::start();
    let (content_type, body) = post(&server.url(), None, ticks_request(3)).await;
    assert!(content_type.starts_with("text/event-stream"));
    let item = |k: u64| {
        format!(
            "id: {k}\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"rpc.item\",\"params\":{{\"subscription\":7,\"result\":{k}}}}}\n\n"
        )
    };
    let end = |items: u64| format!("data: {{\"jsonrpc\":\"2.0\",\"result\":{{\"items\":{items}}},\"id\":7}}\n\n");
    assert_eq!(body, [item(1), item(2), item(3), end(3)].concat());
    let (_, body) = post(&server.url(), Some("1"), ticks_request(3)).await;
    assert_eq!(body, [item(2), item(3), end(2)].concat());
    let (_, body) = post(&server.url(), Some("3"), ticks_request(3)).await;
    assert_eq!(body, end(0));
}

#[tokio::test]
async fn an_id_a_stream_cannot_resume_from_is_answered_minus_32093() {
    let server = ExampleServer::start();
    for (id, message) in [
        ("9", "cannot resume after tick 9: the stream ends at 3"),
        ("nine", "`ticks` cannot resume after `nine`: no item has that id"),
    ] {
        let (content_type, body) = post(&server.url(), Some(id), ticks_request(3)).await;
        assert!(content_type.starts_with("application/json"), "{content_type}");
        let answer: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(answer["error"]["code"], code::CANNOT_RESUME, "{answer}");
        assert_eq!(answer["error"]["message"], message);
        assert_eq!(answer["id"], 7);
    }
    // The generated client reads the refusal as the application's typed error.
    let calc = CalculatorClient::builder(server.url()).header("last-event-id", "9").build().unwrap();
    match calc.ticks(3, 1).await {
        Err(remotipy::Error::App(common::api::TickError::CannotResume { after: 9, n: 3 })) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stream_without_ids_refuses_to_resume_and_ids_must_increase() {
    let (url, _) = feed_server().await;
    let plain = json!({"jsonrpc": "2.0", "method": "plain", "params": [3], "id": 1});
    let (_, body) = post(&url, Some("1"), plain).await;
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], code::CANNOT_RESUME, "{answer}");
    assert_eq!(answer["error"]["message"], "`plain` cannot resume after `1`: its items carry no ids");

    let client = FeedClient::new(&url).unwrap();
    let mut items = client.backwards().await.unwrap();
    assert_eq!(items.next().await.unwrap().unwrap(), 2);
    match items.next().await {
        Some(Err(remotipy::Error::Remote { code: c, message, .. })) => {
            assert_eq!(c, code::CANNOT_RESUME);
            assert_eq!(message, "`backwards` yielded item id 1 after 2: a resumable stream's ids increase");
        }
        other => panic!("{other:?}"),
    }
    // A caller that collects (a batch) gets the items without their ids.
    let mut batch = client.batch();
    let letters = batch.letters(3);
    let mut replies = batch.send_batch().await.unwrap();
    assert_eq!(replies.take(letters).unwrap(), ['a', 'b', 'c']);
}

#[tokio::test]
async fn the_openrpc_document_says_which_streams_resume() {
    let server = ExampleServer::start();
    let request = json!({"jsonrpc": "2.0", "method": "rpc.discover", "id": 1});
    let answer: Value =
        reqwest::Client::new().post(server.url()).json(&request).send().await.unwrap().json().await.unwrap();
    let methods = answer["result"]["methods"].as_array().unwrap();
    let ticks = methods.iter().find(|m| m["name"] == "ticks").unwrap();
    assert_eq!(ticks["x-remotipy-resumable"], true);
    assert_eq!(ticks["x-remotipy-stream"], true);
    // The summary is the docs' first sentence, over as many lines as it takes.
    let summary = "The numbers `1..=n`, one every `interval_ms` milliseconds (the first at once), streamed as they \
                   come; refuses `interval_ms > 60000` before any item.";
    assert_eq!(ticks["summary"], summary);
    let add = methods.iter().find(|m| m["name"] == "add").unwrap();
    assert!(add.get("x-remotipy-resumable").is_none());
}

// ---- Property: any cuts, any chunking ----

fn plans() -> impl Strategy<Value = Vec<Plan>> {
    let plan = (proptest::option::weighted(0.8, 1usize..3000), proptest::collection::vec(1usize..300, 0..4))
        .prop_map(|(cut_after, chunks)| Plan { cut_after, chunks });
    proptest::collection::vec(plan, 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Wherever the connections are cut (before the head, inside an event,
    /// between events) and however the bytes are chunked, the items
    /// delivered are the items produced.
    #[test]
    fn the_items_delivered_are_the_items_produced(plans in plans(), n in 1u64..80) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let (got, _, _) = runtime.block_on(count_through(plans, n, 0));
        prop_assert_eq!(got, (1..=n).collect::<Vec<_>>());
    }
}
