//! MessagePack on the wire (feature `msgpack`), checked with raw HTTP: the
//! same envelope as JSON as a MessagePack map, chosen by `Content-Type` and
//! answered in kind; broken bodies get precise errors and the server keeps
//! serving. (The typed client over MessagePack runs the whole client suite
//! in `tests/client.rs`.)
#![cfg(feature = "msgpack")]

mod common;

use std::sync::{Arc, Mutex};

use common::{ProbeClient, ProbeImpl, ProbeServer};
use remotipy::Codec;
use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde::Serialize;
use serde_json::{Value, json};

const MSGPACK: &str = "application/msgpack";

/// Encodes like remotipy does: structs and maps with their keys.
fn encode(value: &impl Serialize) -> Vec<u8> {
    let mut buf = Vec::new();
    value.serialize(&mut rmp_serde::Serializer::new(&mut buf).with_struct_map()).unwrap();
    buf
}

/// POSTs `body` with `content_type`; the status, response content type and body.
async fn post(url: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, String, Vec<u8>) {
    let response = reqwest::Client::new().post(url).header(CONTENT_TYPE, content_type).body(body).send().await.unwrap();
    let status = response.status();
    let answered = response.headers().get(CONTENT_TYPE).map_or("", |v| v.to_str().unwrap()).to_owned();
    (status, answered, response.bytes().await.unwrap().to_vec())
}

/// POSTs `request` as MessagePack and decodes the MessagePack answer.
async fn rpc(url: &str, request: Vec<u8>) -> Value {
    let (status, content_type, body) = post(url, MSGPACK, request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, MSGPACK, "answered in the request's codec");
    rmp_serde::from_slice(&body).unwrap_or_else(|e| panic!("not MessagePack ({e}): {body:02x?}"))
}

#[tokio::test]
async fn a_call_is_the_json_rpc_envelope_as_a_map_and_is_answered_in_kind() {
    let url = common::serve_probe().await;
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": {"a": 2, "b": 40}, "id": 7});
    assert_eq!(rpc(&url, encode(&request)).await, json!({"jsonrpc": "2.0", "result": 42, "id": 7}));
    // Positional params and a string id, echoed as sent.
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": [1, 2], "id": "abc"});
    assert_eq!(rpc(&url, encode(&request)).await, json!({"jsonrpc": "2.0", "result": 3, "id": "abc"}));
    // A DTO travels as a map with its field names.
    let record = common::sample_record();
    let request = json!({"jsonrpc": "2.0", "method": "record", "params": {"record": record}, "id": 1});
    assert_eq!(rpc(&url, encode(&request)).await["result"], serde_json::to_value(&record).unwrap());
    // The same endpoint still speaks JSON to a JSON request.
    let (status, content_type, body) = post(&url, "application/json", request.to_string().into_bytes()).await;
    assert_eq!((status, content_type.as_str()), (StatusCode::OK, "application/json"));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["id"], 1);
}

#[tokio::test]
async fn errors_are_precise_and_the_server_keeps_serving() {
    let url = common::serve_probe().await;
    let code = |v: &Value| v["error"]["code"].as_i64().unwrap_or_else(|| panic!("no error in {v}"));
    // Not MessagePack at all: the reserved marker, then a truncated map.
    for broken in [vec![0xc1], vec![0x84, 0xa7, b'j']] {
        let answer = rpc(&url, broken).await;
        assert_eq!((code(&answer), &answer["id"]), (-32700, &Value::Null), "{answer}");
    }
    // Well-formed, but not a request.
    assert_eq!(code(&rpc(&url, encode(&42)).await), -32600);
    let no_method = rpc(&url, encode(&json!({"jsonrpc": "2.0", "id": 3}))).await;
    assert_eq!((code(&no_method), &no_method["id"]), (-32600, &json!(3)), "{no_method}");
    let bad_version = rpc(&url, encode(&json!({"jsonrpc": "1.0", "method": "sum", "id": 4}))).await;
    assert_eq!(code(&bad_version), -32600);
    let bad_id = rpc(&url, encode(&json!({"jsonrpc": "2.0", "method": "sum", "id": [1]}))).await;
    assert_eq!(code(&bad_id), -32600);
    // A wrong param is named.
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": {"a": 1, "b": "two"}, "id": 5});
    let answer = rpc(&url, encode(&request)).await;
    assert_eq!(code(&answer), -32602);
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("invalid params for `sum`: `b`"), "{message}");
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": {"a": 1, "b": 2, "c": 3}, "id": 6});
    let message = rpc(&url, encode(&request)).await["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("unknown field `c`"), "{message}");
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": [1, 2, 3], "id": 6});
    let message = rpc(&url, encode(&request)).await["error"]["message"].as_str().unwrap().to_owned();
    assert_eq!(message, "invalid params for `sum`: `sum` takes 2 params (a, b), got 3");
    let request = json!({"jsonrpc": "2.0", "method": "nope", "id": 8});
    assert_eq!(code(&rpc(&url, encode(&request)).await), -32601);
    // Application errors keep their type name and value.
    let request = json!({"jsonrpc": "2.0", "method": "refuse", "params": ["no"], "id": 9});
    let answer = rpc(&url, encode(&request)).await;
    assert_eq!(answer["error"]["data"]["type"], "ProbeError", "{answer}");
    // Still serving.
    let request = json!({"jsonrpc": "2.0", "method": "sum", "params": [1, 1], "id": 10});
    assert_eq!(rpc(&url, encode(&request)).await["result"], 2);
}

#[tokio::test]
async fn a_batch_is_an_array_answered_by_an_array_without_notifications() {
    let url = common::serve_probe().await;
    let batch = json!([
        {"jsonrpc": "2.0", "method": "sum", "params": [1, 2], "id": 1},
        {"jsonrpc": "2.0", "method": "log", "params": ["x"]},
        {"jsonrpc": "2.0", "method": "nope", "id": 2},
        42,
    ]);
    let answer = rpc(&url, encode(&batch)).await;
    let answers = answer.as_array().unwrap_or_else(|| panic!("not an array: {answer}"));
    assert_eq!(answers.len(), 3, "{answer}");
    assert_eq!(answers[0], json!({"jsonrpc": "2.0", "result": 3, "id": 1}));
    assert_eq!((answers[1]["error"]["code"].as_i64(), &answers[1]["id"]), (Some(-32601), &json!(2)));
    assert_eq!((answers[2]["error"]["code"].as_i64(), &answers[2]["id"]), (Some(-32600), &Value::Null));
    // Only notifications: no body at all.
    let only = json!([{"jsonrpc": "2.0", "method": "log", "params": ["y"]}]);
    let (status, _, body) = post(&url, MSGPACK, encode(&only)).await;
    assert_eq!((status, body.len()), (StatusCode::NO_CONTENT, 0));
}

/// The typed client really sends MessagePack, and it is smaller than JSON.
#[tokio::test]
async fn the_client_sends_msgpack_smaller_than_json() {
    let seen: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let server = ProbeServer::new(ProbeImpl::default()).into_server();
    let log = seen.clone();
    let route = axum::routing::post(move |headers: http::HeaderMap, body: bytes::Bytes| {
        let content_type = headers.get(CONTENT_TYPE).map_or("", |v| v.to_str().unwrap()).to_owned();
        log.lock().unwrap().push((content_type, body.len()));
        let server = server.clone();
        async move {
            // A hand-mounted endpoint: the request rebuilt after looking at it.
            let mut request = http::Request::new(axum::body::Body::from(body));
            *request.method_mut() = http::Method::POST;
            *request.headers_mut() = headers;
            server.handle(request).await
        }
    });
    let url = common::serve(axum::Router::new().route("/", route)).await;
    let record = common::sample_record();
    for codec in [Codec::Json, Codec::MsgPack] {
        let client = ProbeClient::builder(url.clone()).codec(codec).build().unwrap();
        assert_eq!(client.record(record.clone()).await.unwrap(), record);
    }
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0].0, "application/json");
    assert_eq!(seen[1].0, MSGPACK);
    assert!(seen[1].1 < seen[0].1, "MessagePack {} bytes vs JSON {}", seen[1].1, seen[0].1);
}

#[tokio::test]
async fn an_unknown_content_type_is_415_naming_both_codecs() {
    let url = common::serve_probe().await;
    let (status, _, body) = post(&url, "application/cbor", vec![0xa0]).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let message = String::from_utf8(body).unwrap();
    assert!(message.contains("application/json or application/msgpack"), "{message}");
}

/// MessagePack carries the floats JSON cannot: they arrive as sent.
#[tokio::test]
async fn non_finite_floats_travel_over_msgpack() {
    let url = common::serve(common::everything().into_router()).await;
    let msgpack = common::shapes::ShapesClient::builder(&url).codec(Codec::MsgPack).build().unwrap();
    assert!(msgpack.float(1).await.unwrap().is_nan());
    assert_eq!(msgpack.float(2).await.unwrap(), f64::INFINITY);
    assert_eq!(msgpack.float(3).await.unwrap(), f64::NEG_INFINITY);
    let json = common::shapes::ShapesClient::new(&url).unwrap();
    assert_eq!(json.float(1).await.unwrap_err().code(), Some(-32603));
    assert_eq!(json.float(0).await.unwrap(), 1.5);
}

/// A string id that is not UTF-8 cannot be echoed as a MessagePack string:
/// the call is refused as invalid, with a nil id, and the answer is valid
/// MessagePack. (Found by the msgpack_dispatch fuzzer.)
#[tokio::test]
async fn an_id_that_is_not_utf8_is_an_invalid_request() {
    let url = common::serve_probe().await;
    let mut request = encode(&json!({"jsonrpc": "2.0", "method": "sum", "params": [1, 2]}));
    request[0] += 1; // one more entry in the map: the id, a string of one byte that is not UTF-8
    request.extend_from_slice(&[0xa2, b'i', b'd', 0xa1, 0x81]);
    let v = rpc(&url, request).await;
    assert_eq!(v["error"]["code"], -32600, "{v}");
    assert_eq!(v["id"], Value::Null, "{v}");
}
