//! The calling side of streaming methods: the request asks for
//! `text/event-stream`, and [`Items`] reads the events as they arrive. A
//! server that answers with one JSON array instead (one that does not
//! stream) is read too.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::ops::Range;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::rt::{Instant, Sleep};
use bytes::{Buf, Bytes, BytesMut};
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;

use http::StatusCode;
use http::header::CONTENT_TYPE;

use crate::__private::Wire;
use crate::body::BodyError;
use crate::codec::Codec;
use crate::error::Error;
use crate::protocol::ErrorObject;
use crate::transport::{BodyStream, ResponseTooLarge};

/// The items of a streaming call, as they arrive: each `Ok(item)`, or the
/// error that ended the stream (the server's, a broken connection, a
/// timeout), after which the stream ends. A stream that stops without the
/// server saying it ended is an error too, never a silent truncation.
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
}

/// What the events have told so far, and the timer.
struct State<E> {
    method: &'static str,
    id: u64,
    decode_app: fn(&ErrorObject) -> Option<E>,
    received: u64,
    /// Until the first item: the call's deadline, which bytes do not move.
    first: Option<(Instant, Duration)>,
    /// Then: the longest silence (keep-alive comments break it).
    idle: Option<Duration>,
    /// When bytes last arrived. The timer is not moved at every item (a
    /// timer-wheel operation each): when it fires early, it is re-armed
    /// for the silence's real end.
    last_bytes: Instant,
    timer: Pin<Box<Sleep>>,
}

/// How a stream is read: what the call gave it.
pub(crate) struct Reading<E> {
    pub method: &'static str,
    pub id: u64,
    pub decode_app: fn(&ErrorObject) -> Option<E>,
    /// The call's timeout and when it ends: the first item must come by then.
    pub deadline: Option<(Instant, Duration)>,
    pub idle: Option<Duration>,
    /// Longest event accepted, in bytes.
    pub limit: usize,
}

impl super::Client {
    /// Calls a streaming method: asks for an event stream and returns as
    /// soon as it starts (the setup succeeded), within the call's deadline.
    /// Events are JSON, so the call is too, whatever the client's codec.
    pub(super) async fn open_with<P: serde::Serialize + ?Sized, T, E>(
        &self,
        method: &'static str,
        params: &P,
        idempotent: bool,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<Items<T, E>, Error<E>> {
        use super::attempts::{Attempt, Open};
        let id = self.next_id();
        let mut body = Vec::with_capacity(128);
        let encoded = Codec::Json.encode_request(&mut body, method, params, Some(id));
        encoded.map_err(|source| Error::Encode { method, source })?;
        let limit = self.shared.max_response_size;
        let deadline = self.deadline();
        let attempt = Attempt { method, body: body.into(), codec: Codec::Json, idempotent, events: true };
        let response = self.attempts::<Open, E>(attempt, deadline).await?;
        let events = response.headers.get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if response.status == StatusCode::OK && events {
            let reading = Reading { method, id, decode_app, deadline, idle: self.stream_idle, limit };
            return Ok(Items::events(response.body, reading));
        }
        // One answer: an error, or the items collected by a server that does not stream.
        let frames = response.body.map(|chunk| chunk.map(http_body::Frame::data));
        let read = crate::body::read_limited(&response.headers, http_body_util::StreamBody::new(frames), limit);
        let body = match deadline {
            Some((at, after)) => crate::rt::timeout_at(at, read).await.map_err(|_| Error::Timeout { method, after })?,
            None => read.await,
        };
        let body = body.map_err(|e| match e {
            BodyError::TooLarge(_) => super::transport_error(method, Box::new(ResponseTooLarge { limit })),
            BodyError::Read(source) => super::transport_error(method, source),
        })?;
        if response.status != StatusCode::OK && body.is_empty() {
            return Err(super::status_error(method, response.status, &body));
        }
        let items = super::response::decode::<Vec<Box<RawValue>>, E>(
            Codec::Json,
            method,
            id,
            response.status,
            &body,
            decode_app,
        )
        .map_err(|error| self.timed_out(error))?;
        Ok(Items::collected(items, method))
    }
}

impl<T, E> Items<T, E> {
    pub(crate) fn events(body: BodyStream, reading: Reading<E>) -> Self {
        let now = Instant::now();
        let mut state = State {
            method: reading.method,
            id: reading.id,
            decode_app: reading.decode_app,
            received: 0,
            first: reading.deadline,
            idle: reading.idle,
            last_bytes: now,
            timer: Box::pin(crate::rt::sleep_until(now)),
        };
        let deadline = state.deadline();
        state.timer.as_mut().reset(deadline);
        let events = Events { body, parser: Parser::new(reading.limit), state };
        Items { inner: Inner::Events(Box::new(events)), item: PhantomData }
    }

    pub(crate) fn collected(items: Vec<Box<RawValue>>, method: &'static str) -> Self {
        Items { inner: Inner::Collected(items.into_iter(), method), item: PhantomData }
    }
}

fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(86_400 * 365)
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
                Poll::Ready(Some(Err(source))) => {
                    return Poll::Ready(Step::End(Some(Error::Transport { method: state.method, source })));
                }
                Poll::Ready(None) => {
                    let detail = "the stream ended before the server said it had: the connection closed early".into();
                    return Poll::Ready(Step::End(Some(state.decode_error(detail))));
                }
                Poll::Pending => return state.poll_timer(cx).map(|error| Step::End(Some(error))),
            }
        }
    }
}

impl<E> State<E> {
    /// When the stream times out, as things stand: the call's deadline
    /// until the first item (bytes do not move it), then the end of the
    /// current silence.
    fn deadline(&self) -> Instant {
        match (self.received, self.first, self.idle) {
            (0, Some((at, _)), _) => at,
            (_, _, Some(idle)) => self.last_bytes + idle,
            _ => far_future(),
        }
    }

    /// A timeout, once the silence (or the wait for the first item) is
    /// over; the timer re-armed if it fired early.
    fn poll_timer(&mut self, cx: &mut Context<'_>) -> Poll<Error<E>> {
        while self.timer.as_mut().poll(cx).is_ready() {
            let deadline = self.deadline();
            if deadline <= Instant::now() {
                let after = match (self.received, self.first) {
                    (0, Some((_, timeout))) => timeout,
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
        if let Ok(item) = serde_json::from_slice::<Item<T::Serde>>(data) {
            if item.params.subscription == self.id && is_item(data) {
                self.received += 1;
                if self.received == 1 {
                    // From the call's deadline to the silence's: earlier, maybe.
                    let deadline = self.deadline();
                    self.timer.as_mut().reset(deadline);
                }
                return Step::Item(T::from_serde(item.params.result));
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
}

/// Whether an event is an item notification: its method is `rpc.item`.
/// A remotipy server writes it first; other servers anywhere.
fn is_item(data: &[u8]) -> bool {
    static ITEM: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(br#""method":"rpc.item""#));
    data.starts_with(br#"{"jsonrpc":"2.0","method":"rpc.item","#) || ITEM.find(data).is_some()
}

fn decode<T: Wire, E>(method: &'static str, raw: &str) -> Result<T, Error<E>> {
    serde_json::from_str::<T::Serde>(raw)
        .map(T::from_serde)
        .map_err(|e| Error::Decode { method, detail: format!("an item of the wrong type: {e}") })
}

/// Server-Sent Events, split from the bytes as they come: each event's
/// `data` lines, joined. Comments (`:`) and other fields are skipped.
/// Hand-written (a few dozen lines) so that an event longer than the
/// client's response limit is refused instead of buffered without bound,
/// which the SSE crates do not offer, and so that an event of one `data`
/// line (every event a remotipy server sends) is read where it lies.
struct Parser {
    buf: BytesMut,
    /// Where the unread bytes of `buf` start.
    pos: usize,
    /// The event's first data line, where it lies in `buf`.
    first: Option<Range<usize>>,
    /// The event's data when it has several lines, joined.
    joined: Vec<u8>,
    /// The last line ended with a CR at the end of a chunk: a LF starting
    /// the next one belongs to it.
    after_cr: bool,
    limit: usize,
    /// An event grew past the limit: the stream ends with that error.
    failed: bool,
}

/// Where an event's data is.
enum Event {
    InBuf(Range<usize>),
    Joined,
}

impl Parser {
    fn new(limit: usize) -> Self {
        Parser { buf: BytesMut::new(), pos: 0, first: None, joined: Vec::new(), after_cr: false, limit, failed: false }
    }

    fn push(&mut self, chunk: &Bytes) {
        // What was read goes (nothing of it is borrowed any more).
        let consumed = self.first.as_ref().map_or(self.pos, |first| first.start.min(self.pos));
        self.buf.advance(consumed);
        self.pos -= consumed;
        if let Some(first) = &mut self.first {
            *first = first.start - consumed..first.end - consumed;
        }
        self.buf.extend_from_slice(chunk);
    }

    fn data(&self, event: &Event) -> &[u8] {
        match event {
            Event::InBuf(range) => &self.buf[range.clone()],
            Event::Joined => &self.joined,
        }
    }

    /// The next whole event; an error when it grows past the limit.
    fn next_event(&mut self) -> Option<Result<Event, String>> {
        if self.failed {
            return None;
        }
        loop {
            if self.after_cr && self.pos < self.buf.len() {
                self.after_cr = false;
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
            }
            let rest = &self.buf[self.pos..];
            let Some(end) = memchr::memchr2(b'\n', b'\r', rest) else {
                return (rest.len() + self.joined.len() > self.limit).then(|| self.too_long());
            };
            let line = self.pos..self.pos + end;
            let cr = rest[end] == b'\r';
            let crlf = cr && rest.get(end + 1) == Some(&b'\n');
            self.after_cr = cr && end + 1 == rest.len();
            self.pos += end + if crlf { 2 } else { 1 };
            if line.is_empty() {
                match self.first.take() {
                    Some(first) if self.joined.is_empty() => return Some(Ok(Event::InBuf(first))),
                    Some(_) => return Some(Ok(Event::Joined)),
                    None => continue,
                }
            }
            let skip = match &self.buf[line.clone()] {
                [b'd', b'a', b't', b'a', b':', b' ', ..] => 6,
                [b'd', b'a', b't', b'a', b':', ..] => 5,
                [b'd', b'a', b't', b'a'] => 4,
                _ => continue, // a comment, or another field
            };
            let value = line.start + skip..line.end;
            match &self.first {
                None => {
                    self.joined.clear();
                    self.first = Some(value);
                }
                Some(first) => {
                    if self.joined.is_empty() {
                        self.joined.extend_from_slice(&self.buf[first.clone()]);
                    }
                    self.joined.push(b'\n');
                    self.joined.extend_from_slice(&self.buf[value]);
                }
            }
            let size = self.first.as_ref().map_or(0, |first| first.len()).max(self.joined.len());
            if size > self.limit {
                return Some(self.too_long());
            }
        }
    }

    fn too_long<T>(&mut self) -> Result<T, String> {
        self.failed = true;
        Err(format!("an event exceeds the limit of {} bytes", self.limit))
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&str], limit: usize) -> Vec<Result<String, String>> {
        let mut parser = Parser::new(limit);
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(&Bytes::copy_from_slice(chunk.as_bytes()));
            while let Some(event) = parser.next_event() {
                out.push(event.map(|event| String::from_utf8(parser.data(&event).to_vec()).unwrap()));
            }
        }
        out
    }

    #[test]
    fn events_split_anywhere_with_any_line_ending() {
        let stream = "data: {\"a\":1}\n\n:keep-alive\n\ndata:x\r\ndata: y\r\n\r\nevent: e\ndata: z\rid: 7\r\r";
        for split in 0..stream.len() {
            let (a, b) = stream.split_at(split);
            assert_eq!(
                events(&[a, b], 1024),
                [Ok("{\"a\":1}".to_owned()), Ok("x\ny".to_owned()), Ok("z".to_owned())],
                "split at {split}"
            );
        }
    }

    #[test]
    fn an_event_past_the_limit_is_an_error_not_a_buffer() {
        let long = format!("data: {}", "x".repeat(100));
        assert!(events(&[&long], 50)[0].is_err());
        assert!(events(&["data: ", &"y".repeat(100), "\n\n"], 50)[0].is_err());
    }
}
