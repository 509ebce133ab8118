//! The calling side of streaming methods: the request asks for
//! `text/event-stream`, and [`Items`] reads the events as they arrive
//! ([`sse`](super::sse) splits them). A server that answers with one JSON
//! array instead (one that does not stream) is read too. A resumable
//! stream that breaks off reconnects ([`resume`](super::resume)) and goes on.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use http::StatusCode;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::attempts::{Attempt, Streamed};
use super::response;
use super::resume::{Broke, Reconnected, Resume};
use super::sse::{Parser, is_event_stream};
use super::untyped::{Client, Place};
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::{BoxError, Error};
use crate::method::Wire;
use crate::protocol::{ErrorObject, code};
use crate::rt::{Instant, Sleep};
use crate::transport::{BodyStream, TransportResponse};

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
    /// The reconnects of a stream that has ended.
    reconnected: u32,
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
    /// The stream's place at its endpoint, given back when it ends (or
    /// breaks off).
    place: Option<Place>,
    /// How it reconnects, if it resumes.
    resume: Option<Box<Resume>>,
}

/// What the events have told so far, and the timer.
struct State<E> {
    method: &'static str,
    id: u64,
    decode_app: fn(&ErrorObject) -> Option<E>,
    received: u64,
    /// The items that arrived on this connection: what the server's last
    /// event counts.
    on_connection: u64,
    /// Until the connection's first item: the call's deadline (for a
    /// reconnect, that of the reconnects), which bytes do not move.
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
    /// A `resumable` stream reconnects when it breaks off. (Its metrics, if
    /// the client records them, are its opening's.)
    pub(crate) async fn open_with<P: serde::Serialize + ?Sized, T, E>(
        &self,
        method: &'static str,
        params: &P,
        flags: (bool, bool),
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<Items<T, E>, Error<E>> {
        let started = self.metrics_start();
        let opened = self.open_stream(method, params, flags, decode_app).await;
        self.metrics_end(method, started, &opened);
        opened
    }

    async fn open_stream<P: serde::Serialize + ?Sized, T, E>(
        &self,
        method: &'static str,
        params: &P,
        (idempotent, resumable): (bool, bool),
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<Items<T, E>, Error<E>> {
        let id = self.next_id();
        let body: bytes::Bytes = self.encode(Codec::Json, method, params, Some(id))?.into();
        let deadline = self.deadline();
        let attempt = Attempt { events: true, ..self.attempt(method, body.clone(), Codec::Json, idempotent) };
        let (response, place) = self.attempts::<Streamed, E>(attempt, deadline).await?;
        if is_event_stream(&response) {
            let state = State::new(method, id, decode_app, deadline, self.stream_idle);
            let parser = Parser::new(self.state.max_response_size);
            let resume = (resumable && self.state.retry.max_stream_reconnects > 0)
                .then(|| Box::new(Resume::new(self.clone(), body)));
            let events = Events { body: response.body, parser, state, place: Some(place), resume };
            return Ok(Items { inner: Inner::Events(Box::new(events)), reconnected: 0, item: PhantomData });
        }
        // One answer: an error, or the items collected by a server that does not stream.
        drop(place);
        let whole = self.read_whole(method, response, deadline).await?;
        let items = self.decode_answer::<Vec<Box<RawValue>>, E>(Codec::Json, method, id, &whole, decode_app)?;
        Ok(Items { inner: Inner::Collected(items.into_iter(), method), reconnected: 0, item: PhantomData })
    }
}

impl<T, E> Items<T, E> {
    /// How often the stream reconnected, so far: a resumable stream
    /// reconnects when it breaks off (each reconnect is also a tracing
    /// event); other streams never do.
    pub fn reconnects(&self) -> u32 {
        match &self.inner {
            Inner::Events(events) => events.resume.as_ref().map_or(0, |resume| resume.reconnects),
            _ => self.reconnected,
        }
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
            this.reconnected = this.reconnects();
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
        loop {
            if let Some(resume) = self.resume.as_mut().filter(|resume| resume.reconnecting()) {
                let broke = match resume.poll_reconnected(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok(Reconnected::Events(response, place))) => {
                        self.body = response.body;
                        self.place = Some(place);
                        self.parser.reconnected();
                        self.state.reconnected(resume.deadline());
                        continue;
                    }
                    Poll::Ready(Ok(Reconnected::Answer(answer))) => match resume.unavailable(&answer) {
                        Some(why) => why,
                        None => return Poll::Ready(Step::End(Some(self.state.answered(resume.client(), &answer)))),
                    },
                    Poll::Ready(Err(failed)) => Box::new(failed),
                };
                if let Err(end) = self.break_off(broke) {
                    return Poll::Ready(Step::End(Some(end)));
                }
                continue;
            }
            let broke = match self.parser.next_event() {
                Some(Ok(event)) => match self.state.message::<T>(self.parser.data(&event)) {
                    Step::Item(item) => {
                        if let Some(resume) = &mut self.resume {
                            resume.progressed();
                        }
                        return Poll::Ready(Step::Item(item));
                    }
                    // A server shutting down ends its streams so: another takes them up.
                    Step::End(Some(Error::Remote { code: code::SHUTTING_DOWN, message, .. }))
                        if self.resume.is_some() =>
                    {
                        message.into()
                    }
                    end => return Poll::Ready(end),
                },
                Some(Err(too_long)) => return Poll::Ready(Step::End(Some(self.state.decode_error(too_long)))),
                None => match self.body.poll_next_unpin(cx) {
                    Poll::Ready(Some(Ok(chunk))) => {
                        // Any bytes, keep-alive comments included, show the connection is alive.
                        self.state.last_bytes = Instant::now();
                        self.parser.push(&chunk);
                        continue;
                    }
                    Poll::Ready(Some(Err(source))) => source,
                    Poll::Ready(None) => "the connection closed before the stream's last event".into(),
                    Poll::Pending => match self.state.poll_timer(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Silence::Idle(after)) if self.resume.is_some() => {
                            format!("no bytes arrived for {after:?}").into()
                        }
                        Poll::Ready(silence) => return Poll::Ready(Step::End(Some(self.state.timed_out(silence)))),
                    },
                },
            };
            if let Err(end) = self.break_off(broke) {
                return Poll::Ready(Step::End(Some(end)));
            }
        }
    }

    /// The connection broke off (`source` says how): a resumable stream
    /// starts reconnecting, unless its reconnects are used up; any other
    /// ends with the error.
    fn break_off(&mut self, source: BoxError) -> Result<(), Error<E>> {
        // Its place goes first: a reconnect to the same endpoint may need it.
        let left = self.place.take().map(|place| place.index);
        let Some(resume) = &mut self.resume else { return Err(self.state.broken(source, 0)) };
        let broke = Broke { method: self.state.method, parser: &self.parser, received: self.state.received, left };
        match resume.reconnect(broke, &*source) {
            true => Ok(()),
            false => Err(self.state.broken(source, resume.reconnects)),
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
            on_connection: 0,
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
        match (self.on_connection, self.first, self.idle) {
            (0, Some(first), _) => Some(first.at),
            (_, _, Some(idle)) => self.last_bytes.checked_add(idle),
            _ => None,
        }
    }

    /// Reading a new connection, which has until `deadline` for its first
    /// item; then the silence starts.
    fn reconnected(&mut self, deadline: Option<Deadline>) {
        self.on_connection = 0;
        self.first = deadline;
        self.last_bytes = Instant::now();
        self.arm();
    }

    /// Sets the timer for the current deadline.
    fn arm(&mut self) {
        if let Some(deadline) = self.deadline() {
            self.timer.as_mut().reset(deadline);
        }
    }

    /// The silence, once it (or the wait for the first item) is over; the
    /// timer re-armed if it fired early.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<Silence> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let Some(deadline) = self.deadline() else { return Poll::Pending };
            if deadline <= Instant::now() {
                return Poll::Ready(match (self.on_connection, self.first) {
                    (0, Some(first)) => Silence::Deadline(first.after),
                    _ => Silence::Idle(self.idle.unwrap_or_default()),
                });
            }
            self.timer.as_mut().reset(deadline);
        }
        Poll::Pending
    }

    fn timed_out(&self, silence: Silence) -> Error<E> {
        let (Silence::Deadline(after) | Silence::Idle(after)) = silence;
        Error::Timeout { method: self.method, after }
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
        // UTF-8 checked once, whole (serde_json does not check the strings
        // it skips); an event that is not is read by `last`, which says so.
        let item = std::str::from_utf8(data).ok().and_then(|text| serde_json::from_str::<Item<T::De>>(text).ok());
        if let Some(item) = item {
            if item.params.subscription == self.id && is_item(data) {
                self.received += 1;
                self.on_connection += 1;
                if self.on_connection == 1 {
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
        let decoded =
            response::decode::<Done, E>(Codec::Json, self.method, self.id, StatusCode::OK, data, self.decode_app);
        match decoded {
            Ok(Done { items }) if items == self.on_connection => None,
            Ok(Done { items }) => Some(Error::Decode {
                method: self.method,
                detail: format!("the server sent {items} items, {} arrived", self.on_connection),
            }),
            Err(error) => Some(error),
        }
    }

    fn decode_error(&self, detail: String) -> Error<E> {
        Error::Decode { method: self.method, detail }
    }

    fn broken(&self, source: BoxError, reconnects: u32) -> Error<E> {
        Error::StreamBroken { method: self.method, received: self.received, reconnects, source }
    }

    /// What a reconnect answered with one response (not events) says: the
    /// error it is, most likely.
    fn answered(&self, client: &Client, answer: &TransportResponse) -> Error<E> {
        let decoded = client.decode_answer::<serde::de::IgnoredAny, E>(
            Codec::Json,
            self.method,
            self.id,
            answer,
            self.decode_app,
        );
        match decoded {
            Err(error) => error,
            Ok(_) => {
                Error::Decode { method: self.method, detail: "a resumed stream was answered with no events".into() }
            }
        }
    }
}

/// What ended a silence: the call's deadline, before the first item, or
/// the longest silence allowed within the stream.
enum Silence {
    Deadline(Duration),
    Idle(Duration),
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
