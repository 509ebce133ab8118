//! Building a client: URL, default headers, timeout, codec, limits and the
//! transport.

use std::marker::PhantomData;
use std::time::Duration;

use http::HeaderMap;
use reqwest::Url;

use super::batch_queue;
use super::build_error::BuildError;
use super::middleware::{self, AttemptRequest, AttemptResponse, AttemptStack};
use super::options::{append, parse_header};
use super::retry::Retry;
use super::untyped::{
    Client, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT, Settings,
};
use crate::codec::Codec;
#[cfg(feature = "server")]
use crate::transport::InProcess;
use crate::transport::{DEFAULT_MAX_RESPONSE_SIZE, ReqwestTransport, Transport};

/// What a [`ClientBuilder`] builds: [`Client`], every generated
/// `<Trait>Client`, and with the `blocking` feature the blocking clients.
pub trait BuildTarget: Sized {
    /// Builds `Self` from the builder's settings.
    #[doc(hidden)]
    fn build(builder: ClientBuilder<Self>) -> Result<Self, BuildError>;
}

impl BuildTarget for Client {
    fn build(builder: ClientBuilder<Self>) -> Result<Self, BuildError> {
        builder.into_client()
    }
}

/// Which transport `build` makes.
enum TransportChoice {
    Reqwest(Option<reqwest::Client>),
    #[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
    Hyper,
    #[cfg(feature = "server")]
    InProcess(InProcess),
    Custom(Box<dyn Transport>),
}

/// Configures a client before the first call; `C` is the generated
/// `<Trait>Client` it builds (or [`Client`] itself).
///
/// ```no_run
/// # #[remotipy::remote] pub trait Users { async fn count(&self) -> u64; }
/// # fn demo() -> Result<(), remotipy::client::BuildError> {
/// use std::time::Duration;
///
/// let users = UsersClient::builder("http://127.0.0.1:3000/rpc")
///     .header("x-authentication-token", "secret")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `.build()`"]
pub struct ClientBuilder<C = Client> {
    url: String,
    /// The other endpoints of the same service, beside `url`.
    other_urls: Vec<String>,
    headers: HeaderMap,
    timeout: Option<Duration>,
    stream_idle: Option<Duration>,
    transport: TransportChoice,
    codec: Codec,
    max_response_size: usize,
    retry: Retry,
    max_in_flight: usize,
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    http2: bool,
    /// The layers around every attempt, the first the outermost.
    layers: Vec<middleware::AddLayer>,
    #[cfg(feature = "metrics")]
    metrics: Option<super::metrics::Metrics>,
    #[cfg(feature = "compression")]
    compress: Option<(super::compress::Compression, usize)>,
    /// The automatic batches' window, if on, and their limits (calls, bytes).
    auto_batch: Option<Duration>,
    auto_batch_limits: (usize, usize),
    error: Option<BuildError>,
    built: PhantomData<fn() -> C>,
}

impl<C> ClientBuilder<C> {
    /// Starts a client for the endpoint at `url` (e.g. `http://host:3000/rpc`).
    pub fn new(url: impl Into<String>) -> Self {
        ClientBuilder {
            url: url.into(),
            other_urls: Vec::new(),
            headers: HeaderMap::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            stream_idle: Some(DEFAULT_STREAM_IDLE_TIMEOUT),
            transport: TransportChoice::Reqwest(None),
            codec: Codec::Json,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            retry: Retry::default(),
            max_in_flight: DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT,
            http2: false,
            auto_batch: None,
            layers: Vec::new(),
            #[cfg(feature = "metrics")]
            metrics: None,
            #[cfg(feature = "compression")]
            compress: None,
            auto_batch_limits: (batch_queue::DEFAULT_MAX_CALLS, batch_queue::DEFAULT_MAX_BYTES),
            error: None,
            built: PhantomData,
        }
    }

    /// More endpoints of the same service (each `http(s)://host:port/path`),
    /// beside the one the builder was made with. Each call goes to one of
    /// them: of two picked at random, the one with fewer calls in flight; an
    /// endpoint that cannot be reached or answers 5xx is left out for a
    /// while (250 ms, doubling while it keeps failing, at most 30 s), then
    /// tried again. Retries go to another endpoint.
    pub fn endpoints<I>(mut self, urls: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.other_urls.extend(urls.into_iter().map(Into::into));
        self
    }

    /// How calls are retried (default [`Retry::new`]: an idempotent call up
    /// to 3 attempts, any call whose request never left likewise).
    pub fn retry(mut self, retry: Retry) -> Self {
        self.retry = retry;
        self
    }

    /// At most `calls` calls in flight to one endpoint, and so at most that
    /// many connections to it over HTTP/1.1 (default
    /// [`DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT`],
    /// 128); calls beyond it wait for a free one, within their timeout.
    pub fn max_connections_per_endpoint(mut self, calls: usize) -> Self {
        self.max_in_flight = calls.max(1);
        self
    }

    /// Speaks HTTP/2 from the first byte ("prior knowledge", `h2c` over
    /// plain `http://`), every call a stream on one multiplexed connection
    /// per endpoint: the server must accept it, as a remotipy server does.
    /// For the reqwest and hyper transports; absent on wasm32, where the
    /// browser chooses the protocol.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn http2_prior_knowledge(mut self) -> Self {
        self.http2 = true;
        self
    }

    /// Sends concurrent calls together, as JSON-RPC batches: a call waits up
    /// to `window` for others to join it (`Duration::ZERO`: no wait, only
    /// the calls made in the same tick of the runtime join); with no window,
    /// a call made while fewer than 4 others are in flight goes at once. Each
    /// caller still gets its own result, timeout and retries, as if sent
    /// alone; calls with headers of their own (`with_options`) share a batch
    /// only with calls sending the same headers; streams are never batched.
    /// See also [`auto_batch_limits`](Self::auto_batch_limits).
    pub fn auto_batch(mut self, window: Duration) -> Self {
        self.auto_batch = Some(window);
        self
    }

    /// At most `calls` calls, and about `bytes` bytes of them, in one
    /// automatic batch (defaults: a remotipy server's limits, 1024 calls
    /// and 2 MiB). A server that refuses a batch as too large anyway gets
    /// it again in halves. Has no effect without [`auto_batch`](Self::auto_batch).
    pub fn auto_batch_limits(mut self, calls: usize, bytes: usize) -> Self {
        self.auto_batch_limits = (calls, bytes);
        self
    }

    /// A builder whose client calls `target` in this process: a
    /// [`Server`](crate::Server), or an axum `Router` (its layers included).
    /// With the `server` feature (on by default) beside `client`. The client
    /// it builds is the type the result is given:
    ///
    /// ```
    /// # #[remotipy::remote] pub trait Users { async fn count(&self) -> u64; }
    /// # struct Directory; impl Users for Directory { async fn count(&self) -> u64 { 7 } }
    /// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use remotipy::ClientBuilder;
    ///
    /// let server = UsersServer::new(Directory).into_server();
    /// let users: UsersClient = ClientBuilder::in_process(server).header("x-user", "ada").build()?;
    /// assert_eq!(users.count().await?, 7);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "server")]
    pub fn in_process(target: impl Into<InProcess>) -> Self {
        let mut builder = Self::new("in-process");
        builder.transport = TransportChoice::InProcess(target.into());
        builder
    }

    /// A builder whose client sends through `transport`: your own HTTP
    /// stack, or a `HyperTransport` over a TLS connector. Headers, timeout,
    /// codec and response limit are set here as for any client.
    pub fn with_transport(transport: impl Transport) -> Self {
        let mut builder = Self::new(transport.endpoint().to_owned());
        builder.transport = TransportChoice::Custom(Box::new(transport));
        builder
    }

    /// Sends `name: value` with every call (remotipy's `headers=`); calls
    /// add up, and several values of one name are all sent. An invalid name
    /// or value is reported by [`build`](Self::build).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match parse_header(name, value) {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err((name, reason)) => self.fail(BuildError::Header { name, reason }),
        }
        self
    }

    /// Sends these headers with every call, beside those already set.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        append(&mut self.headers, &headers);
        self
    }

    /// Gives up on a call after `timeout` (default 60 s), connection and
    /// response body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Never times out (not recommended against servers you do not control).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Gives up on a stream that has been silent this long (default 60 s;
    /// `None`: never). Any bytes count, the server's keep-alive comments
    /// included, so this catches a dead connection, not a quiet stream.
    /// (Until its first item, a stream is bounded by the call's timeout
    /// instead, from the moment the call was made.)
    pub fn stream_idle_timeout(mut self, idle: Option<Duration>) -> Self {
        self.stream_idle = idle;
        self
    }

    /// Sends calls through this reqwest client (your TLS, proxy and pool
    /// settings) instead of a new one.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.transport = TransportChoice::Reqwest(Some(client));
        self
    }

    /// Sends calls over hyper's HTTP/1.1 connections, used directly, instead
    /// of reqwest: less CPU per call, plain `http://` only (feature `hyper`;
    /// for TLS, give [`HyperTransport::with_client`](crate::transport::HyperTransport::with_client)
    /// a TLS connector and use [`ClientBuilder::with_transport`]).
    #[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
    pub fn hyper(mut self) -> Self {
        self.transport = TransportChoice::Hyper;
        self
    }

    /// Encodes calls with `codec` (default [`Codec::Json`]); the server
    /// answers in kind. `Codec::MsgPack` needs the `msgpack` feature on
    /// both sides.
    pub fn codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Refuses response bodies over `bytes` (default 16 MiB) with
    /// `Error::Decode`, before reading them whole.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Adds an RPC-level layer around every attempt of every call (see
    /// [`AttemptRequest`]): a `tower::Layer` over the [`AttemptStack`] below
    /// it, the transport at the bottom. The first added is the outermost.
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<AttemptStack> + Send + Sync + 'static,
        L::Service: tower::Service<AttemptRequest, Response = AttemptResponse, Error = crate::error::BoxError>
            + Clone
            + Send
            + Sync
            + 'static,
        <L::Service as tower::Service<AttemptRequest>>::Future: Send + 'static,
    {
        self.layers.push(middleware::add(layer));
        self
    }

    /// Records the client's metrics (feature `metrics`): each call's
    /// duration and outcome, and its attempts (see [`Metrics`](super::Metrics)).
    #[cfg(feature = "metrics")]
    pub fn metrics(mut self, metrics: super::metrics::Metrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Sends request bodies of at least `min_bytes` compressed with `how`
    /// (feature `compression`; the server must read it: a remotipy server
    /// behind tower-http's `RequestDecompressionLayer` does). Answers come
    /// compressed when the server compresses them: the reqwest transport
    /// asks for gzip and zstd with `Accept-Encoding` whatever this says.
    #[cfg(feature = "compression")]
    pub fn compress_requests(mut self, how: super::compress::Compression, min_bytes: usize) -> Self {
        self.compress = Some((how, min_bytes));
        self
    }

    fn fail(&mut self, error: BuildError) {
        self.error.get_or_insert(error);
    }

    /// The untyped async client these settings describe; what generated
    /// clients wrap.
    pub(crate) fn into_client(self) -> Result<Client, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let urls: Vec<&str> = std::iter::once(&self.url).chain(&self.other_urls).map(String::as_str).collect();
        let transports = match self.transport {
            #[cfg(feature = "server")]
            TransportChoice::InProcess(target) => one_transport(Box::new(target), &urls)?,
            TransportChoice::Custom(transport) => one_transport(transport, &urls)?,
            TransportChoice::Reqwest(given) => reqwest_transports(given, &urls, self.http2)?,
            #[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
            TransportChoice::Hyper => hyper_transports(&urls, self.http2)?,
        };
        let transports = match self.layers.is_empty() {
            true => transports,
            false => transports.into_iter().map(|transport| middleware::layered(transport, &self.layers)).collect(),
        };
        let settings = Settings {
            codec: self.codec,
            headers: self.headers,
            timeout: self.timeout,
            stream_idle: self.stream_idle,
            max_response_size: self.max_response_size,
            retry: self.retry,
            max_in_flight: self.max_in_flight,
            auto_batch: self.auto_batch.map(|window| batch_queue::Settings {
                window,
                max_calls: self.auto_batch_limits.0,
                max_bytes: self.auto_batch_limits.1,
            }),
            #[cfg(feature = "metrics")]
            metrics: self.metrics,
            #[cfg(feature = "compression")]
            compress: self.compress,
        };
        Ok(Client::from_parts(transports, settings))
    }
}

impl Client {
    /// A client for the endpoint at `url`, with default settings.
    pub fn new(url: impl Into<String>) -> Result<Self, BuildError> {
        Self::builder(url).build()
    }

    /// Configures a client for the endpoint at `url`.
    pub fn builder(url: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(url)
    }

    /// A client calling `target` in this process (no socket): a
    /// [`Server`](crate::Server), or an axum `Router` (its layers included);
    /// same encoding, dispatch and decoding as over HTTP. With the `server`
    /// feature (on by default) beside `client`.
    #[cfg(feature = "server")]
    pub fn in_process(target: impl Into<InProcess>) -> Self {
        ClientBuilder::in_process(target).build().expect("an in-process client has nothing to fail on")
    }
}

/// A transport that does not send over the network serves one endpoint.
fn one_transport(transport: Box<dyn Transport>, urls: &[&str]) -> Result<Vec<Box<dyn Transport>>, BuildError> {
    match urls.len() {
        1 => Ok(vec![transport]),
        _ => Err(BuildError::EndpointsNeedNetwork { transport: transport.endpoint().to_owned() }),
    }
}

/// One reqwest client (one pool) for every endpoint: `given`, or a new one.
fn reqwest_transports(
    given: Option<reqwest::Client>,
    urls: &[&str],
    #[cfg_attr(target_arch = "wasm32", allow(unused_variables))] http2: bool,
) -> Result<Vec<Box<dyn Transport>>, BuildError> {
    let parsed = urls.iter().map(|url| parse_url(url, given.is_some())).collect::<Result<Vec<_>, _>>()?;
    let client = match given {
        Some(client) => client,
        None => {
            let builder = reqwest::Client::builder();
            #[cfg(not(target_arch = "wasm32"))]
            let builder = if http2 { builder.http2_prior_knowledge() } else { builder };
            builder.build().map_err(BuildError::Http)?
        }
    };
    let transport = |url| Box::new(ReqwestTransport::new(client.clone(), url)) as Box<dyn Transport>;
    Ok(parsed.into_iter().map(transport).collect())
}

/// A hyper transport per endpoint: HTTP/1.1 connections, or h2c.
#[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
fn hyper_transports(urls: &[&str], http2: bool) -> Result<Vec<Box<dyn Transport>>, BuildError> {
    use crate::transport::HyperTransport;
    let one = |url: &&str| {
        let uri = parse_uri(url)?;
        let made = if http2 { HyperTransport::http2(uri) } else { HyperTransport::new(uri) };
        let error = |e: crate::error::BoxError| BuildError::Url { url: url.to_string(), reason: e.to_string() };
        Ok(Box::new(made.map_err(error)?) as Box<dyn Transport>)
    };
    urls.iter().map(one).collect()
}

impl<C: BuildTarget> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        C::build(self)
    }
}

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("url", &self.url)
            .field("headers", &self.headers)
            .field("timeout", &self.timeout)
            .field("codec", &self.codec)
            .finish_non_exhaustive()
    }
}

/// An absolute `http(s)://` URL; `https` only where TLS is there.
fn parse_url(url: &str, own_client: bool) -> Result<Url, BuildError> {
    let error = |reason: String| BuildError::Url { url: url.to_owned(), reason };
    let parsed = Url::parse(url).map_err(|e| error(e.to_string()))?;
    match parsed.scheme() {
        "https" if !cfg!(feature = "rustls") && !own_client => Err(BuildError::TlsNotEnabled { url: url.to_owned() }),
        "http" | "https" if parsed.has_host() => Ok(parsed),
        "http" | "https" => Err(error("it has no host".into())),
        other => Err(error(format!("the scheme must be http or https, not `{other}`"))),
    }
}

/// hyper speaks plain HTTP only: the same checks as for reqwest, then `http`.
#[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
fn parse_uri(url: &str) -> Result<http::Uri, BuildError> {
    let error = |reason: String| BuildError::Url { url: url.to_owned(), reason };
    let parsed = parse_url(url, true)?;
    if parsed.scheme() != "http" {
        return Err(error("the hyper transport speaks plain http; use reqwest (feature `rustls`) for https".into()));
    }
    parsed.as_str().parse().map_err(|e: http::uri::InvalidUri| error(e.to_string()))
}
