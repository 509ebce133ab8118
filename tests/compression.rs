//! Compressed bodies: the example server with `--metrics` reads gzip and
//! zstd requests and compresses its larger answers (tower-http's layers);
//! curl and Python's httpx read them, Python's compressed request is
//! answered; the generated client (feature `compression`) sends and reads
//! them; and a zip bomb is refused at the body limit, the server's memory
//! bounded.
//!
//! curl, gzip and Python's httpx are installed by `.ci/run`, which sets
//! `REMOTIPY_REQUIRE_EXTERNAL=1`: there a missing one fails the test;
//! elsewhere it is skipped, saying so.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::process::ExampleServer;
use serde_json::{Value, json};

/// A `greet` call whose answer is a few KiB: compressed when accepted.
fn long_greet() -> String {
    let user = json!({"first_name": "A".repeat(4000), "last_name": "L", "email": "a@example.org"});
    json!({"jsonrpc": "2.0", "id": 1, "method": "greet", "params": {"user": user}}).to_string()
}

#[test]
fn curl_reads_compressed_answers() {
    if !common::available("curl", &["--version"]) {
        return;
    }
    let server = ExampleServer::start_with(&["--metrics"]);
    for encoding in ["gzip", "zstd"] {
        let output = Command::new("curl")
            .args(["-s", "--compressed", "-D", "-", &server.url(), "-H", "content-type: application/json"])
            .args(["-H", &format!("accept-encoding: {encoding}"), "--data-binary", &long_greet()])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let text = String::from_utf8(output.stdout).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.to_ascii_lowercase().contains(&format!("content-encoding: {encoding}")), "{head}");
        let answer: Value = serde_json::from_str(body).unwrap();
        assert!(answer["result"]["message"].as_str().unwrap().starts_with("Hello, AAAA"), "{answer}");
    }
    // Small answers go as they are.
    let output = Command::new("curl")
        .args(["-s", "--compressed", "-D", "-", &server.url(), "-H", "content-type: application/json"])
        .args(["--data-binary", r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(!text.to_ascii_lowercase().contains("content-encoding"), "{text}");
}

#[test]
fn python_httpx_reads_compressed_answers_and_sends_a_compressed_request() {
    if !common::available("python3", &["-c", "import httpx"]) {
        return;
    }
    let server = ExampleServer::start_with(&["--metrics"]);
    let script = r#"
import gzip, json, sys, httpx
url = sys.argv[1]
call = json.loads(sys.argv[2])
answer = httpx.post(url, json=call, headers={"accept-encoding": "gzip"})
print(answer.headers.get("content-encoding"), answer.json()["result"]["message"][:11])
body = gzip.compress(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "add", "params": [40, 2]}).encode())
answer = httpx.post(url, content=body, headers={"content-type": "application/json", "content-encoding": "gzip"})
print(answer.status_code, answer.json()["result"])
"#;
    let output = Command::new("python3").args(["-c", script, &server.url(), &long_greet()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(String::from_utf8(output.stdout).unwrap(), "gzip Hello, AAAA\n200 42\n");
}

/// The generated client with feature `compression`: its request goes
/// zstd above the size it was given, the answer comes compressed, and both
/// ends read each other.
#[cfg(feature = "compression")]
#[tokio::test]
async fn the_generated_client_compresses_requests_and_reads_compressed_answers() {
    use common::api::{Greeting, UserInfo, UsersClient};
    use remotipy::client::Compression;
    let server = ExampleServer::start_with(&["--metrics"]);
    for how in [Compression::Zstd, Compression::Gzip] {
        let users = UsersClient::builder(server.url()).compress_requests(how, 1024).build().unwrap();
        let user = UserInfo { first_name: "A".repeat(4000), last_name: "L".into(), email: "a@example.org".into() };
        let Greeting { message } = users.greet(user).await.unwrap();
        assert!(message.starts_with("Hello, AAAA") && message.len() > 4000);
        // A small call goes as it is, and is answered.
        assert!(users.find(7).await.is_err());
    }
    // What crossed the wire: a layer on a server of our own sees the encodings.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        axum::middleware::from_fn(move |request: axum::extract::Request, next: axum::middleware::Next| {
            let seen = seen.clone();
            async move {
                let sent = request.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
                let accepted = request.headers().get("accept-encoding").map(|v| v.to_str().unwrap().to_owned());
                seen.lock().unwrap().push((sent, accepted));
                next.run(request).await
            }
        })
    };
    let app = common::app::router(common::app::server().unwrap())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::decompression::RequestDecompressionLayer::new())
        .layer(record);
    let url = common::serve_app(app).await + "/rpc";
    let users = UsersClient::builder(&url).compress_requests(Compression::Zstd, 1024).build().unwrap();
    let user = UserInfo { first_name: "A".repeat(4000), last_name: "L".into(), email: "a@example.org".into() };
    assert!(users.greet(user).await.unwrap().message.len() > 4000);
    let (sent, accepted) = seen.lock().unwrap()[0].clone();
    assert_eq!(sent.as_deref(), Some("zstd"));
    let accepted = accepted.unwrap_or_default();
    assert!(accepted.contains("gzip") && accepted.contains("zstd"), "{accepted}");
}

/// 1 GiB of zeros gzip-compressed to about a MiB: the server stops reading
/// at its body limit (2 MiB, counted decompressed) and answers 413, its
/// memory growing by a few MiB, not a GiB.
#[test]
fn a_zip_bomb_is_refused_at_the_body_limit() {
    if !common::available("gzip", &["--version"]) || !common::available("curl", &["--version"]) {
        return;
    }
    let bomb = std::env::temp_dir().join(format!("remotipy-bomb-{}.gz", std::process::id()));
    let mut gzip = Command::new("gzip")
        .arg("-1")
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&bomb).unwrap())
        .spawn()
        .unwrap();
    let zeros = vec![0u8; 1 << 20];
    let mut input = gzip.stdin.take().unwrap();
    for _ in 0..1024 {
        input.write_all(&zeros).unwrap();
    }
    drop(input);
    assert!(gzip.wait().unwrap().success());
    let server = ExampleServer::start_with(&["--metrics"]);
    let before = server.rss_kib();
    let output = Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}", &server.url()])
        .args(["-H", "content-type: application/json", "-H", "content-encoding: gzip"])
        .arg("--data-binary")
        .arg(format!("@{}", bomb.display()))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&bomb);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "413");
    let grown = server.rss_kib().saturating_sub(before);
    println!("a 1 GiB zip bomb: 413; the server's RSS grew by {grown} KiB");
    assert!(grown < 64 * 1024, "the server's RSS grew by {grown} KiB");
    // And it still serves.
    let output = Command::new("curl")
        .args(["-s", &server.url(), "-H", "content-type: application/json"])
        .args(["--data-binary", r#"{"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]}"#])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), r#"{"jsonrpc":"2.0","result":3,"id":1}"#);
}
