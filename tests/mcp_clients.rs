//! Real MCP clients against the example server's `/mcp` (built with feature
//! `mcp`): the official Python SDK in both protocol revisions, the official
//! TypeScript SDK, the MCP Inspector's CLI; every schema checked by JSON
//! Schema 2020-12 validators and arguments generated from each sent to the
//! server; and both endpoints of one server under load together.
//!
//! The clients are installed by `.ci/run`: `python3 -m pip install mcp==2.3.0
//! hypothesis==6.170.0 hypothesis-jsonschema==0.23.1 httpx` and `npm ci` in
//! `tests/clients/node`. Without them these tests say they are skipped, and
//! fail when `REMOTIPY_REQUIRE_EXTERNAL` is set.
#![cfg(feature = "mcp")]

mod common;
mod mcp_support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::process::ExampleServer;
use serde_json::{Value, json};

const CLIENTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients");

/// Says why a test is skipped, or fails it when external programs are required.
fn skip(reason: &str) {
    assert!(std::env::var_os("REMOTIPY_REQUIRE_EXTERNAL").is_none(), "required here: {reason}");
    use std::io::Write;
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "skipped: {test}: {reason} (.ci/run installs it)");
}

fn python_sdk() -> bool {
    common::available("python3", &["-c", "import mcp, httpx, hypothesis_jsonschema"])
}

/// `tests/clients/node`, once `npm ci` installed its packages there.
fn node_clients() -> Option<PathBuf> {
    let dir = Path::new(CLIENTS).join("node");
    let installed = dir.join("node_modules/@modelcontextprotocol/sdk/package.json").exists()
        && dir.join("node_modules/@modelcontextprotocol/inspector-cli/package.json").exists();
    if !common::available("node", &["--version"]) {
        return None;
    }
    if !installed {
        skip("the npm packages of tests/clients/node (`npm ci` there)");
        return None;
    }
    Some(dir)
}

/// Runs `command`, which must succeed; its stdout.
fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{command:?} failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

/// The JSON object a client printed (its last line).
fn printed(stdout: &str) -> Value {
    let line = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| panic!("no JSON in {stdout}"));
    serde_json::from_str(line).unwrap()
}

/// The example server, which must serve `/mcp`: a binary built without
/// feature `mcp` (by a `cargo build --example server`, and not rebuilt by a
/// `cargo test --test ..`, which builds no examples) is told apart.
async fn start() -> (ExampleServer, String) {
    let server = ExampleServer::start();
    let url = format!("http://{}/mcp", server.addr);
    let listed = mcp_support::request(&url, mcp_support::Rev::Legacy, "tools/list", json!({}), &[]).await;
    assert_eq!(
        listed.status, 200,
        "the example server has no /mcp: build it with the feature (`cargo build --example server --features mcp`, \
         or a plain `cargo test --features mcp`, which builds the examples)"
    );
    (server, url)
}

/// The example's OpenRPC document, over its JSON-RPC endpoint.
async fn openrpc(server: &ExampleServer) -> Value {
    let body = json!({ "jsonrpc": "2.0", "id": 1, "method": "rpc.discover" });
    let answer = mcp_support::post_raw(&server.url(), body.to_string(), &[]).await;
    answer.json()["result"].clone()
}

/// The tools a client listed match the trait: names, descriptions, the
/// parameters and which are required, as the OpenRPC document has them.
fn assert_tools_match_the_trait(seen: &Value, openrpc: &Value) {
    let methods: Vec<&Value> =
        openrpc["methods"].as_array().unwrap().iter().filter(|m| m["name"] != "rpc.discover").collect();
    let tools = seen["tools"].as_array().unwrap();
    let names = |list: &[&Value]| list.iter().map(|v| v["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(names(&tools.iter().collect::<Vec<_>>()), names(&methods));
    for (tool, method) in tools.iter().zip(methods) {
        assert_eq!(tool["description"], method["description"], "{}", tool["name"]);
        let schema = &tool["input_schema"];
        assert_eq!(schema["type"], "object");
        let params = method["params"].as_array().unwrap();
        let mut declared: Vec<&str> = params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        let mut listed: Vec<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
        declared.sort();
        listed.sort();
        assert_eq!(listed, declared, "{}", tool["name"]);
        let required: Vec<&Value> = params.iter().filter(|p| p["required"] == true).map(|p| &p["name"]).collect();
        assert_eq!(schema["required"].as_array().unwrap().iter().collect::<Vec<_>>(), required);
    }
    let find = tools.iter().find(|t| t["name"] == "find").unwrap();
    assert_eq!(find["annotations"]["idempotentHint"], true, "`#[remote(idempotent)]`");
}

/// What every client must have seen calling the example's tools.
fn assert_calls(seen: &Value) {
    let ok = |key: &str, structured: Value| {
        assert_eq!(seen[key]["is_error"], false, "{key}: {}", seen[key]);
        assert_eq!(seen[key]["structured"], structured, "{key}");
    };
    ok("add", json!({ "result": 42 }));
    assert_eq!(seen["add"]["texts"], json!(["42"]));
    ok("greet", json!({ "message": "Hello, Ada Lovelace!" }));
    ok("find", json!({ "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org" }));
    ok("divide", json!({ "result": 0.25 }));
    assert_eq!(seen["audit"]["is_error"], false);
    let app_error = |key: &str, message: &str, error_type: &str| {
        assert_eq!(seen[key]["is_error"], true, "{key}: {}", seen[key]);
        assert_eq!(seen[key]["texts"][0], message, "{key}");
        let error: Value = serde_json::from_str(seen[key]["texts"][1].as_str().unwrap()).unwrap();
        assert_eq!(error["data"]["type"], error_type, "{key}");
    };
    app_error("find_missing", "no user with id 7", "UserError");
    app_error("divide_by_zero", "division by zero", "MathError");
    let protocol = |key: &str, says: &str| {
        let error = &seen[key]["protocol_error"];
        assert_eq!(error["code"], -32602, "{key}: {}", seen[key]);
        assert!(error["message"].as_str().unwrap().contains(says), "{key}: {error}");
    };
    protocol("bad_argument", "invalid params for `add`: `a`: invalid type: string \"forty\", expected i64");
    protocol("unknown_tool", "Unknown tool: subtract");
    ok("ticks", json!({ "result": [1, 2, 3] }));
    let progress: Vec<(f64, Value)> =
        seen["ticks"]["progress"].as_array().unwrap().iter().map(|p| (p[0].as_f64().unwrap(), p[2].clone())).collect();
    assert_eq!(progress, [(1.0, json!("1")), (2.0, json!("2")), (3.0, json!("3"))], "a progress notification per item");
}

#[tokio::test]
async fn the_python_sdk_lists_and_calls_the_tools_in_both_revisions() {
    if !python_sdk() {
        return;
    }
    let (server, url) = start().await;
    let openrpc = openrpc(&server).await;
    let script = format!("{CLIENTS}/mcp_python.py");
    for (mode, version) in [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28"), ("auto", "2026-07-28")] {
        let seen = printed(&run(Command::new("python3").args([&script, &url, mode])));
        assert_eq!(seen["protocol_version"], version, "mode {mode}");
        assert_tools_match_the_trait(&seen, &openrpc);
        assert_calls(&seen);
        assert_eq!(seen["missing_argument"]["protocol_error"]["code"], -32602);
        assert_eq!(seen["ticks_refused"]["texts"][0], "interval_ms must be at most 60000, not 120000");
        if mode != "2026-07-28" {
            assert_eq!(seen["server_info"], json!({ "name": "remotipy-example", "version": "0.1.0" }), "{mode}");
        }
    }
}

#[tokio::test]
async fn the_typescript_sdk_lists_and_calls_the_tools() {
    let Some(node) = node_clients() else { return };
    let (server, url) = start().await;
    let openrpc = openrpc(&server).await;
    let seen = printed(&run(Command::new("node").arg(node.join("mcp_node.mjs")).arg(&url).current_dir(&node)));
    assert_eq!(seen["protocol_version"], "2025-11-25");
    assert_eq!(seen["server_info"], json!({ "name": "remotipy-example", "version": "0.1.0" }));
    assert_tools_match_the_trait(&seen, &openrpc);
    assert_calls(&seen);
    for tool in seen["tools"].as_array().unwrap() {
        assert_eq!(tool["input_compiles"], true, "Ajv 2020-12 compiles {}'s inputSchema", tool["name"]);
        assert_ne!(tool["output_compiles"], false, "{}", tool["name"]);
    }
}

#[tokio::test]
async fn the_inspector_cli_lists_and_calls_a_tool() {
    let Some(node) = node_clients() else { return };
    let (_server, url) = start().await;
    let cli = node.join("node_modules/@modelcontextprotocol/inspector-cli/build/cli.js");
    // inspector-cli 1.0.3 reads its own package.json at `../package.json`
    // from the working directory: run it from one whose parent has one.
    let inspector = |args: &[&str]| {
        let mut command = Command::new("node");
        command
            .arg(&cli)
            .args(["--cli", &url, "--transport", "http"])
            .args(args)
            .current_dir(node.join("node_modules"));
        printed_json(&run(&mut command))
    };
    let listed = inspector(&["--method", "tools/list"]);
    let names: Vec<&str> = listed["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["greet", "find", "audit", "add", "divide", "ticks"]);
    let called =
        inspector(&["--method", "tools/call", "--tool-name", "add", "--tool-arg", "a=40", "--tool-arg", "b=2"]);
    assert_eq!(called["structuredContent"], json!({ "result": 42 }), "{called}");
    assert_eq!(called["isError"], false);
}

/// The pretty-printed JSON document in the Inspector's output.
fn printed_json(stdout: &str) -> Value {
    let start = stdout.find("\n{").map(|i| i + 1).or_else(|| stdout.starts_with('{').then_some(0));
    let start = start.unwrap_or_else(|| panic!("no JSON in {stdout}"));
    serde_json::from_str(&stdout[start..]).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

#[tokio::test]
async fn every_schema_is_2020_12_and_generated_arguments_are_accepted() {
    if !python_sdk() {
        return;
    }
    let (_server, url) = start().await;
    let mut python = Command::new("python3");
    // Hypothesis keeps its files out of the work tree.
    python.env("HYPOTHESIS_STORAGE_DIRECTORY", std::env::temp_dir().join("remotipy-hypothesis"));
    let report = printed(&run(python.args([&format!("{CLIENTS}/mcp_schemas.py"), &url, "30"])));
    let tools = report.as_object().unwrap();
    assert_eq!(tools.len(), 6, "{report}");
    for (name, seen) in tools {
        assert_eq!(seen["input_problem"], Value::Null, "{name}");
        assert_eq!(seen["output_problem"], Value::Null, "{name}");
        assert_eq!(seen["calls"], 30, "{name}");
        assert_eq!(seen["refused"], json!([]), "{name}: arguments its own schema allows were refused");
    }
}

#[tokio::test]
async fn both_endpoints_of_one_server_under_load_lose_nothing() {
    let (server, mcp) = start().await;
    let rpc = server.url();
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let (tasks, calls) = (32, 120);
    let (right, next) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let (client, rpc, mcp, right, next) =
                (client.clone(), rpc.clone(), mcp.clone(), right.clone(), next.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= tasks * calls {
                        break;
                    }
                    let ok = match i % 2 {
                        0 => {
                            let body =
                                json!({ "jsonrpc": "2.0", "id": i, "method": "add", "params": { "a": i, "b": 1 } });
                            let answer: Value =
                                client.post(&rpc).json(&body).send().await.unwrap().json().await.unwrap();
                            answer["result"] == json!(i + 1) && answer["id"] == json!(i)
                        }
                        _ => {
                            let params = json!({ "name": "add", "arguments": { "a": i, "b": 2 } });
                            let body = json!({ "jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params });
                            let answer: Value = client
                                .post(&mcp)
                                .header("accept", "application/json, text/event-stream")
                                .json(&body)
                                .send()
                                .await
                                .unwrap()
                                .json()
                                .await
                                .unwrap();
                            answer["result"]["structuredContent"] == json!({ "result": i + 2 })
                                && answer["id"] == json!(i)
                        }
                    };
                    if ok {
                        right.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(right.load(Ordering::Relaxed), tasks * calls, "every call of both endpoints answered right");
    assert!(server.is_alive());
}
