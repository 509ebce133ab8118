//! RPC-level layers (tower) on both sides: the server's around every call
//! (batch entries too), the client's around every attempt. Their order,
//! errors a layer raises, a layer that answers by itself, what a layer
//! sees, and a layer's panic.

mod common;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use common::{ProbeClient, ProbeImpl, ProbeServer};
use remotipy::client::{AttemptRequest, AttemptResponse, AttemptStack};
use remotipy::protocol::ErrorObject;
use remotipy::server::{CallStack, RpcCall};
use remotipy::service::{BoxFuture, Reply};
use remotipy::transport::{BoxError, TransportResponse};
use remotipy::{CallOptions, Error};

type Log = Arc<Mutex<Vec<String>>>;

/// What a test's server layer does around a call: before it (`Some` answers
/// the call there, the inner service untouched), and after it.
type Before = Arc<dyn Fn(&RpcCall) -> Option<Reply> + Send + Sync>;

/// A server layer that logs `name in`/`name out` around each call and asks
/// `before` whether to answer by itself.
#[derive(Clone)]
struct Around<S> {
    inner: S,
    name: &'static str,
    log: Log,
    before: Before,
}

impl<S> tower::Service<RpcCall> for Around<S>
where
    S: tower::Service<RpcCall, Response = Reply, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Reply;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Reply, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: RpcCall) -> Self::Future {
        let (name, log) = (self.name, self.log.clone());
        log.lock().unwrap().push(format!("{name} in {}", call.method()));
        if let Some(reply) = (self.before)(&call) {
            log.lock().unwrap().push(format!("{name} answered {}", call.method()));
            return Box::pin(async move { Ok(reply) });
        }
        let reply = self.inner.call(call);
        Box::pin(async move {
            let reply = reply.await?;
            log.lock().unwrap().push(format!("{name} out{}", if reply.is_error() { " (error)" } else { "" }));
            Ok(reply)
        })
    }
}

fn around(
    name: &'static str,
    log: &Log,
    before: Before,
) -> impl tower::Layer<CallStack, Service = Around<CallStack>> + use<> {
    let log = log.clone();
    tower::layer::layer_fn(move |inner| Around { inner, name, log: log.clone(), before: before.clone() })
}

fn pass() -> Before {
    Arc::new(|_| None)
}

/// The probe, counting the calls its handlers ran, behind `layers`.
async fn server_with(layers: impl FnOnce(remotipy::ServerBuilder) -> remotipy::ServerBuilder) -> String {
    let builder = remotipy::Server::builder().service(ProbeServer::new(ProbeImpl::default()));
    common::serve(layers(builder).build().unwrap().into_router()).await
}

#[tokio::test]
async fn server_layers_run_in_order_around_every_call_batch_entries_too() {
    let log = Log::default();
    let url = server_with(|b| b.layer(around("outer", &log, pass())).layer(around("inner", &log, pass()))).await;
    let probe = ProbeClient::new(&url).unwrap();
    assert_eq!(probe.echo("x".into()).await.unwrap(), "x");
    assert_eq!(*log.lock().unwrap(), ["outer in echo", "inner in echo", "inner out", "outer out"]);
    log.lock().unwrap().clear();
    let mut batch = probe.batch();
    let (a, b) = (batch.echo("a".into()), batch.echo("b".into()));
    let mut replies = batch.send_batch().await.unwrap();
    assert_eq!((replies.take(a).unwrap(), replies.take(b).unwrap()), ("a".to_owned(), "b".to_owned()));
    let entered = log.lock().unwrap().iter().filter(|line| line.starts_with("outer in echo")).count();
    assert_eq!(entered, 2, "each batch entry passes the layers: {:?}", log.lock().unwrap());
    // Unknown methods pass too (the dispatcher answers -32601 below them).
    log.lock().unwrap().clear();
    let error = remotipy::Client::new(&url).unwrap().request::<_, String>("nope", &()).await.unwrap_err();
    assert_eq!(error.code(), Some(-32601));
    assert_eq!(*log.lock().unwrap(), ["outer in nope", "inner in nope", "inner out (error)", "outer out (error)"]);
}

/// A layer refusing calls (a header check): its error is the call's, the
/// handler never runs, and calls it lets through are answered as usual.
#[tokio::test]
async fn a_server_layer_refuses_with_an_error_and_the_handler_never_runs() {
    let log = Log::default();
    let refuse: Before = Arc::new(|call: &RpcCall| {
        let context = remotipy::Context::current().expect("a layer runs in its request's context");
        let allowed = context.headers().get("x-token").is_some_and(|v| v == "open");
        (!allowed).then(|| Reply::error(ErrorObject::new(-32001, format!("`{}` needs a token", call.method()))))
    });
    let url = server_with(|b| b.layer(around("auth", &log, refuse))).await;
    let probe = ProbeClient::new(&url).unwrap();
    let error = probe.echo("x".into()).await.unwrap_err();
    assert!(
        matches!(&error, Error::Remote { code: -32001, message, .. } if message == "`echo` needs a token"),
        "{error:?}"
    );
    assert_eq!(probe.logged().await.unwrap_err().code(), Some(-32001));
    let with_token = probe.with_options(CallOptions::new().header("x-token", "open")).unwrap();
    assert_eq!(with_token.echo("x".into()).await.unwrap(), "x");
    // A refused notification does not run either; an allowed one does.
    probe.log("refused".into()).await.unwrap();
    with_token.log("allowed".into()).await.unwrap();
    assert_eq!(with_token.logged().await.unwrap(), ["allowed"]);
}

/// A layer that answers a call by itself (a cache): the reply it builds
/// with `RpcCall::ok`, from the params it decodes; the handler never runs.
#[tokio::test]
async fn a_server_layer_answers_by_itself() {
    let log = Log::default();
    let cached: Before = Arc::new(|call: &RpcCall| {
        #[derive(serde::Deserialize)]
        struct Echo {
            text: String,
        }
        let echo = call.decode::<Echo>(&["text"]).ok().filter(|_| call.method() == "echo")?;
        (echo.text == "cached").then(|| call.ok("from the cache"))
    });
    let url = server_with(|b| b.layer(around("cache", &log, cached))).await;
    let probe = ProbeClient::new(&url).unwrap();
    assert_eq!(probe.echo("cached".into()).await.unwrap(), "from the cache");
    assert_eq!(probe.echo("fresh".into()).await.unwrap(), "fresh");
    assert_eq!(log.lock().unwrap()[..2], ["cache in echo", "cache answered echo"]);
    // What the layer saw: the params as sent, the method's declaration.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        Arc::new(move |call: &RpcCall| {
            let info = call.info().map(|info| (info.trait_name, info.idempotent));
            let params = String::from_utf8_lossy(call.params().unwrap_or_default()).into_owned();
            seen.lock().unwrap().push((call.method().to_owned(), params, info, call.is_notification()));
            None
        }) as Before
    };
    let url = server_with(|b| b.layer(around("record", &log, record))).await;
    let probe = ProbeClient::new(&url).unwrap();
    probe.echo("hi".into()).await.unwrap();
    probe.log("one-way".into()).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], ("echo".to_owned(), r#"{"text":"hi"}"#.to_owned(), Some(("Probe", false)), false));
    assert_eq!((seen[1].0.as_str(), seen[1].3), ("log", true));
}

/// A layer that panics costs its call a `-32603`, nothing more.
#[tokio::test]
async fn a_server_layers_panic_is_contained_to_its_call() {
    let log = Log::default();
    let panics: Before = Arc::new(|call: &RpcCall| if call.method() == "echo" { panic!("layer bug") } else { None });
    let url = server_with(|b| b.layer(around("buggy", &log, panics))).await;
    let probe = ProbeClient::new(&url).unwrap();
    let error = probe.echo("x".into()).await.unwrap_err();
    assert_eq!(error.code(), Some(-32603), "{error:?}");
    assert_eq!(probe.logged().await.unwrap(), Vec::<String>::new(), "the server still serves");
}

// ---- the client's layers, around every attempt ----

/// A client layer: logs each attempt, may add a header, answer by itself
/// or fail it.
#[derive(Clone)]
struct Attempts<S> {
    inner: S,
    name: &'static str,
    log: Log,
    act: Act,
}

impl<S> tower::Service<AttemptRequest> for Attempts<S>
where
    S: tower::Service<AttemptRequest, Response = AttemptResponse, Error = BoxError>,
    S::Future: Send + 'static,
{
    type Response = AttemptResponse;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<AttemptResponse, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut attempt: AttemptRequest) -> Self::Future {
        let (name, log) = (self.name, self.log.clone());
        log.lock().unwrap().push(format!("{name} in {}", attempt.method()));
        if let Some(done) = (self.act)(&mut attempt) {
            return Box::pin(async move { done });
        }
        let answer = self.inner.call(attempt);
        Box::pin(async move {
            let answer = answer.await;
            let status = answer.as_ref().map(|a| a.status().as_u16().to_string()).unwrap_or_else(|e| e.to_string());
            log.lock().unwrap().push(format!("{name} out {status}"));
            answer
        })
    }
}

type Act = Arc<dyn Fn(&mut AttemptRequest) -> Option<Result<AttemptResponse, BoxError>> + Send + Sync>;

fn attempts(
    name: &'static str,
    log: &Log,
    act: Act,
) -> impl tower::Layer<AttemptStack, Service = Attempts<AttemptStack>> + use<> {
    let log = log.clone();
    tower::layer::layer_fn(move |inner| Attempts { inner, name, log: log.clone(), act: act.clone() })
}

#[tokio::test]
async fn client_layers_run_in_order_and_edit_the_attempts_headers() {
    let log = Log::default();
    let add_token: Act = Arc::new(|attempt: &mut AttemptRequest| {
        attempt.headers_mut().insert("x-token", "from-a-layer".parse().unwrap());
        None
    });
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = {
        let seen = seen.clone();
        Arc::new(move |call: &RpcCall| {
            let context = remotipy::Context::current().unwrap();
            seen.lock().unwrap().push(context.headers().get("x-token").map(|v| v.to_str().unwrap().to_owned()));
            let _ = call;
            None
        }) as Before
    };
    let url = server_with(|b| b.layer(around("server", &Log::default(), record))).await;
    let probe = ProbeClient::builder(&url)
        .layer(attempts("outer", &log, Arc::new(|_| None)))
        .layer(attempts("token", &log, add_token))
        .build()
        .unwrap();
    assert_eq!(probe.echo("x".into()).await.unwrap(), "x");
    assert_eq!(*log.lock().unwrap(), ["outer in echo", "token in echo", "token out 200", "outer out 200"]);
    assert_eq!(*seen.lock().unwrap(), [Some("from-a-layer".to_owned())]);
}

/// A client layer that answers by itself: nothing is sent. One that fails
/// the attempt: the call fails (retried if idempotent, as after a transport
/// failure).
#[tokio::test]
async fn a_client_layer_answers_by_itself_or_fails_the_attempt() {
    let (url, sent) = common::counting_listener(common::serve_probe_router()).await;
    let log = Log::default();
    let cache: Act = Arc::new(|attempt: &mut AttemptRequest| {
        let body = br#"{"jsonrpc":"2.0","result":"cached","id":"#.to_vec();
        let id = serde_json::from_slice::<serde_json::Value>(attempt.body()).unwrap()["id"].to_string();
        let body = [body, id.into_bytes(), b"}".to_vec()].concat();
        let response = TransportResponse::new(http::StatusCode::OK, http::HeaderMap::new(), body.into());
        Some(Ok(AttemptResponse::Whole(response)))
    });
    let probe = ProbeClient::builder(&url).layer(attempts("cache", &log, cache)).build().unwrap();
    assert_eq!(probe.echo("x".into()).await.unwrap(), "cached");
    assert_eq!(sent.load(Ordering::SeqCst), 0, "nothing left the client");
    // Failing every attempt: an idempotent call is tried again, up to the policy's attempts.
    let tries = Arc::new(AtomicUsize::new(0));
    let fail: Act = {
        let tries = tries.clone();
        Arc::new(move |_: &mut AttemptRequest| {
            tries.fetch_add(1, Ordering::SeqCst);
            Some(Err("refused by a layer".into()))
        })
    };
    let probe = ProbeClient::builder(&url).layer(attempts("refuse", &log, fail.clone())).build().unwrap();
    let error = probe.echo("x".into()).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(format!("{error:?}").contains("refused by a layer"), "{error:?}");
    assert_eq!(tries.load(Ordering::SeqCst), 1, "`echo` is not idempotent: one attempt");
    tries.store(0, Ordering::SeqCst);
    let calc = common::api::CalculatorClient::builder(&url).layer(attempts("refuse", &log, fail)).build().unwrap();
    let error = calc.add(1, 2).await.unwrap_err();
    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(tries.load(Ordering::SeqCst) > 1, "an idempotent call is retried after a layer's failure");
}
