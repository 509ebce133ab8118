//! The generated client, one suite run over every transport: reqwest over a
//! real loopback socket, and in-process (no socket, same encode → dispatch →
//! decode path). Then the failures only a real network can produce.

mod common;

use std::time::{Duration, Instant};

use common::{ProbeClient, ProbeError, ProbeImpl, ProbeServer, sample_record};
use remotipy::{CallOptions, ClientBuilder, Error};

#[derive(Clone, Copy, Debug)]
enum Transport {
    Reqwest,
    InProcess,
}

/// A fresh server and a builder for a client of it over `transport`.
async fn builder(transport: Transport) -> ClientBuilder<ProbeClient> {
    match transport {
        Transport::Reqwest => ProbeClient::builder(common::serve_probe().await),
        Transport::InProcess => ClientBuilder::in_process(ProbeServer::new(ProbeImpl::default()).into_server()),
    }
}

async fn client(transport: Transport) -> ProbeClient {
    builder(transport).await.build().unwrap()
}

/// Runs each case once per transport, as its own test.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod reqwest_transport {
            $( #[tokio::test] async fn $case() { super::$case(super::Transport::Reqwest).await } )*
        }
        mod in_process_transport {
            $( #[tokio::test] async fn $case() { super::$case(super::Transport::InProcess).await } )*
        }
    };
}

suite!(
    typed_results_round_trip,
    optional_arguments_may_be_none,
    application_errors_come_back_typed,
    remote_failures_carry_code_and_message,
    default_and_per_call_headers_reach_the_handler,
    timeouts_fire_and_per_call_timeouts_override,
    notifications_are_sent_and_run,
    concurrent_calls_on_one_client_all_get_their_own_answer,
);

async fn typed_results_round_trip(t: Transport) {
    let c = client(t).await;
    assert_eq!(c.echo("hi".into()).await.unwrap(), "hi");
    assert_eq!(c.record(sample_record()).await.unwrap(), sample_record());
    assert_eq!(c.sum(40, 2).await.unwrap(), 42);
    c.nothing().await.unwrap();
    assert_eq!(c.renamed().await.unwrap(), "renamed");
    assert_eq!(c.header("x-absent".into()).await.unwrap(), None);
}

async fn optional_arguments_may_be_none(t: Transport) {
    let c = client(t).await;
    assert_eq!(c.optional(1, None).await.unwrap(), 101);
    assert_eq!(c.optional(1, Some(2)).await.unwrap(), 3);
}

async fn application_errors_come_back_typed(t: Transport) {
    let c = client(t).await;
    let error = c.refuse("no".into()).await.unwrap_err();
    assert!(matches!(&error, Error::App(ProbeError::Refused { reason }) if reason == "no"), "{error:?}");
    assert_eq!(error.to_string(), "refused: no");
}

async fn remote_failures_carry_code_and_message(t: Transport) {
    let c = client(t).await;
    let error = c.boom("secret".into()).await.unwrap_err();
    match &error {
        Error::Remote { method, code, message, class, .. } => {
            assert_eq!((*method, *code, class.as_deref()), ("boom", -32603, None));
            assert!(!message.contains("secret"), "{message}");
        }
        other => panic!("expected a remote error, got {other:?}"),
    }
    assert_eq!(error.code(), Some(-32603));
    assert!(error.to_string().starts_with("`boom` failed remotely: internal error"), "{error}");
}

async fn default_and_per_call_headers_reach_the_handler(t: Transport) {
    let c = builder(t).await.header("x-authentication-token", "t0k3n").build().unwrap();
    assert_eq!(c.header("x-authentication-token".into()).await.unwrap().as_deref(), Some("t0k3n"));
    let per_call = c.with_options(CallOptions::new().header("x-request-tag", "once"));
    assert_eq!(per_call.header("x-request-tag".into()).await.unwrap().as_deref(), Some("once"));
    assert_eq!(per_call.header("x-authentication-token".into()).await.unwrap().as_deref(), Some("t0k3n"));
    // The original client is unchanged.
    assert_eq!(c.header("x-request-tag".into()).await.unwrap(), None);
}

async fn timeouts_fire_and_per_call_timeouts_override(t: Transport) {
    let c = builder(t).await.timeout(Duration::from_millis(100)).build().unwrap();
    let started = Instant::now();
    let error = c.sleep(5_000).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(error.to_string(), "`sleep` timed out after 100ms");
    let patient = c.with_options(CallOptions::new().timeout(Duration::from_secs(5)));
    assert_eq!(patient.sleep(200).await.unwrap(), 200);
}

async fn notifications_are_sent_and_run(t: Transport) {
    let c = client(t).await;
    c.log("first".into()).await.unwrap();
    c.log("second".into()).await.unwrap();
    assert_eq!(c.logged().await.unwrap(), ["first", "second"]);
}

async fn concurrent_calls_on_one_client_all_get_their_own_answer(t: Transport) {
    let c = client(t).await;
    let calls = (0..200).map(|i| {
        let c = c.clone();
        tokio::spawn(async move { (i, c.sum(i, 1000).await.unwrap()) })
    });
    for call in calls {
        let (i, sum) = call.await.unwrap();
        assert_eq!(sum, i + 1000);
    }
}

// ---- failures only a real network produces ----

#[tokio::test]
async fn an_invalid_url_or_header_is_an_error_not_a_panic() {
    for url in ["not a url", "ftp://host/rpc", "http://", "/relative/rpc", ""] {
        let error = ProbeClient::new(url).unwrap_err();
        assert!(error.to_string().contains("invalid endpoint URL"), "{url}: {error}");
    }
    let error = ProbeClient::builder("http://127.0.0.1:1/rpc").header("bad header", "x").build().unwrap_err();
    assert!(error.to_string().contains("invalid default header \"bad header\""), "{error}");
    let error = ProbeClient::builder("http://127.0.0.1:1/rpc").header("x-ok", "bad\nvalue").build().unwrap_err();
    assert!(error.to_string().contains("x-ok"), "{error}");
}

#[tokio::test]
async fn a_server_that_is_down_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    drop(listener);
    let error = ProbeClient::new(url).unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { method: "echo", .. }), "{error:?}");
    assert!(error.to_string().starts_with("`echo` could not reach the server"), "{error}");
    assert!(std::error::Error::source(&error).is_some());
}

#[tokio::test]
async fn a_wrong_path_is_an_http_status_error() {
    let url = common::serve_probe().await.replace("/rpc", "/nope");
    let error = ProbeClient::new(url).unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(error, Error::Status { status, .. } if status == 404), "{error:?}");
}

/// A one-route axum server answering every POST with `body` and `status`.
async fn canned(status: u16, body: &'static str) -> String {
    let route = axum::routing::post(move || async move { (axum::http::StatusCode::from_u16(status).unwrap(), body) });
    common::serve(axum::Router::new().route("/", route)).await
}

#[tokio::test]
async fn garbage_wrong_ids_and_half_answers_are_decode_errors() {
    let cases = [
        ("this is not json", "the body is not JSON"),
        (r#"{"jsonrpc":"2.0","result":"x","id":999}"#, "for call 999, not 1"),
        (r#"{"jsonrpc":"2.0","result":"x"}"#, "does not carry this call's id"),
        (r#"{"jsonrpc":"2.0","id":1}"#, "neither `result` nor `error`"),
        (r#"{"jsonrpc":"2.0","result":42,"id":1}"#, "invalid type: integer `42`, expected a string"),
    ];
    for (body, expected) in cases {
        let client = ProbeClient::new(canned(200, body).await).unwrap();
        let error = client.echo("x".into()).await.unwrap_err();
        assert!(matches!(error, Error::Decode { method: "echo", .. }), "{body}: {error:?}");
        assert!(error.to_string().contains(expected), "{body}: {error}");
    }
}

#[tokio::test]
async fn http_errors_with_a_json_rpc_body_are_read_as_remote_errors() {
    let body = r#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"unauthorized"},"id":1}"#;
    let error = ProbeClient::new(canned(401, body).await).unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(&error, Error::Remote { code: -32001, message, .. } if message == "unauthorized"), "{error:?}");
    let error =
        ProbeClient::new(canned(503, "down for maintenance").await).unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(&error, Error::Status { status, body, .. } if *status == 503 && body == "down for maintenance"));
    assert_eq!(error.to_string(), "`echo` got HTTP 503 Service Unavailable: down for maintenance");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    // Accepts connections, reads nothing, answers nothing.
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = ProbeClient::builder(url).timeout(Duration::from_millis(200)).build().unwrap();
    let started = Instant::now();
    let error = client.echo("x".into()).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn a_caller_supplied_reqwest_client_gets_the_default_headers_too() {
    let url = common::serve_probe().await;
    let c = ProbeClient::builder(url)
        .reqwest_client(reqwest::Client::new())
        .header("x-authentication-token", "mine")
        .build()
        .unwrap();
    assert_eq!(c.header("x-authentication-token".into()).await.unwrap().as_deref(), Some("mine"));
}

#[tokio::test]
async fn the_handler_sees_the_peer_address() {
    #[remotipy::remote]
    trait Peer {
        async fn peer(&self) -> Option<String>;
    }
    struct P;
    impl Peer for P {
        async fn peer(&self) -> Option<String> {
            remotipy::Context::current()?.peer_addr().map(|a| a.ip().to_string())
        }
    }
    let url = common::serve(PeerServer::new(P).into_router()).await;
    assert_eq!(PeerClient::new(url).unwrap().peer().await.unwrap().as_deref(), Some("127.0.0.1"));
}

#[tokio::test]
async fn unencodable_arguments_and_results_are_clean_errors() {
    use std::collections::BTreeMap;
    // JSON object keys must be strings: these maps serialize with an error.
    #[remotipy::remote]
    trait Maps {
        async fn count(&self, map: BTreeMap<Vec<u8>, u8>) -> usize;
        async fn make(&self) -> BTreeMap<Vec<u8>, u8>;
    }
    struct M;
    impl Maps for M {
        async fn count(&self, map: BTreeMap<Vec<u8>, u8>) -> usize {
            map.len()
        }
        async fn make(&self) -> BTreeMap<Vec<u8>, u8> {
            [(vec![1], 1)].into()
        }
    }
    let client = MapsClient::in_process(MapsServer::new(M).into_server());
    let error = client.count([(vec![1u8], 1u8)].into()).await.unwrap_err();
    assert!(matches!(error, Error::Encode { method: "count", .. }), "{error:?}");
    assert!(error.to_string().contains("key must be a string"), "{error}");
    let error = client.make().await.unwrap_err();
    assert_eq!(error.code(), Some(-32603), "{error:?}");
    assert!(error.to_string().contains("cannot encode the result"), "{error}");
}
