//! The example server's `--metrics`, scraped by a real Prometheus server
//! (Debian's `prometheus`, started here on loopback): after a known mix of
//! calls, successes and errors, single and batched, Prometheus' query API
//! counts them per method and error code.
//!
//! Prometheus is installed by `.ci/run`, which sets
//! `REMOTIPY_REQUIRE_EXTERNAL=1`: there a missing one fails the test;
//! elsewhere it is skipped, saying so.

mod common;

use std::time::{Duration, Instant};

use common::api::{CalculatorClient, UsersClient};
use common::process::ExampleServer;
use serde_json::Value;

/// A Prometheus server scraping `target` every second, until dropped.
struct Prometheus {
    child: std::process::Child,
    url: String,
    _dir: TempDir,
}

impl Prometheus {
    fn start(target: &str) -> Prometheus {
        let dir = TempDir::new("remotipy-prometheus");
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n\
             scrape_configs:\n  - job_name: remotipy\n    metrics_path: /metrics\n    \
             static_configs:\n      - targets: ['{target}']\n"
        );
        std::fs::write(dir.0.join("prometheus.yml"), config).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = std::process::Command::new("prometheus")
            .arg(format!("--config.file={}", dir.0.join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.0.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--log.level=warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("prometheus starts");
        Prometheus { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }
    }

    /// The instant vector `query` evaluates to: each series' labels and value.
    async fn query(&self, query: &str) -> Option<Vec<(Value, f64)>> {
        let url = reqwest::Url::parse_with_params(&format!("{}/api/v1/query", self.url), [("query", query)]).ok()?;
        let answer: Value = reqwest::Client::new().get(url).send().await.ok()?.json().await.ok()?;
        let result = answer["data"]["result"].as_array()?;
        Some(result.iter().map(|r| (r["metric"].clone(), r["value"][1].as_str().unwrap().parse().unwrap())).collect())
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("{prefix}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_counts_the_calls_per_method_and_code() {
    if !common::available("prometheus", &["--version"]) {
        return;
    }
    let server = ExampleServer::start_with(&["--metrics"]);
    let (calc, users) = (CalculatorClient::new(server.url()).unwrap(), UsersClient::new(server.url()).unwrap());
    for i in 0..5 {
        assert_eq!(calc.add(i, 1).await.unwrap(), i + 1);
    }
    for _ in 0..3 {
        assert!(calc.divide(1.0, 0.0).await.is_err());
    }
    for _ in 0..2 {
        assert!(users.find(7).await.is_err());
        users.audit("checked".into()).await.unwrap();
    }
    let error = remotipy::Client::new(server.url()).unwrap().request::<_, i64>("nope", &()).await.unwrap_err();
    assert_eq!(error.code(), Some(-32601));
    // A batch counts each of its calls.
    let mut batch = calc.batch();
    let (a, b, c) = (batch.add(1, 1), batch.add(2, 2), batch.divide(1.0, 0.0));
    let mut replies = batch.send_batch().await.unwrap();
    assert_eq!((replies.take(a).unwrap(), replies.take(b).unwrap()), (2, 4));
    assert!(replies.take(c).is_err());

    let prometheus = Prometheus::start(&server.addr);
    let expected = [
        (("add", ""), 7.0),
        (("divide", "-32000"), 4.0),
        (("find", "-32000"), 2.0),
        (("audit", ""), 2.0),
        (("_OTHER", "-32601"), 1.0),
    ];
    let query =
        r#"sum by (rpc_method, error_type) (rpc_server_call_duration_seconds_count{rpc_system_name="jsonrpc"})"#;
    let started = Instant::now();
    let counted = loop {
        let counted: Vec<((String, String), f64)> = (prometheus.query(query).await.unwrap_or_default().into_iter())
            .map(|(labels, value)| {
                let label = |name: &str| labels[name].as_str().unwrap_or_default().to_owned();
                ((label("rpc_method"), label("error_type")), value)
            })
            .collect();
        let all = expected
            .iter()
            .all(|((method, error), n)| counted.iter().any(|((m, e), v)| m == method && e == error && v == n));
        if all || started.elapsed() > Duration::from_secs(30) {
            break counted;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    for ((method, error), n) in expected {
        let found = counted.iter().find(|((m, e), _)| m == method && e == error).map(|(_, v)| *v);
        assert_eq!(found, Some(n), "{method} {error:?}: {counted:?}");
    }
    assert_eq!(counted.len(), expected.len(), "no other series: {counted:?}");
    // The gauges are there too, back at zero.
    let active = prometheus.query("sum(remotipy_server_active_calls)").await.unwrap();
    assert_eq!(active.first().map(|(_, v)| *v), Some(0.0), "{active:?}");
}

/// `--metrics` also compresses larger answers for callers that accept it,
/// and reads compressed requests.
#[tokio::test]
async fn the_metrics_endpoint_is_prometheus_text() {
    let server = ExampleServer::start_with(&["--metrics"]);
    let calc = CalculatorClient::new(server.url()).unwrap();
    assert_eq!(calc.add(1, 2).await.unwrap(), 3);
    let response = reqwest::get(format!("http://{}/metrics", server.addr)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    assert!(text.contains("# TYPE rpc_server_call_duration_seconds histogram"), "{text}");
    assert!(text.contains(r#"rpc_method="add""#), "{text}");
}
