//! Streaming methods on the wire, checked with raw HTTP: the event stream's
//! headers and events, how it ends, the JSON fallback for callers that do
//! not accept `text/event-stream`, keep-alives, backpressure; then
//! independent clients (`curl -N`, Python's httpx-sse) and a real nginx in
//! front.
//!
//! The external programs (curl, python3 with httpx and httpx-sse, nginx)
//! are installed by `.ci/run`, which sets `REMOTIPY_REQUIRE_EXTERNAL=1`:
//! there a missing one fails the test; elsewhere it is skipped, saying so.

mod common;

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use serde_json::{Value, json};

/// The probe with a small collection limit and a quick keep-alive.
async fn server() -> String {
    let rpc = remotipy::Server::builder()
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .max_collected_items(5)
        .stream_keep_alive(Some(Duration::from_millis(100)))
        .build()
        .unwrap();
    common::serve(rpc.into_router()).await
}

fn call(method: &str, params: Value, id: Value) -> String {
    json!({ "jsonrpc": "2.0", "method": method, "params": params, "id": id }).to_string()
}

async fn post(url: &str, body: String, events: bool) -> reqwest::Response {
    let request = reqwest::Client::new().post(url).header(CONTENT_TYPE, "application/json").body(body);
    let request = if events { request.header(ACCEPT, "application/json, text/event-stream") } else { request };
    request.send().await.unwrap()
}

/// The `data` of each event of a whole event stream, parsed.
fn events_of(text: &str) -> Vec<Value> {
    text.split("\n\n")
        .filter_map(|event| event.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(|data| serde_json::from_str(data).unwrap())
        .collect()
}

#[tokio::test]
async fn a_stream_is_events_of_json_rpc_messages_ending_with_the_response() {
    let url = server().await;
    let response = post(&url, call("count", json!([3, 0, 0]), json!("job-1")), true).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/event-stream");
    assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
    assert_eq!(response.headers()["x-accel-buffering"], "no");
    let events = events_of(&response.text().await.unwrap());
    let item = |k: u64| json!({"jsonrpc":"2.0","method":"rpc.item","params":{"subscription":"job-1","result":k}});
    assert_eq!(events, [item(0), item(1), item(2), json!({"jsonrpc":"2.0","result":{"items":3},"id":"job-1"})]);
}

#[tokio::test]
async fn an_item_error_ends_the_stream_with_its_error_response() {
    let url = server().await;
    let response =
        post(&url, call("count", json!({"n": 5, "first_ms": 0, "every_ms": 0, "fail_at": 1}), json!(9)), true).await;
    let events = events_of(&response.text().await.unwrap());
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1]["id"], 9);
    assert_eq!(events[1]["error"]["code"], -32000);
    assert_eq!(events[1]["error"]["data"], json!({"type":"ProbeError","value":{"Refused":{"reason":"item 1 fails"}}}));
    let response = post(&url, call("count", json!([5, 0, 0, null, 1]), json!(9)), true).await;
    let events = events_of(&response.text().await.unwrap());
    assert_eq!(events[1]["error"]["code"], -32603, "{events:?}");
}

#[tokio::test]
async fn without_accepting_events_the_items_are_one_array_within_the_limit() {
    let url = server().await;
    let response = post(&url, call("count", json!([3, 0, 0]), json!(1)), false).await;
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"jsonrpc":"2.0","result":[0,1,2],"id":1}));
    let response = post(&url, call("count", json!([6, 0, 0]), json!(2)), false).await;
    let answer = response.json::<Value>().await.unwrap();
    assert_eq!(answer["error"]["code"], -32090, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("Accept: text/event-stream"), "{answer}");
    // A batch entry is collected, whatever the batch accepts.
    let batch = format!("[{},{}]", call("count", json!([2, 0, 0]), json!(3)), call("sum", json!([1, 2]), json!(4)));
    let response = post(&url, batch, true).await;
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!([{"jsonrpc":"2.0","result":[0,1],"id":3},{"jsonrpc":"2.0","result":3,"id":4}])
    );
}

#[tokio::test]
async fn errors_before_the_stream_starts_are_plain_json_answers() {
    let url = server().await;
    for (body, code) in [
        (call("count", json!([2_000_000, 0, 0]), json!(1)), -32000),
        (call("count", json!(["many"]), json!(1)), -32602),
        (call("nope", json!([]), json!(1)), -32601),
    ] {
        let response = post(&url, body, true).await;
        assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
        assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], code);
    }
}

#[tokio::test]
async fn a_quiet_stream_gets_keep_alive_comments() {
    let url = server().await;
    let response = post(&url, call("count", json!([1, 450, 0]), json!(1)), true).await;
    let text = response.text().await.unwrap();
    let comments = text.matches(":\n\n").filter(|_| true).count();
    assert!(text.starts_with(":\n\n"), "{text:?}");
    assert!((2..=6).contains(&comments), "{comments} keep-alives in 450 ms at 100 ms: {text:?}");
    assert_eq!(events_of(&text).len(), 2);
}

#[tokio::test]
async fn a_notification_of_a_streaming_method_is_204_and_reads_no_item() {
    let url = server().await;
    let body = json!({"jsonrpc":"2.0","method":"count","params":[3, 0, 0]}).to_string();
    assert_eq!(post(&url, body, true).await.status(), 204);
    let produced = post(&url, call("produced", json!([]), json!(1)), false).await.json::<Value>().await.unwrap();
    assert_eq!(produced["result"], 0);
}

/// A reader that stops reading holds the producer back: the server does not
/// buffer an endless stream, it stops pulling items once the socket is full.
#[tokio::test]
async fn a_stalled_reader_exerts_backpressure() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = server().await;
    let authority = url.trim_start_matches("http://").trim_end_matches("/rpc").to_owned();
    let mut socket = tokio::net::TcpStream::connect(&authority).await.unwrap();
    let body = call("count", json!([u64::MAX, 0, 0]), json!(1));
    let head = format!(
        "POST /rpc HTTP/1.1\r\nhost: {authority}\r\naccept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(body.as_bytes()).await.unwrap();
    let mut first = [0u8; 4096];
    let _ = socket.read(&mut first).await.unwrap();
    // Then nothing is read.
    let produced = || async {
        let answer = post(&url, call("produced", json!([]), json!(1)), false).await.json::<Value>().await.unwrap();
        answer["result"].as_u64().unwrap()
    };
    // The producer's count settles once the socket buffers are full.
    let (started, mut last) = (Instant::now(), produced().await);
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = produced().await;
        if now == last {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the producer went on while nobody read: {now}");
        last = now;
    }
    // Each event is ~80 bytes: what the socket buffers hold (a few MiB) bounds it.
    assert!(last < 200_000, "{last} items produced for a reader that stopped");
    eprintln!("backpressure: the producer stopped after {last} items (~{} KiB of events)", last * 80 / 1024);
    drop(socket);
}

// ---- independent clients and a real proxy ----

/// The example server (Users and Calculator with `ticks`) on a fresh port.
async fn example_server() -> String {
    common::serve_app(common::app::router(common::app::server().unwrap())).await + "/rpc"
}

#[tokio::test]
async fn curl_reads_the_example_servers_stream() {
    if !common::available("curl", &["--version"]) {
        return;
    }
    let url = example_server().await;
    let body = call("ticks", json!({"n": 3, "interval_ms": 50}), json!(1));
    let output = tokio::process::Command::new("curl")
        .args(["-sN", &url, "-H", "content-type: application/json", "-H", "accept: text/event-stream", "-d", &body])
        .output()
        .await
        .unwrap();
    let events = events_of(&String::from_utf8(output.stdout).unwrap());
    let items: Vec<_> = events.iter().filter_map(|e| e["params"]["result"].as_u64()).collect();
    assert_eq!(items, [1, 2, 3]);
    assert_eq!(events.last().unwrap()["result"], json!({"items": 3}));
}

#[tokio::test]
async fn python_httpx_sse_reads_the_example_servers_stream() {
    if !common::available("python3", &["-c", "import httpx, httpx_sse"]) {
        return;
    }
    let url = example_server().await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/sse_client.py");
    let output = tokio::process::Command::new("python3").args([script, &url, "4", "50"]).output().await.unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(stdout.lines().collect::<Vec<_>>(), ["item 1", "item 2", "item 3", "item 4", "end 4"]);
    // And a refusal before any item comes back as a plain JSON-RPC error.
    let output = tokio::process::Command::new("python3").args([script, &url, "3", "120000"]).output().await.unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "error -32000 interval_ms must be at most 60000, not 120000"
    );
}

/// nginx in front, with its default buffering: `X-Accel-Buffering: no`
/// makes it pass each item on as it is produced.
#[tokio::test]
async fn through_nginx_items_arrive_as_they_are_produced() {
    if !common::available("nginx", &["-v"]) {
        return;
    }
    let upstream = example_server().await;
    let proxy = common::nginx::Nginx::start(&[upstream.trim_start_matches("http://").trim_end_matches("/rpc")]);
    let url = format!("{}/rpc", proxy.url());
    let client = common::api::CalculatorClient::new(&url).unwrap();
    let started = Instant::now();
    let mut ticks = client.ticks(4, 300).await.unwrap();
    let mut arrivals = Vec::new();
    while let Some(tick) = ticks.next().await {
        arrivals.push((tick.unwrap(), started.elapsed()));
    }
    assert_eq!(arrivals.iter().map(|a| a.0).collect::<Vec<_>>(), [1, 2, 3, 4]);
    eprintln!("through nginx: {arrivals:?}");
    // Produced at 0, 300, 600 and 900 ms: each arrives near its time, not
    // all at once at the end.
    for (k, (_, at)) in arrivals.iter().enumerate() {
        let produced = Duration::from_millis(300 * k as u64);
        assert!(*at >= produced && *at < produced + Duration::from_millis(250), "item {k} at {at:?}: {arrivals:?}");
    }
}

/// A stream's deadline bounds its opening only: calls its handler makes
/// while producing later items do not inherit it (they would all fail at
/// once, past it).
#[tokio::test]
async fn calls_made_while_producing_items_outlive_the_opening_deadline() {
    use remotipy::stream::Stream;
    #[remotipy::remote]
    trait Relay {
        /// `n` items, one every `every_ms`, each what `echo(k)` answers at `url`.
        async fn relayed(&self, url: String, n: u64, every_ms: u64) -> impl Stream<Item = String> + Send;
    }
    struct R;
    impl Relay for R {
        async fn relayed(&self, url: String, n: u64, every_ms: u64) -> impl Stream<Item = String> + Send {
            let probe = common::ProbeClient::new(url).unwrap();
            futures_util::stream::iter(0..n).then(move |k| {
                let probe = probe.clone();
                async move {
                    tokio::time::sleep(Duration::from_millis(every_ms)).await;
                    probe.echo(k.to_string()).await.unwrap_or_else(|e| format!("failed: {e}"))
                }
            })
        }
    }
    let probe = common::serve_probe().await;
    let relay = common::serve(RelayServer::new(R).into_router()).await;
    // The call may take 600 ms to open (its first item); its items come at
    // 250, 500, 750 and 1000 ms: the last two after that deadline. (Wide
    // margins: on a loaded machine a debug build's first item is slow.)
    let client = RelayClient::builder(relay).timeout(Duration::from_millis(600)).build().unwrap();
    let items: Vec<String> = client.relayed(probe, 4, 250).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(items, ["0", "1", "2", "3"]);
}
