//! The client side: a [`Client`] encodes calls, hands them to a
//! [`Transport`], and decodes the answer into
//! `Result<T, Error<E>>`.
//!
//! [`Client`], [`ClientBuilder`] and [`CallOptions`] are also at the crate
//! root; this module adds what their signatures mention.

mod builder;
mod options;
mod response;

pub(crate) mod batch;
pub(crate) mod stream;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use builder::{BuildError, BuildTarget, ClientBuilder};
pub use options::CallOptions;

use crate::__private::{Err, Fallible, Ok, RemoteMethod, Wire};
use crate::codec::Codec;
use crate::error::{BoxError, Error};
use crate::protocol::ErrorObject;
use crate::transport::{InProcess, ResponseTooLarge, Transport, TransportRequest, TransportResponse};
use stream::{Items, Reading};

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
    shared: Arc<Shared>,
    /// Every header this clone's calls send (defaults, then per-call options).
    headers: HeaderMap,
    timeout: Option<Duration>,
    /// The longest silence within a stream.
    stream_idle: Option<Duration>,
}

struct Shared {
    transport: Box<dyn Transport>,
    codec: Codec,
    max_response_size: usize,
    next_id: AtomicU64,
}

/// The default per-call timeout: 60 s, so a silent server never hangs a caller.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The default longest silence within a stream, keep-alive comments
/// included: 60 s (a remotipy server sends one every 15 s).
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

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
    /// same encoding, dispatch and decoding as over HTTP.
    pub fn in_process(target: impl Into<InProcess>) -> Self {
        ClientBuilder::in_process(target).build().expect("an in-process client has nothing to fail on")
    }

    pub(crate) fn from_parts(
        transport: Box<dyn Transport>,
        codec: Codec,
        headers: HeaderMap,
        (timeout, stream_idle): (Option<Duration>, Option<Duration>),
        max_response_size: usize,
    ) -> Self {
        let shared = Arc::new(Shared { transport, codec, max_response_size, next_id: AtomicU64::new(1) });
        Client { shared, headers, timeout, stream_idle }
    }

    /// Where calls go.
    pub fn endpoint(&self) -> &str {
        self.shared.transport.endpoint()
    }

    /// How calls are encoded.
    pub fn codec(&self) -> Codec {
        self.shared.codec
    }

    /// A clone whose calls send the options' headers (each replacing this
    /// client's headers of its name) and use its timeout. An invalid header
    /// in `options` is an error.
    pub fn with_options(&self, options: CallOptions) -> Result<Self, BuildError> {
        let (headers, timeout, stream_idle) = options.over(&self.headers, self.timeout, self.stream_idle)?;
        Ok(Client { shared: Arc::clone(&self.shared), headers, timeout, stream_idle })
    }

    /// Calls `method` with `params` (a struct or map for named params, a
    /// tuple or array for positional ones) and decodes its result as `R`.
    pub async fn request<P: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, Error> {
        self.call_with(method, params, |_| None).await
    }

    /// Sends `method` as a notification: no id; delivered once the server
    /// answers with a success status.
    pub async fn notify<P: Serialize + ?Sized>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        let body = self.encode(method, params, None)?;
        let response = self.exchange(method, body).await?;
        match response.status.is_success() {
            true => Ok(()),
            false => Err(status_error(method, response.status, &response.body)),
        }
    }

    /// Starts a batch: calls added to it go out together in one request.
    pub fn batch(&self) -> crate::batch::Batch {
        crate::batch::Batch::new(self.clone())
    }

    /// Calls `M`, declared `-> T`.
    #[doc(hidden)]
    pub async fn call<M: RemoteMethod>(&self, params: &M::Params) -> Result<Ok<M>, Error> {
        let result = self.call_with::<_, <Ok<M> as Wire>::Serde, _>(M::NAME, params, |_| None).await;
        result.map(Wire::from_serde)
    }

    /// Calls `M`, declared `-> Result<T, E>`: an application error in the
    /// reply comes back as `Error::App(E)`.
    #[doc(hidden)]
    pub async fn call_fallible<M: Fallible>(&self, params: &M::Params) -> Result<Ok<M>, Error<Err<M>>> {
        let result = self.call_with::<_, <Ok<M> as Wire>::Serde, _>(M::NAME, params, decode_app::<M>).await;
        result.map(Wire::from_serde)
    }

    /// Sends `M` as a notification.
    #[doc(hidden)]
    pub async fn notify_method<M: RemoteMethod>(&self, params: &M::Params) -> Result<(), Error> {
        self.notify(M::NAME, params).await
    }

    /// Calls `M`, a streaming method whose items are `Ok<M>`.
    #[doc(hidden)]
    pub async fn open_stream<M: RemoteMethod>(&self, params: &M::Params) -> Result<Items<Ok<M>>, Error> {
        self.open_with(M::NAME, params, |_| None).await
    }

    /// Calls `M`, a streaming method whose setup or items may fail with `Err<M>`.
    #[doc(hidden)]
    pub async fn open_stream_fallible<M: Fallible>(
        &self,
        params: &M::Params,
    ) -> Result<Items<Ok<M>, Err<M>>, Error<Err<M>>> {
        self.open_with(M::NAME, params, decode_app::<M>).await
    }

    /// Calls a streaming method: asks for an event stream and returns as
    /// soon as it starts (the setup succeeded), within the call's timeout.
    /// Events are JSON, so the call is too, whatever the client's codec.
    async fn open_with<P: Serialize + ?Sized, T, E>(
        &self,
        method: &'static str,
        params: &P,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<Items<T, E>, Error<E>> {
        let id = self.next_id();
        let mut body = Vec::with_capacity(128);
        let encoded = Codec::Json.encode_request(&mut body, method, params, Some(id));
        encoded.map_err(|source| Error::Encode { method, source })?;
        let mut headers = self.headers.clone();
        headers.insert(http::header::ACCEPT, http::HeaderValue::from_static("text/event-stream, application/json"));
        let limit = self.shared.max_response_size;
        let request = TransportRequest { body, codec: Codec::Json, headers: &headers, max_response_size: limit };
        let started = tokio::time::Instant::now();
        let open = self.shared.transport.open(request);
        let response = match self.timeout {
            Some(after) => tokio::time::timeout(after, open).await.map_err(|_| Error::Timeout { method, after })?,
            None => open.await,
        };
        let response = response.map_err(|source| transport_error(method, source))?;
        let events = response
            .headers
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if response.status == StatusCode::OK && events {
            let deadline = self.timeout.map(|after| (started + after, after));
            let reading = Reading { method, id, decode_app, deadline, idle: self.stream_idle, limit };
            return Ok(Items::events(response.body, reading));
        }
        // One answer: an error, or the items collected by a server that does not stream.
        let frames = response.body.map(|chunk| chunk.map(http_body::Frame::data));
        let read = crate::body::read_limited(&response.headers, http_body_util::StreamBody::new(frames), limit);
        let body = match self.timeout {
            Some(after) => {
                let left = after.saturating_sub(started.elapsed());
                tokio::time::timeout(left, read).await.map_err(|_| Error::Timeout { method, after })?
            }
            None => read.await,
        };
        let body = body.map_err(|e| match e {
            crate::body::BodyError::TooLarge(_) => transport_error(method, Box::new(ResponseTooLarge { limit })),
            crate::body::BodyError::Read(source) => transport_error(method, source),
        })?;
        if response.status != StatusCode::OK && body.is_empty() {
            return Err(status_error(method, response.status, &body));
        }
        let items = response::decode::<Vec<Box<serde_json::value::RawValue>>, E>(
            Codec::Json,
            method,
            id,
            response.status,
            &body,
            decode_app,
        )?;
        Ok(Items::collected(items, method))
    }

    async fn call_with<P: Serialize + ?Sized, R: DeserializeOwned, E>(
        &self,
        method: &'static str,
        params: &P,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>> {
        let id = self.next_id();
        let body = self.encode(method, params, Some(id))?;
        let response = self.exchange(method, body).await?;
        if response.status != StatusCode::OK && response.body.is_empty() {
            return Err(status_error(method, response.status, &response.body));
        }
        response::decode(self.codec(), method, id, response.status, &response.body, decode_app)
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn encode<P: Serialize + ?Sized, E>(
        &self,
        method: &'static str,
        params: &P,
        id: Option<u64>,
    ) -> Result<Vec<u8>, Error<E>> {
        let mut body = Vec::with_capacity(128);
        let encoded = self.codec().encode_request(&mut body, method, params, id);
        encoded.map_err(|source| Error::Encode { method, source })?;
        Ok(body)
    }

    /// One HTTP exchange within this clone's timeout.
    pub(crate) async fn exchange<E>(&self, method: &'static str, body: Vec<u8>) -> Result<TransportResponse, Error<E>> {
        let request = TransportRequest {
            body,
            codec: self.shared.codec,
            headers: &self.headers,
            max_response_size: self.shared.max_response_size,
        };
        let send = self.shared.transport.send(request);
        let result = match self.timeout {
            Some(after) => tokio::time::timeout(after, send).await.map_err(|_| Error::Timeout { method, after })?,
            None => send.await,
        };
        result.map_err(|source| transport_error(method, source))
    }
}

/// Reads an application error's `data.value` as `M::Err`: code `-32000`, or
/// any code an `ErrorCode` impl chose, as long as `data` names a type.
pub(crate) fn decode_app<M: Fallible>(error: &ErrorObject) -> Option<Err<M>> {
    let data = error.data.as_ref()?;
    if error.code != crate::protocol::code::APP_ERROR && data.get("type").is_none() {
        return None;
    }
    <<Err<M> as Wire>::Serde as serde::Deserialize>::deserialize(data.get("value")?).ok().map(Wire::from_serde)
}

/// A transport failure; an oversized body is a decoding failure.
fn transport_error<E>(method: &'static str, source: BoxError) -> Error<E> {
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
