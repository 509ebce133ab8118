//! Shared by the integration tests: a probe trait that exercises every
//! feature, its implementation, and a real server on 127.0.0.1:0.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use remotipy::stream::Stream;
use serde::{Deserialize, Serialize};

#[path = "../../examples/api/mod.rs"]
pub mod api;
#[path = "../../examples/app/mod.rs"]
pub mod app;
pub mod nginx;
pub mod process;
pub mod raw;
pub mod relay;
pub mod shapes;

/// A DTO with nesting, optional fields and a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Record {
    pub name: String,
    pub tags: Vec<String>,
    pub score: Option<f64>,
    pub nested: std::collections::BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub enum ProbeError {
    #[error("refused: {reason}")]
    Refused { reason: String },
}

/// Every feature the tests need, in one trait.
#[remotipy::remote]
pub trait Probe {
    /// Returns its argument.
    async fn echo(&self, text: String) -> String;
    async fn record(&self, record: Record) -> Record;
    async fn sum(&self, a: i64, b: i64) -> i64;
    async fn nothing(&self);
    async fn optional(&self, a: i32, b: Option<i32>) -> i32;
    async fn refuse(&self, reason: String) -> Result<u8, ProbeError>;
    /// The value of request header `name`, read through `remotipy::Context`.
    async fn header(&self, name: String) -> Option<String>;
    /// Every value of request header `name`, in order.
    async fn header_values(&self, name: String) -> Vec<String>;
    async fn sleep(&self, millis: u64) -> u64;
    async fn boom(&self, message: String) -> u8;
    #[remote(notification)]
    async fn log(&self, line: String);
    async fn logged(&self) -> Vec<String>;
    #[remote(name = "probe.renamed")]
    async fn renamed(&self) -> String;
    /// How deeply `value` nests arrays.
    async fn depth(&self, value: serde_json::Value) -> u32;
    /// The numbers `0..n`, the first after `first_ms`, then one every
    /// `every_ms`; item `fail_at` is an error, item `panic_at` a panic; more
    /// than 1 000 000 items (but `u64::MAX`: endless) is refused before any.
    async fn count(
        &self,
        n: u64,
        first_ms: u64,
        every_ms: u64,
        fail_at: Option<u64>,
        panic_at: Option<u64>,
    ) -> Result<impl Stream<Item = Result<u64, ProbeError>> + Send, ProbeError>;
    /// How many items `count` has produced so far (the stream borrows the
    /// implementation to count them).
    async fn produced(&self) -> u64;
    /// How many `count` streams have been dropped on the server, read to the
    /// end or not.
    async fn streams_gone(&self) -> u64;
    /// `words`, each a record, as a plain stream (no error type).
    async fn records(&self, words: Vec<String>) -> impl Stream<Item = Record> + Send;
}

#[derive(Default)]
pub struct ProbeImpl {
    log: Mutex<Vec<String>>,
    produced: AtomicU64,
    streams_gone: std::sync::Arc<AtomicU64>,
}

/// Counts a stream dropped, wherever it is dropped.
struct Gone(std::sync::Arc<AtomicU64>);

impl Drop for Gone {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Probe for ProbeImpl {
    async fn echo(&self, text: String) -> String {
        text
    }
    async fn record(&self, record: Record) -> Record {
        record
    }
    async fn sum(&self, a: i64, b: i64) -> i64 {
        a + b
    }
    async fn nothing(&self) {}
    async fn optional(&self, a: i32, b: Option<i32>) -> i32 {
        a + b.unwrap_or(100)
    }
    async fn refuse(&self, reason: String) -> Result<u8, ProbeError> {
        Err(ProbeError::Refused { reason })
    }
    async fn header(&self, name: String) -> Option<String> {
        let ctx = remotipy::Context::current()?;
        ctx.headers().get(name.as_str()).map(|v| v.to_str().unwrap().to_owned())
    }
    async fn header_values(&self, name: String) -> Vec<String> {
        let ctx = remotipy::Context::current().expect("called by the dispatcher");
        ctx.headers().get_all(name.as_str()).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }
    async fn sleep(&self, millis: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        millis
    }
    async fn boom(&self, message: String) -> u8 {
        panic!("{message}")
    }
    async fn log(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }
    async fn logged(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
    async fn renamed(&self) -> String {
        "renamed".into()
    }
    async fn depth(&self, value: serde_json::Value) -> u32 {
        fn depth_of(value: &serde_json::Value) -> u32 {
            match value {
                serde_json::Value::Array(items) => 1 + items.iter().map(depth_of).max().unwrap_or(0),
                _ => 0,
            }
        }
        depth_of(&value)
    }
    async fn count(
        &self,
        n: u64,
        first_ms: u64,
        every_ms: u64,
        fail_at: Option<u64>,
        panic_at: Option<u64>,
    ) -> Result<impl Stream<Item = Result<u64, ProbeError>> + Send, ProbeError> {
        if n > 1_000_000 && n != u64::MAX {
            return Err(ProbeError::Refused { reason: format!("{n} items is too many") });
        }
        // Borrows `self`: the server keeps the implementation alive while the stream is read.
        let produced = &self.produced;
        // The count of streams gone moves with the state: counted when the stream is dropped.
        let gone = Gone(self.streams_gone.clone());
        Ok(futures_util::stream::unfold((0, gone), move |(k, gone)| async move {
            if k >= n {
                return None;
            }
            let wait = if k == 0 { first_ms } else { every_ms };
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(wait)).await;
            } else if k % 64 == 63 {
                tokio::task::yield_now().await;
            }
            assert_ne!(Some(k), panic_at, "the stream panics at item {k}");
            produced.fetch_add(1, Ordering::Relaxed);
            let item = match fail_at == Some(k) {
                true => Err(ProbeError::Refused { reason: format!("item {k} fails") }),
                false => Ok(k),
            };
            Some((item, (k + 1, gone)))
        }))
    }
    async fn produced(&self) -> u64 {
        self.produced.load(Ordering::Relaxed)
    }
    async fn streams_gone(&self) -> u64 {
        self.streams_gone.load(Ordering::SeqCst)
    }
    async fn records(&self, words: Vec<String>) -> impl Stream<Item = Record> + Send {
        futures_util::stream::iter(words.into_iter().map(|name| Record { name, ..sample_record() }))
    }
}

pub fn sample_record() -> Record {
    Record {
        name: "ünïcødé \"quoted\" \\ slash".into(),
        tags: vec!["a".into(), "b".into()],
        score: Some(0.5),
        nested: [("x".to_owned(), 1), ("y".to_owned(), 2)].into(),
    }
}

/// Serves `router` under `/rpc` on a fresh loopback port; returns the
/// endpoint URL. The server lives until the test's runtime shuts down.
pub async fn serve(router: axum::Router) -> String {
    format!("{}/rpc", serve_app(axum::Router::new().nest("/rpc", router)).await)
}

/// Serves a whole `app` on a fresh loopback port; returns `http://host:port`.
pub async fn serve_app(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = app.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// The probe served over HTTP.
pub async fn serve_probe() -> String {
    serve(ProbeServer::new(ProbeImpl::default()).into_router()).await
}

/// The probe as a router to serve at `/rpc`.
pub fn serve_probe_router() -> axum::Router {
    axum::Router::new().nest("/rpc", ProbeServer::new(ProbeImpl::default()).into_router())
}

/// Serves `app` on a fresh loopback port, counting the connections it
/// accepts: `(endpoint URL at /rpc, accepted so far)`.
pub async fn counting_listener(app: axum::Router) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use axum::serve::ListenerExt;
    let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = accepted.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let listener = listener.tap_io(move |_| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/rpc"), accepted)
}

/// Every trait the tests know on one endpoint: the example's Users and
/// Calculator, the probe and the shapes.
pub fn everything() -> remotipy::Server {
    remotipy::Server::builder()
        .service(api::UsersServer::new(app::Directory))
        .service(api::CalculatorServer::new(app::Calc))
        .service(ProbeServer::new(ProbeImpl::default()))
        .service(shapes::ShapesServer::new(shapes::ShapesImpl))
        .build()
        .unwrap()
}

/// POSTs each JSON body in turn over one HTTP/1.1 connection to `url` (a
/// raw socket, no client library): `(status, body)` of each answer. Fails if
/// the server closes the connection before answering them all.
pub async fn on_one_connection(url: &str, bodies: &[&str]) -> Vec<(u16, String)> {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let rest = url.trim_start_matches("http://");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut socket = BufReader::new(tokio::net::TcpStream::connect(authority).await.unwrap());
    let mut answers = Vec::new();
    for body in bodies {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        socket.get_mut().write_all(head.as_bytes()).await.unwrap();
        socket.get_mut().write_all(body.as_bytes()).await.unwrap();
        let mut status_line = String::new();
        let read = socket.read_line(&mut status_line).await.unwrap();
        assert!(read > 0, "the server closed the connection instead of answering {body}");
        let status = status_line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            let mut line = String::new();
            socket.read_line(&mut line).await.unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut answer = vec![0; length];
        socket.read_exact(&mut answer).await.unwrap();
        answers.push((status, String::from_utf8(answer).unwrap()));
    }
    answers
}

/// What `server` answers `body` (in `codec`) with, in this process, through
/// `Server::handle`: `None` for no body (204).
pub async fn answer(server: &remotipy::Server, codec: remotipy::Codec, body: &[u8]) -> Option<Vec<u8>> {
    use http_body_util::BodyExt;
    let mut request = http::Request::new(axum::body::Body::from(body.to_vec()));
    *request.method_mut() = http::Method::POST;
    request.headers_mut().insert(http::header::CONTENT_TYPE, codec.content_type());
    let response = server.handle(request).await;
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (!bytes.is_empty()).then(|| bytes.to_vec())
}

/// A server on its own runtime, on a fixed loopback port, that can be
/// killed (every connection dropped at once, as when a process dies) and
/// started again on the same port.
pub struct Killable {
    pub url: String,
    addr: SocketAddr,
    app: axum::Router,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Killable {
    pub fn start(app: axum::Router) -> Killable {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut server = Killable { url: format!("http://{addr}/rpc"), addr, app, runtime: None };
        server.run(listener);
        server
    }

    fn run(&mut self, listener: std::net::TcpListener) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        listener.set_nonblocking(true).unwrap();
        let app = self.app.clone().into_make_service_with_connect_info::<SocketAddr>();
        runtime.spawn(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap()
        });
        self.runtime = Some(runtime);
    }

    /// Drops every connection and stops listening.
    pub fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }

    /// Listens on the same port again.
    pub fn restart(&mut self) {
        let listener = loop {
            match std::net::TcpListener::bind(self.addr) {
                Ok(listener) => break listener,
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        self.run(listener);
    }
}

impl Drop for Killable {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Whether `program` runs here; fails when CI requires external programs
/// (`REMOTIPY_REQUIRE_EXTERNAL`), else says the test is skipped.
pub fn available(program: &str, args: &[&str]) -> bool {
    let ok = std::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("REMOTIPY_REQUIRE_EXTERNAL").is_none(),
            "`{program}` is required here but does not run"
        );
        // Straight to stderr: the test harness captures `eprintln!` of a
        // passing test, and a skip must show.
        use std::io::Write;
        let test = std::thread::current().name().unwrap_or("a test").to_owned();
        let _ = writeln!(std::io::stderr(), "skipped: {test}: `{program}` is not installed (.ci/run installs it)");
    }
    ok
}
