//! Server cost, side by side in one run: the generated dispatcher (the
//! example server: Users + Calculator on one endpoint) vs a hand-written axum
//! handler (`Json` extractor, one route per method) vs jsonrpsee's server,
//! for a small call (`add`) and a ~1 KiB DTO call (`greet`).
//!
//! Each server runs in its own child process (this binary with `--serve`, one
//! runtime worker), pinned to core 0 when `taskset` exists; the load
//! generator (reqwest, many connections, one thread) runs here, pinned to
//! core 1. Reported per run: calls/s, server CPU per call (from /proc),
//! server RSS before/after, and wrong or lost answers. Variants are
//! interleaved round by round; the summary gives medians and ranges, and the
//! CPU ratio to the hand-written baseline as the median of per-round ratios
//! (each compares runs made side by side).
//!
//! ```text
//! cargo bench --bench server                       # 7 rounds × 100 000 calls × 32 connections
//! ROUNDS=11 CALLS=200000 CONNECTIONS=256 cargo bench --bench server
//! cargo test --benches                             # smoke: a few hundred calls, checks answers
//! ```
//! Load goes only to 127.0.0.1; every run is bounded in calls and time.

mod common;

#[path = "../examples/api/mod.rs"]
mod api;
#[path = "../examples/app/mod.rs"]
#[allow(dead_code)] // the bench does not log
mod app;

use std::io::Write;
use std::time::Instant;

const VARIANTS: [&str; 3] = ["generated", "hand-axum", "jsonrpsee"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve") {
        return serve(&args[i + 1]);
    }
    let config = Config {
        rounds: common::setting("ROUNDS", 7, 1),
        calls: common::setting("CALLS", 100_000, 300),
        connections: common::setting("CONNECTIONS", 32, 16),
    };
    println!(
        "server bench: {} round(s) × {} calls × {} connections per variant and call",
        config.rounds, config.calls, config.connections
    );
    common::pin_self(1);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut results: Vec<Run> = Vec::new();
    for round in 0..config.rounds {
        for call in [Call::Add, Call::Greet] {
            for variant in VARIANTS {
                let run = runtime.block_on(measure(variant, call, &config));
                println!("round {round} {run}");
                assert_eq!(run.wrong, 0, "{variant}/{}: wrong or lost answers", call.name());
                results.push(run);
            }
        }
    }
    summarize(&results);
}

struct Config {
    rounds: usize,
    calls: usize,
    connections: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum Call {
    Add,
    Greet,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::Add => "add",
            Call::Greet => "greet(1KiB)",
        }
    }

    fn body(self, id: usize) -> String {
        match self {
            Call::Add => format!(r#"{{"jsonrpc":"2.0","method":"add","params":{{"a":{id},"b":2}},"id":{id}}}"#),
            Call::Greet => {
                let user = serde_json::json!({
                    "first_name": format!("Ada{id}"),
                    "last_name": "L".repeat(500),
                    "email": "e".repeat(480),
                });
                format!(r#"{{"jsonrpc":"2.0","method":"greet","params":{{"user":{user}}},"id":{id}}}"#)
            }
        }
    }

    /// Whether `response` is the right answer to call `id`.
    fn check(self, id: usize, response: &[u8]) -> bool {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(response) else { return false };
        let result_ok = match self {
            Call::Add => v["result"] == serde_json::json!(id + 2),
            Call::Greet => v["result"]["message"].as_str().is_some_and(|m| m.contains(&format!("Ada{id}"))),
        };
        result_ok && v["id"] == serde_json::json!(id)
    }

    fn path(self, variant: &str) -> &'static str {
        match (variant, self) {
            ("generated", _) => "/rpc",
            ("hand-axum", Call::Add) => "/add",
            ("hand-axum", Call::Greet) => "/greet",
            _ => "/",
        }
    }
}

struct Run {
    variant: &'static str,
    call: Call,
    calls_per_sec: f64,
    cpu_us_per_call: f64,
    rss_before_kib: u64,
    rss_after_kib: u64,
    wrong: usize,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<10} {:<12} {:>9.0} calls/s  {:>6.2} µs server CPU/call  RSS {} → {} KiB  wrong/lost {}",
            self.variant,
            self.call.name(),
            self.calls_per_sec,
            self.cpu_us_per_call,
            self.rss_before_kib,
            self.rss_after_kib,
            self.wrong
        )
    }
}

/// Starts `variant` in a child process and loads it with `config.calls` calls.
async fn measure(variant: &'static str, call: Call, config: &Config) -> Run {
    let mut child = common::spawn_self(0, &["--serve", variant]);
    let port = read_port(&mut child);
    let url = format!("http://127.0.0.1:{port}{}", call.path(variant));
    let client = reqwest::Client::builder().pool_max_idle_per_host(usize::MAX).tcp_nodelay(true).build().unwrap();
    // Warm up: open the connections, fault in the server's pages.
    drive(&client, &url, call, config.connections * 4, config.connections).await;
    let pid = child.id().to_string();
    let rss_before_kib = common::status_kib(child.id(), "VmRSS");
    let cpu_before = common::cpu_ticks(&pid);
    let started = Instant::now();
    let wrong = drive(&client, &url, call, config.calls, config.connections).await;
    let elapsed = started.elapsed();
    let cpu = common::cpu_ticks(&pid) - cpu_before;
    let rss_after_kib = common::status_kib(child.id(), "VmRSS");
    common::stop(child);
    Run {
        variant,
        call,
        calls_per_sec: config.calls as f64 / elapsed.as_secs_f64(),
        cpu_us_per_call: cpu as f64 / common::TICKS_PER_SEC * 1e6 / config.calls as f64,
        rss_before_kib,
        rss_after_kib,
        wrong,
    }
}

/// `calls` calls of `call` over `connections` concurrent tasks; returns how
/// many were wrong or lost.
async fn drive(client: &reqwest::Client, url: &str, call: Call, calls: usize, connections: usize) -> usize {
    let headers = &[("content-type", "application/json")];
    common::closed_loop(
        client,
        url,
        headers,
        (calls, connections),
        move |id| call.body(id),
        move |id, b| call.check(id, b),
    )
    .await
}

fn read_port(child: &mut std::process::Child) -> u16 {
    let line = common::read_line(child);
    line.parse().unwrap_or_else(|_| panic!("server printed {line:?} instead of its port"))
}

fn summarize(results: &[Run]) {
    println!("\nsummary (median [min–max] over rounds; CPU ratio = median [min–max] of per-round ratios to hand-axum)");
    println!("| call | server | calls/s | server CPU µs/call | CPU ratio | RSS growth KiB |");
    println!("|---|---|---|---|---|---|");
    for call in [Call::Add, Call::Greet] {
        let cpu_of = |variant| -> Vec<f64> {
            results.iter().filter(|r| r.call == call && r.variant == variant).map(|r| r.cpu_us_per_call).collect()
        };
        let baseline = cpu_of("hand-axum");
        for variant in VARIANTS {
            let (rate, rate_lo, rate_hi) = median(results, call, variant, |r| r.calls_per_sec);
            let (cpu, cpu_lo, cpu_hi) = common::median(cpu_of(variant));
            let (ratio, ratio_lo, ratio_hi) = common::paired_ratio(&cpu_of(variant), &baseline);
            let growth = median(results, call, variant, |r| r.rss_after_kib as f64 - r.rss_before_kib as f64).0;
            println!(
                "| {} | {variant} | {rate:.0} [{rate_lo:.0}–{rate_hi:.0}] | {cpu:.2} [{cpu_lo:.2}–{cpu_hi:.2}] | {ratio:.2} [{ratio_lo:.2}–{ratio_hi:.2}] | {growth:.0} |",
                call.name(),
            );
        }
    }
}

fn median(results: &[Run], call: Call, variant: &str, f: impl Fn(&Run) -> f64) -> (f64, f64, f64) {
    common::median(results.iter().filter(|r| r.call == call && r.variant == variant).map(f).collect())
}

// ---- the servers, run in the child process ----

fn serve(variant: &str) {
    // One worker for the one core the server is pinned to.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = common::parent_gone();
        match variant {
            "generated" => {
                announce(port);
                let server = axum::serve(listener, app::router(app::server().unwrap()));
                tokio::select! { _ = server => {}, _ = stop => {} }
            }
            "hand-axum" => {
                announce(port);
                let server = axum::serve(listener, baseline::router());
                tokio::select! { _ = server => {}, _ = stop => {} }
            }
            "jsonrpsee" => {
                drop(listener);
                let server = jsonrpsee::server::Server::builder().build(("127.0.0.1", port)).await.unwrap();
                let handle = server.start(baseline::jsonrpsee_module());
                announce(port);
                stop.await;
                let _ = handle.stop();
            }
            other => panic!("unknown variant {other}"),
        }
    });
}

fn announce(port: u16) {
    println!("{port}");
    std::io::stdout().flush().unwrap();
}

/// The same two calls written by hand, as a user without remotipy would:
/// axum's `Json` extractor, one route per method, and jsonrpsee's RpcModule.
mod baseline {
    use axum::Json;
    use axum::routing::post;
    use serde_json::Value;

    use crate::api::{Greeting, UserInfo};
    use crate::common::hand::{Add, Greet, Request, Response};

    fn greet(user: &UserInfo) -> Greeting {
        Greeting { message: format!("Hello, {} {}!", user.first_name, user.last_name) }
    }

    pub fn router() -> axum::Router {
        crate::common::hand::add_router().route(
            "/greet",
            post(|Json(r): Json<Request<Greet<UserInfo>, Value>>| async move {
                Json(Response::new(greet(&r.params.user), r.id))
            }),
        )
    }

    pub fn jsonrpsee_module() -> jsonrpsee::RpcModule<()> {
        let mut module = jsonrpsee::RpcModule::new(());
        module.register_method("add", |p, _, _| p.parse::<Add>().map(|p| p.a + p.b)).unwrap();
        module.register_method("greet", |p, _, _| p.parse::<Greet<UserInfo>>().map(|p| greet(&p.user))).unwrap();
        module
    }
}
