//! Broken and hostile input: the server answers precisely, keeps serving,
//! and leaks nothing; the client fails cleanly within its limits. Plus
//! property tests: arbitrary bytes, arbitrary JSON, and calls whose params
//! are nearly right for methods taking every serde shape (structs, tuples,
//! enums, `Option`, `Vec`, maps; named and positional; JSON and
//! MessagePack) always get a valid answer to every call, never a panic that
//! escapes its call.

mod common;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn post_bytes(url: &str, body: Vec<u8>) -> (u16, Value) {
    let response = reqwest::Client::new().post(url).body(body).send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn deeply_nested_json_is_refused_precisely_and_the_server_keeps_serving() {
    let url = common::serve_probe().await;
    let depth = 100_000;
    // Into an argument that would recurse (a JSON value): refused at serde_json's depth limit.
    let deep_params = format!(
        r#"{{"jsonrpc":"2.0","method":"depth","params":[{}1{}],"id":1}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let (status, v) = post_bytes(&url, deep_params.into_bytes()).await;
    assert_eq!(status, 200);
    assert_eq!(v["error"]["code"], -32602, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("recursion limit exceeded"), "{v}");
    // Shallow enough: answered.
    let (_, v) = post_bytes(&url, br#"{"jsonrpc":"2.0","method":"depth","params":[[[[1]]]],"id":1}"#.to_vec()).await;
    assert_eq!(v["result"], 3);

    let deep_envelope =
        format!(r#"{{"jsonrpc":"2.0","method":"echo","x":{}1{},"id":1}}"#, "[".repeat(depth), "]".repeat(depth));
    let (_, v) = post_bytes(&url, deep_envelope.into_bytes()).await;
    assert!(v["error"]["code"].is_i64(), "{v}");

    let (_, v) =
        post_bytes(&url, br#"{"jsonrpc":"2.0","method":"echo","params":["still here"],"id":2}"#.to_vec()).await;
    assert_eq!(v["result"], "still here");
}

#[tokio::test]
async fn invalid_utf8_is_invalid_params_naming_the_parameter() {
    let url = common::serve_probe().await;
    let mut named = br#"{"jsonrpc":"2.0","method":"echo","params":{"text":"ab"#.to_vec();
    named.extend_from_slice(&[0xff, 0xfe]);
    named.extend_from_slice(br#""},"id":7}"#);
    let (_, v) = post_bytes(&url, named).await;
    assert_eq!(v["error"]["code"], -32602, "{v}");
    assert_eq!(v["id"], 7);
    assert!(v["error"]["message"].as_str().unwrap().contains("`echo`: `text`: not valid UTF-8"), "{v}");

    let mut positional = br#"{"jsonrpc":"2.0","method":"sum","params":[1,""#.to_vec();
    positional.push(0xc3);
    positional.extend_from_slice(br#""],"id":"p"}"#);
    let (_, v) = post_bytes(&url, positional).await;
    assert_eq!(v["error"]["code"], -32602, "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("param 2: not valid UTF-8"), "{v}");

    // Outside any parameter it is simply not JSON.
    let (_, v) = post_bytes(&url, vec![b'{', 0xff, b'}']).await;
    assert_eq!(v["error"]["code"], -32700, "{v}");
}

#[tokio::test]
async fn a_stalled_half_sent_request_does_not_block_other_callers() {
    let url = common::serve_probe().await;
    let authority = url.trim_start_matches("http://").trim_end_matches("/rpc").to_owned();
    // 64 connections each send headers and half a body, then stall.
    let mut stalled = Vec::new();
    for _ in 0..64 {
        let mut socket = tokio::net::TcpStream::connect(&authority).await.unwrap();
        let head = format!("POST /rpc HTTP/1.1\r\nhost: {authority}\r\ncontent-length: 100\r\n\r\n{{\"jsonrpc\":");
        socket.write_all(head.as_bytes()).await.unwrap();
        stalled.push(socket);
    }
    let started = Instant::now();
    let client = common::ProbeClient::new(&url).unwrap();
    for i in 0..20 {
        assert_eq!(client.sum(i, 1).await.unwrap(), i + 1);
    }
    assert!(started.elapsed() < Duration::from_secs(5), "normal calls slowed to {:?}", started.elapsed());
    // The stalled connections are still open, still waiting: nothing was answered to them.
    let mut buf = [0u8; 16];
    let pending = tokio::time::timeout(Duration::from_millis(50), stalled[0].read(&mut buf)).await;
    assert!(pending.is_err(), "a half-sent request must not get an answer");
}

// ---- property tests: the dispatcher never panics and always answers validly ----

fn server() -> remotipy::Server {
    common::everything()
}

/// A valid JSON-RPC response object, with only the spec's keys.
fn assert_response_object(v: &Value) {
    let object = v.as_object().unwrap_or_else(|| panic!("not an object: {v}"));
    assert_eq!(object.get("jsonrpc"), Some(&json!("2.0")), "{v}");
    assert!(object.contains_key("id"), "{v}");
    assert!(object.keys().all(|k| ["jsonrpc", "id", "result", "error"].contains(&k.as_str())), "{v}");
    match (object.get("result"), object.get("error")) {
        (Some(_), None) => {}
        (None, Some(error)) => {
            assert!(error["code"].is_i64(), "{v}");
            assert!(error["message"].is_string(), "{v}");
        }
        _ => panic!("exactly one of result and error: {v}"),
    }
}

fn assert_valid_answer(answer: Option<Vec<u8>>) {
    let Some(bytes) = answer else { return };
    assert_valid_value(serde_json::from_slice(&bytes).expect("the answer is JSON"));
}

fn assert_valid_value(v: Value) {
    match &v {
        Value::Array(items) => {
            assert!(!items.is_empty(), "an empty batch answer must be no answer");
            items.iter().for_each(assert_response_object);
        }
        other => assert_response_object(other),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[a-z\\.]{0,8}".prop_map(Value::String),
        prop_oneof![Just("add"), Just("sum"), Just("echo"), Just("boom"), Just("optional"), Just("log")]
            .prop_map(|m| Value::String(m.into())),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,3}", inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Request-shaped objects with arbitrary values in every field, sometimes missing.
fn request_like() -> impl Strategy<Value = Value> {
    let field = |name: &'static str| prop::option::of(json_value()).prop_map(move |v| (name, v));
    (field("jsonrpc"), field("method"), field("params"), field("id"), any::<bool>(), any::<bool>()).prop_map(
        |(jsonrpc, method, params, id, proper_version, proper_method)| {
            let mut object = serde_json::Map::new();
            for (name, value) in [jsonrpc, method, params, id] {
                if let Some(value) = value {
                    object.insert(name.into(), value);
                }
            }
            if proper_version {
                object.insert("jsonrpc".into(), json!("2.0"));
            }
            if proper_method && !object.get("method").is_some_and(Value::is_string) {
                object.insert("method".into(), json!("add"));
            }
            Value::Object(object)
        },
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_get_a_valid_answer(body in prop::collection::vec(any::<u8>(), 0..256)) {
        let server = server();
        assert_valid_answer(runtime().block_on(common::answer(&server, remotipy::Codec::Json, &body)));
    }

    #[test]
    fn arbitrary_json_gets_a_valid_answer(value in json_value()) {
        let server = server();
        let body = serde_json::to_vec(&value).unwrap();
        assert_valid_answer(runtime().block_on(common::answer(&server, remotipy::Codec::Json, &body)));
    }

    #[test]
    fn request_shaped_json_and_batches_get_valid_answers(batch in prop::collection::vec(request_like(), 1..5), single in any::<bool>()) {
        let server = server();
        let body = match single {
            true => serde_json::to_vec(&batch[0]).unwrap(),
            false => serde_json::to_vec(&batch).unwrap(),
        };
        assert_valid_answer(runtime().block_on(common::answer(&server, remotipy::Codec::Json, &body)));
    }
}

/// The same hostile input in MessagePack: always a well-formed MessagePack
/// answer (or none), never a panic.
#[cfg(feature = "msgpack")]
mod msgpack {
    use super::*;
    use remotipy::Codec;

    fn encode(value: &impl serde::Serialize) -> Vec<u8> {
        let mut buf = Vec::new();
        value.serialize(&mut rmp_serde::Serializer::new(&mut buf).with_struct_map()).unwrap();
        buf
    }

    fn answer(body: &[u8]) {
        let answer = runtime().block_on(common::answer(&server(), Codec::MsgPack, body));
        if let Some(bytes) = answer {
            assert_valid_value(rmp_serde::from_slice(&bytes).expect("the answer is MessagePack"));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_bytes_get_a_valid_answer(body in prop::collection::vec(any::<u8>(), 0..256)) {
            answer(&body);
        }

        #[test]
        fn request_shaped_values_and_batches_get_valid_answers(batch in prop::collection::vec(request_like(), 1..5), single in any::<bool>()) {
            match single {
                true => answer(&encode(&batch[0])),
                false => answer(&encode(&batch)),
            }
        }

        #[test]
        fn nearly_right_calls_each_get_their_answer(calls in prop::collection::vec(nearly_right_call(), 1..5)) {
            let answer = runtime().block_on(common::answer(&server(), Codec::MsgPack, &encode(&calls))).expect("an answer");
            let answer: Value = rmp_serde::from_slice(&answer).expect("the answer is MessagePack");
            assert_every_call_answered(&calls, &answer);
        }

        #[test]
        fn truncated_requests_get_a_parse_error(value in request_like(), cut in any::<prop::sample::Index>()) {
            let body = encode(&value);
            let body = &body[..cut.index(body.len())];
            let answer = runtime().block_on(common::answer(&server(), Codec::MsgPack, body)).expect("an answer");
            let answer: Value = rmp_serde::from_slice(&answer).expect("the answer is MessagePack");
            prop_assert_eq!(&answer["error"]["code"], &json!(-32700), "{}", answer);
        }
    }
}

// ---- calls with nearly right params, for methods taking every serde shape ----

/// The types the shapes' (and a few example) methods take.
#[derive(Clone, Debug)]
enum Ty {
    Int,
    Str,
    Bool,
    /// `Point` or `UserInfo`: a struct of these fields.
    Struct(&'static [(&'static str, Ty)]),
    Shape,
    Tuple(&'static [Ty]),
    Opt(&'static Ty),
    List(&'static Ty),
    Map(&'static Ty),
    Fragile,
}

const POINT: Ty = Ty::Struct(&[("x", Ty::Int), ("y", Ty::Int), ("label", Ty::Str)]);
const USER: Ty = Ty::Struct(&[("first_name", Ty::Str), ("last_name", Ty::Str), ("email", Ty::Str)]);

/// Method name and its params, in order.
const METHODS: &[(&str, &[(&str, Ty)])] = &[
    ("point", &[("p", POINT)]),
    ("pair", &[("t", Ty::Tuple(&[Ty::Int, Ty::Str]))]),
    ("shape", &[("s", Ty::Shape)]),
    ("maybe", &[("a", Ty::Opt(&Ty::Int)), ("b", Ty::Opt(&POINT))]),
    ("list", &[("items", Ty::List(&POINT))]),
    ("map", &[("m", Ty::Map(&Ty::List(&Ty::Int)))]),
    ("nested", &[("deep", Ty::List(&Ty::Opt(&Ty::Tuple(&[Ty::Shape, Ty::Map(&POINT)])))), ("flag", Ty::Bool)]),
    ("fragile", &[("value", Ty::Fragile)]),
    ("float", &[("which", Ty::Int)]),
    ("greet", &[("user", USER)]),
    ("add", &[("a", Ty::Int), ("b", Ty::Int)]),
    ("optional", &[("a", Ty::Int), ("b", Ty::Opt(&Ty::Int))]),
];

/// A value that is mostly of type `ty`, with the mistakes clients make:
/// missing, extra or wrong fields, short sequences, out-of-range numbers.
fn nearly(ty: &'static Ty) -> BoxedStrategy<Value> {
    let right = match ty {
        Ty::Int => prop_oneof![0i64..20, any::<i64>(), Just(300i64), Just(-1i64)].prop_map(Value::from).boxed(),
        Ty::Str => "[a-z]{0,6}".prop_map(Value::String).boxed(),
        Ty::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Ty::Fragile => prop_oneof![Just(13u8), Just(14u8), any::<u8>()].prop_map(Value::from).boxed(),
        Ty::Struct(fields) => {
            let values: Vec<_> = fields.iter().map(|(_, ty)| nearly(ty)).collect();
            (values, prop::collection::vec(any::<bool>(), fields.len()), any::<bool>(), 0..=fields.len() + 1)
                .prop_map(move |(values, keep, as_array, len)| match as_array {
                    // serde reads a struct from a sequence too: sometimes a short one.
                    true => Value::Array(values.into_iter().chain([json!(0)]).take(len).collect()),
                    false => Value::Object(
                        fields
                            .iter()
                            .zip(values)
                            .zip(keep)
                            .filter(|(_, k)| *k)
                            .map(|((f, v), _)| (f.0.into(), v))
                            .collect(),
                    ),
                })
                .boxed()
        }
        Ty::Shape => prop_oneof![
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|r| json!({"Circle": {"r": r}})),
            (0u32..9).prop_map(|n| json!({"Square": n})),
            prop::collection::vec(-3i8..3, 0..4).prop_map(|v| json!({"Pair": v})),
            Just(json!("Empty")),
            Just(json!({"Circle": [1.0]})),
            Just(json!({"Nothing": 1})),
        ]
        .boxed(),
        Ty::Tuple(items) => {
            let values: Vec<_> = items.iter().map(nearly).collect();
            (values, 0..=items.len() + 1)
                .prop_map(|(values, len)| Value::Array(values.into_iter().cycle().take(len).collect()))
                .boxed()
        }
        Ty::Opt(inner) => prop_oneof![Just(Value::Null), nearly(inner)].boxed(),
        Ty::List(inner) => prop::collection::vec(nearly(inner), 0..4).prop_map(Value::Array).boxed(),
        Ty::Map(inner) => prop::collection::btree_map("[a-c]{1,2}", nearly(inner), 0..3)
            .prop_map(|m| Value::Object(m.into_iter().collect()))
            .boxed(),
    };
    prop_oneof![6 => right, 1 => json_value()].boxed()
}

/// A call of a known method with nearly right params, named or positional.
fn nearly_right_call() -> impl Strategy<Value = Value> {
    (0..METHODS.len(), any::<bool>(), any::<u32>()).prop_flat_map(|(i, named, id)| {
        let (method, params) = METHODS[i];
        let values: Vec<_> = params.iter().map(|(_, ty)| nearly(ty)).collect();
        (values, prop::collection::vec(any::<bool>(), params.len()), 0..=params.len() + 1).prop_map(
            move |(values, keep, len)| {
                let params = match named {
                    true => Value::Object(
                        params
                            .iter()
                            .zip(values)
                            .zip(keep)
                            .filter(|(_, k)| *k)
                            .map(|((p, v), _)| (p.0.into(), v))
                            .collect(),
                    ),
                    false => Value::Array(values.into_iter().chain([json!(1)]).take(len).collect()),
                };
                json!({ "jsonrpc": "2.0", "method": method, "params": params, "id": id })
            },
        )
    })
}

/// Every call with an id is answered, under its id.
fn assert_every_call_answered(calls: &[Value], answer: &Value) {
    let answers = match answer {
        Value::Array(items) => items.clone(),
        one => vec![one.clone()],
    };
    assert_valid_value(answer.clone());
    let mut asked: Vec<_> = calls.iter().map(|c| c["id"].clone()).collect();
    let mut got: Vec<_> = answers.iter().map(|a| a["id"].clone()).collect();
    asked.sort_by_key(Value::to_string);
    got.sort_by_key(Value::to_string);
    assert_eq!(asked, got, "{answer}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn nearly_right_calls_each_get_their_answer(calls in prop::collection::vec(nearly_right_call(), 1..5), single in any::<bool>()) {
        let body = match single {
            true => serde_json::to_vec(&calls[0]).unwrap(),
            false => serde_json::to_vec(&calls).unwrap(),
        };
        let answer = runtime().block_on(common::answer(&server(), remotipy::Codec::Json, &body)).expect("an answer");
        let answer: Value = serde_json::from_slice(&answer).expect("the answer is JSON");
        assert_every_call_answered(if single { &calls[..1] } else { &calls }, &answer);
    }
}
