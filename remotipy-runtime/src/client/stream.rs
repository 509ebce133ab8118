//! The calling side of streaming methods: the request asks for
//! `text/event-stream`, and [`Items`] reads the events as they arrive
//! ([`sse`](super::sse) splits them). A server that answers with one JSON
//! array instead (one that does not stream) is read too.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use http::StatusCode;
use http::header::CONTENT_TYPE;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::attempts::{Attempt, Streamed};
use super::sse::Parser;
use super::{Client, Place};
use crate::body::BodyError;
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::{BoxError, Error};
use crate::method::Wire;
use crate::protocol::ErrorObject;
use crate::rt::{Instant, Sleep};
use crate::transport::{BodyStream, ResponseTooLarge, StreamingResponse, TransportResponse};

/// The items of a streaming call, as they arrive: each `Ok(item)`, or the
/// error that ended the stream (the server's, a broken connection, a
/// timeout), after which the stream ends. A stream that stops without the
/// server saying it ended is an error too ([`Error::StreamBroken`]), never
/// a silent truncation.
///
/// Dropping it closes the connection: the server stops producing.
#[must_use = "a stream does nothing unless polled"]
pub struct Items<T, E = Infallible> {
    inner: Inner<E>,
    item: PhantomData<fn() -> T>,
}

enum Inner<E> {
    Events(Box<Events<E>>),
    /// A server answered with one array (it does not stream): each item,
    /// still encoded.
    Collected(std::vec::IntoIter<Box<RawValue>>, &'static str),
    Done,
}

/// Reading an event stream.
struct Events<E> {
    body: BodyStream,
    parser: Parser,
    state: State<E>,
    /// The stream's place at its endpoint, given back when it ends.
    _place: Place,
}

/// What the events have told so far, and the timer.
struct State<E> {
    method: &'static str,
    id: u64,
    decode_app: fn(&ErrorObject) -> Option<E>,
    received: u64,
    /// Until the first item: the call's deadline, which bytes do not move.
    first: Option<Deadline>,
    /// Then: the longest silence (keep-alive comments break it).
    idle: Option<Duration>,
    /// When bytes last arrived. The timer is not moved at every item (a
    /// timer-wheel operation each): when it fires early, it is re-armed
    /// for the silence's real end.
    last_bytes: Instant,
    timer: Pin<Box<Sleep>>,
}

impl Client {
    /// Calls a streaming method: asks for an event stream and returns as
    /// soon as it starts (the setup succeeded), within the call's deadline.
    /// Events are JSON, so the call is too, whatever the client's codec.
    pub(crate) async fn open_with<P: serde::Serialize + ?Sized, T, E>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<Items<T, E>, Error<E>> {
        let id = self.next_id();
        let body = self.encode(Codec::Json, method, params, Some(id))?;
        let deadline = self.deadline();
        let attempt = Attempt { method, body: body.into(), codec: Codec::Json, idempotent, events: true };
        let (response, place) = self.attempts::<Streamed, E>(attempt, deadline).await?;
        let events = response.headers.get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if response.status == StatusCode::OK && events {
            let state = State::new(method, id, decode_app, deadline, self.stream_idle);
            let parser = Parser::new(self.state.max_response_size);
            let events = Events { body: response.body, parser, state, _place: place };
            return Ok(Items { inner: Inner::Events(Box::new(events)), item: PhantomData });
        }
        // One answer: an error, or the items collected by a server that does not stream.
        drop(place);
        let whole = self.read_whole(method, response, deadline).await?;
        let items = self.decode_answer::<Vec<Box<RawValue>>, E>(Codec::Json, method, id, &whole, decode_app)?;
        Ok(Items { inner: Inner::Collected(items.into_iter(), method), item: PhantomData })
    }

    /// A streamed answer read whole, within the limit and the deadline.
    async fn read_whole<E>(
        &self,
        method: &'static str,
        response: StreamingResponse,
        deadline: Option<Deadline>,
    ) -> Result<TransportResponse, Error<E>> {
        let limit = self.state.max_response_size;
        let frames = response.body.map(|chunk| chunk.map(http_body::Frame::data));
        let read = crate::body::read_limited(&response.headers, http_body_util::StreamBody::new(frames), limit);
        let body = match deadline {
            Some(deadline) => crate::rt::timeout_at(deadline.at, read)
                .await
                .map_err(|_| Error::Timeout { method, after: deadline.after })?,
            None => read.await,
        };
        let body = body.map_err(|e| match e {
            BodyError::TooLarge(_) => super::transport_error(method, Box::new(ResponseTooLarge { limit })),
            BodyError::Read(source) => super::transport_error(method, source),
        })?;
        Ok(TransportResponse::new(response.status, response.headers, body))
    }
}

impl<T: Wire, E> Stream for Items<T, E> {
    type Item = Result<T, Error<E>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let (next, done) = match &mut this.inner {
            Inner::Done => return Poll::Ready(None),
            Inner::Collected(items, method) => match items.next() {
                Some(raw) => {
                    let item = decode::<T, E>(method, raw.get());
                    let done = item.is_err();
                    (Some(item), done)
                }
                None => (None, true),
            },
            Inner::Events(events) => match events.poll_item::<T>(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Step::Item(item)) => (Some(Ok(item)), false),
                Poll::Ready(Step::End(None)) => (None, true),
                Poll::Ready(Step::End(Some(error))) => (Some(Err(error)), true),
            },
        };
        if done {
            this.inner = Inner::Done;
        }
        Poll::Ready(next)
    }
}

enum Step<T, E> {
    Item(T),
    End(Option<Error<E>>),
}

impl<E> Events<E> {
    fn poll_item<T: Wire>(&mut self, cx: &mut Context<'_>) -> Poll<Step<T, E>> {
        let state = &mut self.state;
        loop {
            match self.parser.next_event() {
                Some(Ok(event)) => return Poll::Ready(state.message::<T>(self.parser.data(&event))),
                Some(Err(too_long)) => return Poll::Ready(Step::End(Some(state.decode_error(too_long)))),
                None => {}
            }
            match self.body.poll_next_unpin(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    // Any bytes, keep-alive comments included, show the connection is alive.
                    state.last_bytes = Instant::now();
                    self.parser.push(&chunk);
                }
                Poll::Ready(Some(Err(source))) => return Poll::Ready(Step::End(Some(state.broken(source)))),
                Poll::Ready(None) => {
                    let source = "the connection closed before the stream's last event".into();
                    return Poll::Ready(Step::End(Some(state.broken(source))));
                }
                Poll::Pending => return state.poll_timer(cx).map(|error| Step::End(Some(error))),
            }
        }
    }
}

impl<E> State<E> {
    fn new(
        method: &'static str,
        id: u64,
        decode_app: fn(&ErrorObject) -> Option<E>,
        first: Option<Deadline>,
        idle: Option<Duration>,
    ) -> Self {
        let now = Instant::now();
        let mut state = State {
            method,
            id,
            decode_app,
            received: 0,
            first,
            idle,
            last_bytes: now,
            timer: Box::pin(crate::rt::sleep_until(now)),
        };
        state.arm();
        state
    }

    /// When the stream times out, as things stand: the call's deadline
    /// until the first item (bytes do not move it), then the end of the
    /// current silence; `None` for never (no timeout, or one past what the
    /// clock can represent).
    fn deadline(&self) -> Option<Instant> {
        match (self.received, self.first, self.idle) {
            (0, Some(first), _) => Some(first.at),
            (_, _, Some(idle)) => self.last_bytes.checked_add(idle),
            _ => None,
        }
    }

    /// Sets the timer for the current deadline.
    fn arm(&mut self) {
        if let Some(deadline) = self.deadline() {
            self.timer.as_mut().reset(deadline);
        }
    }

    /// A timeout, once the silence (or the wait for the first item) is
    /// over; the timer re-armed if it fired early.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<Error<E>> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let Some(deadline) = self.deadline() else { return Poll::Pending };
            if deadline <= Instant::now() {
                let after = match (self.received, self.first) {
                    (0, Some(first)) => first.after,
                    _ => self.idle.unwrap_or_default(),
                };
                return Poll::Ready(Error::Timeout { method: self.method, after });
            }
            self.timer.as_mut().reset(deadline);
        }
        Poll::Pending
    }

    /// One event: an item, or the response that ends the stream.
    fn message<T: Wire>(&mut self, data: &[u8]) -> Step<T, E> {
        // The common case, read in one pass: an item notification (its
        // method checked with a byte search, not decoded).
        #[derive(Deserialize)]
        struct Item<T> {
            params: ItemParams<T>,
        }
        #[derive(Deserialize)]
        struct ItemParams<T> {
            // This client's ids are integers; the server echoes them.
            subscription: u64,
            result: T,
        }
        if let Ok(item) = serde_json::from_slice::<Item<T::De>>(data) {
            if item.params.subscription == self.id && is_item(data) {
                self.received += 1;
                if self.received == 1 {
                    // From the call's deadline to the silence's: earlier, maybe.
                    self.arm();
                }
                return Step::Item(T::from_de(item.params.result));
            }
        }
        Step::End(self.last(data))
    }

    /// The last event: the response, its result the count of items sent
    /// (`None`: all arrived), or the error that ended the stream.
    fn last(&self, data: &[u8]) -> Option<Error<E>> {
        #[derive(Deserialize)]
        struct Done {
            items: u64,
        }
        let decoded = super::response::decode::<Done, E>(
            Codec::Json,
            self.method,
            self.id,
            StatusCode::OK,
            data,
            self.decode_app,
        );
        match decoded {
            Ok(Done { items }) if items == self.received => None,
            Ok(Done { items }) => Some(Error::Decode {
                method: self.method,
                detail: format!("the server sent {items} items, {} arrived", self.received),
            }),
            Err(error) => Some(error),
        }
    }

    fn decode_error(&self, detail: String) -> Error<E> {
        Error::Decode { method: self.method, detail }
    }

    fn broken(&self, source: BoxError) -> Error<E> {
        Error::StreamBroken { method: self.method, received: self.received, reconnects: 0, source }
    }
}

/// Whether an event is an item notification: its method is `rpc.item`.
/// A remotipy server writes it first; other servers anywhere.
fn is_item(data: &[u8]) -> bool {
    static ITEM: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(br#""method":"rpc.item""#));
    data.starts_with(br#"{"jsonrpc":"2.0","method":"rpc.item","#) || ITEM.find(data).is_some()
}

fn decode<T: Wire, E>(method: &'static str, raw: &str) -> Result<T, Error<E>> {
    serde_json::from_str::<T::De>(raw)
        .map(T::from_de)
        .map_err(|e| Error::Decode { method, detail: format!("an item of the wrong type: {e}") })
}

impl<T, E> std::fmt::Debug for Items<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.inner {
            Inner::Events(events) => {
                f.debug_struct("Items").field("method", &events.state.method).finish_non_exhaustive()
            }
            Inner::Collected(items, method) => {
                f.debug_struct("Items").field("method", method).field("left", &items.len()).finish()
            }
            Inner::Done => f.write_str("Items(done)"),
        }
    }
}
