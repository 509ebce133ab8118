//! Server-Sent Events, split from the bytes as they come: each event's
//! `data` lines joined, its `id` and the server's `retry` remembered.
//! Comments (`:`) and other fields are skipped; an event without data (a
//! blank `data:`, or only an `id:`) is not dispatched, as nothing a
//! JSON-RPC reader could use is in it (its id still counts, as the spec
//! says for the last event id).
//!
//! Hand-written (a few dozen lines) so that an event longer than the
//! client's response limit is refused instead of buffered without bound,
//! which the SSE crates do not offer, and so that an event of one `data`
//! line (every event a remotipy server sends) is read where it lies.

use std::ops::Range;

use bytes::{Buf, Bytes, BytesMut};
use http::StatusCode;
use http::header::CONTENT_TYPE;

use crate::transport::StreamingResponse;

pub(crate) struct Parser {
    buf: BytesMut,
    /// Where the unread bytes of `buf` start.
    pos: usize,
    /// The event's first data line, where it lies in `buf`.
    first: Option<Range<usize>>,
    /// The event's data when it has several lines, joined.
    joined: Vec<u8>,
    /// The `id` field of the event being read, if it has one.
    pending_id: Option<String>,
    /// The last id replaced, kept as the next id's buffer: an id per event
    /// costs no allocation.
    spare: String,
    /// The last event id: that of the last event dispatched with one (the
    /// spec's "last event ID buffer").
    last_id: Option<String>,
    /// The server's `retry` field: its suggested reconnect delay, in ms.
    retry: Option<u64>,
    /// The last line ended with a CR at the end of a chunk: a LF starting
    /// the next one belongs to it.
    after_cr: bool,
    limit: usize,
    /// An event grew past the limit: the stream ends with that error.
    failed: bool,
}

/// Where a dispatched event's data is.
pub(crate) enum Event {
    InBuf(Range<usize>),
    Joined,
}

impl Parser {
    pub fn new(limit: usize) -> Self {
        Parser {
            buf: BytesMut::new(),
            pos: 0,
            first: None,
            joined: Vec::new(),
            pending_id: None,
            spare: String::new(),
            last_id: None,
            retry: None,
            after_cr: false,
            limit,
            failed: false,
        }
    }

    pub fn push(&mut self, chunk: &Bytes) {
        // What was read goes (nothing of it is borrowed any more).
        let consumed = self.first.as_ref().map_or(self.pos, |first| first.start.min(self.pos));
        self.buf.advance(consumed);
        self.pos -= consumed;
        if let Some(first) = &mut self.first {
            *first = first.start - consumed..first.end - consumed;
        }
        self.buf.extend_from_slice(chunk);
    }

    /// The data of a dispatched event.
    pub fn data(&self, event: &Event) -> &[u8] {
        match event {
            Event::InBuf(range) => &self.buf[range.clone()],
            Event::Joined => &self.joined,
        }
    }

    /// Reads a new connection's events: what was left of an event on the
    /// last is dropped; the last event id and the server's reconnect delay
    /// are kept (the SSE spec's reconnection).
    pub fn reconnected(&mut self) {
        let (last_id, retry, limit) = (self.last_id.take(), self.retry, self.limit);
        *self = Parser { last_id, retry, ..Parser::new(limit) };
    }

    /// The last event id dispatched, if any event had one.
    pub fn last_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }

    /// The reconnect delay the server suggested, if it did.
    pub fn retry(&self) -> Option<std::time::Duration> {
        self.retry.map(std::time::Duration::from_millis)
    }

    /// The next whole event with data; an error when one grows past the limit.
    pub fn next_event(&mut self) -> Option<Result<Event, String>> {
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
                match self.dispatch() {
                    Some(event) => return Some(Ok(event)),
                    None => continue,
                }
            }
            let (name, value) = field(&self.buf[line.clone()]);
            let value = line.start + value.start..line.start + value.end;
            match name {
                b"data" => self.data_line(value),
                b"id" => self.id_line(value),
                b"retry" => self.retry = std::str::from_utf8(&self.buf[value]).ok().and_then(|v| v.parse().ok()),
                _ => continue, // a comment, or another field
            }
            let size = self.first.as_ref().map_or(0, |first| first.len()).max(self.joined.len());
            if size > self.limit {
                return Some(self.too_long());
            }
        }
    }

    /// A blank line ends an event: it is dispatched if it has data (more
    /// than blank lines).
    fn dispatch(&mut self) -> Option<Event> {
        if let Some(id) = self.pending_id.take() {
            if let Some(replaced) = self.last_id.replace(id) {
                self.spare = replaced;
            }
        }
        let first = self.first.take()?;
        let event = match self.joined.is_empty() {
            true => Event::InBuf(first),
            false => Event::Joined,
        };
        (!self.data(&event).iter().all(u8::is_ascii_whitespace)).then_some(event)
    }

    fn data_line(&mut self, value: Range<usize>) {
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
    }

    /// An id with a NUL is ignored, as the spec says; other ids are kept as
    /// text (an id is echoed back as it came, whatever its bytes).
    fn id_line(&mut self, value: Range<usize>) {
        let id = &self.buf[value];
        if !id.contains(&0) {
            let mut pending = self.pending_id.take().unwrap_or_else(|| std::mem::take(&mut self.spare));
            pending.clear();
            pending.push_str(&String::from_utf8_lossy(id));
            self.pending_id = Some(pending);
        }
    }

    fn too_long<T>(&mut self) -> Result<T, String> {
        self.failed = true;
        Err(format!("an event exceeds the limit of {} bytes", self.limit))
    }
}

/// A line's field name and where its value is: after the first `:` and one
/// space, or nothing for a line without `:` (a field with an empty value).
fn field(line: &[u8]) -> (&[u8], Range<usize>) {
    match memchr::memchr(b':', line) {
        Some(colon) => {
            let start = colon + 1 + usize::from(line.get(colon + 1) == Some(&b' '));
            (&line[..colon], start..line.len())
        }
        None => (line, line.len()..line.len()),
    }
}

/// Whether an answer is the event stream asked for.
pub(crate) fn is_event_stream(response: &StreamingResponse) -> bool {
    let events = response.headers.get(CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    response.status == StatusCode::OK && events
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each dispatched event's data, and the last id then.
    fn events(chunks: &[&str], limit: usize) -> Vec<Result<(String, Option<String>), String>> {
        let mut parser = Parser::new(limit);
        let mut out = Vec::new();
        for chunk in chunks {
            parser.push(&Bytes::copy_from_slice(chunk.as_bytes()));
            while let Some(event) = parser.next_event() {
                out.push(event.map(|event| {
                    (String::from_utf8(parser.data(&event).to_vec()).unwrap(), parser.last_id().map(str::to_owned))
                }));
            }
        }
        out
    }

    fn ok(data: &str, id: Option<&str>) -> Result<(String, Option<String>), String> {
        Ok((data.to_owned(), id.map(str::to_owned)))
    }

    #[test]
    fn events_split_anywhere_with_any_line_ending() {
        let stream = "data: {\"a\":1}\n\n:keep-alive\n\ndata:x\r\ndata: y\r\n\r\nevent: e\ndata: z\rid: 7\r\r";
        for split in 0..stream.len() {
            let (a, b) = stream.split_at(split);
            assert_eq!(
                events(&[a, b], 1024),
                [ok("{\"a\":1}", None), ok("x\ny", None), ok("z", Some("7"))],
                "split at {split}"
            );
        }
    }

    #[test]
    fn ids_persist_until_replaced_and_events_without_data_are_not_dispatched() {
        let stream = "id: 1\ndata: a\n\ndata: b\n\ndata:\n\nid: 3\n\ndata: c\n\nid\ndata: d\n\nid: x\0y\ndata: e\n\nretry: 250\n\n";
        let mut parser = Parser::new(1024);
        parser.push(&Bytes::from_static(stream.as_bytes()));
        let mut seen = Vec::new();
        while let Some(event) = parser.next_event() {
            let event = event.unwrap();
            seen.push((String::from_utf8(parser.data(&event).to_vec()).unwrap(), parser.last_id().map(str::to_owned)));
        }
        let expected = [("a", Some("1")), ("b", Some("1")), ("c", Some("3")), ("d", Some("")), ("e", Some(""))];
        let expected: Vec<_> = expected.iter().map(|(d, id)| (d.to_string(), id.map(str::to_owned))).collect();
        assert_eq!(seen, expected, "an empty `data:` and a bare `id:` dispatch nothing; an id with NUL is ignored");
        assert_eq!(parser.retry(), Some(std::time::Duration::from_millis(250)));
    }

    #[test]
    fn an_event_past_the_limit_is_an_error_not_a_buffer() {
        let long = format!("data: {}", "x".repeat(100));
        assert!(events(&[&long], 50)[0].is_err());
        assert!(events(&["data: ", &"y".repeat(100), "\n\n"], 50)[0].is_err());
    }
}
