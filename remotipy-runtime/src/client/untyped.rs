//! The untyped client every generated `<Trait>Client` wraps: what its
//! clones share (endpoints, codec, retry policy and budget) and what each
//! clone sets (headers, timeout); encoding a call and reading its answer.
//! Sending is [`attempts`](super::attempts)'s, calling [`call`](super::call)'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::batch_queue::AutoBatch;
use super::build_error::BuildError;
use super::endpoints;
use super::options::CallOptions;
use super::response::{self, status_error};
use super::retry::{self, Retry};
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::Error;
use crate::protocol::ErrorObject;
use crate::rt::Instant;
use crate::transport::{Transport, TransportResponse};

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
    pub(super) state: Arc<ClientState>,
    /// Every header this clone's calls send (defaults, then per-call options).
    pub(super) headers: HeaderMap,
    /// `headers` are the builder's: automatic batches group calls by headers.
    pub(super) default_headers: bool,
    pub(super) timeout: Option<Duration>,
    /// `Remotipy-Timeout-Ms` for all of `timeout`, in whole milliseconds:
    /// what a call's first attempt sends, made once.
    pub(super) timeout_header: Option<(u64, http::HeaderValue)>,
    /// The longest silence within a stream.
    pub(super) stream_idle: Option<Duration>,
}

/// What every clone of a client shares.
pub(super) struct ClientState {
    pub(super) endpoints: endpoints::Endpoints,
    pub(super) codec: Codec,
    pub(super) max_response_size: usize,
    pub(super) next_id: AtomicU64,
    pub(super) retry: Retry,
    pub(super) budget: retry::Budget,
    pub(super) auto_batch: Option<Arc<AutoBatch>>,
    #[cfg(feature = "metrics")]
    pub(super) metrics: Option<super::metrics::Recorder>,
    /// Request bodies of at least this many bytes are sent compressed so.
    #[cfg(feature = "compression")]
    pub(super) compress: Option<(super::compress::Compression, usize)>,
}

/// A place at an endpoint kept beyond its call (by an open stream), given
/// back when dropped.
pub(crate) struct Place {
    pub(super) state: Arc<ClientState>,
    pub(super) index: usize,
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
    pub auto_batch: Option<super::batch_queue::Settings>,
    #[cfg(feature = "metrics")]
    pub metrics: Option<super::metrics::Metrics>,
    #[cfg(feature = "compression")]
    pub compress: Option<(super::compress::Compression, usize)>,
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
    pub(crate) fn from_parts(transports: Vec<Box<dyn Transport>>, settings: Settings) -> Self {
        #[cfg(feature = "metrics")]
        let metrics = (settings.metrics).map(|metrics| metrics.recorder(transports[0].endpoint()));
        let state = Arc::new(ClientState {
            endpoints: endpoints::Endpoints::new(transports, settings.max_in_flight),
            codec: settings.codec,
            max_response_size: settings.max_response_size,
            next_id: AtomicU64::new(1),
            budget: retry::Budget::new(&settings.retry),
            retry: settings.retry,
            auto_batch: (settings.auto_batch)
                .map(|batching| Arc::new(AutoBatch::new(batching, settings.headers.clone()))),
            #[cfg(feature = "metrics")]
            metrics,
            #[cfg(feature = "compression")]
            compress: settings.compress,
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

    /// The call's deadline: this clone's timeout from now, or the deadline
    /// of the call this one is made for (a handler calling another
    /// service), whichever ends first.
    pub(crate) fn deadline(&self) -> Option<Deadline> {
        let now = Instant::now();
        let own = self.timeout.and_then(|after| Deadline::after(now, after));
        Deadline::earliest(own, crate::deadline::inherited(), now)
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
