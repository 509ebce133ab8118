//! Server-Sent Events split from the bytes as they come: each event's `data`
//! lines joined. Comments (`:`), other fields and events without data are
//! skipped, as the SSE spec says; nothing else of an event matters to a
//! JSON-RPC reader. (The SSE crates want an async byte stream and bring
//! their own parser combinators; these few lines read reqwest's chunks.)

use std::collections::VecDeque;

/// Feed it chunks with [`Parser::push`]; take whole events with [`Parser::next`].
#[derive(Debug, Default)]
pub struct Parser {
    /// Bytes of a line not ended yet.
    line: Vec<u8>,
    /// The data of the event being read, each line followed by LF.
    data: String,
    /// The last chunk ended with CR: a LF starting the next one belongs to it.
    after_cr: bool,
    ready: VecDeque<String>,
}

impl Parser {
    /// Reads a chunk of the stream.
    pub fn push(&mut self, mut chunk: &[u8]) {
        if self.after_cr && chunk.first() == Some(&b'\n') {
            chunk = &chunk[1..];
        }
        self.after_cr = false;
        while let Some(end) = chunk.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&chunk[..end]);
            let line = std::mem::take(&mut self.line);
            self.line_ended(&line);
            let crlf = chunk[end] == b'\r' && chunk.get(end + 1) == Some(&b'\n');
            self.after_cr = chunk[end] == b'\r' && end + 1 == chunk.len();
            chunk = &chunk[end + if crlf { 2 } else { 1 }..];
        }
        self.line.extend_from_slice(chunk);
    }

    /// The data of the next whole event.
    pub fn next(&mut self) -> Option<String> {
        self.ready.pop_front()
    }

    fn line_ended(&mut self, line: &[u8]) {
        if line.is_empty() {
            let mut data = std::mem::take(&mut self.data);
            data.pop();
            if !data.is_empty() {
                self.ready.push_back(data);
            }
            return;
        }
        let line = String::from_utf8_lossy(line);
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (&*line, ""),
        };
        if field == "data" {
            self.data.push_str(value);
            self.data.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(chunks: &[&[u8]]) -> Vec<String> {
        let mut parser = Parser::default();
        let mut events = Vec::new();
        for chunk in chunks {
            parser.push(chunk);
            events.extend(std::iter::from_fn(|| parser.next()));
        }
        events
    }

    #[test]
    fn events_are_split_wherever_the_chunks_end() {
        let stream = b": keep-alive\n\ndata: {\"a\":1}\n\nid: 2\ndata:x\r\ndata: y\r\n\r\ndata: z\r\r";
        let whole = events(&[stream]);
        assert_eq!(whole, ["{\"a\":1}", "x\ny", "z"]);
        for cut in 0..stream.len() {
            assert_eq!(events(&[&stream[..cut], &stream[cut..]]), whole, "cut at {cut}");
        }
    }

    #[test]
    fn events_without_data_and_unfinished_ones_are_not_dispatched() {
        assert!(events(&[b"id: 1\n\ndata:\n\nevent: x\n\n"]).is_empty());
        assert!(events(&[b"data: half"]).is_empty());
    }
}
