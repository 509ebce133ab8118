//! Bytes in, bytes out: one JSON-RPC body (a call, a notification or a
//! batch) answered by a [`Server`], with every protocol error mapped to the
//! spec's code and every handler panic contained.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::join_all;
use http::StatusCode;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::error::Category;
use serde_json::value::RawValue;
use tracing::Instrument;

use super::Server;
use super::service::{Call, Reply, strip_position};
use crate::protocol::{ErrorObject, RequestRef, id_is_valid};

/// Limits and disclosure rules the dispatcher applies to every body.
#[derive(Debug, Clone)]
pub struct DispatchOptions {
    /// Largest batch answered; longer batches get one `-32600` error.
    pub max_batch_len: usize,
    /// Send a panicking handler's message to the caller (off by default:
    /// panic text may carry internals).
    pub expose_panic_messages: bool,
}

impl Default for DispatchOptions {
    fn default() -> Self {
        DispatchOptions { max_batch_len: 1024, expose_panic_messages: false }
    }
}

/// The answer to one JSON-RPC body.
#[derive(Debug)]
pub(crate) struct Answer {
    /// `None` when no response body is due (a notification, or a batch of
    /// only notifications).
    pub body: Option<Vec<u8>>,
    /// The HTTP status a single failed call asked for through `ErrorCode`.
    pub status: Option<StatusCode>,
}

/// Answers one JSON-RPC body: a call, a notification or a batch.
pub(crate) async fn dispatch(service: &Server, options: &DispatchOptions, body: &[u8]) -> Answer {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => Answer { body: dispatch_batch(service, options, body).await, status: None },
        _ => answer_one(service, options, body).await,
    }
}

async fn dispatch_batch(service: &Server, options: &DispatchOptions, body: &[u8]) -> Option<Vec<u8>> {
    let items: Vec<&RawValue> = match serde_json::from_slice(body) {
        Ok(items) => items,
        Err(e) => return Some(error_response(&ErrorObject::parse_error(e), b"null")),
    };
    if items.is_empty() {
        let e = ErrorObject::invalid_request("empty batch");
        return Some(error_response(&e, b"null"));
    }
    if items.len() > options.max_batch_len {
        let limit = options.max_batch_len;
        let e =
            ErrorObject::invalid_request(format_args!("batch of {} calls exceeds the limit of {limit}", items.len()));
        return Some(error_response(&e, b"null"));
    }
    let replies = join_all(items.iter().map(|item| answer_one(service, options, item.get().as_bytes()))).await;
    let replies: Vec<_> = replies.into_iter().map(|answer| answer.body).collect();
    let mut out = Vec::with_capacity(replies.iter().flatten().map(Vec::len).sum::<usize>() + replies.len() + 2);
    out.push(b'[');
    for reply in replies.iter().flatten() {
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(reply);
    }
    out.push(b']');
    (out.len() > 2).then_some(out)
}

/// Answers one request object (no body for a notification), in a tracing
/// span naming the method and id.
async fn answer_one(service: &Server, options: &DispatchOptions, bytes: &[u8]) -> Answer {
    let request = match parse_request(bytes) {
        Ok(request) => request,
        Err((error, id)) => {
            let body = error_response(&error, id.as_deref().map_or(b"null", |id| id.get().as_bytes()));
            return Answer { body: Some(body), status: None };
        }
    };
    let span = tracing::info_span!("rpc", method = &*request.method, id = request.id.map(RawValue::get));
    let reply = run(service, options, Call::new(&request.method, request.params)).instrument(span).await;
    let status = reply.status;
    let body = request.id.map(|id| finish(reply, id.get().as_bytes()));
    Answer { body, status }
}

async fn run(service: &Server, options: &DispatchOptions, call: Call<'_>) -> Reply {
    let Some(future) = service.call(call) else {
        return Reply::error(ErrorObject::method_not_found(call.method()));
    };
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(reply) => reply,
        Err(panic) => {
            let text = panic_text(panic.as_ref());
            tracing::error!(method = call.method(), panic = text, "remote handler panicked");
            let detail = if options.expose_panic_messages { text } else { "the handler panicked" };
            Reply::error(ErrorObject::internal(format_args!("`{}`: {detail}", call.method())))
        }
    }
}

/// Why a request object was refused, and its id when that could be read.
type Rejection = (ErrorObject, Option<Box<RawValue>>);

/// Parses and validates one request object, or says why it is not one (with
/// the id, when the id itself could be read).
fn parse_request(bytes: &[u8]) -> Result<RequestRef<'_>, Rejection> {
    // One UTF-8 check of the whole request, then parsing from `str`: strings
    // and raw values inside are not validated again piece by piece.
    let text = std::str::from_utf8(bytes).map_err(|e| invalid_utf8(bytes, e.valid_up_to()))?;
    let request: RequestRef = serde_json::from_str(text).map_err(|e| reject(bytes, e))?;
    let id = request.id;
    if let Some(raw) = id.filter(|raw| !id_is_valid(raw)) {
        let e =
            ErrorObject::invalid_request(format_args!("`id` must be a string, a number or null, not {}", raw.get()));
        return Err((e, None));
    }
    if request.jsonrpc != "2.0" {
        let e = ErrorObject::invalid_request(format_args!("`jsonrpc` must be \"2.0\", not {:?}", request.jsonrpc));
        return Err((e, id.map(RawValue::to_owned)));
    }
    if let Some(params) = request.params.filter(|p| !matches!(p.get().as_bytes()[0], b'{' | b'[')) {
        let e =
            ErrorObject::invalid_request(format_args!("`params` must be an object or an array, not {}", params.get()));
        return Err((e, id.map(RawValue::to_owned)));
    }
    Ok(request)
}

/// Classifies a failed parse: broken JSON is `-32700`; well-formed JSON of the
/// wrong shape is `-32600`, answered with its id when that can be read.
fn reject(bytes: &[u8], e: serde_json::Error) -> Rejection {
    if let Err(utf8) = std::str::from_utf8(bytes) {
        return invalid_utf8(bytes, utf8.valid_up_to());
    }
    let well_formed = e.classify() == Category::Data && serde_json::from_slice::<IgnoredAny>(bytes).is_ok();
    if !well_formed {
        return (ErrorObject::parse_error(e), None);
    }
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: Option<&'a RawValue>,
    }
    let id = serde_json::from_slice::<IdOnly>(bytes).ok().and_then(|r| r.id).filter(|id| id_is_valid(id));
    (ErrorObject::invalid_request(strip_position(&e.to_string())), id.map(RawValue::to_owned))
}

/// JSON must be UTF-8, but a client that sent one bad string deserves to be
/// told which parameter holds it: the request is re-read lossily to find
/// the method and the parameter containing the replacement character.
fn invalid_utf8(bytes: &[u8], at: usize) -> Rejection {
    let lossy = String::from_utf8_lossy(bytes);
    let request = match serde_json::from_str::<RequestRef>(&lossy) {
        Ok(request) if !request.method.contains('\u{fffd}') => request,
        _ => return (ErrorObject::parse_error(format_args!("the body is not valid UTF-8 (byte {at})")), None),
    };
    let id = request.id.filter(|id| id_is_valid(id) && !id.get().contains('\u{fffd}')).map(RawValue::to_owned);
    let params = request.params.map_or("", RawValue::get);
    let culprit = match serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(params) {
        Ok(named) => named.into_iter().find(|(_, v)| v.get().contains('\u{fffd}')).map(|(k, _)| format!("`{k}`: ")),
        Err(_) => serde_json::from_str::<Vec<&RawValue>>(params).ok().and_then(|positional| {
            let index = positional.iter().position(|v| v.get().contains('\u{fffd}'))?;
            Some(format!("param {}: ", index + 1))
        }),
    };
    let message =
        format!("invalid params for `{}`: {}not valid UTF-8 (byte {at})", request.method, culprit.unwrap_or_default());
    (ErrorObject::new(crate::protocol::code::INVALID_PARAMS, message), id)
}

fn finish(reply: Reply, id: &[u8]) -> Vec<u8> {
    match reply.body {
        Ok(mut buf) => {
            buf.extend_from_slice(b",\"id\":");
            buf.extend_from_slice(id);
            buf.push(b'}');
            buf
        }
        Err(error) => error_response(&error, id),
    }
}

pub(crate) fn error_response(error: &ErrorObject, id: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(96 + error.message.len());
    buf.extend_from_slice(br#"{"jsonrpc":"2.0","error":"#);
    // Infallible: an ErrorObject is strings, integers and a JSON value.
    serde_json::to_writer(&mut buf, error).expect("an ErrorObject always serializes");
    buf.extend_from_slice(b",\"id\":");
    buf.extend_from_slice(id);
    buf.push(b'}');
    buf
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string panic payload")
}
