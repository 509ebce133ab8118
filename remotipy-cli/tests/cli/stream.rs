//! Streaming methods: each item printed as it arrives, one per line.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{ExampleServer, command, remotipy};

#[test]
fn items_are_printed_as_they_arrive() {
    let server = ExampleServer::start();
    let mut child = command()
        .args(["call", &server.url(), "ticks", "n=3", "interval_ms=400"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let lines: Vec<(String, Duration)> =
        BufReader::new(child.stdout.take().unwrap()).lines().map(|line| (line.unwrap(), started.elapsed())).collect();
    assert!(child.wait().unwrap().success());
    let items: Vec<&str> = lines.iter().map(|(line, _)| line.as_str()).collect();
    assert_eq!(items, ["1", "2", "3"]);
    // The first came before the last was produced, 800 ms later.
    assert!(lines[2].1 - lines[0].1 >= Duration::from_millis(600), "{lines:?}");
}

#[test]
fn raw_prints_every_event() {
    let server = ExampleServer::start();
    let run = remotipy(&["call", &server.url(), "ticks", "n=2", "interval_ms=1", "--raw"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let events: Vec<serde_json::Value> = run.stdout.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(
        events,
        [
            serde_json::json!({"jsonrpc": "2.0", "method": "rpc.item", "params": {"subscription": 1, "result": 1}}),
            serde_json::json!({"jsonrpc": "2.0", "method": "rpc.item", "params": {"subscription": 1, "result": 2}}),
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": {"items": 2}}),
        ]
    );
}

#[test]
fn an_error_before_the_first_item_is_a_remote_error() {
    let server = ExampleServer::start();
    let run = remotipy(&["call", &server.url(), "ticks", "n=3", "interval_ms=70000"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert_eq!(
        run.stderr,
        "ticks failed remotely: interval_ms must be at most 60000, not 70000 (code -32000, TickError)\n"
    );
}

#[test]
fn a_timeout_ends_the_stream_with_exit_4() {
    let server = ExampleServer::start();
    let started = Instant::now();
    // Items at 0, 0.5 s, 1 s…: the deadline comes after the first, long before the tenth.
    let run = remotipy(&["call", &server.url(), "ticks", "n=10", "interval_ms=500", "--timeout", "1500ms"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    assert!(run.stdout.starts_with("1\n"), "{}", run.stdout);
    assert!(!run.stdout.contains("10"), "{}", run.stdout);
    let message = format!("the stream from {} was still open after 1s 500ms (--timeout)\n", server.url());
    // Or the server stopped it first, at the deadline it was sent.
    let stopped =
        run.stderr.starts_with("ticks failed remotely: deadline exceeded") && run.stderr.contains("(code -32092)");
    assert!(run.stderr == message || stopped, "{}", run.stderr);
}

#[test]
fn without_the_document_a_stream_is_collected_unless_asked_for() {
    let server = ExampleServer::start();
    let url = server.url();
    let collected = remotipy(&["call", &url, "ticks", "n=3", "interval_ms=1", "--no-discover"]);
    assert_eq!(collected.stdout, "[1,2,3]\n");
    let streamed = remotipy(&["call", &url, "ticks", "n=3", "interval_ms=1", "--no-discover", "--stream"]);
    assert_eq!(streamed.stdout, "1\n2\n3\n");
}
