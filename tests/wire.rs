//! The wire protocol, checked with raw HTTP: what any JSON-RPC 2.0 client in
//! any language sends, including the spec's own examples
//! (jsonrpc.org/specification §7), against the generated server.

mod common;

use reqwest::StatusCode;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// The example server (Users + Calculator) plus the probe, on one endpoint.
async fn server() -> String {
    let rpc = remotipy::Server::builder()
        .service(common::api::UsersServer::new(common::app::Directory))
        .service(common::api::CalculatorServer::new(common::app::Calc))
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .build()
        .unwrap();
    common::serve(rpc.into_router()).await
}

async fn post(url: &str, content_type: Option<&str>, body: impl Into<reqwest::Body>) -> (StatusCode, String) {
    let mut request = reqwest::Client::new().post(url).body(body);
    if let Some(ct) = content_type {
        request = request.header(CONTENT_TYPE, ct);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// POSTs `body` as JSON and parses the answer (200 expected).
async fn rpc(url: &str, body: &str) -> Value {
    let (status, text) = post(url, Some("application/json"), body.to_owned()).await;
    assert_eq!(status, StatusCode::OK, "body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn error_code(v: &Value) -> i64 {
    v["error"]["code"].as_i64().unwrap_or_else(|| panic!("no error code in {v}"))
}

#[tokio::test]
async fn named_and_positional_params() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"add","params":{"a":40,"b":2},"id":1}"#).await;
    assert_eq!(v, json!({"jsonrpc":"2.0","result":42,"id":1}));
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"add","params":[40,2],"id":2}"#).await;
    assert_eq!(v, json!({"jsonrpc":"2.0","result":42,"id":2}));
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"greet","params":{"user":{"first_name":"Ada","last_name":"L","email":"a@b"}},"id":3}"#).await;
    assert_eq!(v["result"]["message"], "Hello, Ada L!");
}

#[tokio::test]
async fn ids_of_every_valid_type_are_echoed_exactly() {
    let url = server().await;
    for id in [r#""abc""#, "0", "-7", "1.5", "18446744073709551615", "null", r#""""#, r#""\u00e9\n""#] {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"add","params":[1,1],"id":{id}}}"#);
        let (_, text) = post(&url, Some("application/json"), body).await;
        assert!(text.ends_with(&format!(r#","id":{id}}}"#)), "id {id} not echoed verbatim: {text}");
    }
}

#[tokio::test]
async fn missing_optional_params_are_none_named_or_positional() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"optional","params":{"a":1},"id":1}"#).await;
    assert_eq!(v["result"], 101);
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"optional","params":[1],"id":1}"#).await;
    assert_eq!(v["result"], 101);
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"optional","params":[1,2],"id":1}"#).await;
    assert_eq!(v["result"], 3);
}

#[tokio::test]
async fn params_may_be_omitted_for_methods_without_arguments() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"nothing","id":9}"#).await;
    assert_eq!(v, json!({"jsonrpc":"2.0","result":null,"id":9}));
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"probe.renamed","params":[],"id":9}"#).await;
    assert_eq!(v["result"], "renamed");
}

#[tokio::test]
async fn parse_error_is_32700_with_null_id() {
    let url = server().await;
    // The spec's example of invalid JSON.
    let v = rpc(&url, r#"{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]"#).await;
    assert_eq!(error_code(&v), -32700);
    assert_eq!(v["id"], Value::Null);
    assert_eq!(v["jsonrpc"], "2.0");
    for body in ["", "   ", "{", "nul", "[1,2", "\u{feff}{}"] {
        let v = rpc(&url, body).await;
        assert_eq!(error_code(&v), -32700, "body {body:?}: {v}");
    }
}

#[tokio::test]
async fn invalid_request_is_32600() {
    let url = server().await;
    let cases = [
        (r#"{"jsonrpc": "2.0", "method": 1, "params": "bar"}"#, Value::Null),
        (r#"{"jsonrpc":"1.0","method":"add","params":[1,2],"id":4}"#, json!(4)),
        (r#"{"method":"add","params":[1,2],"id":5}"#, json!(5)),
        (r#"{"jsonrpc":"2.0","params":[1,2],"id":6}"#, json!(6)),
        (r#"{"jsonrpc":"2.0","method":"add","params":3,"id":7}"#, json!(7)),
        (r#"{"jsonrpc":"2.0","method":"add","params":"x","id":"s"}"#, json!("s")),
        (r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":{"a":1}}"#, Value::Null),
        (r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":[1]}"#, Value::Null),
        (r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":true}"#, Value::Null),
        ("1", Value::Null),
        (r#""a string""#, Value::Null),
    ];
    for (body, id) in cases {
        let v = rpc(&url, body).await;
        assert_eq!(error_code(&v), -32600, "{body}: {v}");
        assert_eq!(v["id"], id, "{body}: {v}");
        assert!(v["error"]["message"].as_str().unwrap().starts_with("invalid request"), "{v}");
    }
}

/// An id is echoed as sent, so it must be one parsers read back: `1e400` is
/// JSON to the grammar but an error to serde_json (`Infinity` to
/// JavaScript), and so is the lone surrogate `"\ud800"`; echoing either
/// would make the whole answer (every neighbour in a batch included)
/// unreadable. Big ids and escapes that do read back come back byte for byte.
#[tokio::test]
async fn ids_must_read_back() {
    let url = server().await;
    // Around the length where the check stops trusting the digits alone.
    let (digits_299, digits_305, digits_401) = ("9".repeat(299), "9".repeat(305), format!("1{}", "0".repeat(400)));
    for id in [
        "18446744073709551616",
        "-9223372036854775809",
        "1.5",
        "1e300",
        "1E300",
        "12345678901234567890.5",
        "0.000000000000000000000001",
        "-0",
        &digits_299,
        &digits_305,
        r#""\ud83d\ude00\n""#,
    ] {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"add","params":[1,2],"id":{id}}}"#);
        let (_, text) = post(&url, Some("application/json"), body).await;
        assert_eq!(text, format!(r#"{{"jsonrpc":"2.0","result":3,"id":{id}}}"#), "id {id}");
    }
    for id in [
        "1e400",
        "-1E400",
        "44e4444444444444444444444444444444444444444444443",
        &digits_401,
        r#""\ud800""#,
        r#""a\udc00b""#,
    ] {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"add","params":[1,2],"id":{id}}}"#);
        let v = rpc(&url, &body).await;
        assert_eq!(error_code(&v), -32600, "id {id}: {v}");
        assert_eq!(v["id"], Value::Null, "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("parsers read back"), "{v}");
        // Also when the request is wrong in another way and its id is read to answer it.
        let v = rpc(&url, &format!(r#"{{"jsonmethod":"pair","params":[[1,"a"]],"id":{id}}}"#)).await;
        assert_eq!((error_code(&v), &v["id"]), (-32600, &Value::Null), "{v}");
    }
    let batch = r#"[{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1e400},{"jsonrpc":"2.0","method":"add","params":[2,2],"id":2}]"#;
    let v = rpc(&url, batch).await;
    assert_eq!(error_code(&v[0]), -32600, "{v}");
    assert_eq!(v[1], json!({"jsonrpc":"2.0","result":4,"id":2}));
}

#[tokio::test]
async fn unknown_method_is_32601_naming_it() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"foobar","id":"1"}"#).await;
    assert_eq!(error_code(&v), -32601);
    assert_eq!(v["id"], "1");
    assert!(v["error"]["message"].as_str().unwrap().contains("`foobar`"), "{v}");
}

#[tokio::test]
async fn invalid_params_are_32602_naming_the_parameter() {
    let url = server().await;
    let cases = [
        (r#"{"a":1}"#, "missing field `b`"),
        (r#"{"a":1,"b":"two"}"#, "`b`"),
        (r#"{"a":1,"b":2,"c":3}"#, "unknown field `c`"),
        ("[1]", "missing param `b` (position 2)"),
        ("[1,2,3]", "`add` takes 2 params (a, b), got 3"),
        ("[1,\"x\"]", "`b`: invalid type: string \"x\", expected i64"),
        (r#"{"a":1,"b":1e400}"#, "`b`"),
        (r#"{"a":1,"b":9223372036854775808}"#, "`b`"),
        (r#"{"a":1.5,"b":2}"#, "`a`"),
    ];
    for (params, expected) in cases {
        let body = format!(r#"{{"jsonrpc":"2.0","method":"add","params":{params},"id":1}}"#);
        let v = rpc(&url, &body).await;
        let message = v["error"]["message"].as_str().unwrap_or_default();
        // 1e400 is out of range for JSON numbers themselves: serde_json rejects the body.
        if params.contains("1e400") {
            assert!([-32700, -32602].contains(&error_code(&v)), "{params}: {v}");
            continue;
        }
        assert_eq!(error_code(&v), -32602, "{params}: {v}");
        assert!(message.contains(expected), "{params}: `{message}` should mention {expected}");
        assert!(message.contains("`add`"), "{message}");
    }
    // A nested field is named by its path.
    let body =
        r#"{"jsonrpc":"2.0","method":"greet","params":{"user":{"first_name":"A","last_name":"B","email":5}},"id":1}"#;
    let v = rpc(&url, body).await;
    assert_eq!(error_code(&v), -32602);
    assert!(v["error"]["message"].as_str().unwrap().contains("`user.email`"), "{v}");
}

#[tokio::test]
async fn application_error_is_32000_with_type_and_value() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"find","params":{"id":7},"id":1}"#).await;
    assert_eq!(
        v,
        json!({"jsonrpc":"2.0","error":{"code":-32000,"message":"no user with id 7",
            "data":{"type":"UserError","value":{"NotFound":7}}},"id":1})
    );
}

#[tokio::test]
async fn handler_panic_is_32603_without_the_panic_text_and_the_server_keeps_serving() {
    let url = server().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"boom","params":["secret internals"],"id":1}"#).await;
    assert_eq!(error_code(&v), -32603);
    assert!(!v.to_string().contains("secret"), "panic text leaked: {v}");
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":2}"#).await;
    assert_eq!(v["result"], 3);
}

#[tokio::test]
async fn panic_text_is_sent_only_when_opted_in() {
    let rpc_server = remotipy::Server::builder()
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .expose_panic_messages(true)
        .build()
        .unwrap();
    let url = common::serve(rpc_server.into_router()).await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"boom","params":["visible detail"],"id":1}"#).await;
    assert_eq!(error_code(&v), -32603);
    assert!(v["error"]["message"].as_str().unwrap().contains("visible detail"), "{v}");
}

#[tokio::test]
async fn notifications_get_204_and_no_body_and_still_run() {
    let url = server().await;
    let (status, text) =
        post(&url, Some("application/json"), r#"{"jsonrpc":"2.0","method":"log","params":["one"]}"#).await;
    assert_eq!((status, text.as_str()), (StatusCode::NO_CONTENT, ""));
    // A notification of an unknown method or with bad params: still no body.
    let (status, _) = post(&url, None, r#"{"jsonrpc":"2.0","method":"nope"}"#).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"logged","id":1}"#).await;
    assert_eq!(v["result"], json!(["one"]));
}

#[tokio::test]
async fn batches_follow_the_spec_examples() {
    let url = server().await;
    // §7 "rpc call Batch", adapted to this server's methods.
    let body = r#"[
        {"jsonrpc": "2.0", "method": "add", "params": [1,2], "id": "1"},
        {"jsonrpc": "2.0", "method": "log", "params": ["batched"]},
        {"jsonrpc": "2.0", "method": "add", "params": [42,23], "id": "2"},
        {"foo": "boo"},
        {"jsonrpc": "2.0", "method": "foo.get", "params": {"name": "myself"}, "id": "5"},
        {"jsonrpc": "2.0", "method": "find", "params": {"id": 1}, "id": "9"}
    ]"#;
    let v = rpc(&url, body).await;
    let answers = v.as_array().unwrap();
    assert_eq!(answers.len(), 5, "{v}");
    assert_eq!(answers[0], json!({"jsonrpc":"2.0","result":3,"id":"1"}));
    assert_eq!(answers[1], json!({"jsonrpc":"2.0","result":65,"id":"2"}));
    assert_eq!(error_code(&answers[2]), -32600);
    assert_eq!(answers[2]["id"], Value::Null);
    assert_eq!(error_code(&answers[3]), -32601);
    assert_eq!(answers[3]["id"], "5");
    assert_eq!(answers[4]["result"]["first_name"], "Ada");

    // §7: empty array, and an array of non-requests.
    let v = rpc(&url, "[]").await;
    assert_eq!(error_code(&v), -32600);
    let v = rpc(&url, "[1,2,3]").await;
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert!(v.as_array().unwrap().iter().all(|e| error_code(e) == -32600 && e["id"].is_null()));
    // §7: invalid JSON batch.
    let v =
        rpc(&url, r#"[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method""#)
            .await;
    assert_eq!(error_code(&v), -32700);

    // §7: all notifications: nothing at all is returned.
    let body = r#"[{"jsonrpc":"2.0","method":"log","params":["n1"]},{"jsonrpc":"2.0","method":"log","params":["n2"]}]"#;
    let (status, text) = post(&url, Some("application/json"), body).await;
    assert_eq!((status, text.as_str()), (StatusCode::NO_CONTENT, ""));
}

#[tokio::test]
async fn a_panic_in_a_batch_does_not_take_the_other_answers_with_it() {
    let url = server().await;
    let body = r#"[{"jsonrpc":"2.0","method":"boom","params":["x"],"id":1},{"jsonrpc":"2.0","method":"add","params":[2,2],"id":2}]"#;
    let v = rpc(&url, body).await;
    assert_eq!(error_code(&v[0]), -32603);
    assert_eq!(v[1]["result"], 4);
}

#[tokio::test]
async fn content_types_real_clients_send_are_accepted() {
    let url = server().await;
    let body = r#"{"jsonrpc":"2.0","method":"add","params":[1,2],"id":1}"#;
    for ct in [
        None,
        Some("application/json"),
        Some("application/json; charset=utf-8"),
        Some("application/json-rpc"),
        Some("application/jsonrequest"),
        Some("APPLICATION/JSON"),
        Some("text/plain"),
    ] {
        let (status, text) = post(&url, ct, body).await;
        assert_eq!(status, StatusCode::OK, "content type {ct:?}: {text}");
        assert!(text.contains(r#""result":3"#));
    }
    for ct in ["text/html", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml"] {
        let (status, _) = post(&url, Some(ct), body).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "content type {ct}");
    }
}

#[tokio::test]
async fn responses_are_application_json_with_only_spec_keys() {
    let url = server().await;
    let response = reqwest::Client::new()
        .post(&url)
        .body(r#"{"jsonrpc":"2.0","method":"find","params":[2],"id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    let v: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["error", "id", "jsonrpc"]);
    let keys: Vec<_> = v["error"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(keys, ["code", "data", "message"]);
}

/// Mounted as a route at the endpoint's own path (no `nest`): the same
/// answers, and only that path.
#[tokio::test]
async fn a_server_mounted_as_a_route_answers_at_its_path() {
    let route = common::api::CalculatorServer::new(common::app::Calc).into_route();
    let app = axum::Router::new().route("/api/rpc", route).route("/health", axum::routing::get(|| async { "ok" }));
    let base = common::serve_app(app).await;
    let url = format!("{base}/api/rpc");
    let answer = rpc(&url, r#"{"jsonrpc":"2.0","method":"add","params":[40,2],"id":1}"#).await;
    assert_eq!(answer, json!({"jsonrpc": "2.0", "result": 42, "id": 1}));
    let response = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let (status, _) = post(&format!("{base}/api"), Some("application/json"), "{}").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_http_method_is_405() {
    let url = server().await;
    let client = reqwest::Client::new();
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = client.request(method.clone(), &url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let small = remotipy::Server::builder()
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .body_limit(1024)
        .build()
        .unwrap();
    let url = common::serve(small.into_router()).await;
    let big = format!(r#"{{"jsonrpc":"2.0","method":"echo","params":["{}"],"id":1}}"#, "x".repeat(2000));
    let (status, _) = post(&url, None, big.clone()).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Chunked, with no Content-Length: refused while streaming.
    let stream = futures_stream(big.into_bytes());
    let (status, _) = post(&url, None, reqwest::Body::wrap_stream(stream)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Under the limit: fine.
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"echo","params":["small"],"id":1}"#).await;
    assert_eq!(v["result"], "small");
}

fn futures_stream(bytes: Vec<u8>) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::iter(bytes.chunks(100).map(|c| Ok(c.to_vec())).collect::<Vec<_>>())
}

#[tokio::test]
async fn batches_over_the_limit_get_one_error() {
    let limited = remotipy::Server::builder()
        .service(common::ProbeServer::new(common::ProbeImpl::default()))
        .max_batch_len(3)
        .build()
        .unwrap();
    let url = common::serve(limited.into_router()).await;
    let call = r#"{"jsonrpc":"2.0","method":"sum","params":[1,1],"id":1}"#;
    let v = rpc(&url, &format!("[{call},{call},{call}]")).await;
    assert_eq!(v.as_array().unwrap().len(), 3);
    let v = rpc(&url, &format!("[{call},{call},{call},{call}]")).await;
    assert_eq!(error_code(&v), -32600);
    assert!(v["error"]["message"].as_str().unwrap().contains("limit of 3"), "{v}");
}

#[tokio::test]
async fn two_traits_declaring_one_method_name_cannot_share_an_endpoint() {
    #[remotipy::remote]
    trait Left {
        async fn ping(&self) -> u8;
    }
    #[remotipy::remote]
    trait Right {
        /// Same wire name as `Left::ping`, through a rename.
        #[remote(name = "ping")]
        async fn pong(&self) -> u8;
    }
    struct L;
    impl Left for L {
        async fn ping(&self) -> u8 {
            1
        }
    }
    struct R;
    impl Right for R {
        async fn pong(&self) -> u8 {
            2
        }
    }
    let error =
        remotipy::Server::builder().service(LeftServer::new(L)).service(RightServer::new(R)).build().unwrap_err();
    assert_eq!(error, remotipy::server::BuildError::DuplicateMethod { method: "ping", first: "Left", second: "Right" });
    assert!(error.to_string().starts_with("method `ping` is declared by both `Left` and `Right`"), "{error}");
}

/// A hand-written service listing one name twice is an error of
/// `Server::new` too, not a panic.
#[test]
fn one_service_listing_a_name_twice_is_a_build_error() {
    use remotipy::service::{BoxFuture, Call, MethodInfo, Reply, RpcService};
    struct Twice;
    impl RpcService for Twice {
        fn methods(&self) -> &'static [MethodInfo] {
            const METHODS: &[MethodInfo] = &[MethodInfo::new("ping", "Twice"), MethodInfo::new("ping", "Twice")];
            METHODS
        }
        fn call<'a>(&'a self, call: Call<'a>) -> Option<BoxFuture<'a, Reply>> {
            Some(Box::pin(async move { call.ok(&1) }))
        }
    }
    let error = remotipy::Server::new(Twice).unwrap_err();
    assert_eq!(
        error,
        remotipy::server::BuildError::DuplicateMethod { method: "ping", first: "Twice", second: "Twice" }
    );
    assert_eq!(error.to_string(), "method `ping` is listed twice by `Twice`: a service answers each name once");
}

// ---- a malformed call costs its own answer, nothing more ----

/// The shapes and the probe beside the example, on one endpoint.
async fn everything() -> String {
    common::serve(common::everything().into_router()).await
}

#[tokio::test]
async fn a_nested_struct_too_short_is_32602_naming_the_param_and_the_connection_lives() {
    let url = everything().await;
    let bad = r#"{"jsonrpc":"2.0","method":"greet","params":[["Ada"]],"id":1}"#;
    let batch = r#"[{"jsonrpc":"2.0","method":"greet","params":[["Ada"]],"id":1},{"jsonrpc":"2.0","method":"add","params":[1,2],"id":2}]"#;
    let good = r#"{"jsonrpc":"2.0","method":"add","params":[40,2],"id":3}"#;
    let answers = common::on_one_connection(&url, &[bad, batch, good]).await;
    let single: Value = serde_json::from_str(&answers[0].1).unwrap();
    assert_eq!(error_code(&single), -32602, "{single}");
    assert_eq!(
        single["error"]["message"],
        "invalid params for `greet`: `user`: invalid length 1, expected struct UserInfo with 3 elements"
    );
    let batch: Value = serde_json::from_str(&answers[1].1).unwrap();
    assert_eq!(error_code(&batch[0]), -32602, "{batch}");
    assert_eq!(batch[1]["result"], 3, "{batch}");
    assert_eq!(answers[2].1, r#"{"jsonrpc":"2.0","result":42,"id":3}"#);
}

#[tokio::test]
async fn too_few_positional_params_name_the_first_missing_one() {
    let url = everything().await;
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"add","params":[1],"id":1}"#).await;
    assert_eq!(v["error"]["message"], "invalid params for `add`: missing param `b` (position 2)", "{v}");
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"nested","params":[],"id":1}"#).await;
    assert_eq!(v["error"]["message"], "invalid params for `nested`: missing param `deep` (position 1)", "{v}");
    // A too-short value inside a param names that param, not a missing one.
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"pair","params":[[1]],"id":1}"#).await;
    assert_eq!(v["error"]["message"], "invalid params for `pair`: `t`: invalid length 1, expected a tuple of size 2");
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"nested","params":[[[{"Square":1}]],true],"id":1}"#).await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.starts_with("invalid params for `nested`: `deep[0]`: invalid length 1"), "{message}");
    // Trailing optional params may be left out by position.
    let v = rpc(&url, r#"{"jsonrpc":"2.0","method":"optional","params":[5],"id":1}"#).await;
    assert_eq!(v["result"], 105, "{v}");
}

#[tokio::test]
async fn panics_while_decoding_or_encoding_cost_only_their_call() {
    let url = everything().await;
    let decode = r#"{"jsonrpc":"2.0","method":"fragile","params":[13],"id":"d"}"#;
    let encode = r#"{"jsonrpc":"2.0","method":"fragile","params":{"value":14},"id":"e"}"#;
    let batch = r#"[{"jsonrpc":"2.0","method":"fragile","params":[13],"id":1},{"jsonrpc":"2.0","method":"fragile","params":[14],"id":2},{"jsonrpc":"2.0","method":"fragile","params":[15],"id":3}]"#;
    let answers = common::on_one_connection(&url, &[decode, encode, batch]).await;
    for (answer, id, method) in [(&answers[0].1, "d", "fragile"), (&answers[1].1, "e", "fragile")] {
        let v: Value = serde_json::from_str(answer).unwrap();
        assert_eq!(
            v,
            json!({"jsonrpc":"2.0","error":{"code":-32603,"message":format!("internal error: `{method}`: the handler panicked")},"id":id})
        );
    }
    let batch: Value = serde_json::from_str(&answers[2].1).unwrap();
    assert_eq!((error_code(&batch[0]), error_code(&batch[1])), (-32603, -32603), "{batch}");
    assert_eq!(batch[2]["result"], 15, "{batch}");
}

#[tokio::test]
async fn a_float_json_cannot_carry_is_32603_naming_the_method() {
    let url = everything().await;
    for which in [1, 2, 3] {
        let v = rpc(&url, &format!(r#"{{"jsonrpc":"2.0","method":"float","params":[{which}],"id":1}}"#)).await;
        assert_eq!(error_code(&v), -32603, "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("internal error: `float` returned a result that cannot be encoded"), "{message}");
        assert!(message.contains("cannot be represented in JSON"), "{message}");
    }
    let v = rpc(&url, r#"[{"jsonrpc":"2.0","method":"float","params":[1],"id":1},{"jsonrpc":"2.0","method":"float","params":[0],"id":2}]"#).await;
    assert_eq!(error_code(&v[0]), -32603, "{v}");
    assert_eq!(v[1]["result"], 1.5, "{v}");
}

/// POSTs `body` with `Remotipy-Timeout-Ms: timeout`; the parsed answer and how long it took.
async fn rpc_within(url: &str, timeout: &str, body: &str) -> (Value, std::time::Duration) {
    let started = std::time::Instant::now();
    let response = reqwest::Client::new()
        .post(url)
        .header(CONTENT_TYPE, "application/json")
        .header("remotipy-timeout-ms", timeout)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    (response.json().await.unwrap(), started.elapsed())
}

#[tokio::test]
async fn the_callers_timeout_header_stops_the_call_with_32092() {
    let url = server().await;
    let sleep = r#"{"jsonrpc":"2.0","id":4,"method":"sleep","params":[2000]}"#;
    let (answer, took) = rpc_within(&url, "100", sleep).await;
    assert_eq!(error_code(&answer), -32092, "{answer}");
    assert_eq!(answer["id"], 4);
    assert!(took < std::time::Duration::from_millis(1000), "{took:?}");
    // A batch past its deadline: the error for each of its calls, and for
    // each entry that was no valid call, its own error, as in time.
    let invalid = r#"{"jsonrpc":"1.0","id":6,"method":"sleep","params":[1]},{"id":7,"method":3},"nonsense""#;
    let notification = r#"{"jsonrpc":"2.0","method":"sleep","params":[2000]}"#;
    let (answer, _) = rpc_within(&url, "50", &format!("[{sleep},{invalid},{notification}]")).await;
    let answers = answer.as_array().unwrap();
    assert_eq!(answers.len(), 4, "one answer per entry but the notification: {answer}");
    assert_eq!((error_code(&answers[0]), &answers[0]["id"]), (-32092, &json!(4)), "{answer}");
    assert_eq!((error_code(&answers[1]), &answers[1]["id"]), (-32600, &json!(6)), "{answer}");
    assert_eq!((error_code(&answers[2]), &answers[2]["id"]), (-32600, &json!(7)), "{answer}");
    assert_eq!((error_code(&answers[3]), &answers[3]["id"]), (-32600, &Value::Null), "{answer}");
    // A call that finishes in time is answered as usual.
    let quick = r#"{"jsonrpc":"2.0","id":5,"method":"sleep","params":[10]}"#;
    assert_eq!(rpc_within(&url, "5000", quick).await.0["result"], 10);
    // Values no clock can hold, and values that are not numbers, are no deadline.
    for ignored in ["18446744073709551615", "-5", "soon", "1e3"] {
        assert_eq!(rpc_within(&url, ignored, quick).await.0["result"], 10, "{ignored}");
    }
}
