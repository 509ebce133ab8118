//! A remotipy server as MCP tools (feature `mcp`), over real HTTP: tools
//! made from the trait (names, docs, schemas, hints, `mcp(skip)`), calls that
//! run exactly as the JSON-RPC call of the same name (its decoder and errors,
//! the server's layers, the request's `Context` and deadline), errors on the
//! side MCP puts them, and streams collected with a progress notification per
//! item. The transport's rules: tests/mcp_http.rs; real MCP clients:
//! tests/mcp_clients.rs.
#![cfg(feature = "mcp")]

mod common;
mod mcp_support;

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ProbeImpl, ProbeServer};
use mcp_support::{Rev, call, post_raw, request, tool, tools};
use remotipy::server::{CallStack, RpcCall};
use remotipy::service::{BoxFuture, Reply};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Where an item is kept.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Shelf {
    pub aisle: u8,
    pub level: Option<u8>,
}

/// An item of the catalog.
#[derive(Debug, Clone, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Item {
    pub name: String,
    pub shelf: Shelf,
}

#[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error, schemars::JsonSchema)]
pub enum CatalogError {
    #[error("no item called {0}")]
    Unknown(String),
}

/// A shop's catalog.
#[remotipy::remote]
pub trait Catalog {
    /// The item called `name`, if any (on `shelf`, when given).
    #[remote(read_only, idempotent)]
    async fn lookup(&self, name: String, shelf: Option<Shelf>) -> Option<Item>;
    /// Takes the item off the shelves.
    #[remote(mcp(title = "Remove an item", destructive = true, open_world = false))]
    async fn remove(&self, name: String) -> Result<Item, CatalogError>;
    /// For the staff's tools only.
    #[remote(mcp(skip))]
    async fn reindex(&self) -> u32;
}

struct Shop;

impl Catalog for Shop {
    async fn lookup(&self, name: String, shelf: Option<Shelf>) -> Option<Item> {
        let shelf = shelf.unwrap_or(Shelf { aisle: 1, level: None });
        (name == "tea").then_some(Item { name, shelf })
    }
    async fn remove(&self, name: String) -> Result<Item, CatalogError> {
        match name.as_str() {
            "tea" => Ok(Item { name, shelf: Shelf { aisle: 1, level: Some(2) } }),
            _ => Err(CatalogError::Unknown(name)),
        }
    }
    async fn reindex(&self) -> u32 {
        7
    }
}

/// Serves `server` at `/rpc` and its MCP endpoint at `/mcp`; the MCP URL.
async fn serve(server: remotipy::Server) -> String {
    let mcp = server.mcp().build();
    let app = axum::Router::new().route("/rpc", server.into_route()).route("/mcp", mcp.into_route());
    format!("{}/mcp", common::serve_app(app).await)
}

async fn probe() -> String {
    serve(remotipy::Server::new(ProbeServer::new(ProbeImpl::default())).unwrap()).await
}

/// `result.structuredContent` of a successful call.
fn structured(response: &Value) -> &Value {
    assert_eq!(response["result"]["isError"], false, "{response}");
    &response["result"]["structuredContent"]
}

/// The text blocks of an `isError` result.
fn tool_error(response: &Value) -> Vec<String> {
    assert_eq!(response["result"]["isError"], true, "{response}");
    response["result"]["content"].as_array().unwrap().iter().map(|b| b["text"].as_str().unwrap().to_owned()).collect()
}

fn protocol_error(response: &Value) -> (i64, String) {
    let error = &response["error"];
    assert!(error.is_object(), "a protocol error, not {response}");
    (error["code"].as_i64().unwrap(), error["message"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn each_method_is_a_tool_as_the_trait_describes_it() {
    let server = remotipy::Server::new(CatalogServer::new(Shop)).unwrap();
    let lookup_info = server.methods().find(|m| m.name == "lookup").unwrap();
    assert!(lookup_info.read_only && lookup_info.idempotent);
    let openrpc = server.openrpc().clone();
    let url = serve(server).await;
    for rev in [Rev::Legacy, Rev::Modern] {
        let tools = tools(&url, rev).await;
        let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["lookup", "remove"], "`reindex` is `mcp(skip)`");

        let lookup = tool(&tools, "lookup");
        assert_eq!(lookup["description"], "The item called `name`, if any (on `shelf`, when given).");
        assert_eq!(lookup["annotations"], json!({ "readOnlyHint": true, "idempotentHint": true }));
        let input = &lookup["inputSchema"];
        assert_eq!(input["type"], "object");
        assert_eq!(input["required"], json!(["name"]), "an `Option` argument may be left out");
        assert_eq!(input["additionalProperties"], false);
        assert_eq!(input["properties"]["shelf"], json!({ "$ref": "#/$defs/Shelf" }));
        let shelf = &input["$defs"]["Shelf"];
        assert_eq!(shelf["properties"]["aisle"]["maximum"], 255, "an integer's range is its type's");
        // `Option<Item>` is no object: the result is wrapped.
        let output = &lookup["outputSchema"];
        assert_eq!(output["required"], json!(["result"]));
        assert!(output["$defs"]["Item"].is_object() && output["$defs"]["Shelf"].is_object(), "{output}");

        let remove = tool(&tools, "remove");
        assert_eq!(remove["title"], "Remove an item");
        assert_eq!(remove["annotations"], json!({ "destructiveHint": true, "openWorldHint": false }));
        // `Item` is an object: it is the output schema itself.
        assert_eq!(remove["outputSchema"]["type"], "object");
        assert_eq!(remove["outputSchema"]["description"], "An item of the catalog.");
        assert_eq!(remove["outputSchema"]["required"], json!(["name", "shelf"]));
    }
    // The OpenRPC document says the same.
    let method =
        |name: &str| openrpc["methods"].as_array().unwrap().iter().find(|m| m["name"] == name).unwrap().clone();
    assert_eq!(method("lookup")["x-remotipy-read-only"], true);
    assert_eq!(method("reindex")["x-remotipy-mcp"], json!({ "skip": true }));
    // A method left out of MCP is still a JSON-RPC method, and no tool.
    let skipped = call(&url, Rev::Legacy, "reindex", json!({})).await;
    assert_eq!(protocol_error(&skipped), (-32602, "Unknown tool: reindex".into()));
    let rpc = url.replace("/mcp", "/rpc");
    let client = CatalogClient::new(&rpc).unwrap();
    assert_eq!(client.reindex().await.unwrap(), 7);
}

#[tokio::test]
async fn a_tool_call_answers_as_the_json_rpc_call() {
    let url = probe().await;
    for rev in [Rev::Legacy, Rev::Modern] {
        let sum = call(&url, rev, "sum", json!({ "a": 2, "b": 3 })).await;
        assert_eq!(structured(&sum), &json!({ "result": 5 }), "a number is wrapped");
        assert_eq!(sum["result"]["content"], json!([{ "type": "text", "text": "5" }]));
        let record = common::sample_record();
        let echoed = call(&url, rev, "record", json!({ "record": record })).await;
        assert_eq!(structured(&echoed), &serde_json::to_value(&record).unwrap(), "an object is itself");
        let text = echoed["result"]["content"][0]["text"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(text).unwrap(), serde_json::to_value(&record).unwrap());
        let optional = call(&url, rev, "optional", json!({ "a": 1 })).await;
        assert_eq!(structured(&optional), &json!({ "result": 101 }));
        let nothing = call(&url, rev, "nothing", json!({})).await;
        assert_eq!(nothing["result"]["content"], json!([]));
        assert!(nothing["result"].get("structuredContent").is_none(), "`()` has no structured content");
        let modern = rev == Rev::Modern;
        assert_eq!(sum["result"]["resultType"] == "complete", modern, "{sum}");
        assert_eq!(sum["result"]["_meta"]["io.modelcontextprotocol/serverInfo"].is_object(), modern);
    }
}

#[tokio::test]
async fn bad_arguments_get_the_json_rpc_endpoints_errors() {
    let url = probe().await;
    let rpc = url.replace("/mcp", "/rpc");
    for arguments in [json!({ "a": "two", "b": 3 }), json!({ "a": 2 }), json!({ "a": 2, "b": 3, "c": 4 })] {
        let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "sum", "params": arguments });
        let json_rpc: Value = post_raw(&rpc, body.to_string(), &[]).await.json();
        for rev in [Rev::Legacy, Rev::Modern] {
            let mcp = call(&url, rev, "sum", arguments.clone()).await;
            assert_eq!(mcp["error"], json_rpc["error"], "{arguments}");
        }
    }
    let (code, message) = protocol_error(&call(&url, Rev::Legacy, "sum", json!({ "a": "two", "b": 3 })).await);
    assert_eq!(code, -32602);
    assert!(message.contains("`a`"), "the parameter is named: {message}");
    let positional = call(&url, Rev::Legacy, "sum", json!([2, 3])).await;
    assert_eq!(protocol_error(&positional).0, -32602, "MCP arguments are named");
    assert_eq!(
        protocol_error(&call(&url, Rev::Legacy, "nope", json!({})).await),
        (-32602, "Unknown tool: nope".into())
    );
    let nameless = request(&url, Rev::Legacy, "tools/call", json!({ "arguments": {} }), &[]).await.json();
    assert!(protocol_error(&nameless).1.contains("`name` is missing"), "{nameless}");
}

#[tokio::test]
async fn a_failed_tool_is_a_result_the_model_reads() {
    let url = probe().await;
    for rev in [Rev::Legacy, Rev::Modern] {
        let refused = tool_error(&call(&url, rev, "refuse", json!({ "reason": "closed" })).await);
        assert_eq!(refused[0], "refused: closed");
        let error: Value = serde_json::from_str(&refused[1]).unwrap();
        assert_eq!(
            error,
            json!({ "code": -32000, "message": "refused: closed",
                    "data": { "type": "ProbeError", "value": { "Refused": { "reason": "closed" } } } })
        );
        let panicked = tool_error(&call(&url, rev, "boom", json!({ "message": "secret" })).await);
        assert_eq!(panicked[0], "internal error: `boom`: the handler panicked", "the panic's text stays inside");
    }
}

#[tokio::test]
async fn a_call_stops_at_the_callers_deadline() {
    let url = probe().await;
    let started = Instant::now();
    let params = json!({ "name": "sleep", "arguments": { "millis": 10_000 } });
    let answer = request(&url, Rev::Legacy, "tools/call", params, &[("remotipy-timeout-ms", "150")]).await;
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    let texts = tool_error(&answer.json());
    assert_eq!(texts[0], "deadline exceeded: the caller stopped waiting");
}

/// A layer that records each call it sees, and refuses every call of a
/// request carrying `x-gate: closed` with a 503 and `Retry-After`.
#[derive(Clone)]
struct Gate {
    inner: CallStack,
    seen: Arc<Mutex<Vec<String>>>,
}

impl tower::Service<RpcCall> for Gate {
    type Response = Reply;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Reply, Infallible>>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: RpcCall) -> Self::Future {
        self.seen.lock().unwrap().push(call.method().to_owned());
        let closed = remotipy::Context::current().is_some_and(|c| c.headers().get("x-gate").is_some());
        if closed {
            let refusal = remotipy::protocol::ErrorObject::new(-32010, "the gate is closed");
            let reply = Reply::error(refusal).with_status(http::StatusCode::SERVICE_UNAVAILABLE, Some(2));
            return Box::pin(async move { Ok(reply) });
        }
        Box::pin(tower::ServiceExt::oneshot(self.inner.clone(), call))
    }
}

/// An HTTP-level auth layer in front of both endpoints: a bearer token, or 401.
async fn auth(mut request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    match request.headers().get("authorization").and_then(|v| v.to_str().ok()) {
        Some("Bearer ada") => {
            request.headers_mut().insert("x-user", "ada".parse().unwrap());
            next.run(request).await
        }
        _ => (http::StatusCode::UNAUTHORIZED, [("www-authenticate", "Bearer")]).into_response(),
    }
}

#[tokio::test]
async fn calls_pass_the_same_layers_and_see_their_request() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let gate = {
        let seen = seen.clone();
        tower::layer::layer_fn(move |inner| Gate { inner, seen: seen.clone() })
    };
    let server =
        remotipy::Server::builder().service(ProbeServer::new(ProbeImpl::default())).layer(gate).build().unwrap();
    let app = axum::Router::new()
        .route("/rpc", server.clone().into_route())
        .route("/mcp", server.mcp().build().into_route())
        .layer(axum::middleware::from_fn(auth));
    let url = format!("{}/mcp", common::serve_app(app).await);
    let header = json!({ "name": "header", "arguments": { "name": "x-user" } });

    let anonymous = request(&url, Rev::Legacy, "tools/call", header.clone(), &[]).await;
    assert_eq!(anonymous.status, 401, "the HTTP layers come first: {}", anonymous.body);
    let ada = [("authorization", "Bearer ada")];
    let answer = request(&url, Rev::Legacy, "tools/call", header.clone(), &ada).await;
    assert_eq!(structured(&answer.json()), &json!({ "result": "ada" }), "the handler's Context is the MCP request");
    assert_eq!(seen.lock().unwrap().as_slice(), ["header"], "the RPC layers saw the call");

    let closed = [("authorization", "Bearer ada"), ("x-gate", "closed")];
    let refused = request(&url, Rev::Modern, "tools/call", header, &closed).await;
    assert_eq!(refused.status, 503, "a layer's status is the answer's: {}", refused.body);
    assert_eq!(refused.headers["retry-after"], "2");
    assert_eq!(protocol_error(&refused.json()), (-32010, "the gate is closed".into()));
    // Listing tools runs no method: the RPC layers see only calls.
    assert_eq!(request(&url, Rev::Legacy, "tools/list", json!({}), &ada).await.status, 200);
    assert_eq!(seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn a_stream_is_collected_and_each_item_is_progress() {
    let url = probe().await;
    let count = |token: Option<Value>, extra: Value| {
        let mut params = json!({ "name": "count", "arguments": { "n": 3, "first_ms": 0, "every_ms": 5 } });
        params["arguments"].as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        if let Some(token) = token {
            params["_meta"] = json!({ "progressToken": token });
        }
        params
    };
    for rev in [Rev::Legacy, Rev::Modern] {
        // No progress token: one JSON answer.
        let plain = request(&url, rev, "tools/call", count(None, json!({})), &[]).await;
        assert_eq!(plain.headers["content-type"], "application/json");
        assert_eq!(structured(&plain.json()), &json!({ "result": [0, 1, 2] }));

        let streamed = request(&url, rev, "tools/call", count(Some(json!(7)), json!({})), &[]).await;
        assert_eq!(streamed.headers["content-type"], "text/event-stream");
        let events = streamed.events();
        assert_eq!(events.len(), 4, "{}", streamed.body);
        for (k, event) in events[..3].iter().enumerate() {
            assert_eq!(event["method"], "notifications/progress");
            assert_eq!(event["params"], json!({ "progressToken": 7, "progress": k + 1, "message": k.to_string() }));
        }
        assert_eq!(events[3]["id"], 1);
        assert_eq!(structured(&events[3]), &json!({ "result": [0, 1, 2] }));

        // An item's error ends it: the items before it were progress, the result is the error.
        let failing = request(&url, rev, "tools/call", count(Some(json!("t")), json!({ "fail_at": 1 })), &[]).await;
        let events = failing.events();
        assert_eq!(events.len(), 2, "{}", failing.body);
        assert_eq!(tool_error(&events[1])[0], "refused: item 1 fails");
        let panicking = request(&url, rev, "tools/call", count(Some(json!("t")), json!({ "panic_at": 2 })), &[]).await;
        let last = panicking.events().pop().unwrap();
        assert_eq!(tool_error(&last)[0], "internal error: the stream panicked");
    }
    // A caller without `Accept: text/event-stream` gets the items in one answer.
    let body = json!({ "jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": count(Some(json!(1)), json!({})) });
    let answer = reqwest::Client::new()
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(structured(&answer), &json!({ "result": [0, 1, 2] }));
}

#[tokio::test]
async fn a_stream_too_long_to_collect_is_a_tool_error() {
    let server = remotipy::Server::builder()
        .service(ProbeServer::new(ProbeImpl::default()))
        .max_collected_items(2)
        .build()
        .unwrap();
    let url = serve(server).await;
    let arguments = json!({ "n": 5, "first_ms": 0, "every_ms": 0 });
    let collected = tool_error(&call(&url, Rev::Legacy, "count", arguments.clone()).await);
    assert!(collected[0].contains("more than 2 items"), "{collected:?}");
    let params = json!({ "name": "count", "arguments": arguments, "_meta": { "progressToken": 1 } });
    let streamed = request(&url, Rev::Legacy, "tools/call", params, &[]).await.events();
    assert_eq!(streamed.len(), 3, "two items, then the error: {streamed:?}");
    assert!(tool_error(&streamed[2])[0].contains("more than 2 items"));
}

#[tokio::test]
async fn a_stream_stops_when_its_caller_goes() {
    let url = probe().await;
    let params = json!({ "name": "count", "arguments": { "n": 100_000, "first_ms": 0, "every_ms": 20 },
                         "_meta": { "progressToken": 1 } });
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params });
    let mut response = reqwest::Client::new()
        .post(&url)
        .header("accept", "application/json, text/event-stream")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let first = response.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("notifications/progress"));
    drop(response);
    // The server drops the stream once it notices the connection is gone.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let gone = call(&url, Rev::Legacy, "streams_gone", json!({})).await;
        if structured(&gone) == &json!({ "result": 1 }) {
            break;
        }
        assert!(Instant::now() < deadline, "the stream still runs: {gone}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
