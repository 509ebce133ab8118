//! Server CPU per call of `add` as an MCP `tools/call` (at `/mcp`) against
//! the same call over the JSON-RPC endpoint (at `/rpc`) of the same server
//! (the example's `Users` + `Calculator`), side by side in one run.
//!
//! Each run starts the server in a child process (this binary with
//! `--serve`, one runtime worker), pinned to core 0 when `taskset` exists;
//! the load generator (reqwest, many connections, one thread) runs here,
//! pinned to core 1. The two endpoints alternate run by run, round by round;
//! the summary gives medians and ranges, and the ratio of MCP's CPU per call
//! to JSON-RPC's as the median of per-round ratios. Every answer is checked.
//!
//! ```text
//! cargo bench --bench mcp --features mcp                  # 7 rounds × 100 000 calls × 32 connections
//! ROUNDS=11 CALLS=200000 cargo bench --bench mcp --features mcp
//! cargo test --benches --features mcp                     # smoke: a few hundred calls, answers checked
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

/// The two ways to call `add`, as (name, path).
const ENDPOINTS: [(&str, &str); 2] = [("json-rpc", "/rpc"), ("mcp", "/mcp")];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve();
    }
    let config = Config {
        rounds: common::setting("ROUNDS", 7, 1),
        calls: common::setting("CALLS", 100_000, 300),
        connections: common::setting("CONNECTIONS", 32, 16),
    };
    println!(
        "mcp bench: {} round(s) × {} calls × {} connections per endpoint, `add` as JSON-RPC and as MCP tools/call",
        config.rounds, config.calls, config.connections
    );
    common::pin_self(1);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runs: Vec<Run> = Vec::new();
    for round in 0..config.rounds {
        // Alternate which goes first, so neither always runs on a warmer machine.
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let run = runtime.block_on(measure(ENDPOINTS[i], &config));
            println!("round {round} {run}");
            assert_eq!(run.wrong, 0, "{}: wrong or lost answers", run.endpoint);
            runs.push(run);
        }
    }
    summarize(&runs);
}

struct Config {
    rounds: usize,
    calls: usize,
    connections: usize,
}

struct Run {
    endpoint: &'static str,
    calls_per_sec: f64,
    cpu_us_per_call: f64,
    wrong: usize,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:<9} {:>9.0} calls/s  {:>6.2} µs server CPU/call  wrong/lost {}",
            self.endpoint, self.calls_per_sec, self.cpu_us_per_call, self.wrong
        )
    }
}

/// The body of call `id` to `endpoint`, and whether `response` answers it.
fn body(endpoint: &str, id: usize) -> String {
    match endpoint {
        "json-rpc" => format!(r#"{{"jsonrpc":"2.0","method":"add","params":{{"a":{id},"b":2}},"id":{id}}}"#),
        _ => format!(
            r#"{{"jsonrpc":"2.0","method":"tools/call","params":{{"name":"add","arguments":{{"a":{id},"b":2}}}},"id":{id}}}"#
        ),
    }
}

fn check(endpoint: &str, id: usize, response: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(response) else { return false };
    let result = match endpoint {
        "json-rpc" => &v["result"],
        _ => &v["result"]["structuredContent"]["result"],
    };
    *result == serde_json::json!(id + 2) && v["id"] == serde_json::json!(id)
}

/// Starts a server in a child process and loads one endpoint with `config.calls` calls.
async fn measure((endpoint, path): (&'static str, &str), config: &Config) -> Run {
    let mut child = common::spawn_self(0, &["--serve"]);
    let port: u16 = common::read_line(&mut child).parse().expect("the server prints its port");
    let url = format!("http://127.0.0.1:{port}{path}");
    let client = reqwest::Client::builder().pool_max_idle_per_host(usize::MAX).tcp_nodelay(true).build().unwrap();
    // Warm up: open the connections, fault in the server's pages.
    drive(&client, &url, endpoint, config.connections * 4, config.connections).await;
    let pid = child.id().to_string();
    let cpu_before = common::cpu_ticks(&pid);
    let started = Instant::now();
    let wrong = drive(&client, &url, endpoint, config.calls, config.connections).await;
    let elapsed = started.elapsed();
    let cpu = common::cpu_ticks(&pid) - cpu_before;
    common::stop(child);
    Run {
        endpoint,
        calls_per_sec: config.calls as f64 / elapsed.as_secs_f64(),
        cpu_us_per_call: cpu as f64 / common::TICKS_PER_SEC * 1e6 / config.calls as f64,
        wrong,
    }
}

/// `calls` calls to `endpoint` over `connections` concurrent tasks; returns
/// how many were wrong or lost.
async fn drive(client: &reqwest::Client, url: &str, endpoint: &'static str, calls: usize, connections: usize) -> usize {
    let headers = &[("content-type", "application/json"), ("accept", "application/json, text/event-stream")];
    let (body, check) = (move |id| body(endpoint, id), move |id, b: &[u8]| check(endpoint, id, b));
    common::closed_loop(client, url, headers, (calls, connections), body, check).await
}

fn summarize(runs: &[Run]) {
    let of = |endpoint: &str, f: fn(&Run) -> f64| -> Vec<f64> {
        runs.iter().filter(|r| r.endpoint == endpoint).map(f).collect()
    };
    let baseline = of("json-rpc", |r| r.cpu_us_per_call);
    println!("\nsummary (median [min–max] over rounds; CPU ratio = median [min–max] of per-round ratios to json-rpc)");
    println!("| call | endpoint | calls/s | server CPU µs/call | CPU ratio |");
    println!("|---|---|---|---|---|");
    for (endpoint, _) in ENDPOINTS {
        let (rate, rate_lo, rate_hi) = common::median(of(endpoint, |r| r.calls_per_sec));
        let cpu = of(endpoint, |r| r.cpu_us_per_call);
        let (ratio, ratio_lo, ratio_hi) = common::paired_ratio(&cpu, &baseline);
        let (cpu, cpu_lo, cpu_hi) = common::median(cpu);
        println!(
            "| add | {endpoint} | {rate:.0} [{rate_lo:.0}–{rate_hi:.0}] | {cpu:.2} [{cpu_lo:.2}–{cpu_hi:.2}] | {ratio:.2} [{ratio_lo:.2}–{ratio_hi:.2}] |"
        );
    }
}

/// The example's server in this (child) process: `/rpc` and `/mcp`.
fn serve() {
    // One worker for the one core the server is pinned to.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let rpc = app::server().unwrap();
        let router = app::router(rpc.clone()).route("/mcp", rpc.mcp().build().into_route());
        println!("{port}");
        std::io::stdout().flush().unwrap();
        tokio::select! {
            _ = axum::serve(listener, router) => {}
            _ = common::parent_gone() => {}
        }
    });
}
