//! Streaming replies: a method's items, as Server-Sent Events to a caller
//! that accepts them, or collected into one array for one that does not.
//!
//! The events are JSON-RPC messages, one per `data:` line: each item a
//! notification `{"jsonrpc":"2.0","method":"rpc.item","params":
//! {"subscription":<id>,"result":<item>}}`, then the response to the request:
//! `{"result":{"items":<count>}}`, or the error that ended the stream (an
//! item's error, a panic, the server shutting down). A stream never just
//! stops: its last event says how it ended.

use std::convert::Infallible;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::{FutureExt, Stream, StreamExt};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::WaitForCancellationFutureOwned;

use super::context::Context;
use super::service::{Encoded, Items};
use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};

/// Events are written into one buffer until it holds this much, so that a
/// fast stream goes out in few large writes rather than one per item.
const CHUNK: usize = 16 * 1024;

/// Collects a stream's items into the body of one response: the result
/// prefix, then an array of the items. More than `limit` items, or an item
/// error, is the call's error. A panic while producing them is the
/// caller's to contain.
pub(crate) async fn collect(
    codec: Codec,
    method: &str,
    mut items: Items,
    limit: usize,
) -> Result<Vec<u8>, ErrorObject> {
    let mut collected = Vec::new();
    while let Some(item) = items.next().await {
        if collected.len() == limit {
            return Err(ErrorObject::new(
                code::STREAM_TOO_LONG,
                format!(
                    "`{method}` streams more than {limit} items, too many to collect into one answer: \
                     POST with `Accept: text/event-stream` to receive them as a stream"
                ),
            ));
        }
        collected.push(item?);
    }
    // The items without their ids: a caller that reads one answer cannot resume.
    let mut body = codec.result_prefix().to_vec();
    body.extend_from_slice(&codec.join(collected.iter().map(Encoded::item)).unwrap_or_else(|| codec.empty_array()));
    Ok(body)
}

/// What an event stream needs beside its items.
pub(crate) struct Settings {
    pub keep_alive: Option<Duration>,
    pub shutdown: WaitForCancellationFutureOwned,
    pub context: Context,
}

/// The body of a streaming response.
pub(crate) struct Events {
    /// `None` once the last event is written.
    items: Option<Items>,
    /// The request's id, as JSON.
    id: Vec<u8>,
    sent: u64,
    keep_alive: Option<(Duration, Pin<Box<Sleep>>)>,
    shutdown: Pin<Box<WaitForCancellationFutureOwned>>,
    context: Context,
    buf: BytesMut,
}

impl Events {
    pub fn new(items: Items, id: Vec<u8>, settings: Settings) -> Self {
        let keep_alive = settings.keep_alive.map(|every| (every, Box::pin(tokio::time::sleep(every))));
        Events {
            items: Some(items),
            id,
            sent: 0,
            keep_alive,
            shutdown: Box::pin(settings.shutdown),
            context: settings.context,
            buf: BytesMut::new(),
        }
    }

    fn item(&mut self, item: &Encoded) {
        self.sent += 1;
        if let Some(id) = item.id() {
            self.buf.extend_from_slice(b"id: ");
            self.buf.extend_from_slice(id);
            self.buf.extend_from_slice(b"\n");
        }
        self.buf.extend_from_slice(br#"data: {"jsonrpc":"2.0","method":"rpc.item","params":{"subscription":"#);
        self.buf.extend_from_slice(&self.id);
        self.buf.extend_from_slice(br#","result":"#);
        self.buf.extend_from_slice(item.item());
        self.buf.extend_from_slice(b"}}\n\n");
    }

    /// The last event: the response to the request.
    fn end(&mut self, outcome: Result<(), ErrorObject>) {
        self.items = None;
        self.buf.extend_from_slice(b"data: ");
        match outcome {
            Ok(()) => {
                let mut response = Codec::Json.result_prefix().to_vec();
                response.extend_from_slice(format!(r#"{{"items":{}}}"#, self.sent).as_bytes());
                Codec::Json.push_id(&mut response, &self.id);
                self.buf.extend_from_slice(&response);
            }
            Err(error) => self.buf.extend_from_slice(&Codec::Json.error_response(&error, &self.id)),
        }
        self.buf.extend_from_slice(b"\n\n");
    }

    /// Polls the items within the call's context, a panic ending the stream.
    fn poll_item(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Result<Encoded, ErrorObject>>> {
        let Some(items) = self.items.as_mut() else { return Poll::Ready(None) };
        let polled = self.context.clone().sync_scope(|| catch_unwind(AssertUnwindSafe(|| items.poll_next_unpin(cx))));
        polled.unwrap_or_else(|_| {
            tracing::error!("a remote stream panicked");
            Poll::Ready(Some(Err(ErrorObject::internal("the stream panicked"))))
        })
    }
}

impl Stream for Events {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.items.is_none() && this.buf.is_empty() {
            return Poll::Ready(None);
        }
        if this.items.is_some() && this.shutdown.as_mut().poll(cx).is_ready() {
            this.end(Err(ErrorObject::new(code::SHUTTING_DOWN, "the server is shutting down")));
        }
        while this.items.is_some() && this.buf.len() < CHUNK {
            match this.poll_item(cx) {
                Poll::Ready(Some(Ok(item))) => this.item(&item),
                Poll::Ready(Some(Err(error))) => this.end(Err(error)),
                Poll::Ready(None) => this.end(Ok(())),
                Poll::Pending => break,
            }
        }
        if !this.buf.is_empty() {
            if let Some((every, sleep)) = &mut this.keep_alive {
                sleep.as_mut().reset(Instant::now() + *every);
            }
            return Poll::Ready(Some(Ok(this.buf.split().freeze())));
        }
        // Nothing to send: a comment line keeps proxies and clients from
        // taking the quiet connection for a dead one.
        if let Some((every, sleep)) = &mut this.keep_alive {
            if sleep.as_mut().poll(cx).is_ready() {
                sleep.as_mut().reset(Instant::now() + *every);
                return Poll::Ready(Some(Ok(Bytes::from_static(b":\n\n"))));
            }
        }
        Poll::Pending
    }
}

/// The response headers of an event stream: never cached, never buffered
/// by a proxy (`X-Accel-Buffering` is nginx's switch).
pub(crate) fn headers() -> [(http::HeaderName, http::HeaderValue); 3] {
    use http::header::{CACHE_CONTROL, CONTENT_TYPE};
    [
        (CONTENT_TYPE, http::HeaderValue::from_static("text/event-stream")),
        (CACHE_CONTROL, http::HeaderValue::from_static("no-cache")),
        (http::HeaderName::from_static("x-accel-buffering"), http::HeaderValue::from_static("no")),
    ]
}

/// Whether an `Accept` header takes an event stream.
pub(crate) fn accepts_events(headers: &http::HeaderMap) -> bool {
    headers.get_all(http::header::ACCEPT).iter().any(|value| {
        value
            .to_str()
            .is_ok_and(|v| v.split(',').any(|t| t.split(';').next().unwrap_or("").trim() == "text/event-stream"))
    })
}

/// Contains a panic while collecting.
pub(crate) async fn collect_contained(
    codec: Codec,
    method: &str,
    items: Items,
    limit: usize,
) -> Result<Vec<u8>, ErrorObject> {
    AssertUnwindSafe(collect(codec, method, items, limit))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err(ErrorObject::internal(format_args!("`{method}`: the stream panicked"))))
}
