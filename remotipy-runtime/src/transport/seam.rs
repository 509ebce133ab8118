//! The seam itself: the [`Transport`] trait, what goes through it (a
//! request's bytes and headers in, status, headers and bytes out, or a
//! stream of bytes), and the body readers transports share.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::body::{BodyError, read_limited};
use crate::codec::Codec;
use crate::error::BoxError;
use crate::future::BoxFuture;

/// One HTTP exchange, as the client hands it to a transport.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportRequest<'a> {
    /// The method called (`"batch"` for a batch), for logs and metrics.
    pub method: &'static str,
    /// The encoded JSON-RPC request (shared: a retried call sends it again).
    pub body: Bytes,
    /// Its encoding (the `Content-Type` header says it too).
    pub codec: Codec,
    /// Every header of this attempt, ready to send as they are: the
    /// client's defaults with per-call options applied, the content type,
    /// and the attempt's own (its remaining time, what it accepts, the trace
    /// context). Owned, so that a transport moves them into its request.
    pub headers: HeaderMap,
    /// Refuse a response body longer than this with [`ResponseTooLarge`],
    /// before reading it whole.
    pub max_response_size: usize,
    /// The lifetime transports are written against (the request borrows
    /// nothing now; it may again without breaking them).
    pub(crate) _borrows: std::marker::PhantomData<&'a ()>,
}

/// What came back.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`Retry-After` matters to a client that retries).
    pub headers: HeaderMap,
    /// The whole response body.
    pub body: Bytes,
}

impl TransportResponse {
    /// A response of `status`, `headers` and `body`.
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        TransportResponse { status, headers, body }
    }
}

/// A transport failure that happened before any byte of the request left
/// (connection refused, no route, DNS): the server certainly did not run the
/// call, so the client may send it again, to another endpoint, whatever the
/// method. Transports wrap such failures in it; any other failure is taken
/// to be one after which the call may have run.
#[derive(Debug, thiserror::Error)]
#[error("the request was not sent")]
pub struct NotSent(#[source] pub BoxError);

impl NotSent {
    /// Whether `error` (or an error it wraps) says the request was not sent.
    pub fn is(error: &(dyn std::error::Error + 'static)) -> bool {
        let mut current = Some(error);
        while let Some(e) = current {
            if e.is::<NotSent>() {
                return true;
            }
            current = e.source();
        }
        false
    }
}

/// Carries encoded calls to a server.
///
/// Timeouts are the client's job, not the transport's: the client drops the
/// future when the call's deadline passes. A transport refuses an oversized
/// body with [`ResponseTooLarge`], which the client reports as
/// `Error::Decode`.
///
/// ```
/// use remotipy::transport::{BoxError, BoxFuture, InProcess, Transport, TransportRequest, TransportResponse};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// /// Counts the calls it carries to another transport.
/// struct Counting { inner: InProcess, calls: AtomicUsize }
///
/// impl Transport for Counting {
///     fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
///         self.calls.fetch_add(1, Ordering::Relaxed);
///         self.inner.send(request)
///     }
///     fn endpoint(&self) -> &str { "counting" }
/// }
///
/// # #[remotipy::remote] pub trait Calculator { async fn add(&self, a: i64, b: i64) -> i64; }
/// # struct Calc; impl Calculator for Calc { async fn add(&self, a: i64, b: i64) -> i64 { a + b } }
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let inner = InProcess::from(CalculatorServer::new(Calc).into_server());
/// let calc: CalculatorClient = remotipy::ClientBuilder::with_transport(Counting { inner, calls: AtomicUsize::new(0) })
///     .header("x-tenant", "acme")
///     .build()?;
/// assert_eq!(calc.add(40, 2).await?, 42);
/// # Ok(()) }
/// ```
pub trait Transport: Send + Sync + 'static {
    /// Sends one request and reads the whole response.
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>>;

    /// Sends one request and returns the response once its head arrives,
    /// its body to be read as it comes: what streaming methods need (the
    /// request asks for `text/event-stream`). The default refuses with
    /// [`StreamsUnsupported`]: a transport that cannot stream says so.
    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        let _ = request;
        let error = StreamsUnsupported { transport: self.endpoint().to_owned() };
        Box::pin(async move { Err(Box::new(error) as BoxError) })
    }

    /// Where calls go, for messages and `Debug`.
    fn endpoint(&self) -> &str;
}

/// A response whose body is read as it arrives.
#[non_exhaustive]
pub struct StreamingResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (the content type says whether the body is an
    /// event stream or one JSON-RPC answer).
    pub headers: HeaderMap,
    /// The body, chunk by chunk. Dropping it closes the exchange: the
    /// server sees the connection go and stops the stream.
    pub body: BodyStream,
}

/// A response body, chunk by chunk.
pub type BodyStream = futures_util::stream::BoxStream<'static, Result<Bytes, BoxError>>;

impl StreamingResponse {
    /// A response of `status` and `headers` whose body is `body`.
    pub fn new(status: StatusCode, headers: HeaderMap, body: BodyStream) -> Self {
        StreamingResponse { status, headers, body }
    }

    /// A whole response, its body one chunk.
    pub fn whole(response: TransportResponse) -> Self {
        let body = futures_util::stream::iter([Ok(response.body)]);
        StreamingResponse { status: response.status, headers: response.headers, body: Box::pin(body) }
    }
}

impl std::fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamingResponse").field("status", &self.status).field("headers", &self.headers).finish()
    }
}

/// A transport that cannot stream was asked to.
#[derive(Debug, thiserror::Error)]
#[error("the transport to `{transport}` cannot stream responses (implement `Transport::open`)")]
pub struct StreamsUnsupported {
    /// The transport's endpoint.
    pub transport: String,
}

/// A response body larger than the client accepts.
#[derive(Debug, thiserror::Error)]
#[error("the response body exceeds the limit of {limit} bytes")]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: usize,
}

/// The default limit on response bodies: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 * 1024 * 1024;

/// The data frames of a body, as a stream of chunks.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn chunks<B>(body: B) -> BodyStream
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    use futures_util::StreamExt;
    let frames = http_body_util::BodyStream::new(body).map(|frame| match frame {
        Ok(frame) => frame.into_data().ok().map(Ok),
        Err(e) => Some(Err(e.into())),
    });
    Box::pin(frames.filter_map(std::future::ready))
}

/// Reads a response body whole within the request's limit.
pub(crate) async fn read_body<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, BoxError>
where
    B: http_body::Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    read_limited(headers, body, limit).await.map_err(|e| match e {
        BodyError::TooLarge(_) => Box::new(ResponseTooLarge { limit }) as BoxError,
        BodyError::Read(e) => e,
    })
}

impl TransportRequest<'_> {
    /// The HTTP headers to send: [`TransportRequest::headers`], copied.
    pub fn http_headers(&self) -> HeaderMap {
        self.headers.clone()
    }

    /// The same request, borrowing nothing.
    pub(crate) fn detach(self) -> TransportRequest<'static> {
        let TransportRequest { method, body, codec, headers, max_response_size, _borrows } = self;
        TransportRequest { method, body, codec, headers, max_response_size, _borrows: std::marker::PhantomData }
    }
}
