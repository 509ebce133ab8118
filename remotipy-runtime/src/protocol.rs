//! The wire vocabulary of JSON-RPC 2.0 as remotipy speaks it: error codes
//! and the error object. Parsing and dispatch live elsewhere.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The error codes JSON-RPC 2.0 defines, plus the one remotipy uses for
/// application errors.
pub mod code {
    /// Invalid JSON was received.
    pub const PARSE_ERROR: i64 = -32700;
    /// The JSON sent is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// The method does not exist.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// Invalid method parameters.
    pub const INVALID_PARAMS: i64 = -32602;
    /// Internal error (remotipy: a handler panicked or its result could not be encoded).
    pub const INTERNAL_ERROR: i64 = -32603;
    /// An application error: the handler returned `Err(e)`; `data` carries
    /// `{"type": <error type name>, "value": <e as JSON>}`.
    pub const APP_ERROR: i64 = -32000;
    /// A streaming method called without `Accept: text/event-stream`
    /// yielded more items than the server collects into one answer.
    pub const STREAM_TOO_LONG: i64 = -32090;
    /// The server is shutting down: a stream still open ends with this.
    pub const SHUTTING_DOWN: i64 = -32091;
    /// The caller's deadline (`Remotipy-Timeout-Ms`) passed before the call
    /// finished: the server stopped it.
    pub const DEADLINE_EXCEEDED: i64 = -32092;
    /// A stream cannot resume after the `Last-Event-ID` the caller sent:
    /// the id does not parse, its items carry no ids, the handler refused,
    /// or the stream it produced did not continue after that id.
    pub const CANNOT_RESUME: i64 = -32093;
    /// The server shed the call: the method (or its service) has as many
    /// calls in flight as it allows. Sent alone, with HTTP 503 and
    /// `Retry-After`: a client retries an idempotent call elsewhere.
    pub const OVERLOADED: i64 = -32094;
}

/// The method of the notification that carries each item of a stream, in
/// the `rpc.` namespace JSON-RPC reserves for extensions. Its params are
/// `{"subscription": <the request's id>, "result": <the item>}`.
pub const ITEM_METHOD: &str = "rpc.item";

/// The request header in which a client tells the server how long it will
/// wait for the answer: whole milliseconds, relative (so that the two
/// clocks need not agree), as Connect's `Connect-Timeout-Ms`. The server
/// stops the call when the time is up (`-32092`), and calls a handler makes
/// on its behalf inherit what is left.
pub const TIMEOUT_HEADER: &str = "remotipy-timeout-ms";

/// The request header in which a client resuming a stream sends the id of
/// the last item it received (Server-Sent Events' own name for it).
pub const LAST_EVENT_ID: &str = "last-event-id";

/// The request headers a remotipy client sends that a browser sends only
/// once a server's CORS policy allows them (they are not "CORS-safelisted";
/// `content-type` is there because `application/json` is not a form type):
/// what a CORS layer in front of a remotipy endpoint must allow, with the
/// caller's own headers (`authorization`, say). Each call of a browser
/// client is then preceded by a preflight `OPTIONS`, which the layer's
/// `max_age` lets the browser cache.
pub const CORS_REQUEST_HEADERS: [http::HeaderName; 5] = [
    http::header::CONTENT_TYPE,
    http::HeaderName::from_static(TIMEOUT_HEADER),
    http::HeaderName::from_static("traceparent"),
    http::HeaderName::from_static("tracestate"),
    http::HeaderName::from_static(LAST_EVENT_ID),
];

/// The response headers a remotipy client reads that a browser shows it
/// only when a server's CORS policy exposes them.
pub const CORS_RESPONSE_HEADERS: [http::HeaderName; 1] = [http::header::RETRY_AFTER];

/// A JSON-RPC error object as it travels on the wire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// One of [`code`] or an application-defined code.
    pub code: i64,
    /// A short human-readable description.
    pub message: String,
    /// Structured detail; for application errors `{"type":..,"value":..}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl ErrorObject {
    /// An error object with no `data`.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        ErrorObject { code, message: message.into(), data: None }
    }

    /// Attaches `data`.
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }

    #[cfg(feature = "server")]
    pub(crate) fn parse_error(detail: impl fmt::Display) -> Self {
        Self::new(code::PARSE_ERROR, format!("parse error: {detail}"))
    }

    #[cfg(feature = "server")]
    pub(crate) fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(code::INVALID_REQUEST, format!("invalid request: {detail}"))
    }

    #[cfg(feature = "server")]
    pub(crate) fn method_not_found(method: &str) -> Self {
        Self::new(code::METHOD_NOT_FOUND, format!("method not found: `{method}`"))
    }

    #[cfg(feature = "server")]
    pub(crate) fn internal(detail: impl fmt::Display) -> Self {
        Self::new(code::INTERNAL_ERROR, format!("internal error: {detail}"))
    }

    /// The `data.type` of an application error: the remote error's class name.
    pub fn class(&self) -> Option<&str> {
        self.data.as_ref()?.get("type")?.as_str()
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}
