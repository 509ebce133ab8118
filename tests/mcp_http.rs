//! The MCP endpoint's transport rules (Streamable HTTP), over raw HTTP, in
//! both protocol revisions: the handshake and discovery, the version header
//! (an unsupported one is a 400), 2026-07-28's routing headers checked
//! against the body (a mismatch is `-32020`, 400), `Origin` (403 unless
//! allowed), no sessions (GET and DELETE are 405), notifications (202), and
//! bodies that are no MCP message (bad JSON, batches, null ids, a body too
//! large, the wrong content type): each its error, never a panic.
#![cfg(feature = "mcp")]

mod common;
mod mcp_support;

use common::{ProbeImpl, ProbeServer};
use mcp_support::{Answer, Rev, post_raw, request};
use serde_json::{Value, json};

/// The probe's MCP endpoint, built by `configure`; its URL.
async fn serve_with(configure: impl FnOnce(remotipy::mcp::McpBuilder) -> remotipy::mcp::McpBuilder) -> String {
    let server = remotipy::Server::builder()
        .service(ProbeServer::new(ProbeImpl::default()))
        .body_limit(64 * 1024)
        .openrpc_info("Probe", "1.2.3")
        .build()
        .unwrap();
    let mcp = configure(server.mcp()).build();
    format!("{}/mcp", common::serve_app(axum::Router::new().route("/mcp", mcp.into_route())).await)
}

async fn serve() -> String {
    serve_with(|mcp| mcp).await
}

/// The answer's JSON-RPC error code, checking its HTTP status.
fn error_code(answer: &Answer, status: u16) -> i64 {
    assert_eq!(answer.status, status, "{}", answer.body);
    let body = answer.json();
    body["error"]["code"].as_i64().unwrap_or_else(|| panic!("an error: {body}"))
}

#[tokio::test]
async fn initialize_negotiates_a_handshake_revision_and_mints_no_session() {
    let url = serve_with(|mcp| mcp.instructions("Probe things.")).await;
    let initialize = |version: &str| json!({ "protocolVersion": version, "capabilities": {}, "clientInfo": { "name": "t", "version": "1" } });
    let answer = request(&url, Rev::Legacy, "initialize", initialize("2025-11-25"), &[]).await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers.get("mcp-session-id").is_none(), "stateless: no session");
    assert_eq!(
        answer.json()["result"],
        json!({ "protocolVersion": "2025-11-25", "capabilities": { "tools": { "listChanged": false } },
                "serverInfo": { "name": "Probe", "version": "1.2.3" }, "instructions": "Probe things." })
    );
    let older = request(&url, Rev::Legacy, "initialize", initialize("2025-06-18"), &[]).await;
    assert_eq!(older.json()["result"]["protocolVersion"], "2025-06-18", "a served revision is echoed");
    let unknown = request(&url, Rev::Legacy, "initialize", initialize("1.0.0"), &[]).await;
    assert_eq!(unknown.json()["result"]["protocolVersion"], "2025-11-25", "else the newest is offered");
    let initialized = json!({ "jsonrpc": "2.0", "method": "notifications/initialized" });
    let accepted = post_raw(&url, initialized.to_string(), &[("mcp-protocol-version", "2025-11-25")]).await;
    assert_eq!((accepted.status, accepted.body.as_str()), (202, ""));
    let ping = request(&url, Rev::Legacy, "ping", json!({}), &[("mcp-session-id", "ignored")]).await;
    assert_eq!(ping.json()["result"], json!({}));
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let answer = reqwest::Client::new().request(method.clone(), &url).send().await.unwrap();
        assert_eq!(answer.status(), 405, "{method}: no GET stream, no session to end");
        assert_eq!(answer.headers()["allow"], "POST");
    }
}

#[tokio::test]
async fn discover_answers_the_stateless_revision() {
    let url = serve().await;
    let answer = request(&url, Rev::Modern, "server/discover", json!({}), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let result = &answer.json()["result"];
    assert_eq!(result["supportedVersions"], json!(["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"]));
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["capabilities"]["tools"], json!({ "listChanged": false }));
    assert_eq!(result["_meta"]["io.modelcontextprotocol/serverInfo"], json!({ "name": "Probe", "version": "1.2.3" }));
    assert!(result["ttlMs"].is_u64() && result["cacheScope"] == "public");
    let list = request(&url, Rev::Modern, "tools/list", json!({}), &[]).await.json();
    assert!(list["result"]["ttlMs"].is_u64() && list["result"]["cacheScope"] == "public", "{list}");
    // What 2026-07-28 removed, and what 2025-11-25 never had.
    for method in ["initialize", "ping"] {
        assert_eq!(error_code(&request(&url, Rev::Modern, method, json!({}), &[]).await, 404), -32601, "{method}");
    }
    assert_eq!(error_code(&request(&url, Rev::Legacy, "server/discover", json!({}), &[]).await, 200), -32601);
}

#[tokio::test]
async fn an_unsupported_protocol_version_is_a_400() {
    let url = serve().await;
    for version in ["1999-01-01", "2024-11-05", "DRAFT-2026-v1"] {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" });
        let answer = post_raw(&url, body.to_string(), &[("mcp-protocol-version", version)]).await;
        assert_eq!(error_code(&answer, 400), -32022, "{version}");
        assert_eq!(answer.json()["error"]["data"]["requested"], version);
    }
    // The envelope naming a version the server does not speak.
    let params = json!({ "_meta": { "io.modelcontextprotocol/protocolVersion": "2027-01-01",
                                    "io.modelcontextprotocol/clientCapabilities": {} } });
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": params });
    let headers = [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/list")];
    assert_eq!(error_code(&post_raw(&url, body.to_string(), &headers).await, 400), -32020, "header ≠ envelope");
}

/// `tools/call` of `sum` in 2026-07-28's envelope, with `headers`.
async fn sum_modern(url: &str, headers: &[(&str, &str)]) -> Answer {
    let params = json!({ "name": "sum", "arguments": { "a": 1, "b": 2 },
                         "_meta": { "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                                    "io.modelcontextprotocol/clientCapabilities": {} } });
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params });
    post_raw(url, body.to_string(), headers).await
}

#[tokio::test]
async fn headers_that_disagree_with_the_body_are_refused() {
    let url = serve().await;
    let call = json!({ "name": "sum", "arguments": { "a": 1, "b": 2 } });
    let version = ("mcp-protocol-version", "2026-07-28");
    let good = sum_modern(&url, &[version, ("mcp-method", "tools/call"), ("mcp-name", "sum")]).await;
    assert_eq!(good.json()["result"]["structuredContent"], json!({ "result": 3 }), "{}", good.body);
    // `sum`, base64 in the encoding clients use for values that are not plain ASCII.
    let encoded = sum_modern(&url, &[version, ("mcp-method", "tools/call"), ("mcp-name", "=?base64?c3Vt?=")]).await;
    assert_eq!(encoded.status, 200, "{}", encoded.body);
    for (headers, says) in [
        (&[version, ("mcp-method", "tools/list"), ("mcp-name", "sum")][..], "Mcp-Method"),
        (&[version, ("mcp-name", "sum")][..], "Mcp-Method header is missing"),
        (&[version, ("mcp-method", "tools/call")][..], "Mcp-Name header is missing"),
        (&[version, ("mcp-method", "tools/call"), ("mcp-name", "add")][..], "\"add\""),
        (&[version, ("mcp-method", "tools/call"), ("mcp-name", "=?base64?!!?=")][..], "base64"),
        (&[version, ("mcp-method", "tools/call"), ("mcp-name", "sum"), ("mcp-name", "sum")][..], "more than once"),
    ] {
        let answer = sum_modern(&url, headers).await;
        assert_eq!(error_code(&answer, 400), -32020, "{headers:?}");
        let message = answer.json()["error"]["message"].as_str().unwrap().to_owned();
        assert!(message.contains(says), "{headers:?}: {message}");
    }
    // No envelope at all: `-32602` first, as 2026-07-28 orders the checks.
    let bare = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": call });
    let answer = post_raw(&url, bare.to_string(), &[version, ("mcp-method", "tools/call"), ("mcp-name", "sum")]).await;
    assert_eq!(error_code(&answer, 400), -32602);
}

#[tokio::test]
async fn an_origin_not_allowed_is_a_403() {
    let closed = serve().await;
    let open = serve_with(|mcp| mcp.allow_origin("http://localhost:6274")).await;
    let list = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }).to_string();
    let refused = post_raw(&closed, list.clone(), &[("origin", "http://localhost:6274")]).await;
    assert_eq!(error_code(&refused, 403), -32600);
    assert_eq!(post_raw(&open, list.clone(), &[("origin", "http://LOCALHOST:6274")]).await.status, 200);
    let evil = post_raw(&open, list.clone(), &[("origin", "http://evil.example")]).await;
    assert!(evil.body.contains("http://evil.example"), "{}", evil.body);
    assert_eq!(evil.status, 403);
    assert_eq!(post_raw(&closed, list, &[]).await.status, 200, "no Origin: not a browser page");
}

#[tokio::test]
async fn bodies_that_are_no_mcp_message_get_their_error() {
    let url = serve().await;
    let code = |body: &'static str| {
        let url = url.clone();
        async move { post_raw(&url, body, &[]).await }
    };
    assert_eq!(error_code(&code("{\"jsonrpc\":\"2.0\",").await, 400), -32700);
    assert_eq!(error_code(&code("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]").await, 400), -32600);
    assert_eq!(error_code(&code("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}").await, 400), -32600);
    assert_eq!(error_code(&code("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}").await, 400), -32600);
    assert_eq!(error_code(&code("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":5}").await, 400), -32600);
    let wrong_params = code("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":5}}").await;
    assert_eq!(error_code(&wrong_params, 200), -32602);
    let meta =
        code("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"progressToken\":[]}}}");
    assert_eq!(error_code(&meta.await, 200), -32602);
    // Ids and progress tokens are echoed: they must read back (not `1e400`, not `"\ud800"`).
    assert_eq!(error_code(&code("{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"ping\"}").await, 400), -32600);
    let meta = code(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"progressToken\":1e400}}}",
    );
    assert_eq!(error_code(&meta.await, 200), -32602);
    let meta = code(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"_meta\":{\"progressToken\":\"\\ud800\"}}}",
    );
    assert_eq!(error_code(&meta.await, 200), -32602);
    let cursor = code("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{\"cursor\":\"x\"}}").await;
    assert_eq!(error_code(&cursor, 200), -32602, "this server gives no cursors");
    // A response to a request the server never sent: taken (2025-11-25), refused (2026-07-28).
    assert_eq!(code("{\"jsonrpc\":\"2.0\",\"id\":9,\"result\":{}}").await.status, 202);
    let response = json!({ "jsonrpc": "2.0", "id": 9, "result": {} }).to_string();
    let modern = post_raw(&url, response, &[("mcp-protocol-version", "2026-07-28")]).await;
    assert_eq!(error_code(&modern, 400), -32600);
    let unknown = code("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\",\"params\":{\"requestId\":1}}");
    assert_eq!(unknown.await.status, 202, "a cancellation is taken (and, stateless, ignored)");

    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{{\"x\":\"{}\"}}}}",
        "a".repeat(100_000)
    );
    assert_eq!(post_raw(&url, huge, &[]).await.status, 413);
    let html = reqwest::Client::new().post(&url).header("content-type", "text/html").body("{}").send().await.unwrap();
    assert_eq!(html.status(), 415);
    assert!(html.text().await.unwrap().contains("`text/html`"));
    let answer = reqwest::Client::new().post(&url).header("accept", "text/html").body("{}").send().await.unwrap();
    assert_eq!(answer.status(), 406);
    let not_utf8 = post_raw(&url, b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"p\xffng\"}".to_vec(), &[]).await;
    assert_eq!(not_utf8.status, 400);
    // Deep nesting in the arguments: the decoder's error, not a stack overflow.
    let deep = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{{\"name\":\"depth\",\"arguments\":{{\"value\":{}{}}}}}}}",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let answer = post_raw(&url, deep, &[]).await;
    assert!(answer.status == 400 || answer.json()["error"].is_object(), "{}", answer.body);
}

#[tokio::test]
async fn every_answer_is_one_json_rpc_message_for_the_request() {
    let url = serve().await;
    let body = json!({ "jsonrpc": "2.0", "id": "abc", "method": "tools/call",
                       "params": { "name": "echo", "arguments": { "text": "é\n\"" } } });
    let answer = post_raw(&url, body.to_string(), &[]).await;
    let response: Value = answer.json();
    assert_eq!(response["id"], "abc", "string ids are echoed");
    assert_eq!(response["result"]["structuredContent"], json!({ "result": "é\n\"" }));
    assert_eq!(response["result"]["content"][0]["text"], "\"é\\n\\\"\"", "the result's JSON, as text");
}
