//! What the MCP tests share: MCP requests over real HTTP, in either
//! revision, and their answers.
#![allow(dead_code)] // each test file uses its own part

use serde_json::{Value, json};

/// The revision a request speaks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rev {
    /// 2025-11-25: no envelope, no routing headers.
    Legacy,
    /// 2026-07-28: `_meta` and the `MCP-Protocol-Version`/`Mcp-Method`/`Mcp-Name` headers.
    Modern,
}

/// An HTTP answer: status, headers, body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    /// The body as JSON (panics, naming the body, when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// The Server-Sent Events' `data:` payloads, as JSON.
    pub fn events(&self) -> Vec<Value> {
        self.body
            .lines()
            .filter_map(|line| line.strip_prefix("data: "))
            .map(|d| serde_json::from_str(d).unwrap())
            .collect()
    }
}

/// POSTs `body` (raw) to `url` with MCP's content type and `Accept`, and `headers`.
pub async fn post_raw(url: &str, body: impl Into<reqwest::Body>, headers: &[(&str, &str)]) -> Answer {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .timeout(std::time::Duration::from_secs(20))
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the server answers");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    Answer { status, headers, body: response.text().await.unwrap() }
}

/// A request `method` with `params` in revision `rev`: the envelope and
/// the routing headers added for 2026-07-28, and `headers` after them.
pub async fn request(url: &str, rev: Rev, method: &str, mut params: Value, headers: &[(&str, &str)]) -> Answer {
    let mut all: Vec<(&str, &str)> = Vec::new();
    let name = params.get("name").and_then(Value::as_str).map(str::to_owned);
    if rev == Rev::Modern {
        params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2026-07-28");
        params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
        all.extend([("mcp-protocol-version", "2026-07-28"), ("mcp-method", method)]);
        if let Some(name) = &name {
            all.push(("mcp-name", name));
        }
    }
    all.extend_from_slice(headers);
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    post_raw(url, body.to_string(), &all).await
}

/// Calls tool `name` with `arguments`; the JSON-RPC response.
pub async fn call(url: &str, rev: Rev, name: &str, arguments: Value) -> Value {
    let answer = request(url, rev, "tools/call", json!({ "name": name, "arguments": arguments }), &[]).await;
    answer.json()
}

/// The `Tool` objects `tools/list` answers.
pub async fn tools(url: &str, rev: Rev) -> Vec<Value> {
    let answer = request(url, rev, "tools/list", json!({}), &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()["result"]["tools"].as_array().unwrap().clone()
}

/// The tool named `name` among `tools`.
pub fn tool<'a>(tools: &'a [Value], name: &str) -> &'a Value {
    tools.iter().find(|t| t["name"] == name).unwrap_or_else(|| panic!("no tool `{name}` in {tools:?}"))
}
