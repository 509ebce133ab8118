//! The CORS policy a browser client needs, as the example server applies it
//! (`--allow-origin`): the preflight allows the headers remotipy's client
//! sends (`protocol::CORS_REQUEST_HEADERS`), answers carry the origin and
//! expose `retry-after`, and other origins get nothing. Headless Chromium
//! runs the same server cross-origin in `tests/wasm` (`tests/wasm/run`).

mod common;

use common::api::CalculatorClient;
use common::process::ExampleServer;
use remotipy::protocol::{CORS_REQUEST_HEADERS, CORS_RESPONSE_HEADERS};

const ORIGIN: &str = "http://app.example.test:8000";

/// The headers a page's calls carry: remotipy's, and the example's own.
fn request_headers() -> Vec<String> {
    CORS_REQUEST_HEADERS.into_iter().map(|name| name.to_string()).chain(["authorization".to_owned()]).collect()
}

fn preflight(url: &str, origin: &str) -> reqwest::RequestBuilder {
    let headers = request_headers();
    reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, url)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers.join(","))
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).map_or("", |value| value.to_str().unwrap())
}

#[tokio::test]
async fn the_preflight_allows_what_remotipy_clients_send() {
    let server = ExampleServer::start_with(&["--allow-origin", ORIGIN]);
    let response = preflight(&server.url(), ORIGIN).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(header(&response, "access-control-allow-origin"), ORIGIN);
    assert_eq!(header(&response, "access-control-allow-methods"), "POST");
    assert_eq!(header(&response, "access-control-max-age"), "600");
    let allowed = header(&response, "access-control-allow-headers");
    for name in request_headers() {
        assert!(allowed.split(',').any(|allowed| allowed.trim() == name), "{name} not in {allowed}");
    }
}

#[tokio::test]
async fn answers_name_the_origin_and_expose_what_the_client_reads() {
    let server = ExampleServer::start_with(&["--allow-origin", ORIGIN]);
    let calc = CalculatorClient::builder(server.url()).header("origin", ORIGIN).build().unwrap();
    assert_eq!(calc.add(40, 2).await.unwrap(), 42);
    let response = reqwest::Client::new()
        .post(server.url())
        .header("origin", ORIGIN)
        .json(&serde_json::json!({"jsonrpc": "2.0", "method": "add", "params": [1, 2], "id": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&response, "access-control-allow-origin"), ORIGIN);
    let exposed = header(&response, "access-control-expose-headers");
    assert!(CORS_RESPONSE_HEADERS.into_iter().all(|name| exposed.contains(name.as_str())), "{exposed}");
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["result"], 3);
}

#[tokio::test]
async fn other_origins_are_not_allowed() {
    let server = ExampleServer::start_with(&["--allow-origin", ORIGIN]);
    let response = preflight(&server.url(), "http://elsewhere.test").send().await.unwrap();
    assert_eq!(header(&response, "access-control-allow-origin"), "");
    // Without --allow-origin, no CORS headers at all: same-origin pages only.
    let closed = ExampleServer::start();
    let response = preflight(&closed.url(), ORIGIN).send().await.unwrap();
    assert_eq!(header(&response, "access-control-allow-origin"), "");
}
