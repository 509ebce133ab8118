//! What a method's own attributes and names do to everything generated for
//! it: raw identifiers are plain names on the wire and in OpenRPC; `#[cfg]`
//! removes a method from the client, batch, server and document alike;
//! `#[remote(idempotent)]` reaches the server's method list.

mod common;

use serde_json::{Value, json};

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Keyword {
    pub r#type: String,
}

#[remotipy::remote]
pub trait Keywords {
    /// `match` and `type` are keywords in Rust, names on the wire.
    async fn r#match(&self, r#type: String, r#in: Option<u8>) -> Keyword;
    /// Compiled out: its argument type does not even exist.
    #[cfg(any())]
    async fn gone(&self, value: DoesNotExist) -> u8;
    #[cfg(any(unix, windows))]
    #[cfg_attr(any(unix, windows), doc = "Documented through `cfg_attr`.")]
    async fn here(&self) -> u8;
    #[remote(idempotent)]
    async fn read(&self) -> u8;
    #[deprecated = "use `here`"]
    async fn old(&self) -> u8;
}

struct Impl;

impl Keywords for Impl {
    async fn r#match(&self, r#type: String, r#in: Option<u8>) -> Keyword {
        Keyword { r#type: format!("{type}{}", r#in.unwrap_or(0)) }
    }
    async fn here(&self) -> u8 {
        1
    }
    async fn read(&self) -> u8 {
        2
    }
    async fn old(&self) -> u8 {
        3
    }
}

fn server() -> remotipy::Server {
    KeywordsServer::new(Impl).into_server()
}

#[tokio::test]
async fn raw_identifiers_are_plain_names_on_the_wire() {
    let url = common::serve(server().into_router()).await;
    let body = r#"{"jsonrpc":"2.0","method":"match","params":{"type":"t","in":4},"id":1}"#;
    let answer: Value = reqwest::Client::new().post(&url).body(body).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer, json!({"jsonrpc":"2.0","result":{"type":"t4"},"id":1}));
    let client = KeywordsClient::new(&url).unwrap();
    assert_eq!(client.r#match("x".into(), None).await.unwrap().r#type, "x0");
    let mut batch = client.batch();
    let matched = batch.r#match("y".into(), Some(1));
    assert_eq!(batch.send_batch().await.unwrap().take(matched).unwrap().r#type, "y1");
}

#[tokio::test]
async fn a_compiled_out_method_is_gone_everywhere_and_flags_reach_the_method_list() {
    let methods: Vec<_> = server().methods().map(|m| (m.name, m.idempotent)).collect();
    assert_eq!(methods, [("match", false), ("here", false), ("read", true), ("old", false)]);
    let client = KeywordsClient::in_process(server());
    assert_eq!(client.here().await.unwrap(), 1);
    assert_eq!(client.read().await.unwrap(), 2);
    #[allow(deprecated)]
    let old = client.old().await.unwrap();
    assert_eq!(old, 3);
}

#[cfg(feature = "openrpc")]
#[test]
fn openrpc_names_are_plain_too() {
    let document = server().openrpc().clone();
    let method = document["methods"].as_array().unwrap().iter().find(|m| m["name"] == "match").unwrap();
    let params: Vec<_> = method["params"].as_array().unwrap().iter().map(|p| p["name"].clone()).collect();
    assert_eq!(params, [json!("type"), json!("in")]);
    assert!(!document.to_string().contains("r#"), "{document}");
    let here = document["methods"].as_array().unwrap().iter().find(|m| m["name"] == "here").unwrap();
    assert_eq!(here["summary"], "Documented through `cfg_attr`.");
}
