//! Transport and timeouts: a server that is down, answers garbage, an HTTP
//! error or nothing; headers and MessagePack on the wire (a raw listener).

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::servers::{RawServer, http, json_rpc};
use crate::support::{closed_port, remotipy};

#[test]
fn a_server_that_is_down_is_a_transport_failure() {
    let url = format!("http://127.0.0.1:{}/rpc", closed_port());
    let run = remotipy(&["call", &url, "add", "a=1", "b=2"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.starts_with(&format!("cannot reach {url}: ")), "{}", run.stderr);
    assert!(run.stderr.contains("refused"), "{}", run.stderr);
}

#[test]
fn garbage_is_a_transport_failure() {
    let not_json = RawServer::start(|_| http("200 OK", "application/json", b"<html>hello</html>"));
    let run = remotipy(&["call", &not_json.url, "add", "a=1"]);
    assert_eq!(run.code, 3);
    assert_eq!(run.stderr, format!("the answer from {} is not JSON-RPC: `<html>hello</html>`\n", not_json.url));

    let json_not_rpc = RawServer::start(|_| http("200 OK", "application/json", br#"{"hello": 1}"#));
    let run = remotipy(&["call", &json_not_rpc.url, "add", "--no-discover"]);
    assert_eq!((run.code, run.stderr.contains("is not JSON-RPC")), (3, true), "{}", run.stderr);

    let not_http = RawServer::start(|_| b"SSH-2.0-OpenSSH_9.2\r\n".to_vec());
    let run = remotipy(&["call", &not_http.url, "add"]);
    assert_eq!(run.code, 3);
    assert!(run.stderr.starts_with(&format!("no HTTP answer from {}: ", not_http.url)), "{}", run.stderr);

    let error_page = RawServer::start(|_| http("502 Bad Gateway", "text/plain", b"upstream is down"));
    let run = remotipy(&["call", &error_page.url, "add"]);
    assert_eq!(
        (run.code, run.stderr),
        (3, format!("HTTP 502 Bad Gateway from {}: `upstream is down`\n", error_page.url))
    );
}

#[test]
fn a_document_that_is_not_openrpc_is_a_transport_failure() {
    let server = RawServer::start(|request| json_rpc_answer(request, json!({"not": "openrpc"})));
    let run = remotipy(&["call", &server.url, "add"]);
    assert_eq!(run.code, 3);
    assert_eq!(
        run.stderr,
        format!(
            "{} is not an OpenRPC document: it has no `openrpc` version (`--no-discover` calls without it)\n",
            server.url
        )
    );
}

fn json_rpc_answer(request: &crate::servers::Recorded, result: Value) -> Vec<u8> {
    let call: Value = serde_json::from_slice(&request.body).unwrap();
    http(
        "200 OK",
        "application/json",
        json!({"jsonrpc": "2.0", "id": call["id"], "result": result}).to_string().as_bytes(),
    )
}

#[test]
fn a_silent_server_times_out_with_exit_4() {
    let server = RawServer::start(|_| {
        std::thread::sleep(Duration::from_secs(5));
        Vec::new()
    });
    let started = Instant::now();
    let run = remotipy(&["call", &server.url, "add", "--timeout", "500ms"]);
    assert_eq!(run.code, 4);
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(run.stderr, format!("{} did not answer after 500ms (--timeout)\n", server.url));
    let sent = server.requests()[0].header("remotipy-timeout-ms").unwrap().parse::<u64>().unwrap();
    assert!((1..=500).contains(&sent), "{sent}");
}

#[test]
fn headers_reach_the_server_on_every_request() {
    let server = RawServer::start(|request| json_rpc(request, json!("ok")));
    let run = remotipy(&["call", &server.url, "ping", "-H", "Authorization: Bearer s3cret", "-H", "x-trace: a:b"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "\"ok\"\n"), "{}", run.stderr);
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "rpc.discover, then the call");
    for request in &requests {
        assert_eq!(request.header("authorization"), Some("Bearer s3cret"));
        assert_eq!(request.header("x-trace"), Some("a:b"));
    }
    let bad = remotipy(&["call", &server.url, "ping", "-H", "no colon"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("expected `name: value`"), "{}", bad.stderr);
}

#[test]
fn msgpack_sends_and_reads_the_envelope_as_a_map() {
    let server = RawServer::start(|request| {
        if request.header("content-type") != Some("application/msgpack") {
            return json_rpc(request, Value::Null);
        }
        let call: Value = rmp_serde::from_slice(&request.body).unwrap();
        let sum = call["params"]["a"].as_i64().unwrap() + call["params"]["b"].as_i64().unwrap();
        let answer = rmp_serde::to_vec_named(&json!({"jsonrpc": "2.0", "id": call["id"], "result": sum})).unwrap();
        http("200 OK", "application/msgpack", &answer)
    });
    let run = remotipy(&["call", &server.url, "add", "a=40", "b=2", "--msgpack", "--no-discover"]);
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "42\n", ""));
    let request = &server.requests()[0];
    assert_eq!(request.header("accept"), Some("application/msgpack"));
    let sent: Value = rmp_serde::from_slice(&request.body).unwrap();
    assert_eq!(sent, json!({"jsonrpc": "2.0", "id": 1, "method": "add", "params": {"a": 40, "b": 2}}));
}
