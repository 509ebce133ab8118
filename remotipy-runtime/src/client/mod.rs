//! The client side: a [`Client`] encodes calls, hands them to a
//! [`Transport`], and decodes the answer into
//! `Result<T, Error<E>>`.
//!
//! [`Client`], [`ClientBuilder`] and [`CallOptions`] are also at the crate
//! root; this module adds what their signatures mention.

mod attempts;
mod auto_batch;
pub(crate) mod batch;
mod builder;
mod endpoints;
mod options;
mod response;
mod resume;
mod retry;
mod sse;
pub(crate) mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use builder::{BuildError, BuildTarget, ClientBuilder};
pub use options::CallOptions;
pub use retry::{AttemptsFailed, DEFAULT_MAX_RETRY_AFTER, DEFAULT_MAX_STREAM_RECONNECTS, Retry};

use crate::codec::Codec;
use crate::error::{BoxError, Error};
use crate::method::{Decode, ErrOf, Fallible};
use crate::protocol::ErrorObject;
#[cfg(feature = "server")]
use crate::transport::InProcess;
use crate::transport::{ResponseTooLarge, Transport, TransportResponse};

/// The untyped client every generated `<Trait>Client` wraps: one transport,
/// headers, a timeout. Cheap to clone (the transport is shared).
///
/// Generated clients are what you call; `Client` also calls methods by name,
/// for servers no trait describes:
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// let client = remotipy::Client::new("http://127.0.0.1:3000/rpc")?;
/// let sum: i64 = client.request("add", &serde_json::json!({ "a": 40, "b": 2 })).await?;
/// client.notify("audit", &serde_json::json!(["checked the sum"])).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    state: Arc<ClientState>,
    /// Every header this clone's calls send (defaults, then per-call options).
    headers: HeaderMap,
    /// `headers` are the builder's: automatic batches group calls by headers.
    default_headers: bool,
    timeout: Option<Duration>,
    /// `Remotipy-Timeout-Ms` for all of `timeout`, in whole milliseconds:
    /// what a call's first attempt sends, made once.
    timeout_header: Option<(u64, http::HeaderValue)>,
    /// The longest silence within a stream.
    stream_idle: Option<Duration>,
}

/// What every clone of a client shares.
struct ClientState {
    endpoints: endpoints::Endpoints,
    codec: Codec,
    max_response_size: usize,
    next_id: AtomicU64,
    retry: Retry,
    budget: retry::Budget,
    auto_batch: Option<Arc<auto_batch::AutoBatch>>,
}

/// A place at an endpoint kept beyond its call (by an open stream), given
/// back when dropped.
pub(crate) struct Place {
    state: Arc<ClientState>,
    index: usize,
}

impl Drop for Place {
    fn drop(&mut self) {
        self.state.endpoints.release(self.index);
    }
}

/// What a builder gives the client it builds.
pub(crate) struct Settings {
    pub codec: Codec,
    pub headers: HeaderMap,
    pub timeout: Option<Duration>,
    pub stream_idle: Option<Duration>,
    pub max_response_size: usize,
    pub retry: Retry,
    pub max_in_flight: usize,
    pub auto_batch: Option<auto_batch::Settings>,
}

/// The default per-call timeout: 60 s, so a silent server never hangs a caller.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default longest silence within a stream, keep-alive comments
/// included: 60 s (a remotipy server sends one every 15 s).
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The default bound on calls in flight to one endpoint, and so on the
/// connections to it (HTTP/1.1 carries one call at a time): 128. Calls
/// beyond it wait for a free one, within their timeout.
pub const DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT: usize = 128;

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

    pub(crate) fn from_parts(transports: Vec<Box<dyn Transport>>, settings: Settings) -> Self {
        let state = Arc::new(ClientState {
            endpoints: endpoints::Endpoints::new(transports, settings.max_in_flight),
            codec: settings.codec,
            max_response_size: settings.max_response_size,
            next_id: AtomicU64::new(1),
            budget: retry::Budget::new(&settings.retry),
            retry: settings.retry,
            auto_batch: (settings.auto_batch)
                .map(|batching| Arc::new(auto_batch::AutoBatch::new(batching, settings.headers.clone()))),
        });
        let (headers, timeout, stream_idle) = (settings.headers, settings.timeout, settings.stream_idle);
        Client { state, headers, default_headers: true, timeout, timeout_header: timeout_header(timeout), stream_idle }
    }

    /// Where calls go (the first endpoint, when there are several).
    pub fn endpoint(&self) -> &str {
        self.state.endpoints.first().transport.endpoint()
    }

    /// How calls are encoded.
    pub fn codec(&self) -> Codec {
        self.state.codec
    }

    /// A clone whose calls send the options' headers (each replacing this
    /// client's headers of its name) and use its timeout. An invalid header
    /// in `options` is an error.
    pub fn with_options(&self, options: CallOptions) -> Result<Self, BuildError> {
        let (headers, timeout, stream_idle) = options.over(&self.headers, self.timeout, self.stream_idle)?;
        let default_headers = self.default_headers && headers == self.headers;
        let state = Arc::clone(&self.state);
        Ok(Client { state, headers, default_headers, timeout, timeout_header: timeout_header(timeout), stream_idle })
    }

    /// Calls `method` with `params` (a struct or map for named params, a
    /// tuple or array for positional ones) and decodes its result as `R`.
    pub async fn request<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, Error> {
        self.call_with(method, params, false, |_| None).await
    }

    /// Sends `method` as a notification: no id; delivered once the server
    /// answers with a success status.
    pub async fn notify<P: Serialize + ?Sized>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        self.notify_with(method, params, false).await
    }

    pub(crate) async fn notify_with<P: Serialize + ?Sized>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
    ) -> Result<(), Error> {
        let body = self.encode(self.codec(), method, params, None)?;
        let response = self.send_one(method, body, None, idempotent).await?;
        match response.status.is_success() {
            true => Ok(()),
            false => Err(status_error(method, response.status, &response.body)),
        }
    }

    /// Starts a batch: calls added to it go out together in one request.
    pub fn batch(&self) -> batch::Batch {
        batch::Batch::new(self.clone())
    }

    /// Calls `method`: its result decoded as `R`, an application error in
    /// the reply as `E` when `decode_app` recognises one.
    pub(crate) async fn call_with<P: Serialize + ?Sized, R: DeserializeOwned, E>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>> {
        let id = self.next_id();
        let body = self.encode(self.codec(), method, params, Some(id))?;
        let response = self.send_one(method, body, Some(id), idempotent).await?;
        self.decode_answer(self.codec(), method, id, &response, decode_app)
    }

    /// Reads the answer to call `id`, in `codec`.
    pub(crate) fn decode_answer<R: DeserializeOwned, E>(
        &self,
        codec: Codec,
        method: &'static str,
        id: u64,
        response: &TransportResponse,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>> {
        if response.status != StatusCode::OK && response.body.is_empty() {
            return Err(status_error(method, response.status, &response.body));
        }
        let decoded = response::decode(codec, method, id, response.status, &response.body, decode_app);
        decoded.map_err(|error| self.timed_out(error))
    }

    /// Sends one call (`id`: `None` for a notification): with others in an
    /// automatic batch when the client makes them, else alone.
    async fn send_one<E>(
        &self,
        method: &'static str,
        body: Vec<u8>,
        id: Option<u64>,
        idempotent: bool,
    ) -> Result<TransportResponse, Error<E>> {
        match &self.state.auto_batch {
            Some(batcher) => batcher.submit(self, method, body, id, idempotent).await,
            None => self.exchange(method, body, idempotent).await,
        }
    }

    /// The server's "deadline exceeded" is this call's timeout: the server
    /// stopped the call when the time this client gave it was up, a moment
    /// before the client would have stopped waiting.
    pub(crate) fn timed_out<E>(&self, error: Error<E>) -> Error<E> {
        match error {
            Error::Remote { method, code: crate::protocol::code::DEADLINE_EXCEEDED, .. } => {
                Error::Timeout { method, after: self.deadline().map_or(Duration::ZERO, |deadline| deadline.after) }
            }
            other => other,
        }
    }

    /// Keeps `lease`'s place beyond its call.
    pub(crate) fn hold(&self, lease: endpoints::Lease<'_>) -> Place {
        Place { state: Arc::clone(&self.state), index: lease.keep() }
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.state.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// One request object in `codec` (a notification when `id` is `None`).
    pub(crate) fn encode<P: Serialize + ?Sized, E>(
        &self,
        codec: Codec,
        method: &'static str,
        params: &P,
        id: Option<u64>,
    ) -> Result<Vec<u8>, Error<E>> {
        let mut body = Vec::with_capacity(128);
        let encoded = codec.encode_request(&mut body, method, params, id);
        encoded.map_err(|source| Error::Encode { method, source })?;
        Ok(body)
    }
}

/// The `Remotipy-Timeout-Ms` value of a whole `timeout`. The default
/// timeout's is a static string: reqwest copies every request's headers,
/// and a static value copies for free.
fn timeout_header(timeout: Option<Duration>) -> Option<(u64, http::HeaderValue)> {
    let millis = u64::try_from(timeout?.as_micros().div_ceil(1000)).ok()?.max(1);
    match millis {
        DEFAULT_TIMEOUT_MILLIS => Some((millis, http::HeaderValue::from_static("60000"))),
        _ => Some((millis, http::HeaderValue::from(millis))),
    }
}

/// [`DEFAULT_TIMEOUT`] in milliseconds, as its header says it.
const DEFAULT_TIMEOUT_MILLIS: u64 = 60_000;
const _: () = assert!(DEFAULT_TIMEOUT.as_millis() == DEFAULT_TIMEOUT_MILLIS as u128);

/// Reads an application error's `data.value` as `M::Err`: code `-32000`, or
/// any code an `ErrorCode` impl chose, as long as `data` names a type.
pub(crate) fn decode_app<M: Fallible>(error: &ErrorObject) -> Option<ErrOf<M>> {
    let data = error.data.as_ref()?;
    if error.code != crate::protocol::code::APP_ERROR && data.get("type").is_none() {
        return None;
    }
    <<ErrOf<M> as Decode>::De as serde::Deserialize>::deserialize(data.get("value")?).ok().map(Decode::from_de)
}

/// A transport failure; an oversized body is a decoding failure.
pub(crate) fn transport_error<E>(method: &'static str, source: BoxError) -> Error<E> {
    match source.downcast_ref::<ResponseTooLarge>() {
        Some(too_large) => Error::Decode { method, detail: too_large.to_string() },
        None => Error::Transport { method, source },
    }
}

pub(crate) fn status_error<E>(method: &'static str, status: StatusCode, body: &[u8]) -> Error<E> {
    let body = String::from_utf8_lossy(body).chars().take(200).collect();
    Error::Status { method, status, body }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint())
            .field("codec", &self.codec())
            .field("timeout", &self.timeout)
            .field("headers", &self.headers)
            .finish()
    }
}
