//! Streaming cost, side by side in one run:
//!
//! 1. server CPU per item of a 100 000-item stream of small DTOs, the
//!    generated server against a hand-written axum handler returning
//!    `axum::response::Sse` of the same JSON-RPC notifications;
//! 2. server memory per open idle stream, with thousands held open at once;
//! 3. client CPU per item reading such a stream, the generated client
//!    against reqwest with a hand-written SSE parser;
//!
//! and what resumption costs (items `Tracked`, each event carrying its
//! `id:`): server and client CPU per item against the same stream untracked
//! (in 1 and 3), and (4.) the longest wait a reader of a resumable stream
//! sees when the server serving it is SIGKILLed, 3 endpoints, beside the
//! slowest unary call around the same kill.
//!
//! Servers run in a child process (this binary with `--serve`, one runtime
//! worker) pinned to core 0; the reading side runs here, pinned to core 1.
//! Variants alternate round by round; ratios are medians of per-round ratios.
//!
//! ```text
//! cargo bench --bench stream                    # 5 rounds × 10 streams × 100 000 items; 10 000 idle streams; 5 kills
//! ROUNDS=7 STREAMS=20 ITEMS=100000 IDLE=10000 cargo bench --bench stream
//! cargo test --benches                          # smoke: a few hundred items, 100 idle streams
//! ```
//! Load goes only to 127.0.0.1; every run is bounded in items and time.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use remotipy::stream::{Stream, Tracked};
use serde::{Deserialize, Serialize};

/// One item: what a query's rows or a job's progress look like.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Row {
    pub id: u64,
    pub name: String,
    pub value: f64,
}

fn row(id: u64) -> Row {
    Row { id, name: "row".into(), value: id as f64 * 0.5 }
}

/// A tick of a resumable stream, and the process that sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Tick {
    pub k: u64,
    pub pid: u32,
}

#[remotipy::remote]
pub trait Feed {
    /// `n` rows, as fast as they are read.
    async fn rows(&self, n: u64) -> impl Stream<Item = Row> + Send;
    /// The same rows, resumable: each carries its id.
    async fn rows_tracked(&self, n: u64) -> impl Stream<Item = Tracked<Row>> + Send;
    /// A stream that never yields: an open, idle subscription.
    async fn idle(&self) -> impl Stream<Item = Row> + Send;
    /// `1..=n`, `pause_us` apart, resumable.
    async fn ticks(&self, n: u64, pause_us: u64) -> impl Stream<Item = Tracked<Tick>> + Send;
    /// A unary call.
    #[remote(idempotent)]
    async fn add(&self, a: u64, b: u64) -> u64;
}

struct FeedImpl;

impl Feed for FeedImpl {
    async fn rows(&self, n: u64) -> impl Stream<Item = Row> + Send {
        futures_util::stream::iter((0..n).map(row))
    }
    async fn rows_tracked(&self, n: u64) -> impl Stream<Item = Tracked<Row>> + Send {
        futures_util::stream::iter((0..n).map(|id| Tracked::new(id, row(id))))
    }
    async fn idle(&self) -> impl Stream<Item = Row> + Send {
        futures_util::stream::pending()
    }
    async fn ticks(&self, n: u64, pause_us: u64) -> impl Stream<Item = Tracked<Tick>> + Send {
        let first = remotipy::stream::resume_after::<u64>().map_or(1, |after| after + 1);
        let pid = std::process::id();
        futures_util::stream::iter(first..=n).then(move |k| async move {
            if k > first {
                tokio::time::sleep(Duration::from_micros(pause_us)).await;
            }
            Tracked::new(k, Tick { k, pid })
        })
    }
    async fn add(&self, a: u64, b: u64) -> u64 {
        a + b
    }
}

/// Counts the bytes the server holds on the heap, when asked (`--heap`):
/// RSS says what the process costs the machine, live heap bytes what each
/// stream holds, without the allocator's page-level noise.
struct Counting;

static COUNT_HEAP: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicI64 = AtomicI64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNT_HEAP.load(Ordering::Relaxed) {
            LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNT_HEAP.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        }
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(&args[i + 1]);
    }
    let config = Config {
        rounds: common::setting("ROUNDS", 5, 1),
        streams: common::setting("STREAMS", 10, 1),
        items: common::setting("ITEMS", 100_000, 300) as u64,
        idle: common::setting("IDLE", 10_000, 100),
    };
    println!(
        "stream bench: {} round(s) × {} streams × {} items; {} idle streams",
        config.rounds, config.streams, config.items, config.idle
    );
    raise_fd_limit(config.idle as u64 * 2 + 1024);
    common::pin_self(1);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // PART=1, 2 or 3 runs one measurement (for a profile).
    let part = std::env::var("PART").unwrap_or_default();
    runtime.block_on(async {
        if part.is_empty() || part == "1" {
            server_cpu(&config).await;
        }
        if part.is_empty() || part == "2" {
            idle_memory(&config).await;
        }
        if part.is_empty() || part == "3" {
            client_cpu(&config).await;
        }
        if part.is_empty() || part == "4" {
            kill_gap(&config).await;
        }
    });
}

struct Config {
    rounds: usize,
    streams: usize,
    items: u64,
    idle: usize,
}

// ---- 1. server CPU per item ----

async fn server_cpu(config: &Config) {
    println!("\n1. server CPU per item ({} streams of {} rows per round)", config.streams, config.items);
    let mut cpu: [Vec<f64>; 3] = Default::default();
    for round in 0..config.rounds {
        for (i, variant) in ["generated", "hand-axum-sse", "generated-tracked"].into_iter().enumerate() {
            let server = if variant == "hand-axum-sse" { variant } else { "generated" };
            let mut child = common::spawn_self(0, &["--serve", server]);
            let port = read_port(&mut child);
            let pid = child.id().to_string();
            read_events(port, variant, 100).await; // warm up
            let before = common::cpu_ticks(&pid);
            let started = Instant::now();
            for _ in 0..config.streams {
                let events = read_events(port, variant, config.items).await;
                let expected = config.items + u64::from(variant != "hand-axum-sse"); // + the final response
                assert_eq!(events, expected, "{variant}: lost events");
            }
            let elapsed = started.elapsed();
            let items = (config.streams as u64 * config.items) as f64;
            let ns = (common::cpu_ticks(&pid) - before) as f64 / common::TICKS_PER_SEC * 1e9 / items;
            println!(
                "round {round} {variant:<14} {ns:>7.0} ns server CPU/item  {:>9.0} items/s",
                items / elapsed.as_secs_f64()
            );
            cpu[i].push(ns);
            common::stop(child);
        }
    }
    print_table("server", "hand-written axum `Sse`", &cpu);
    print_tracked("server", &cpu);
}

/// The cost of ids: tracked (`cpu[2]`) against the same stream untracked (`cpu[0]`).
fn print_tracked(side: &str, cpu: &[Vec<f64>]) {
    let tracked = common::median(cpu[2].clone());
    let ratio = common::paired_ratio(&cpu[2], &cpu[0]);
    println!(
        "| generated, items `Tracked` (each event with its `id:`) | {:.0} [{:.0}–{:.0}] | {:.2} [{:.2}–{:.2}] of untracked |",
        tracked.0, tracked.1, tracked.2, ratio.0, ratio.1, ratio.2
    );
    println!(
        "{side} CPU per item, tracked / untracked: {:.3} [{:.3}–{:.3}] (target ≤ 1.05)",
        ratio.0, ratio.1, ratio.2
    );
}

/// Reads one stream of `n` rows to its end with a minimal client, counting
/// events without decoding them: the server's cost is what is measured.
async fn read_events(port: u16, variant: &str, n: u64) -> u64 {
    let (path, body) = match variant {
        "generated" => ("/rpc", format!(r#"{{"jsonrpc":"2.0","method":"rows","params":[{n}],"id":1}}"#)),
        "generated-tracked" => {
            ("/rpc", format!(r#"{{"jsonrpc":"2.0","method":"rows_tracked","params":[{n}],"id":1}}"#))
        }
        _ => ("/sse", n.to_string()),
    };
    let response = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(body)
        .timeout(Duration::from_secs(120))
        .send()
        .await
        .unwrap();
    let mut chunks = response.bytes_stream();
    let (mut events, mut last) = (0, 0u8);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.unwrap();
        // An event's blank line may straddle two chunks.
        events += u64::from(last == b'\n' && chunk.first() == Some(&b'\n'));
        events += memchr::memmem::find_iter(&chunk, b"\n\n").count() as u64;
        last = chunk.last().copied().unwrap_or(last);
    }
    events
}

// ---- 2. memory per idle stream ----

async fn idle_memory(config: &Config) {
    println!("\n2. server memory per open idle stream ({} streams)", config.idle);
    println!(
        "| server | open idle streams | server RSS | RSS per stream | live heap per stream |\n|---|---|---|---|---|"
    );
    for variant in ["generated", "hand-axum-sse"] {
        idle_memory_of(variant, config).await;
    }
}

async fn idle_memory_of(variant: &str, config: &Config) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut child = common::spawn_self(0, &["--serve", variant, "--heap"]);
    let port = read_port(&mut child);
    let heap = || async move {
        let text = reqwest::get(format!("http://127.0.0.1:{port}/heap")).await.unwrap().text().await.unwrap();
        text.parse::<i64>().unwrap()
    };
    let (path, body) = match variant {
        "generated" => ("/rpc", r#"{"jsonrpc":"2.0","method":"idle","params":[],"id":1}"#),
        _ => ("/idle", ""),
    };
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let open = |count: usize| {
        let request = request.clone();
        async move {
            let mut sockets = Vec::with_capacity(count);
            for _ in 0..count {
                let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                socket.write_all(request.as_bytes()).await.unwrap();
                let mut head = [0u8; 512];
                let read = socket.read(&mut head).await.unwrap();
                assert!(head[..read].starts_with(b"HTTP/1.1 200"), "{:?}", String::from_utf8_lossy(&head[..read]));
                sockets.push(socket);
            }
            sockets
        }
    };
    let warm = open(64).await; // the server's first connections fault in its pages
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (before, heap_before) = (common::status_kib(child.id(), "VmRSS"), heap().await);
    let held = open(config.idle).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (after, heap_after) = (common::status_kib(child.id(), "VmRSS"), heap().await);
    let per_stream = (after.saturating_sub(before)) as f64 / config.idle as f64;
    let heap_per_stream = (heap_after - heap_before) as f64 / 1024.0 / config.idle as f64;
    println!(
        "| {variant} | {} | {before} → {after} KiB | {per_stream:.1} KiB | {heap_per_stream:.2} KiB |",
        config.idle
    );
    drop((warm, held));
    common::stop(child);
}

fn raise_fd_limit(wanted: u64) {
    // SAFETY: `limit` is a valid rlimit, read then written.
    unsafe {
        let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < wanted {
            limit.rlim_cur = wanted.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

// ---- 3. client CPU per item ----

async fn client_cpu(config: &Config) {
    println!("\n3. client CPU per item ({} streams of {} rows per round)", config.streams, config.items);
    let mut child = common::spawn_self(0, &["--serve", "generated"]);
    let port = read_port(&mut child);
    let url = format!("http://127.0.0.1:{port}/rpc");
    let generated = FeedClient::new(&url).unwrap();
    let reqwest = reqwest::Client::new();
    let mut cpu: [Vec<f64>; 3] = Default::default();
    for round in 0..config.rounds {
        for (i, variant) in ["generated", "reqwest+hand-parser", "generated-tracked"].into_iter().enumerate() {
            let before = common::self_cpu_ns();
            for _ in 0..config.streams {
                let sum = match i {
                    0 => read_generated(&generated, config.items).await,
                    1 => read_by_hand(&reqwest, &url, config.items).await,
                    _ => read_tracked(&generated, config.items).await,
                };
                assert_eq!(sum, (0..config.items).sum::<u64>(), "{variant}: wrong items");
            }
            let ns = (common::self_cpu_ns() - before) as f64 / (config.streams as u64 * config.items) as f64;
            println!("round {round} {variant:<20} {ns:>7.0} ns client CPU/item");
            cpu[i].push(ns);
        }
    }
    common::stop(child);
    print_table("client", "reqwest + hand-written SSE parser", &cpu);
    print_tracked("client", &cpu);
}

/// The markdown table of CPU per item, generated (`cpu[0]`) against
/// `baseline` (`cpu[1]`): medians [min–max] and the paired per-round ratio.
fn print_table(side: &str, baseline: &str, cpu: &[Vec<f64>]) {
    let (ours, base) = (common::median(cpu[0].clone()), common::median(cpu[1].clone()));
    let ratio = common::paired_ratio(&cpu[0], &cpu[1]);
    println!("| {side} | ns CPU/item | ratio |\n|---|---|---|");
    println!(
        "| generated | {:.0} [{:.0}–{:.0}] | {:.2} [{:.2}–{:.2}] |",
        ours.0, ours.1, ours.2, ratio.0, ratio.1, ratio.2
    );
    println!("| {baseline} | {:.0} [{:.0}–{:.0}] | 1.00 |", base.0, base.1, base.2);
}

async fn read_generated(client: &FeedClient, n: u64) -> u64 {
    let mut rows = client.rows(n).await.unwrap();
    let mut sum = 0;
    while let Some(row) = rows.next().await {
        sum += row.unwrap().id;
    }
    sum
}

async fn read_tracked(client: &FeedClient, n: u64) -> u64 {
    let mut rows = client.rows_tracked(n).await.unwrap();
    let mut sum = 0;
    while let Some(row) = rows.next().await {
        sum += row.unwrap().id;
    }
    sum
}

// ---- 4. a resumable stream's reader around a SIGKILL ----

/// Per round: three servers (one runtime worker each, core 0), a reader of
/// a resumable stream (a tick every `PAUSE`) and a unary caller (`add`,
/// one at a time) over all three; the server serving the stream is
/// SIGKILLed. Measured: the longest wait between two ticks, and the
/// slowest `add` started within 100 ms of the kill.
async fn kill_gap(config: &Config) {
    const PAUSE: Duration = Duration::from_millis(2);
    println!(
        "\n4. a resumable stream around a SIGKILL (3 endpoints, a tick every {PAUSE:?}; {} rounds)",
        config.rounds
    );
    let (mut gaps, mut unary) = (Vec::new(), Vec::new());
    for round in 0..config.rounds {
        let mut children: Vec<_> = (0..3).map(|_| common::spawn_self(0, &["--serve", "generated"])).collect();
        let urls: Vec<String> = children.iter_mut().map(|c| format!("http://127.0.0.1:{}/rpc", read_port(c))).collect();
        let client = FeedClient::builder(&urls[0]).endpoints(urls[1..].to_vec()).build().unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let caller = tokio::spawn({
            let (client, stop) = (client.clone(), stop.clone());
            async move {
                let mut calls = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    assert_eq!(client.add(40, 2).await.unwrap(), 42);
                    calls.push((started, started.elapsed()));
                }
                calls
            }
        });
        let n = 1_000;
        let mut ticks = client.ticks(n, PAUSE.as_micros() as u64).await.unwrap();
        let (mut arrivals, mut killed_at) = (Vec::new(), None);
        while let Some(tick) = ticks.next().await {
            let tick = tick.unwrap();
            arrivals.push(Instant::now());
            assert_eq!(tick.k, arrivals.len() as u64, "every tick once, in order");
            if tick.k == n / 4 {
                let victim = children.iter_mut().position(|c| c.id() == tick.pid).unwrap();
                killed_at = Some(Instant::now());
                let _ = children[victim].kill();
                let _ = children.remove(victim).wait();
            }
        }
        stop.store(true, Ordering::Relaxed);
        let calls = caller.await.unwrap();
        let killed_at = killed_at.unwrap();
        let gap = arrivals.windows(2).map(|w| w[1] - w[0]).max().unwrap();
        let slowest = calls
            .iter()
            .filter(|(started, _)| {
                started.max(&killed_at).duration_since(*started.min(&killed_at)) < Duration::from_millis(100)
            })
            .map(|(_, took)| *took)
            .max()
            .unwrap_or_default();
        println!(
            "round {round} longest gap between ticks {:>6.1} ms   slowest add around the kill {:>6.1} ms   reconnects {}",
            gap.as_secs_f64() * 1e3,
            slowest.as_secs_f64() * 1e3,
            ticks.reconnects()
        );
        gaps.push(gap.as_secs_f64() * 1e3);
        unary.push(slowest.as_secs_f64() * 1e3);
        children.into_iter().for_each(common::stop);
    }
    let (gap, slowest) = (common::median(gaps), common::median(unary));
    println!(
        "longest gap around a SIGKILL: {:.1} ms [{:.1}–{:.1}]; slowest unary call around it: {:.1} ms [{:.1}–{:.1}] \
         (target: gap ≤ 2 × the slowest unary call, ~60 ms)",
        gap.0, gap.1, gap.2, slowest.0, slowest.1, slowest.2
    );
}

/// The same stream read by hand: reqwest's byte stream, events split at
/// blank lines, each `data:` line parsed as the notification it is.
async fn read_by_hand(client: &reqwest::Client, url: &str, n: u64) -> u64 {
    #[derive(Deserialize)]
    struct Notification {
        params: Option<Params>,
    }
    #[derive(Deserialize)]
    struct Params {
        result: Row,
    }
    let body = format!(r#"{{"jsonrpc":"2.0","method":"rows","params":[{n}],"id":1}}"#);
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "text/event-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    let mut chunks = response.bytes_stream();
    let mut buf = Vec::new();
    let mut sum = 0;
    while let Some(chunk) = chunks.next().await {
        buf.extend_from_slice(&chunk.unwrap());
        let mut start = 0;
        while let Some(end) = memchr::memmem::find(&buf[start..], b"\n\n") {
            let event = &buf[start..start + end];
            if let Some(data) = event.strip_prefix(b"data: ") {
                if let Some(params) = serde_json::from_slice::<Notification>(data).unwrap().params {
                    sum += params.result.id;
                }
            }
            start += end + 2;
        }
        buf.drain(..start);
    }
    sum
}

// ---- the servers, run in the child process ----

fn read_port(child: &mut std::process::Child) -> u16 {
    let line = common::read_line(child);
    line.parse().unwrap_or_else(|_| panic!("server printed {line:?} instead of its port"))
}

fn serve(variant: &str) {
    raise_fd_limit(65_536);
    COUNT_HEAP.store(std::env::args().any(|a| a == "--heap"), Ordering::Relaxed);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap().port());
        std::io::stdout().flush().unwrap();
        let app = match variant {
            "generated" => axum::Router::new().route("/rpc", FeedServer::new(FeedImpl).into_route()),
            "hand-axum-sse" => axum::Router::new()
                .route("/sse", axum::routing::post(hand_written))
                .route("/idle", axum::routing::post(|| async { axum::response::sse::Sse::new(idle_events()) })),
            other => panic!("unknown variant {other}"),
        };
        let app = app.route("/heap", axum::routing::get(|| async { LIVE.load(Ordering::Relaxed).to_string() }));
        // As a server of streams should: an event is written as it comes, not
        // held back by Nagle until the reader acknowledges the head.
        use axum::serve::ListenerExt;
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        tokio::select! {
            _ = axum::serve(listener, app) => {}
            _ = common::parent_gone() => {}
        }
    });
}

fn idle_events() -> impl Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>> {
    futures_util::stream::pending()
}

/// The same items by hand: axum's `Sse` of the same JSON-RPC notifications.
async fn hand_written(
    body: String,
) -> axum::response::sse::Sse<impl Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>> {
    #[derive(Serialize)]
    struct Notification<'a> {
        jsonrpc: &'static str,
        method: &'static str,
        params: Params<'a>,
    }
    #[derive(Serialize)]
    struct Params<'a> {
        subscription: u64,
        result: &'a Row,
    }
    let n: u64 = body.parse().unwrap();
    let events = futures_util::stream::iter((0..n).map(|id| {
        let row = row(id);
        let notification =
            Notification { jsonrpc: "2.0", method: "rpc.item", params: Params { subscription: 1, result: &row } };
        Ok(axum::response::sse::Event::default().json_data(notification).unwrap())
    }));
    axum::response::sse::Sse::new(events)
}
