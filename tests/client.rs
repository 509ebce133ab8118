//! The generated client, one suite run over every transport: reqwest and
//! hyper over a real loopback socket (HTTP/1.1, HTTP/2 with prior
//! knowledge, and with automatic batching on), and in-process over a server and over
//! an axum router (no socket, same encode → dispatch → decode path). Then
//! the failures only a real network can produce, over both network
//! transports. With the `msgpack` feature, the suite also runs with
//! MessagePack bodies.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{ProbeClient, ProbeError, ProbeImpl, ProbeServer, sample_record};
#[cfg(feature = "msgpack")]
use remotipy::Codec;
use remotipy::{CallOptions, ClientBuilder, Error};

#[derive(Clone, Copy, Debug)]
enum Transport {
    Reqwest,
    #[cfg(feature = "hyper")]
    Hyper,
    /// reqwest, speaking HTTP/2 with prior knowledge (h2c).
    H2Reqwest,
    /// The hyper transport over one multiplexed HTTP/2 connection (h2c).
    #[cfg(feature = "hyper")]
    H2Hyper,
    /// reqwest, concurrent calls sent as automatic batches (no window).
    AutoBatch,
    /// The hyper transport, automatic batches gathered over 2 ms.
    #[cfg(feature = "hyper")]
    AutoBatchWindow,
    /// reqwest, automatic batches in MessagePack.
    #[cfg(feature = "msgpack")]
    AutoBatchMsgPack,
    InProcess,
    InProcessRouter,
    /// A transport of the user's (`ClientBuilder::with_transport`).
    Custom,
    /// hyper-util's pooled client (`HyperTransport::with_client`, the way to TLS), as a custom transport.
    #[cfg(feature = "hyper")]
    HyperClient,
    /// reqwest, with MessagePack bodies.
    #[cfg(feature = "msgpack")]
    ReqwestMsgPack,
    /// In-process through a router (so content-type negotiation runs), with MessagePack bodies.
    #[cfg(feature = "msgpack")]
    InProcessRouterMsgPack,
}

/// A fresh server and a builder for a client of it over `transport`.
async fn builder(transport: Transport) -> ClientBuilder<ProbeClient> {
    builder_of(transport, ProbeServer::new(ProbeImpl::default()).into_server()).await
}

/// A builder for a client of `server` over `transport`.
async fn builder_of(transport: Transport, server: remotipy::Server) -> ClientBuilder<ProbeClient> {
    match transport {
        Transport::InProcess => ClientBuilder::in_process(server),
        Transport::InProcessRouter => ClientBuilder::in_process(server.into_router()),
        Transport::Custom => ClientBuilder::with_transport(Counting::over(server)),
        #[cfg(feature = "msgpack")]
        Transport::InProcessRouterMsgPack => ClientBuilder::in_process(server.into_router()).codec(Codec::MsgPack),
        network => over(network, common::serve(server.into_router()).await),
    }
}

/// A builder for a client of `url` over a network transport.
fn over(transport: Transport, url: String) -> ClientBuilder<ProbeClient> {
    match transport {
        #[cfg(feature = "hyper")]
        Transport::Hyper => ProbeClient::builder(url).hyper(),
        Transport::H2Reqwest => ProbeClient::builder(url).http2_prior_knowledge(),
        Transport::AutoBatch => ProbeClient::builder(url).auto_batch(Duration::ZERO),
        #[cfg(feature = "hyper")]
        Transport::AutoBatchWindow => ProbeClient::builder(url).hyper().auto_batch(Duration::from_millis(2)),
        #[cfg(feature = "msgpack")]
        Transport::AutoBatchMsgPack => ProbeClient::builder(url).codec(Codec::MsgPack).auto_batch(Duration::ZERO),
        #[cfg(feature = "hyper")]
        Transport::H2Hyper => ProbeClient::builder(url).hyper().http2_prior_knowledge(),
        #[cfg(feature = "msgpack")]
        Transport::ReqwestMsgPack => ProbeClient::builder(url).codec(Codec::MsgPack),
        #[cfg(feature = "hyper")]
        Transport::HyperClient => {
            let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
            connector.set_nodelay(true);
            let client =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(connector);
            ClientBuilder::with_transport(remotipy::transport::HyperTransport::with_client(
                client,
                url.parse().unwrap(),
            ))
        }
        _ => ProbeClient::builder(url),
    }
}

/// A transport of the user's: counts what it carries, then hands it to an
/// in-process server.
struct Counting {
    inner: remotipy::transport::InProcess,
    sent: Arc<AtomicUsize>,
}

impl Counting {
    fn new() -> Self {
        Counting::over(ProbeServer::new(ProbeImpl::default()).into_server())
    }

    fn over(server: remotipy::Server) -> Self {
        Counting { inner: remotipy::transport::InProcess::new(server), sent: Arc::default() }
    }
}

impl remotipy::transport::Transport for Counting {
    fn send<'a>(
        &'a self,
        request: remotipy::transport::TransportRequest<'a>,
    ) -> remotipy::transport::BoxFuture<'a, Result<remotipy::transport::TransportResponse, remotipy::transport::BoxError>>
    {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.inner.send(request)
    }

    fn open<'a>(
        &'a self,
        request: remotipy::transport::TransportRequest<'a>,
    ) -> remotipy::transport::BoxFuture<'a, Result<remotipy::transport::StreamingResponse, remotipy::transport::BoxError>>
    {
        self.sent.fetch_add(1, Ordering::Relaxed);
        self.inner.open(request)
    }

    fn endpoint(&self) -> &str {
        "counting"
    }
}

#[tokio::test]
async fn a_custom_transport_carries_every_call_with_the_builders_settings() {
    let transport = Counting::new();
    let sent = transport.sent.clone();
    let c: ProbeClient =
        ClientBuilder::with_transport(transport).header("x-authentication-token", "t0k3n").build().unwrap();
    assert_eq!(c.client().endpoint(), "counting");
    assert_eq!(c.header("x-authentication-token".into()).await.unwrap().as_deref(), Some("t0k3n"));
    assert_eq!(c.sum(1, 2).await.unwrap(), 3);
    assert_eq!(sent.load(Ordering::Relaxed), 2);
    // The builder's response limit reaches it with every call.
    let limited: ProbeClient = ClientBuilder::with_transport(Counting::new()).max_response_size(64).build().unwrap();
    let error = limited.echo("x".repeat(100)).await.unwrap_err();
    assert!(error.to_string().contains("exceeds the limit of 64 bytes"), "{error}");
}

/// An app that mounts the endpoint at a path is called in-process at that path.
#[tokio::test]
async fn in_process_calls_reach_a_router_at_the_endpoints_path() {
    let app = axum::Router::new().route("/api/rpc", ProbeServer::new(ProbeImpl::default()).into_route());
    let c = ProbeClient::in_process(remotipy::transport::InProcess::from(app.clone()).at("/api/rpc").unwrap());
    assert_eq!(c.sum(1, 2).await.unwrap(), 3);
    let at_root = ProbeClient::in_process(app);
    let error = at_root.sum(1, 2).await.unwrap_err();
    assert!(matches!(error, Error::Status { status: http::StatusCode::NOT_FOUND, .. }), "{error:?}");
    // It says where it went, and how to go elsewhere.
    assert!(error.to_string().contains("nothing is mounted at `/` of this router"), "{error}");
    assert!(error.to_string().contains(r#"InProcess::from(router).at("/rpc")"#), "{error}");
}

async fn client(transport: Transport) -> ProbeClient {
    builder(transport).await.build().unwrap()
}

/// Runs each case once per transport, as its own test: `name::Transport::case`.
macro_rules! suite {
    ($name:ident: $($(#[$attr:meta])* $transport:ident),*; $cases:tt) => {
        mod $name {
            $( cases!($(#[$attr])* $transport $cases); )*
        }
    };
}

macro_rules! cases {
    ($(#[$attr:meta])* $transport:ident [$($case:ident),* $(,)?]) => {
        $(#[$attr])*
        #[allow(non_snake_case)]
        mod $transport {
            $( #[tokio::test] async fn $case() { super::super::$case(super::super::Transport::$transport).await } )*
        }
    };
}

suite!(network: Reqwest, #[cfg(feature = "hyper")] Hyper, #[cfg(feature = "hyper")] HyperClient; [
    a_server_that_is_down_is_a_transport_error, a_wrong_path_is_an_http_status_error,
    garbage_wrong_ids_and_half_answers_are_decode_errors, http_errors_with_a_json_rpc_body_are_read_as_remote_errors,
    a_server_that_never_answers_times_out, connections_are_reused, connections_the_server_closed_are_not_reused,
    a_body_over_the_servers_limit_is_413_every_time]);

// A custom transport's response limit is its own, so this one runs over the builder's transports.
suite!(limits: Reqwest, #[cfg(feature = "hyper")] Hyper, H2Reqwest, #[cfg(feature = "hyper")] H2Hyper; [oversized_responses_are_refused]);

suite!(every: Reqwest, #[cfg(feature = "hyper")] Hyper, H2Reqwest, #[cfg(feature = "hyper")] H2Hyper,
    AutoBatch, #[cfg(feature = "hyper")] AutoBatchWindow, #[cfg(feature = "msgpack")] AutoBatchMsgPack, InProcess, InProcessRouter, Custom, #[cfg(feature = "hyper")] HyperClient,
    #[cfg(feature = "msgpack")] ReqwestMsgPack, #[cfg(feature = "msgpack")] InProcessRouterMsgPack; [typed_results_round_trip,
    optional_arguments_may_be_none,
    application_errors_come_back_typed,
    remote_failures_carry_code_and_message,
    default_and_per_call_headers_reach_the_handler,
    a_per_call_header_replaces_the_default_of_its_name,
    timeouts_fire_and_per_call_timeouts_override,
    notifications_are_sent_and_run,
    concurrent_calls_on_one_client_all_get_their_own_answer,
    batches_answer_each_call_in_one_request,
    batches_carry_headers_and_time_out_as_a_whole,
    batches_refused_as_a_whole_say_so,
    streams_deliver_every_item_in_order,
    a_stream_refused_at_setup_is_an_application_error,
    an_item_error_or_a_panic_ends_the_stream_with_it,
    dropping_a_stream_stops_its_producer,
    the_first_item_and_every_silence_are_bounded,
    a_server_shutting_down_ends_open_streams,
    streams_in_a_batch_are_collected]);

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
    let per_call = c.with_options(CallOptions::new().header("x-request-tag", "once")).unwrap();
    assert_eq!(per_call.header("x-request-tag".into()).await.unwrap().as_deref(), Some("once"));
    assert_eq!(per_call.header("x-authentication-token".into()).await.unwrap().as_deref(), Some("t0k3n"));
    // The original client is unchanged.
    assert_eq!(c.header("x-request-tag".into()).await.unwrap(), None);
}

/// One rule on every transport: builder calls add up, a per-call header
/// replaces the client's headers of its name, the others stay.
async fn a_per_call_header_replaces_the_default_of_its_name(t: Transport) {
    let mut more = http::HeaderMap::new();
    more.append("x-tag", http::HeaderValue::from_static("b"));
    more.append("x-other", http::HeaderValue::from_static("o"));
    let c = builder(t).await.header("x-token", "default").header("x-tag", "a").headers(more).build().unwrap();
    let values = |c: ProbeClient, name: &'static str| async move { c.header_values(name.into()).await.unwrap() };
    assert_eq!(values(c.clone(), "x-token").await, ["default"]);
    assert_eq!(values(c.clone(), "x-tag").await, ["a", "b"]);
    let per_call = c.with_options(CallOptions::new().header("x-token", "call").header("x-tag", "c")).unwrap();
    assert_eq!(values(per_call.clone(), "x-token").await, ["call"]);
    assert_eq!(values(per_call.clone(), "x-tag").await, ["c"]);
    assert_eq!(values(per_call, "x-other").await, ["o"]);
}

async fn timeouts_fire_and_per_call_timeouts_override(t: Transport) {
    let c = builder(t).await.timeout(Duration::from_millis(100)).build().unwrap();
    let started = Instant::now();
    let error = c.sleep(5_000).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(error.to_string(), "`sleep` timed out after 100ms");
    let patient = c.with_options(CallOptions::new().timeout(Duration::from_secs(5))).unwrap();
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

async fn batches_answer_each_call_in_one_request(t: Transport) {
    let c = client(t).await;
    let mut batch = c.batch();
    let sum = batch.sum(40, 2);
    let refused = batch.refuse("no".into());
    batch.log("from a batch".into());
    let boom = batch.boom("secret".into());
    let record = batch.record(sample_record());
    let mut replies = batch.send_batch().await.unwrap();
    // Read in any order.
    assert_eq!(replies.take(record).unwrap(), sample_record());
    assert_eq!(replies.take(sum).unwrap(), 42);
    let error = replies.take(refused).unwrap_err();
    assert!(matches!(&error, Error::App(ProbeError::Refused { reason }) if reason == "no"), "{error:?}");
    let error = replies.take(boom).unwrap_err();
    assert!(matches!(&error, Error::Remote { method: "boom", code: -32603, .. }), "{error:?}");
    assert_eq!(c.logged().await.unwrap(), ["from a batch"]);
    // Nothing to send, and only notifications: both fine.
    c.batch().send_batch().await.unwrap();
    let mut only_notifications = c.batch();
    only_notifications.log("second".into());
    only_notifications.send_batch().await.unwrap();
    assert_eq!(c.logged().await.unwrap(), ["from a batch", "second"]);
}

async fn batches_carry_headers_and_time_out_as_a_whole(t: Transport) {
    let c = builder(t).await.header("x-authentication-token", "t0k3n").build().unwrap();
    let mut batch = c.with_options(CallOptions::new().header("x-request-tag", "once")).unwrap().batch();
    let (token, tag) = (batch.header("x-authentication-token".into()), batch.header("x-request-tag".into()));
    let mut replies = batch.send_batch().await.unwrap();
    assert_eq!(replies.take(token).unwrap().as_deref(), Some("t0k3n"));
    assert_eq!(replies.take(tag).unwrap().as_deref(), Some("once"));

    let impatient = c.with_options(CallOptions::new().timeout(Duration::from_millis(100))).unwrap();
    let mut batch = impatient.batch();
    let _quick = batch.sum(1, 1);
    let _slow = batch.sleep(5_000);
    let started = Instant::now();
    let error = batch.send_batch().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

async fn batches_refused_as_a_whole_say_so(t: Transport) {
    let c = client(t).await;
    let mut batch = c.batch();
    let handles: Vec<_> = (0..1025).map(|i| batch.sum(i, 1)).collect();
    let error = batch.send_batch().await.unwrap_err();
    assert!(matches!(&error, Error::Remote { method: "batch", code: -32600, .. }), "{error:?}");
    assert!(error.to_string().contains("exceeds the limit of 1024"), "{error}");
    drop(handles);
}

// ---- streams ----

async fn collect<T: std::fmt::Debug, E: std::fmt::Debug>(
    items: impl futures_util::Stream<Item = Result<T, Error<E>>>,
) -> Vec<Result<T, String>> {
    use futures_util::StreamExt;
    items.map(|item| item.map_err(|e| format!("{e:?}"))).collect().await
}

async fn streams_deliver_every_item_in_order(t: Transport) {
    let c = client(t).await;
    let items = collect(c.count(5, 0, 0, None, None).await.unwrap()).await;
    assert_eq!(items, [Ok(0), Ok(1), Ok(2), Ok(3), Ok(4)]);
    assert!(collect(c.count(0, 0, 0, None, None).await.unwrap()).await.is_empty());
    // Many items, faster than the network: none lost, none repeated.
    let many: Vec<u64> =
        collect(c.count(10_000, 0, 0, None, None).await.unwrap()).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(many, (0..10_000).collect::<Vec<_>>());
    // The plain shape: `impl Stream<Item = T>`, no error type.
    let words = vec!["a".to_owned(), "b".to_owned()];
    let records = collect(c.records(words).await.unwrap()).await;
    assert_eq!(records.iter().map(|r| r.as_ref().unwrap().name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
}

async fn a_stream_refused_at_setup_is_an_application_error(t: Transport) {
    let c = client(t).await;
    let error = c.count(2_000_000, 0, 0, None, None).await.unwrap_err();
    assert!(matches!(&error, Error::App(ProbeError::Refused { reason }) if reason.contains("too many")), "{error:?}");
}

async fn an_item_error_or_a_panic_ends_the_stream_with_it(t: Transport) {
    let c = client(t).await;
    let items = collect(c.count(5, 0, 0, Some(2), None).await.unwrap()).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert_eq!(items[..2], [Ok(0), Ok(1)]);
    assert!(items[2].as_ref().unwrap_err().contains("item 2 fails"), "{items:?}");
    let items = collect(c.count(5, 0, 0, None, Some(2)).await.unwrap()).await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[2].as_ref().unwrap_err().contains("-32603"), "{items:?}");
    // The client is fine afterwards.
    assert_eq!(c.sum(1, 2).await.unwrap(), 3);
}

async fn dropping_a_stream_stops_its_producer(t: Transport) {
    use futures_util::StreamExt;
    let c = client(t).await;
    let mut items = c.count(u64::MAX, 0, 5, None, None).await.unwrap();
    for expected in 0..3 {
        assert_eq!(items.next().await.unwrap().unwrap(), expected);
    }
    drop(items);
    // The server drops the stream when the connection goes: it can produce no more.
    let started = Instant::now();
    while c.streams_gone().await.unwrap() == 0 {
        assert!(started.elapsed() < Duration::from_secs(5), "the server kept the dropped stream");
        tokio::task::yield_now().await;
    }
    let stopped = c.produced().await.unwrap();
    assert!(stopped < 20, "{stopped} items produced for 3 read");
}

/// The call's timeout bounds the wait for the first item, from the call;
/// the idle timeout each silence after it.
async fn the_first_item_and_every_silence_are_bounded(t: Transport) {
    use futures_util::StreamExt;
    let c = builder(t).await.timeout(Duration::from_millis(300)).build().unwrap();
    let started = Instant::now();
    let mut late = c.count(3, 5_000, 0, None, None).await.unwrap();
    let error = late.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Timeout { after, .. } if after == Duration::from_millis(300)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    assert!(late.next().await.is_none(), "a stream ends after its error");

    let c = builder(t).await.stream_idle_timeout(Some(Duration::from_millis(300))).build().unwrap();
    let mut stalls = c.count(3, 0, 5_000, None, None).await.unwrap();
    assert_eq!(stalls.next().await.unwrap().unwrap(), 0);
    let started = Instant::now();
    let error = stalls.next().await.unwrap().unwrap_err();
    assert!(matches!(error, Error::Timeout { after, .. } if after == Duration::from_millis(300)), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

async fn a_server_shutting_down_ends_open_streams(t: Transport) {
    use futures_util::StreamExt;
    let server = ProbeServer::new(ProbeImpl::default()).into_server();
    let c = builder_of(t, server.clone()).await.build().unwrap();
    let mut items = c.count(u64::MAX, 0, 20, None, None).await.unwrap();
    assert_eq!(items.next().await.unwrap().unwrap(), 0);
    server.shutdown();
    let mut rest = Vec::new();
    while let Some(item) = items.next().await {
        rest.push(item);
    }
    let last = rest.pop().unwrap().unwrap_err();
    assert_eq!(last.code(), Some(remotipy::protocol::code::SHUTTING_DOWN), "{last:?}");
    assert!(rest.iter().all(Result::is_ok), "{rest:?}");
}

async fn streams_in_a_batch_are_collected(t: Transport) {
    let c = client(t).await;
    let mut batch = c.batch();
    let (three, refused) = (batch.count(3, 0, 0, None, None), batch.count(2_000_000, 0, 0, None, None));
    let failing = batch.count(3, 0, 0, Some(1), None);
    let mut replies = batch.send_batch().await.unwrap();
    assert_eq!(replies.take(three).unwrap(), [0, 1, 2]);
    assert!(matches!(replies.take(refused).unwrap_err(), Error::App(ProbeError::Refused { .. })));
    assert!(
        matches!(replies.take(failing).unwrap_err(), Error::App(ProbeError::Refused { reason }) if reason.contains("item 1"))
    );
}

// ---- failures only a real network produces ----

#[tokio::test]
async fn an_invalid_url_or_header_is_an_error_not_a_panic() {
    for url in ["not a url", "ftp://host/rpc", "http://", "/relative/rpc", ""] {
        let error = ProbeClient::new(url).unwrap_err();
        assert!(error.to_string().contains("invalid endpoint URL"), "{url}: {error}");
    }
    let error = ProbeClient::builder("http://127.0.0.1:1/rpc").header("bad header", "x").build().unwrap_err();
    assert!(error.to_string().contains("invalid header \"bad header\""), "{error}");
    let error = ProbeClient::builder("http://127.0.0.1:1/rpc").header("x-ok", "bad\nvalue").build().unwrap_err();
    assert!(error.to_string().contains("x-ok"), "{error}");
    #[cfg(feature = "hyper")]
    {
        let error = ProbeClient::builder("https://127.0.0.1:1/rpc").hyper().build().unwrap_err();
        assert!(error.to_string().contains("the hyper transport speaks plain http"), "{error}");
    }
    // Per-call headers follow the same rule: an error, not a panic.
    let client = ProbeClient::new("http://127.0.0.1:1/rpc").unwrap();
    let error = client.with_options(CallOptions::new().header("x-ok", "bad\nvalue")).unwrap_err();
    assert!(error.to_string().contains("invalid header \"x-ok\""), "{error}");
}

/// Without TLS built in, an https endpoint is refused when the client is
/// built, naming the feature, instead of failing every call.
#[cfg(not(feature = "rustls"))]
#[test]
fn https_without_the_rustls_feature_is_a_build_error() {
    let error = ProbeClient::new("https://example.com/rpc").unwrap_err();
    assert!(matches!(error, remotipy::client::BuildError::TlsNotEnabled { .. }), "{error:?}");
    assert!(error.to_string().contains("enable its `rustls` feature"), "{error}");
    // A reqwest client of the caller's may well have TLS: its choice.
    ProbeClient::builder("https://example.com/rpc").reqwest_client(reqwest::Client::new()).build().unwrap();
}

#[cfg(feature = "rustls")]
#[test]
fn https_with_the_rustls_feature_builds() {
    ProbeClient::new("https://example.com/rpc").unwrap();
}

async fn a_server_that_is_down_is_a_transport_error(t: Transport) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    drop(listener);
    let error = over(t, url).build().unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { method: "echo", .. }), "{error:?}");
    // Display says what happened, `source()` why, each once (an error-chain
    // printer shows both without repeating either).
    assert_eq!(error.to_string(), "`echo` could not reach the server");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(!source.is_empty() && !error.to_string().contains(&source), "{source}");
}

async fn a_wrong_path_is_an_http_status_error(t: Transport) {
    let url = common::serve_probe().await.replace("/rpc", "/nope");
    let error = over(t, url).build().unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(error, Error::Status { status, .. } if status == 404), "{error:?}");
}

/// A one-route axum server answering every POST with `body` and `status`.
async fn canned(status: u16, body: &'static str) -> String {
    let route = axum::routing::post(move || async move { (axum::http::StatusCode::from_u16(status).unwrap(), body) });
    common::serve(axum::Router::new().route("/", route)).await
}

async fn garbage_wrong_ids_and_half_answers_are_decode_errors(t: Transport) {
    let cases = [
        ("this is not json", "the body is not JSON"),
        (r#"{"jsonrpc":"2.0","result":"x","id":999}"#, "for call 999, not 1"),
        (r#"{"jsonrpc":"2.0","result":"x"}"#, "does not carry this call's id"),
        (r#"{"jsonrpc":"2.0","id":1}"#, "neither `result` nor `error`"),
        (r#"{"jsonrpc":"2.0","result":42,"id":1}"#, "invalid type: integer `42`, expected a string"),
    ];
    for (body, expected) in cases {
        let client = over(t, canned(200, body).await).build().unwrap();
        let error = client.echo("x".into()).await.unwrap_err();
        assert!(matches!(error, Error::Decode { method: "echo", .. }), "{body}: {error:?}");
        assert!(error.to_string().contains(expected), "{body}: {error}");
    }
    // A batch answered by a lone result, and by an array without its answer.
    let client = over(t, canned(200, r#"{"jsonrpc":"2.0","result":"x","id":1}"#).await).build().unwrap();
    let mut batch = client.batch();
    let _echo = batch.echo("x".into());
    let error = batch.send_batch().await.unwrap_err();
    assert!(matches!(error, Error::Decode { method: "batch", .. }), "{error:?}");
    assert!(error.to_string().contains("not a batch answer"), "{error}");
    let client = over(t, canned(200, r#"[{"jsonrpc":"2.0","result":"x","id":999}]"#).await).build().unwrap();
    let mut batch = client.batch();
    let echo = batch.echo("x".into());
    let error = batch.send_batch().await.unwrap().take(echo).unwrap_err();
    assert!(error.to_string().contains("the batch response has no answer to call 1"), "{error}");
}

async fn http_errors_with_a_json_rpc_body_are_read_as_remote_errors(t: Transport) {
    let body = r#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"unauthorized"},"id":1}"#;
    let error = over(t, canned(401, body).await).build().unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(&error, Error::Remote { code: -32001, message, .. } if message == "unauthorized"), "{error:?}");
    let error = over(t, canned(503, "down for maintenance").await).build().unwrap().echo("x".into()).await.unwrap_err();
    assert!(matches!(&error, Error::Status { status, body, .. } if *status == 503 && body == "down for maintenance"));
    assert_eq!(error.to_string(), "`echo` got HTTP 503 Service Unavailable: down for maintenance");
}

async fn a_server_that_never_answers_times_out(t: Transport) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    // Accepts connections, reads nothing, answers nothing.
    let _silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = over(t, url).timeout(Duration::from_millis(200)).build().unwrap();
    let started = Instant::now();
    let error = client.echo("x".into()).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// A raw HTTP/1.1 server answering each call with `"x"`; it closes each
/// connection after one answer when `close_each` (as a server closing idle
/// connections does, without `Connection: close`). Counts connections.
async fn counting_server(close_each: bool) -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(async move {
                let mut chunk = [0u8; 4096];
                loop {
                    // Headers, then a body ending in the id: `…,"id":N}`.
                    let mut request = Vec::new();
                    while !request.ends_with(b"}") {
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let text = String::from_utf8_lossy(&request);
                    let id = text.rsplit("\"id\":").next().unwrap().trim_end_matches('}').to_owned();
                    let body = format!(r#"{{"jsonrpc":"2.0","result":"x","id":{id}}}"#);
                    let head = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                        body.len()
                    );
                    if socket.write_all((head + &body).as_bytes()).await.is_err() || close_each {
                        return;
                    }
                }
            });
        }
    });
    (url, accepted)
}

async fn connections_are_reused(t: Transport) {
    let (url, accepted) = counting_server(false).await;
    let client = over(t, url).build().unwrap();
    for _ in 0..3 {
        assert_eq!(client.echo("x".into()).await.unwrap(), "x");
    }
    assert_eq!(accepted.load(Ordering::Relaxed), 1);
}

/// Every call still succeeds, each on a fresh connection.
async fn connections_the_server_closed_are_not_reused(t: Transport) {
    let (url, accepted) = counting_server(true).await;
    let client = over(t, url).build().unwrap();
    for _ in 0..3 {
        assert_eq!(client.echo("x".into()).await.unwrap(), "x");
        // Idle time between calls, in which the client learns of the close
        // (what this test is about; nothing is ordered by it).
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(accepted.load(Ordering::Relaxed), 3);
}

/// A body over the server's limit (5 MiB against the default 2 MiB) is
/// `Error::Status(413)` every time: the server reads what the client sends
/// before it answers, so the client sees the answer, not a reset.
async fn a_body_over_the_servers_limit_is_413_every_time(t: Transport) {
    let client = over(t, common::serve_probe().await).build().unwrap();
    let big = "x".repeat(5 << 20);
    for attempt in 0..200 {
        let error = client.echo(big.clone()).await.unwrap_err();
        assert!(
            matches!(&error, Error::Status { status, .. } if *status == 413),
            "attempt {attempt}: {error:?} ({:?})",
            std::error::Error::source(&error)
        );
    }
    assert_eq!(client.echo("small".into()).await.unwrap(), "small");
}

/// A server answering every POST with `size` bytes of JSON string,
/// with or without a Content-Length.
async fn huge(size: usize, chunked: bool) -> String {
    let route = axum::routing::post(move || async move {
        let body = format!(r#"{{"jsonrpc":"2.0","result":"{}","id":1}}"#, "x".repeat(size));
        if chunked {
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
                body.into_bytes().chunks(8192).map(|c| Ok(c.to_vec())).collect();
            axum::body::Body::from_stream(futures_util::stream::iter(chunks))
        } else {
            axum::body::Body::from(body)
        }
    });
    common::serve(axum::Router::new().route("/", route)).await
}

async fn oversized_responses_are_refused(t: Transport) {
    for chunked in [false, true] {
        let url = huge(4 << 20, chunked).await;
        let client = over(t, url.clone()).max_response_size(64 << 10).build().unwrap();
        let error = client.echo("x".into()).await.unwrap_err();
        assert!(matches!(error, Error::Decode { .. }), "chunked={chunked}: {error:?}");
        assert!(error.to_string().contains("exceeds the limit of 65536 bytes"), "{error}");
        // Under the default limit (16 MiB) the same answer is fine.
        let client = over(t, url.clone()).build().unwrap();
        assert_eq!(client.echo("x".into()).await.unwrap().len(), 4 << 20);
    }
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
    assert_eq!(error.to_string(), "`count` could not encode its arguments");
    let source = std::error::Error::source(&error).unwrap().to_string();
    assert!(source.contains("key must be a string"), "{source}");
    let error = client.make().await.unwrap_err();
    assert_eq!(error.code(), Some(-32603), "{error:?}");
    assert!(error.to_string().contains("`make` returned a result that cannot be encoded"), "{error}");
    // In a batch, the unencodable call fails alone; the others still go.
    let mut batch = client.batch();
    let (bad, good) = (batch.count([(vec![1u8], 1u8)].into()), batch.count(BTreeMap::new()));
    let mut replies = batch.send_batch().await.unwrap();
    assert!(matches!(replies.take(bad).unwrap_err(), Error::Encode { method: "count", .. }));
    assert_eq!(replies.take(good).unwrap(), 0);
}

// ---- open streams and the per-endpoint bound ----

/// An open stream holds its place at the endpoint as a call does (over
/// HTTP/1.1, a connection; over h2c, a stream of the connection): with all
/// places taken, a call waits for one, within its timeout, and gets it when
/// a stream ends. Over every network transport.
#[tokio::test]
async fn open_streams_hold_places_of_the_per_endpoint_bound() {
    use futures_util::StreamExt;
    type Builder = fn(String) -> remotipy::ClientBuilder<ProbeClient>;
    let transports: &[(&str, Builder)] = &[
        ("reqwest", |url| ProbeClient::builder(url)),
        ("reqwest h2c", |url| ProbeClient::builder(url).http2_prior_knowledge()),
        #[cfg(feature = "hyper")]
        ("hyper", |url| ProbeClient::builder(url).hyper()),
        #[cfg(feature = "hyper")]
        ("hyper h2c", |url| ProbeClient::builder(url).hyper().http2_prior_knowledge()),
    ];
    for (name, builder) in transports {
        let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
        let client = builder(url).max_connections_per_endpoint(4).timeout(Duration::from_millis(300)).build().unwrap();
        let mut streams = Vec::new();
        for _ in 0..4 {
            let mut items = client.count(u64::MAX, 0, 50, None, None).await.unwrap();
            assert_eq!(items.next().await.unwrap().unwrap(), 0);
            streams.push(items);
        }
        let error = client.echo("x".into()).await.unwrap_err();
        assert!(error.is_timeout(), "{name}: a fifth exchange waits for a place: {error:?}");
        drop(streams.pop());
        assert_eq!(client.echo("x".into()).await.unwrap(), "x", "{name}");
        let connections = accepted.load(Ordering::Relaxed);
        assert!(connections <= 5, "{name}: {connections} connections");
    }
}

/// With the default settings, reqwest's h2c (one connection per endpoint)
/// never reaches a hyper server's limit of 200 streams on it: the default
/// bound (128) holds the 129th exchange until a place is free.
#[tokio::test]
async fn by_default_h2c_streams_stop_at_the_bound_not_at_the_servers_limit() {
    use futures_util::StreamExt;
    let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
    let client = ProbeClient::builder(url).http2_prior_knowledge().timeout(Duration::from_millis(500)).build().unwrap();
    let mut streams = Vec::new();
    for _ in 0..remotipy::client::DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT {
        let mut items = client.count(u64::MAX, 0, 1_000, None, None).await.unwrap();
        assert_eq!(items.next().await.unwrap().unwrap(), 0);
        streams.push(items);
    }
    assert!(client.echo("x".into()).await.unwrap_err().is_timeout(), "the 129th waits for a place");
    drop(streams.pop());
    assert_eq!(client.echo("x".into()).await.unwrap(), "x");
    assert_eq!(accepted.load(Ordering::Relaxed), 1, "one connection carries them all");
}

/// Over h2c, more streams than a server allows on one connection (hyper's
/// default, 200) stall no call: the hyper transport opens another
/// connection every 100 exchanges in flight.
#[cfg(feature = "hyper")]
#[tokio::test]
async fn h2c_streams_beyond_one_connections_limit_stall_nothing() {
    use futures_util::StreamExt;
    let (url, accepted) = common::counting_listener(common::serve_probe_router()).await;
    let client = ProbeClient::builder(url)
        .hyper()
        .http2_prior_knowledge()
        .max_connections_per_endpoint(1000)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut streams = Vec::new();
    for _ in 0..250 {
        let mut items = client.count(u64::MAX, 0, 1_000, None, None).await.unwrap();
        assert_eq!(items.next().await.unwrap().unwrap(), 0);
        streams.push(items);
    }
    let started = Instant::now();
    assert_eq!(client.echo("x".into()).await.unwrap(), "x");
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(accepted.load(Ordering::Relaxed), 3, "250 streams and a call on 100 per connection");
}

/// A server's own limit on streams per HTTP/2 connection can be raised
/// (here through hyper-util's server, as docs/deployment.md shows): then
/// one reqwest h2c connection carries more than hyper's default 200.
#[tokio::test]
async fn a_servers_http2_stream_limit_can_be_raised() {
    use futures_util::StreamExt;
    use hyper_util::rt::{TokioExecutor, TokioIo};
    use hyper_util::server::conn::auto::Builder;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let app = common::serve_probe_router();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                let mut builder = Builder::new(TokioExecutor::new());
                builder.http2().max_concurrent_streams(500);
                let _ = builder.serve_connection(TokioIo::new(socket), service).await;
            });
        }
    });
    let client = ProbeClient::builder(url)
        .http2_prior_knowledge()
        .max_connections_per_endpoint(400)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut streams = Vec::new();
    for _ in 0..300 {
        let mut items = client.count(u64::MAX, 0, 1_000, None, None).await.unwrap();
        assert_eq!(items.next().await.unwrap().unwrap(), 0);
        streams.push(items);
    }
    assert_eq!(client.echo("x".into()).await.unwrap(), "x");
}
