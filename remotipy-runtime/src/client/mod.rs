//! The client side: a [`Client`] encodes calls, hands them to a
//! [`Transport`], and decodes the answer into `Result<T, Error<E>>`.

mod batch;
#[cfg(feature = "blocking")]
mod blocking;
mod builder;
#[cfg(feature = "hyper")]
mod connections;
#[cfg(feature = "hyper")]
mod hyper;
mod in_process;
mod reqwest;
mod response;
mod transport;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use batch::{Batch, Pending, Replies};
#[cfg(feature = "blocking")]
pub use blocking::{BlockingClient, InsideAsyncRuntime};
pub use builder::{BuildError, BuildTarget, ClientBuilder};
#[cfg(feature = "hyper")]
pub use hyper::HyperTransport;
pub use in_process::InProcess;
pub use reqwest::ReqwestTransport;
pub use transport::{DEFAULT_MAX_RESPONSE_SIZE, ResponseTooLarge, Transport, TransportRequest, TransportResponse};

use crate::codec::Codec;
use crate::error::{BoxError, Error};
use crate::protocol::ErrorObject;

/// The untyped client every generated `<Trait>Client` wraps: one transport,
/// default headers, a timeout. Cheap to clone (the transport is shared).
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    /// Headers for calls made through this clone only.
    headers: HeaderMap,
    timeout: Option<Duration>,
}

struct Shared {
    transport: Box<dyn Transport>,
    codec: Codec,
    next_id: AtomicU64,
}

/// The default per-call timeout: 60 s, so a silent server never hangs a caller.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

impl Client {
    /// A client for `transport`, with the default timeout.
    pub fn from_transport(transport: impl Transport) -> Self {
        Client::with_parts(Box::new(transport), Codec::Json, Some(DEFAULT_TIMEOUT))
    }

    /// A client calling `target` in this process (no socket): a
    /// [`Server`](crate::Server), or an axum `Router` (its layers included);
    /// same encoding, dispatch and decoding as over HTTP.
    pub fn in_process(target: impl Into<InProcess>) -> Self {
        Client::from_transport(InProcess::new(target))
    }

    fn with_parts(transport: Box<dyn Transport>, codec: Codec, timeout: Option<Duration>) -> Self {
        let shared = Arc::new(Shared { transport, codec, next_id: AtomicU64::new(1) });
        Client { shared, headers: HeaderMap::new(), timeout }
    }

    /// Where calls go.
    pub fn endpoint(&self) -> &str {
        self.shared.transport.endpoint()
    }

    /// How calls are encoded.
    pub fn codec(&self) -> Codec {
        self.shared.codec
    }

    /// A clone whose calls also send `headers` (on top of the defaults) and
    /// use `timeout` (`None`: no timeout) instead of the client's.
    pub fn with_options(&self, options: CallOptions) -> Self {
        let (headers, timeout) = options.over(&self.headers, self.timeout);
        Client { shared: Arc::clone(&self.shared), headers, timeout }
    }

    /// Calls a method declared `-> R`.
    #[doc(hidden)]
    pub async fn call<P: Serialize, R: DeserializeOwned>(&self, method: &'static str, params: &P) -> Result<R, Error> {
        self.call_with(method, params, |_| None).await
    }

    /// Calls a method declared `-> Result<R, E>`: an application error in the
    /// reply comes back as `Error::App(E)`.
    #[doc(hidden)]
    pub async fn call_fallible<P, R, E>(&self, method: &'static str, params: &P) -> Result<R, Error<E>>
    where
        P: Serialize,
        R: DeserializeOwned,
        E: DeserializeOwned,
    {
        self.call_with(method, params, response::decode_app::<E>).await
    }

    async fn call_with<P, R, E>(
        &self,
        method: &'static str,
        params: &P,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>>
    where
        P: Serialize,
        R: DeserializeOwned,
    {
        let id = self.next_id();
        let codec = self.codec();
        let body = encode(codec, method, params, Some(id))?;
        let response = self.exchange(method, body).await?;
        read_reply(codec, method, id, &response, decode_app)
    }

    /// Sends a notification: no id, no reply awaited beyond the HTTP status.
    #[doc(hidden)]
    pub async fn notify<P: Serialize>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        let body = encode(self.codec(), method, params, None)?;
        let response = self.exchange(method, body).await?;
        read_ack(method, &response)
    }

    /// Starts a batch: calls added to it go out together in one request.
    pub fn batch(&self) -> Batch {
        Batch::new(self.clone())
    }

    fn next_id(&self) -> u64 {
        self.shared.next_id.fetch_add(1, Ordering::Relaxed)
    }

    async fn exchange<E>(&self, method: &'static str, body: Vec<u8>) -> Result<TransportResponse, Error<E>> {
        let request = TransportRequest { body, codec: self.shared.codec, headers: &self.headers };
        let send = self.shared.transport.send(request);
        let result = match self.timeout {
            Some(after) => tokio::time::timeout(after, send).await.map_err(|_| Error::Timeout { method, after })?,
            None => send.await,
        };
        result.map_err(|source| transport_error(method, source))
    }
}

/// A transport failure; an oversized body is a decoding failure.
fn transport_error<E>(method: &'static str, source: crate::BoxError) -> Error<E> {
    match source.downcast_ref::<ResponseTooLarge>() {
        Some(too_large) => Error::Decode { method, detail: too_large.to_string() },
        None => Error::Transport { method, source },
    }
}

/// The outcome of call `id` from its HTTP response.
fn read_reply<R: DeserializeOwned, E>(
    codec: Codec,
    method: &'static str,
    id: u64,
    response: &TransportResponse,
    decode_app: fn(&ErrorObject) -> Option<E>,
) -> Result<R, Error<E>> {
    if response.status != StatusCode::OK && response.body.is_empty() {
        return Err(status_error(method, response.status, &response.body));
    }
    response::decode(codec, method, id, response.status, &response.body, decode_app)
}

/// A notification was delivered when the server said so with its status.
fn read_ack(method: &'static str, response: &TransportResponse) -> Result<(), Error> {
    match response.status.is_success() {
        true => Ok(()),
        false => Err(status_error(method, response.status, &response.body)),
    }
}

/// Headers and a timeout for some calls only; see [`Client::with_options`].
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    headers: HeaderMap,
    timeout: Option<Option<Duration>>,
}

impl CallOptions {
    /// No overrides yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `name: value` too. Panics on an invalid header name or value
    /// (a programming error, like `http::HeaderValue::from_static`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let name = http::HeaderName::try_from(name).unwrap_or_else(|e| panic!("invalid header name {name:?}: {e}"));
        let value = http::HeaderValue::try_from(value).unwrap_or_else(|e| panic!("invalid value for {name}: {e}"));
        self.headers.append(name, value);
        self
    }

    /// Sends these headers too.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Gives up after `timeout` instead of the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Never times out.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// These options applied over a client's `headers` and `timeout`.
    fn over(self, headers: &HeaderMap, timeout: Option<Duration>) -> (HeaderMap, Option<Duration>) {
        let mut merged = headers.clone();
        merged.extend(self.headers);
        (merged, self.timeout.unwrap_or(timeout))
    }
}

fn encode<P: Serialize, E>(
    codec: Codec,
    method: &'static str,
    params: &P,
    id: Option<u64>,
) -> Result<Vec<u8>, Error<E>> {
    let mut body = Vec::with_capacity(128);
    encode_into(codec, &mut body, method, params, id).map_err(|source| Error::Encode { method, source })?;
    Ok(body)
}

/// Appends one JSON-RPC request object to `body`.
fn encode_into<P: Serialize>(
    codec: Codec,
    body: &mut Vec<u8>,
    method: &str,
    params: &P,
    id: Option<u64>,
) -> Result<(), BoxError> {
    #[derive(Serialize)]
    struct Request<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<u64>,
    }
    codec.encode_into(body, &Request { jsonrpc: "2.0", method, params, id })
}

fn status_error<E>(method: &'static str, status: StatusCode, body: &[u8]) -> Error<E> {
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
