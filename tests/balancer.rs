//! Three example server processes, a server killed (SIGKILL) mid-load:
//! behind a real nginx, and addressed directly by one client's endpoints.
//! No idempotent call fails, no non-idempotent call runs twice (each
//! `greet` carries a unique name the servers log), and the calls the dead
//! server had are moved within a bounded time, which the tests print.
//!
//! The servers are `target/<profile>/examples/server`, built by `cargo test`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::api::{CalculatorClient, UserInfo, UsersClient};
use common::nginx::Nginx;
use common::process::ExampleServer;
use futures_util::StreamExt;

/// Calls in flight at once, and how long the load runs; the kill comes at `KILL_AT`.
const WORKERS: usize = 8;
const LOAD: Duration = Duration::from_millis(3_000);
const KILL_AT: Duration = Duration::from_millis(1_000);

/// What the load saw.
#[derive(Default)]
struct Outcome {
    /// `add` calls: (started, after the start of the load; took; failed with).
    adds: Vec<(Duration, Duration, Option<String>)>,
    /// `greet` ids answered, and those that failed.
    greeted: Vec<u64>,
    not_greeted: Vec<u64>,
}

/// Runs the load over `users` and `calc` and kills `victim` at `KILL_AT`.
async fn load_and_kill(users: UsersClient, calc: CalculatorClient, victim: &mut ExampleServer) -> Outcome {
    let next_id = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (users, calc, next_id) = (users.clone(), calc.clone(), next_id.clone());
            tokio::spawn(async move {
                let mut seen = Outcome::default();
                let mut i = 0i64;
                while started.elapsed() < LOAD {
                    i += 1;
                    let at = started.elapsed();
                    let sum = calc.add(w as i64, i).await;
                    let failed = match sum {
                        Ok(sum) if sum == w as i64 + i => None,
                        other => Some(format!("{other:?}")),
                    };
                    seen.adds.push((at, started.elapsed() - at, failed));
                    if i % 4 == 0 {
                        let id = next_id.fetch_add(1, Ordering::Relaxed);
                        let user = UserInfo { first_name: format!("u{id}"), last_name: "L".into(), email: "e".into() };
                        match users.greet(user).await {
                            Ok(_) => seen.greeted.push(id),
                            Err(_) => seen.not_greeted.push(id),
                        }
                    }
                }
                seen
            })
        })
        .collect();
    tokio::time::sleep(KILL_AT).await;
    victim.kill();
    let mut all = Outcome::default();
    for worker in workers {
        let seen = worker.await.unwrap();
        all.adds.extend(seen.adds);
        all.greeted.extend(seen.greeted);
        all.not_greeted.extend(seen.not_greeted);
    }
    all
}

/// Checks the outcome against the servers' logs; prints and returns the
/// failover time: the longest call that started around the kill.
fn check(outcome: &Outcome, servers: &[ExampleServer], label: &str) -> Duration {
    let failed: Vec<_> = outcome.adds.iter().filter(|a| a.2.is_some()).collect();
    assert!(failed.is_empty(), "{label}: {} idempotent calls failed: {failed:?}", failed.len());
    assert!(outcome.adds.len() > 500, "{label}: only {} calls", outcome.adds.len());
    for server in servers {
        server.settle();
        assert!(server.lines_with("add") > 0, "{label}: every server, the killed one too, ran calls");
    }
    let runs = |id: u64| servers.iter().map(|s| s.lines_with(&format!("first_name=u{id}"))).sum::<usize>();
    for &id in &outcome.greeted {
        assert_eq!(runs(id), 1, "{label}: greet u{id} answered, so it ran exactly once");
    }
    for &id in &outcome.not_greeted {
        assert!(runs(id) <= 1, "{label}: greet u{id} failed and ran {} times", runs(id));
    }
    let mut before: Vec<Duration> = outcome.adds.iter().filter(|a| a.0 < KILL_AT).map(|a| a.1).collect();
    before.sort();
    let median = before[before.len() / 2];
    let around =
        |a: &&(Duration, Duration, Option<String>)| a.0 + a.1 >= KILL_AT && a.0 < KILL_AT + Duration::from_secs(1);
    let failover = outcome.adds.iter().filter(around).map(|a| a.1).max().unwrap();
    eprintln!(
        "{label}: {} add calls, 0 failed; median {median:?} before the kill, slowest around it {failover:?}; \
         {} greets answered, {} failed, none ran twice",
        outcome.adds.len(),
        outcome.greeted.len(),
        outcome.not_greeted.len(),
    );
    failover
}

fn three_servers() -> Vec<ExampleServer> {
    (0..3).map(|_| ExampleServer::start()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_nginx_a_killed_server_loses_no_idempotent_call_and_runs_none_twice() {
    if !common::available("nginx", &["-v"]) {
        return;
    }
    let mut servers = three_servers();
    let proxy = Nginx::start(&servers.iter().map(|s| s.addr.as_str()).collect::<Vec<_>>());
    let url = format!("{}/rpc", proxy.url());
    let users = UsersClient::new(&url).unwrap();
    let calc = CalculatorClient::new(&url).unwrap();
    let outcome = load_and_kill(users, calc, &mut servers[1]).await;
    let failover = check(&outcome, &servers, "nginx");
    assert!(failover < Duration::from_secs(2), "calls moved after {failover:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_three_endpoints_a_killed_server_loses_no_idempotent_call_and_runs_none_twice() {
    let mut servers = three_servers();
    let urls: Vec<String> = servers.iter().map(ExampleServer::url).collect();
    let users = UsersClient::builder(&urls[0]).endpoints(urls[1..].to_vec()).build().unwrap();
    let calc = CalculatorClient::builder(&urls[0]).endpoints(urls[1..].to_vec()).build().unwrap();
    let outcome = load_and_kill(users, calc, &mut servers[1]).await;
    let failover = check(&outcome, &servers, "endpoints");
    assert!(failover < Duration::from_secs(2), "calls moved after {failover:?}");
}

#[tokio::test]
async fn streams_and_the_health_check_work_through_nginx() {
    if !common::available("nginx", &["-v"]) {
        return;
    }
    let servers = three_servers();
    let proxy = Nginx::start(&servers.iter().map(|s| s.addr.as_str()).collect::<Vec<_>>());
    let calc = CalculatorClient::new(format!("{}/rpc", proxy.url())).unwrap();
    for _ in 0..6 {
        let ticks: Vec<u64> = calc.ticks(5, 10).await.unwrap().map(Result::unwrap).collect().await;
        assert_eq!(ticks, [1, 2, 3, 4, 5]);
    }
    let health = reqwest::get(format!("{}/health", proxy.url())).await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok\n");
}

#[tokio::test]
async fn streams_spread_over_endpoints_and_skip_a_dead_one() {
    let mut servers = three_servers();
    let urls: Vec<String> = servers.iter().map(ExampleServer::url).collect();
    let calc = CalculatorClient::builder(&urls[0]).endpoints(urls[1..].to_vec()).build().unwrap();
    servers[0].kill();
    for _ in 0..10 {
        // Opening a stream is idempotent here only in that it never left: a
        // refused connection is retried on another endpoint.
        let ticks: Vec<u64> = calc.ticks(3, 5).await.unwrap().map(Result::unwrap).collect().await;
        assert_eq!(ticks, [1, 2, 3]);
    }
    let opened = |s: &ExampleServer| s.lines_with("ticks");
    assert!(opened(&servers[1]) > 0 && opened(&servers[2]) > 0, "both live servers serve streams");
}
