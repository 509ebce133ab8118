//! RPC-level middleware on the client: tower layers around every attempt a
//! call makes (a retried call passes through them again), over whichever
//! transport the client has: refresh a token, add a header from the
//! params, record a metric, answer from a cache.
//!
//! A layer wraps a `tower::Service<`[`AttemptRequest`]`, Response =`
//! [`AttemptResponse`]`, Error = BoxError>`, the transport at the bottom.
//! [`ClientBuilder::layer`](super::ClientBuilder::layer) adds one; the first
//! added is the outermost. A client without layers sends straight through
//! its transport: the layers cost nothing unless there are some.
//!
//! An error a layer returns fails the attempt like a transport failure: a
//! call that may run twice (`#[remote(idempotent)]`) is retried; another
//! only when the error is [`NotSent`](crate::transport::NotSent) (the layer
//! sent nothing).

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::codec::Codec;
use crate::error::BoxError;
use crate::future::BoxFuture;
use crate::transport::{StreamingResponse, Transport, TransportRequest, TransportResponse};

/// One attempt of a call (or of a batch: method `"batch"`), as the
/// client's layers see it.
#[derive(Debug)]
pub struct AttemptRequest {
    request: TransportRequest<'static>,
    streaming: bool,
}

impl AttemptRequest {
    /// The method called (`"batch"` for a batch, explicit or automatic).
    pub fn method(&self) -> &'static str {
        self.request.method
    }

    /// The encoded JSON-RPC request.
    pub fn body(&self) -> &Bytes {
        &self.request.body
    }

    /// Its codec.
    pub fn codec(&self) -> Codec {
        self.request.codec
    }

    /// The attempt's headers, all of them (the client's, the call's, the
    /// attempt's own).
    pub fn headers(&self) -> &HeaderMap {
        &self.request.headers
    }

    /// The headers to send, to change: what a layer adding a token edits.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.request.headers
    }

    /// Whether it asks for an event stream (a streaming method's call):
    /// its answer is an [`AttemptResponse::Streamed`].
    pub fn is_streaming(&self) -> bool {
        self.streaming
    }
}

/// What an attempt came back with: a whole response, or (for a streaming
/// call) one whose body is read as it arrives.
#[derive(Debug)]
pub enum AttemptResponse {
    /// The whole response.
    Whole(TransportResponse),
    /// The head of a response whose body streams.
    Streamed(StreamingResponse),
}

impl AttemptResponse {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            AttemptResponse::Whole(response) => response.status,
            AttemptResponse::Streamed(response) => response.status,
        }
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        match self {
            AttemptResponse::Whole(response) => &response.headers,
            AttemptResponse::Streamed(response) => &response.headers,
        }
    }
}

/// What each client layer is given to wrap: the layers below it, then the
/// transport.
pub type AttemptStack = tower::util::BoxCloneSyncService<AttemptRequest, AttemptResponse, BoxError>;

/// A layer added to a client builder: how it wraps a stack (once per endpoint).
pub(crate) type AddLayer = Arc<dyn Fn(AttemptStack) -> AttemptStack + Send + Sync>;

/// Wraps a stack in `layer`, type-erased again.
pub(crate) fn add<L>(layer: L) -> AddLayer
where
    L: tower::Layer<AttemptStack> + Send + Sync + 'static,
    L::Service:
        tower::Service<AttemptRequest, Response = AttemptResponse, Error = BoxError> + Clone + Send + Sync + 'static,
    <L::Service as tower::Service<AttemptRequest>>::Future: Send + 'static,
{
    Arc::new(move |stack| AttemptStack::new(layer.layer(stack)))
}

/// `transport` behind `layers` (the first the outermost): a transport again.
pub(crate) fn layered(transport: Box<dyn Transport>, layers: &[AddLayer]) -> Box<dyn Transport> {
    let endpoint = transport.endpoint().to_owned();
    let bottom = AttemptStack::new(Bottom(Arc::from(transport)));
    let stack = layers.iter().rev().fold(bottom, |stack, add| add(stack));
    Box::new(Layered { stack, endpoint })
}

/// The transport, as the service at the bottom of the layers.
#[derive(Clone)]
struct Bottom(Arc<dyn Transport>);

impl tower::Service<AttemptRequest> for Bottom {
    type Response = AttemptResponse;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<AttemptResponse, BoxError>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, attempt: AttemptRequest) -> Self::Future {
        let transport = Arc::clone(&self.0);
        Box::pin(async move {
            match attempt.streaming {
                true => transport.open(attempt.request).await.map(AttemptResponse::Streamed),
                false => transport.send(attempt.request).await.map(AttemptResponse::Whole),
            }
        })
    }
}

/// A transport whose every exchange goes through the layers.
struct Layered {
    stack: AttemptStack,
    endpoint: String,
}

impl Layered {
    fn attempt(
        &self,
        request: TransportRequest<'_>,
        streaming: bool,
    ) -> BoxFuture<'static, Result<AttemptResponse, BoxError>> {
        use tower::ServiceExt;
        Box::pin(self.stack.clone().oneshot(AttemptRequest { request: request.detach(), streaming }))
    }
}

impl Transport for Layered {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        let attempt = self.attempt(request, false);
        Box::pin(async move {
            match attempt.await? {
                AttemptResponse::Whole(response) => Ok(response),
                AttemptResponse::Streamed(_) => Err("a client layer answered a call with a stream".into()),
            }
        })
    }

    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        let attempt = self.attempt(request, true);
        Box::pin(async move {
            match attempt.await? {
                AttemptResponse::Streamed(response) => Ok(response),
                AttemptResponse::Whole(response) => Ok(StreamingResponse::whole(response)),
            }
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
