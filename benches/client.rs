//! Client cost, side by side in one run: the generated client over each
//! transport vs a hand-written reqwest call (naive and tuned) and hyper-util's
//! client used directly (the floor of any client on it) vs jsonrpsee's
//! HTTP client, all making typed `add` calls to the same server; plus the
//! generated client sending the same calls as batches of 100, in MessagePack
//! (feature `msgpack`), and the in-process transport (no socket; its CPU is
//! client and server together). Then what scaling out costs: HTTP/2 with
//! prior knowledge (h2c) beside HTTP/1.1, and one client spreading its
//! calls over three endpoints (three listeners of the same server process)
//! beside one.
//!
//! The server (the example's generated dispatcher) runs in a child process
//! pinned to core 0; each client run is a fresh child process pinned to core
//! 1 with `CONCURRENCY` tasks on one thread, measuring its own CPU from
//! /proc. Variants are interleaved round by round; the summary gives medians,
//! ranges and ratios to jsonrpsee's client.
//!
//! ```text
//! cargo bench --bench client --features hyper,msgpack    # 5 rounds × 100 000 calls × 32 tasks
//! ROUNDS=8 CALLS=200000 cargo bench --bench client --features hyper,msgpack
//! ONLY=generated-hyper,hyper-by-hand cargo bench --bench client --features hyper   # some variants
//! CONCURRENCY=1,4,32,256 CALLS=20000 ONLY=generated-reqwest,generated-reqwest-auto-batch cargo bench --bench client
//!                                                # the curve of cost and latency against concurrency
//! TARGETS=1 cargo bench --bench client --all-features
//!                                                # the four ratios the per-call cost is held to, in one run
//! cargo test --benches --all-features            # smoke: a few hundred calls, answers checked
//! ```
//! Load goes only to 127.0.0.1; every run is bounded in calls and time.

mod common;
mod ops;

#[path = "../examples/api/mod.rs"]
mod api;
#[path = "../examples/app/mod.rs"]
#[allow(dead_code)] // the bench does not log
mod app;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use api::CalculatorClient;

const VARIANTS: &[&str] = &[
    "jsonrpsee",
    "reqwest-naive",
    "reqwest-tuned",
    "hyper-by-hand",
    "generated-reqwest",
    "generated-reqwest-no-timeout",
    #[cfg(feature = "hyper")]
    "generated-hyper",
    #[cfg(feature = "hyper")]
    "generated-hyper-layered",
    #[cfg(feature = "msgpack")]
    "generated-reqwest-msgpack",
    #[cfg(all(feature = "hyper", feature = "msgpack"))]
    "generated-hyper-msgpack",
    "generated-batch100",
    "generated-in-process",
    "generated-reqwest-h2c",
    #[cfg(feature = "hyper")]
    "generated-hyper-h2c",
    "generated-reqwest-3-endpoints",
    #[cfg(feature = "hyper")]
    "generated-hyper-3-endpoints",
    "generated-reqwest-auto-batch",
    #[cfg(feature = "hyper")]
    "generated-hyper-auto-batch",
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(&args[i + 1]);
    }
    if let Some(i) = args.iter().position(|a| a == "--client") {
        return client_process(&args[i + 1..]);
    }
    // SERVERS=a,b,c: only the server CPU per call of each, round by round
    // (the servers of `serve`: what a layer costs, say).
    if let Ok(servers) = std::env::var("SERVERS") {
        return compare_servers(&servers.split(',').collect::<Vec<_>>());
    }
    // TARGETS=1: the variants the four tracked ratios need, 7 rounds, and the servers compared.
    let targets = std::env::var_os("TARGETS").is_some();
    let (rounds, calls) =
        (common::setting("ROUNDS", if targets { 7 } else { 5 }, 1), common::setting("CALLS", 100_000, 300));
    // CONCURRENCY=1,4,32,256 measures each level in turn (the curve of cost against concurrency).
    let levels: Vec<usize> = std::env::var("CONCURRENCY")
        .unwrap_or_else(|_| "32".into())
        .split(',')
        .map(|level| level.trim().parse().expect("CONCURRENCY is a list of task counts"))
        .collect();
    println!("client bench: {rounds} round(s) × {calls} `add` calls × {levels:?} tasks per variant");
    let mut server = common::spawn_self(0, &["--serve", "generated-counted"]);
    // Three listeners; one URL, or all three for the `-endpoints` variants.
    let urls: Vec<String> =
        common::read_line(&mut server).split(' ').map(|port| format!("http://127.0.0.1:{port}/rpc")).collect();
    let url = urls.join(",");
    let server_pid = server.id().to_string();
    // ONLY=a,b runs just those variants (jsonrpsee, the baseline, always runs).
    let only = std::env::var("ONLY").unwrap_or_default();
    let variants: Vec<&'static str> = (VARIANTS.iter().copied())
        .filter(|v| match targets {
            true => TARGET_VARIANTS.contains(v),
            false => only.is_empty() || *v == "jsonrpsee" || only.split(',').any(|o| o == *v),
        })
        .collect();
    let levels = if targets { vec![32] } else { levels };
    for &concurrency in &levels {
        let mut runs = Vec::new();
        let mut servers: [Vec<f64>; 3] = Default::default();
        for round in 0..rounds {
            if targets {
                // The servers, in rotating order, under the same load.
                for i in (0..SERVERS.len()).map(|i| (i + round) % SERVERS.len()) {
                    let cpu = server_cpu(SERVERS[i], calls);
                    println!("round {round} server {:<10} {cpu:>6.2} µs server CPU/call", SERVERS[i]);
                    servers[i].push(cpu);
                }
            }
            for &variant in &variants {
                let (server_before, requests_before) = (common::cpu_ticks(&server_pid), requests_served(&urls[0]));
                let mut child =
                    common::spawn_self(1, &["--client", variant, &url, &calls.to_string(), &concurrency.to_string()]);
                let line = common::read_line(&mut child);
                common::stop(child);
                let server_ticks = common::cpu_ticks(&server_pid) - server_before;
                let mut run = Run::parse(variant, &line, server_ticks, calls);
                let requests = requests_served(&urls[0]) - requests_before;
                run.calls_per_request = (calls + concurrency * 4) as f64 / requests.max(1) as f64;
                println!("round {round} ×{concurrency} {run}");
                assert_eq!(run.wrong, 0, "{variant}: wrong or lost answers");
                runs.push(run);
            }
        }
        println!("\n{concurrency} task(s):");
        summarize(&runs, &variants);
        if targets {
            report_targets(&runs, &servers);
        }
    }
    common::stop(server);
}

/// The variants of `TARGETS=1`.
const TARGET_VARIANTS: &[&str] = &[
    "jsonrpsee",
    "reqwest-tuned",
    "generated-reqwest",
    "generated-reqwest-no-timeout",
    "generated-hyper",
    "generated-hyper-layered",
    "generated-reqwest-auto-batch",
    "generated-hyper-auto-batch",
];

/// The servers `TARGETS=1` compares: the generated one, axum by hand, and
/// the generated one with metrics (into the SDK) and a no-op RPC layer.
const SERVERS: [&str; 3] = ["generated", "hand-axum", "generated-layered"];

/// The server CPU per call of each of `servers`, in rotating order, and
/// each's median ratio to the first.
fn compare_servers(servers: &[&str]) {
    let (rounds, calls) = (common::setting("ROUNDS", 7, 1), common::setting("CALLS", 100_000, 300));
    let mut cpu = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        for i in (0..servers.len()).map(|i| (i + round) % servers.len()) {
            cpu[i].push(server_cpu(servers[i], calls));
        }
    }
    for (server, cpu_of) in servers.iter().zip(&cpu) {
        let (us, lo, hi) = common::median(cpu_of.clone());
        let (ratio, rlo, rhi) = common::paired_ratio(cpu_of, &cpu[0]);
        println!("| {server} | {us:.2} [{lo:.2}–{hi:.2}] µs | {ratio:.3} [{rlo:.3}–{rhi:.3}] |");
    }
}

/// A fresh `server` child on core 0 loaded with `calls` `add` calls by
/// hyper-util's client by hand (the cheapest load) on core 1: the server's
/// CPU per call, in µs.
fn server_cpu(server: &str, calls: usize) -> f64 {
    let mut child = common::spawn_self(0, &["--serve", server]);
    let port = common::read_line(&mut child).split(' ').next().unwrap().to_owned();
    let path = if server == "hand-axum" { "/add" } else { "/rpc" };
    let url = format!("http://127.0.0.1:{port}{path}");
    let pid = child.id().to_string();
    let before = common::cpu_ticks(&pid);
    let mut load = common::spawn_self(1, &["--client", "hyper-by-hand", &url, &calls.to_string(), "32"]);
    let line = common::read_line(&mut load);
    common::stop(load);
    let ticks = common::cpu_ticks(&pid) - before;
    common::stop(child);
    let wrong: f64 = line.split_whitespace().last().unwrap().parse().unwrap();
    assert_eq!(wrong, 0.0, "{server}: wrong or lost answers");
    ticks as f64 / common::TICKS_PER_SEC * 1e6 / calls as f64
}

/// The four ratios the per-call cost is held to, each the median [min–max]
/// of per-round ratios.
fn report_targets(runs: &[Run], servers: &[Vec<f64>; 3]) {
    let of = |variant: &str, f: fn(&Run) -> f64| -> Vec<f64> {
        runs.iter().filter(|r| r.variant == variant).map(f).collect()
    };
    let client = |r: &Run| r.client_us;
    let both = |r: &Run| r.client_us + r.server_us;
    let p99 = |r: &Run| r.p99_us;
    let rows: Vec<(&str, Vec<f64>, Vec<f64>, &str)> = vec![
        (
            "default (reqwest) client CPU per `add` vs reqwest by hand",
            of("generated-reqwest", client),
            of("reqwest-tuned", client),
            "≤ 1.03",
        ),
        (
            "hyper transport client CPU vs jsonrpsee's client",
            of("generated-hyper", client),
            of("jsonrpsee", client),
            "≤ 0.75",
        ),
        (
            "auto-batch (reqwest), 32 callers, client + server CPU vs jsonrpsee",
            of("generated-reqwest-auto-batch", both),
            of("jsonrpsee", both),
            "≤ 0.20",
        ),
        (
            "auto-batch (hyper), 32 callers, client + server CPU vs jsonrpsee",
            of("generated-hyper-auto-batch", both),
            of("jsonrpsee", both),
            "≤ 0.20",
        ),
        (
            "auto-batch (reqwest), p99 latency vs jsonrpsee",
            of("generated-reqwest-auto-batch", p99),
            of("jsonrpsee", p99),
            "≤ 0.42",
        ),
        ("server CPU per `add` vs hand-written axum", servers[0].clone(), servers[1].clone(), "≤ 1.05"),
        ("server CPU with metrics and a no-op RPC layer vs without", servers[2].clone(), servers[0].clone(), "≤ 1.05"),
        (
            "hyper client CPU with metrics and a no-op RPC layer vs without",
            of("generated-hyper-layered", client),
            of("generated-hyper", client),
            "≤ 1.05",
        ),
    ];
    println!("\ntargets (median [min–max] of per-round ratios, {} rounds)", servers[0].len().max(1));
    println!("| measure | ratio | target |");
    println!("|---|---|---|");
    for (measure, ours, base, target) in rows {
        if ours.is_empty() || base.is_empty() {
            continue;
        }
        let (ratio, lo, hi) = common::paired_ratio(&ours, &base);
        println!("| {measure} | {ratio:.2} [{lo:.2}–{hi:.2}] | {target} |");
    }
}

struct Run {
    variant: &'static str,
    calls_per_sec: f64,
    client_us: f64,
    server_us: f64,
    /// Latency of one step (a call, or a batch), median and 99th percentile, µs.
    p50_us: f64,
    p99_us: f64,
    wrong: usize,
    /// Calls the server received per HTTP request (warm-up included).
    calls_per_request: f64,
}

impl Run {
    /// Reads a client child's report: `calls/s client-CPU-ns p50-µs p99-µs wrong`.
    fn parse(variant: &'static str, line: &str, server_ticks: u64, calls: usize) -> Run {
        let fields: Vec<f64> = line.split_whitespace().map(|f| f.parse().unwrap()).collect();
        let [calls_per_sec, client_ns, p50_us, p99_us, wrong] = fields[..] else { panic!("client printed {line:?}") };
        Run {
            variant,
            calls_per_sec,
            client_us: client_ns / 1e3 / calls as f64,
            server_us: server_ticks as f64 / common::TICKS_PER_SEC * 1e6 / calls as f64,
            p50_us,
            p99_us,
            wrong: wrong as usize,
            calls_per_request: 0.0,
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<29} {:>8.0} calls/s  {:>6.2} µs client CPU/call  {:>6.2} µs server CPU/call  \
             latency p50 {:>5.0} µs p99 {:>5.0} µs  {:>5.1} calls/request  wrong/lost {}",
            self.variant,
            self.calls_per_sec,
            self.client_us,
            self.server_us,
            self.p50_us,
            self.p99_us,
            self.calls_per_request,
            self.wrong
        )
    }
}

fn summarize(runs: &[Run], variants: &[&'static str]) {
    let of = |variant: &str, f: fn(&Run) -> f64| -> Vec<f64> {
        runs.iter().filter(|r| r.variant == variant).map(f).collect()
    };
    let baseline = of("jsonrpsee", |r| r.client_us);
    let total = |r: &Run| r.client_us + r.server_us;
    let baseline_total = of("jsonrpsee", total);
    println!(
        "summary (median [min–max] over rounds; ratios = median [min–max] of per-round ratios to jsonrpsee: client CPU, then client + server CPU)"
    );
    println!(
        "| client | calls/s | client CPU µs/call | ratio | server CPU µs/call | client + server µs/call | ratio | latency p50 / p99 µs | calls/request |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for &variant in variants {
        let (rate, rate_lo, rate_hi) = common::median(of(variant, |r| r.calls_per_sec));
        let (cpu, lo, hi) = common::median(of(variant, |r| r.client_us));
        let (ratio, ratio_lo, ratio_hi) = common::paired_ratio(&of(variant, |r| r.client_us), &baseline);
        let server = common::median(of(variant, |r| r.server_us)).0;
        let both = common::median(of(variant, total)).0;
        let (both_ratio, both_lo, both_hi) = common::paired_ratio(&of(variant, total), &baseline_total);
        let (p50, p99) = (common::median(of(variant, |r| r.p50_us)).0, common::median(of(variant, |r| r.p99_us)).0);
        let per_request = common::median(of(variant, |r| r.calls_per_request)).0;
        println!(
            "| {variant} | {rate:.0} [{rate_lo:.0}–{rate_hi:.0}] | {cpu:.2} [{lo:.2}–{hi:.2}] | {ratio:.2} [{ratio_lo:.2}–{ratio_hi:.2}] | {server:.2} | {both:.2} | {both_ratio:.2} [{both_lo:.2}–{both_hi:.2}] | {p50:.0} / {p99:.0} | {per_request:.1} |"
        );
    }
    // What scaling out costs, per round (paired): each over its HTTP/1.1, one-endpoint self.
    println!("\nratios of client CPU per call to the same transport alone (median [min–max] of per-round ratios)");
    for (variant, base) in [
        ("generated-reqwest-h2c", "generated-reqwest"),
        ("generated-hyper-h2c", "generated-hyper"),
        ("generated-reqwest-3-endpoints", "generated-reqwest"),
        ("generated-hyper-3-endpoints", "generated-hyper"),
        ("generated-reqwest-auto-batch", "generated-reqwest"),
        ("generated-hyper-auto-batch", "generated-hyper"),
    ] {
        if variants.contains(&variant) && variants.contains(&base) {
            let (ratio, lo, hi) = common::paired_ratio(&of(variant, |r| r.client_us), &of(base, |r| r.client_us));
            println!("{variant} / {base}: {ratio:.3} [{lo:.3}–{hi:.3}]");
        }
    }
}

/// `router`, counting the requests it serves, told at `GET /requests`.
fn counted(router: axum::Router) -> axum::Router {
    let served = Arc::new(AtomicUsize::new(0));
    let count = served.clone();
    router
        .layer(axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| {
            count.fetch_add(1, Ordering::Relaxed);
            next.run(request)
        }))
        .route("/requests", axum::routing::get(move || std::future::ready(served.load(Ordering::Relaxed).to_string())))
}

/// How many requests the bench server at `url` has served (`GET /requests`,
/// over a plain socket: the parent process has no runtime).
fn requests_served(url: &str) -> usize {
    use std::io::{Read, Write};
    let authority = url.trim_start_matches("http://").split('/').next().unwrap();
    let mut socket = std::net::TcpStream::connect(authority).unwrap();
    write!(socket, "GET /requests HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    socket.read_to_string(&mut answer).unwrap();
    answer.rsplit("\r\n\r\n").next().unwrap().trim().parse().unwrap()
}

// ---- the server child ----

/// One server (the generated one, or axum by hand), three listeners (for
/// the three-endpoint variants), one runtime worker for the one core it is
/// pinned to; prints their ports.
fn serve(variant: &str) {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let router = match variant {
            "hand-axum" => common::hand::add_router(),
            "generated-layered" => {
                let _provider = ops::install_meter_provider();
                let builder = app::builder().layer(remotipy::server::Metrics::new()).layer(ops::Pass::layer());
                app::router(builder.build().unwrap())
            }
            "generated-pass" => app::router(app::builder().layer(ops::Pass::layer()).build().unwrap()),
            "generated-metrics" => {
                let _provider = ops::install_meter_provider();
                app::router(app::builder().layer(remotipy::server::Metrics::new()).build().unwrap())
            }
            _ => app::router(app::server().unwrap()),
        };
        // The client runs' server counts the requests it serves (`GET /requests`):
        // calls per request shows how large automatic batches grow. (Not the
        // servers whose CPU is compared: the layer would cost both.)
        let router = match variant {
            "generated-counted" => counted(router),
            _ => router,
        };
        let mut ports = Vec::new();
        for _ in 0..3 {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            ports.push(listener.local_addr().unwrap().port().to_string());
            tokio::spawn(axum::serve(listener, router.clone()).into_future());
        }
        println!("{}", ports.join(" "));
        common::parent_gone().await;
    });
}

// ---- the client child: one variant, one measured run ----

fn client_process(args: &[String]) {
    let (variant, urls) = (args[0].clone(), args[1].split(',').map(str::to_owned).collect::<Vec<_>>());
    let (calls, concurrency): (usize, usize) = (args[2].parse().unwrap(), args[3].parse().unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let caller = runtime.block_on(Caller::new(&variant, &urls));
    let caller = Arc::new(caller);
    // Warm up: open the connections, fill the pools.
    runtime.block_on(drive(&caller, concurrency * 4, concurrency));
    let before = common::self_cpu_ns();
    let started = Instant::now();
    let (wrong, mut latencies) = runtime.block_on(drive(&caller, calls, concurrency));
    let elapsed = started.elapsed();
    let cpu_ns = common::self_cpu_ns() - before;
    latencies.sort_unstable();
    let percentile = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize] as f64 / 1e3;
    println!("{} {cpu_ns} {} {} {wrong}", calls as f64 / elapsed.as_secs_f64(), percentile(0.5), percentile(0.99));
}

/// One way of calling `add(a, b)`.
#[allow(clippy::large_enum_variant)] // one per process
enum Caller {
    Jsonrpsee(jsonrpsee::http_client::HttpClient),
    ReqwestNaive(reqwest::Client, String),
    ReqwestTuned(reqwest::Client, reqwest::Url),
    HyperByHand(HyperClient, http::Uri),
    Generated(CalculatorClient),
    Batched(CalculatorClient),
}

const BATCH: usize = 100;

impl Caller {
    async fn new(variant: &str, urls: &[String]) -> Caller {
        let (url, more) = (urls[0].as_str(), &urls[1..]);
        let reqwest = || reqwest::Client::builder().build().unwrap();
        match variant {
            "jsonrpsee" => Caller::Jsonrpsee(jsonrpsee::http_client::HttpClientBuilder::default().build(url).unwrap()),
            "reqwest-naive" => Caller::ReqwestNaive(reqwest(), url.to_owned()),
            "reqwest-tuned" => Caller::ReqwestTuned(reqwest(), url.parse().unwrap()),
            "hyper-by-hand" => Caller::HyperByHand(hyper_client(), url.parse().unwrap()),
            "generated-reqwest" => Caller::Generated(CalculatorClient::new(url).unwrap()),
            // What the per-call timeout (its timer and deadline header) costs.
            "generated-reqwest-no-timeout" => {
                Caller::Generated(CalculatorClient::builder(url).no_timeout().build().unwrap())
            }
            #[cfg(feature = "hyper")]
            "generated-hyper" => Caller::Generated(CalculatorClient::builder(url).hyper().build().unwrap()),
            // What operating it costs: metrics recorded into the SDK, and one RPC layer that only passes.
            #[cfg(feature = "hyper")]
            "generated-hyper-layered" => {
                let _provider = ops::install_meter_provider();
                let builder = CalculatorClient::builder(url).hyper();
                let builder = builder.metrics(remotipy::client::Metrics::new()).layer(ops::Pass::layer());
                Caller::Generated(builder.build().unwrap())
            }
            #[cfg(feature = "msgpack")]
            "generated-reqwest-msgpack" => {
                Caller::Generated(CalculatorClient::builder(url).codec(remotipy::Codec::MsgPack).build().unwrap())
            }
            #[cfg(all(feature = "hyper", feature = "msgpack"))]
            "generated-hyper-msgpack" => {
                let builder = CalculatorClient::builder(url).hyper().codec(remotipy::Codec::MsgPack);
                Caller::Generated(builder.build().unwrap())
            }
            "generated-batch100" => Caller::Batched(CalculatorClient::new(url).unwrap()),
            "generated-in-process" => {
                let server = remotipy::Server::builder().service(api::CalculatorServer::new(app::Calc)).build();
                Caller::Generated(CalculatorClient::in_process(server.unwrap()))
            }
            "generated-reqwest-h2c" => {
                Caller::Generated(CalculatorClient::builder(url).http2_prior_knowledge().build().unwrap())
            }
            #[cfg(feature = "hyper")]
            "generated-hyper-h2c" => {
                Caller::Generated(CalculatorClient::builder(url).hyper().http2_prior_knowledge().build().unwrap())
            }
            "generated-reqwest-auto-batch" => {
                Caller::Generated(CalculatorClient::builder(url).auto_batch(Duration::ZERO).build().unwrap())
            }
            #[cfg(feature = "hyper")]
            "generated-hyper-auto-batch" => {
                Caller::Generated(CalculatorClient::builder(url).hyper().auto_batch(Duration::ZERO).build().unwrap())
            }
            "generated-reqwest-3-endpoints" => {
                Caller::Generated(CalculatorClient::builder(url).endpoints(more.to_vec()).build().unwrap())
            }
            #[cfg(feature = "hyper")]
            "generated-hyper-3-endpoints" => {
                Caller::Generated(CalculatorClient::builder(url).endpoints(more.to_vec()).hyper().build().unwrap())
            }
            other => panic!("unknown client variant {other}"),
        }
    }

    /// How many calls one `call` makes.
    fn calls_per_step(&self) -> usize {
        match self {
            Caller::Batched(_) => BATCH,
            _ => 1,
        }
    }

    /// Makes the calls `add(i, 2)` for `i` in `first..first + calls_per_step()`;
    /// returns how many answers were wrong.
    async fn call(&self, first: i64) -> usize {
        let expect = |i: i64, got: Option<i64>| usize::from(got != Some(i + 2));
        match self {
            Caller::Jsonrpsee(client) => {
                use jsonrpsee::core::client::ClientT;
                expect(first, client.request::<i64, _>("add", jsonrpsee::rpc_params![first, 2]).await.ok())
            }
            Caller::ReqwestNaive(client, url) => expect(first, naive(client, url, first).await),
            Caller::ReqwestTuned(client, url) => expect(first, tuned(client, url, first).await),
            Caller::HyperByHand(client, uri) => expect(first, by_hyper(client, uri, first).await),
            Caller::Generated(client) => expect(first, client.add(first, 2).await.ok()),
            Caller::Batched(client) => {
                let mut batch = client.batch();
                let handles: Vec<_> = (first..first + BATCH as i64).map(|i| (i, batch.add(i, 2))).collect();
                let Ok(mut replies) = batch.send_batch().await else { return BATCH };
                handles.into_iter().map(|(i, h)| expect(i, replies.take(h).ok())).sum()
            }
        }
    }
}

#[derive(serde::Serialize)]
struct Request<P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: P,
    id: u64,
}

#[derive(serde::Serialize)]
struct Add {
    a: i64,
    b: i64,
}

#[derive(serde::Deserialize)]
struct Response {
    result: i64,
}

fn add_request(a: i64) -> Request<Add> {
    Request { jsonrpc: "2.0", method: "add", params: Add { a, b: 2 }, id: a as u64 }
}

/// reqwest as most hand-written clients use it.
async fn naive(client: &reqwest::Client, url: &str, a: i64) -> Option<i64> {
    let response = client.post(url).json(&add_request(a)).send().await.ok()?;
    Some(response.json::<Response>().await.ok()?.result)
}

/// reqwest used with care: URL parsed once, static header, body serialized by hand.
async fn tuned(client: &reqwest::Client, url: &reqwest::Url, a: i64) -> Option<i64> {
    use reqwest::header::{CONTENT_TYPE, HeaderValue};
    let body = serde_json::to_vec(&add_request(a)).ok()?;
    let request =
        client.post(url.clone()).header(CONTENT_TYPE, HeaderValue::from_static("application/json")).body(body);
    let bytes = request.send().await.ok()?.bytes().await.ok()?;
    Some(serde_json::from_slice::<Response>(&bytes).ok()?.result)
}

type HyperClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<bytes::Bytes>,
>;

fn hyper_client() -> HyperClient {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector)
}

/// hyper-util's pooled client used directly, the floor of any client on it:
/// no timeout, no size limit, no error mapping.
async fn by_hyper(client: &HyperClient, uri: &http::Uri, a: i64) -> Option<i64> {
    use http_body_util::BodyExt;
    let body = serde_json::to_vec(&add_request(a)).ok()?;
    let request = http::Request::post(uri.clone())
        .header(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"))
        .body(http_body_util::Full::new(bytes::Bytes::from(body)))
        .ok()?;
    let bytes = client.request(request).await.ok()?.into_body().collect().await.ok()?.to_bytes();
    Some(serde_json::from_slice::<Response>(&bytes).ok()?.result)
}

/// `calls` calls over `concurrency` tasks on this thread; returns how many
/// were wrong or lost, and each step's latency in nanoseconds.
async fn drive(caller: &Arc<Caller>, calls: usize, concurrency: usize) -> (usize, Vec<u64>) {
    let next = Arc::new(AtomicUsize::new(0));
    let step = caller.calls_per_step();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (caller, next) = (caller.clone(), next.clone());
            tokio::spawn(async move {
                let (mut wrong, mut latencies) = (0, Vec::with_capacity(calls / concurrency / step + 1));
                loop {
                    let first = next.fetch_add(step, Ordering::Relaxed);
                    if first >= calls {
                        break (wrong, latencies);
                    }
                    let started = Instant::now();
                    wrong += caller.call(first as i64).await;
                    latencies.push(started.elapsed().as_nanos() as u64);
                }
            })
        })
        .collect();
    let (mut wrong, mut latencies) = (0, Vec::with_capacity(calls / step));
    for task in tasks {
        let (w, l) = task.await.unwrap();
        wrong += w;
        latencies.extend(l);
    }
    (wrong, latencies)
}
