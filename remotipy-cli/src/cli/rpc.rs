//! One JSON-RPC exchange over HTTP POST: the request encoded (JSON or
//! MessagePack), the headers of the command line and the deadline sent, the
//! answer read as a JSON-RPC response, nothing (a notification's 204) or an
//! event stream. Every way it can fail becomes a [`Failure`] of its kind.

use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Response, StatusCode, Url};
use serde_json::Value;
use tokio::time::Instant;

use super::args::Connection;
use super::exit::Failure;
use super::sse;
use super::verbose;

/// How the request body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// `application/json`.
    Json,
    /// `application/msgpack`: the same envelope as a map.
    MsgPack,
}

/// What the server answered.
pub enum Answer {
    /// A JSON-RPC response (or a batch's array of them).
    Response(Value),
    /// Nothing: a notification's (or an all-notification batch's) 204.
    Nothing,
    /// An event stream.
    Events(Box<Events>),
}

/// When to stop waiting, if `--timeout` was given.
#[derive(Debug, Clone, Copy)]
struct Deadline {
    at: Instant,
    timeout: Duration,
}

/// The server at one URL, with the command line's headers and deadline.
pub struct Rpc {
    http: reqwest::Client,
    url: Url,
    headers: HeaderMap,
    deadline: Option<Deadline>,
    verbose: bool,
}

impl Rpc {
    /// The server at `url`; the deadline starts now.
    pub fn new(url: &str, connection: &Connection) -> Result<Rpc, Failure> {
        let url = Url::parse(url).map_err(|e| Failure::usage(format!("`{url}` is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Failure::usage(format!("`{url}` is not an http:// or https:// URL")));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("remotipy/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Failure::transport(format!("cannot start the HTTP client: {e}")))?;
        let headers = connection.headers.iter().cloned().collect();
        let deadline = connection.timeout.map(|timeout| Deadline { at: Instant::now() + timeout, timeout });
        Ok(Rpc { http, url, headers, deadline, verbose: connection.verbose })
    }

    /// The server's URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// POSTs `request`; `stream` asks for an event stream.
    pub async fn post(&self, request: &Value, codec: Codec, stream: bool) -> Result<Answer, Failure> {
        let body = match codec {
            Codec::Json => serde_json::to_vec(request).expect("JSON values serialize"),
            Codec::MsgPack => rmp_serde::to_vec_named(request).expect("JSON values serialize as MessagePack"),
        };
        let mut builder = self.http.post(self.url.clone()).header(CONTENT_TYPE, codec.mime()).header(
            ACCEPT,
            match stream {
                true => "text/event-stream, application/json",
                false => codec.mime(),
            },
        );
        if let Some(deadline) = self.deadline {
            let left = deadline.at.saturating_duration_since(Instant::now()).as_millis().max(1);
            builder = builder.header("remotipy-timeout-ms", left.to_string());
        }
        let request_built = builder.headers(self.headers.clone()).body(body).build();
        let request_built = request_built.map_err(|e| Failure::usage(format!("cannot make the request: {e}")))?;
        if self.verbose {
            verbose::request(&request_built, request);
        }
        let response = self.within(self.http.execute(request_built)).await?.map_err(|e| self.unreachable(&e))?;
        if self.verbose {
            verbose::response(&response);
        }
        self.answer(response).await
    }

    async fn answer(&self, response: Response) -> Result<Answer, Failure> {
        let status = response.status();
        let content_type = content_type(&response);
        if status == StatusCode::NO_CONTENT {
            return Ok(Answer::Nothing);
        }
        if status.is_success() && content_type.starts_with("text/event-stream") {
            let url = self.url.to_string();
            let events = Events { response, parser: sse::Parser::default(), deadline: self.deadline, url };
            return Ok(Answer::Events(Box::new(events)));
        }
        let body = self.within(response.bytes()).await?;
        let body =
            body.map_err(|e| Failure::transport(format!("the answer from {} was cut short: {}", self.url, cause(&e))))?;
        if body.is_empty() && status.is_success() {
            return Ok(Answer::Nothing);
        }
        let decoded: Option<Value> = match content_type.starts_with("application/msgpack") {
            true => rmp_serde::from_slice(&body).ok(),
            false => serde_json::from_slice(&body).ok(),
        };
        match decoded {
            Some(answer) if is_response(&answer) => Ok(Answer::Response(answer)),
            _ if !status.is_success() => {
                Err(Failure::transport(format!("HTTP {status} from {}: {}", self.url, snippet(&body))))
            }
            _ => Err(Failure::transport(format!("the answer from {} is not JSON-RPC: {}", self.url, snippet(&body)))),
        }
    }

    async fn within<F: Future>(&self, work: F) -> Result<F::Output, Failure> {
        within(self.deadline, work, || format!("{} did not answer", self.url)).await
    }

    fn unreachable(&self, error: &reqwest::Error) -> Failure {
        let (url, cause) = (&self.url, cause(error));
        match (error.is_timeout(), error.is_connect()) {
            (true, _) => Failure::timeout(format!("cannot reach {url}: {cause}")),
            (false, true) => Failure::transport(format!("cannot reach {url}: {cause}")),
            (false, false) => Failure::transport(format!("no HTTP answer from {url}: {cause}")),
        }
    }
}

/// An event stream being read.
pub struct Events {
    response: Response,
    parser: sse::Parser,
    deadline: Option<Deadline>,
    url: String,
}

impl Events {
    /// The data of the next event; `None` when the stream ended.
    pub async fn next(&mut self) -> Result<Option<String>, Failure> {
        loop {
            if let Some(data) = self.parser.next() {
                return Ok(Some(data));
            }
            let url = &self.url;
            let chunk =
                within(self.deadline, self.response.chunk(), || format!("the stream from {url} was still open"));
            match chunk.await? {
                Ok(Some(chunk)) => self.parser.push(&chunk),
                Ok(None) => return Ok(None),
                Err(e) => return Err(Failure::transport(format!("the stream from {url} broke: {}", cause(&e)))),
            }
        }
    }

    /// Where the stream comes from.
    pub fn url(&self) -> &str {
        &self.url
    }
}

impl Codec {
    fn mime(self) -> &'static str {
        match self {
            Codec::Json => "application/json",
            Codec::MsgPack => "application/msgpack",
        }
    }
}

async fn within<F: Future>(
    deadline: Option<Deadline>,
    work: F,
    what: impl FnOnce() -> String,
) -> Result<F::Output, Failure> {
    let Some(deadline) = deadline else { return Ok(work.await) };
    tokio::time::timeout_at(deadline.at, work).await.map_err(|_| {
        Failure::timeout(format!("{} after {} (--timeout)", what(), humantime::format_duration(deadline.timeout)))
    })
}

fn content_type(response: &Response) -> String {
    let value = response.headers().get(CONTENT_TYPE).and_then(|value: &HeaderValue| value.to_str().ok());
    value.unwrap_or("").trim().to_ascii_lowercase()
}

/// A JSON-RPC response, or a batch's array of them.
fn is_response(answer: &Value) -> bool {
    let one = |value: &Value| value.get("result").is_some() || value.get("error").is_some();
    match answer {
        Value::Array(items) => items.iter().all(one),
        other => one(other),
    }
}

/// The innermost cause of `error`: what actually went wrong (`Connection
/// refused (os error 111)`), not reqwest's "error sending request".
fn cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut inner = error;
    while let Some(source) = inner.source() {
        inner = source;
    }
    inner.to_string()
}

/// The start of a body that is not what it should be, printable on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(120)]);
    let mut shown: String =
        text.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect();
    if body.len() > 120 {
        shown.push('…');
    }
    match shown.is_empty() {
        true => "an empty body".into(),
        false => format!("`{shown}`"),
    }
}
