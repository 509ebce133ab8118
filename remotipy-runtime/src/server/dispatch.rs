//! Bytes in, bytes out: one JSON-RPC body (a call, a notification or a
//! batch) answered by a [`Server`], with every protocol error mapped to the
//! spec's code and every handler panic contained.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::join_all;
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::error::Category;
use serde_json::value::RawValue;

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

/// Answers one JSON-RPC body. `None` means no response body is due (a
/// notification, or a batch of only notifications).
pub async fn dispatch(service: &Server, options: &DispatchOptions, body: &[u8]) -> Option<Vec<u8>> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'[') => dispatch_batch(service, options, body).await,
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

/// Answers one request object; `None` for a notification.
async fn answer_one(service: &Server, options: &DispatchOptions, bytes: &[u8]) -> Option<Vec<u8>> {
    let request = match parse_request(bytes) {
        Ok(request) => request,
        Err((error, id)) => return Some(error_response(&error, id.map_or(b"null", |id| id.get().as_bytes()))),
    };
    let reply = run(service, options, Call::new(&request.method, request.params)).await;
    let id = request.id?;
    Some(finish(reply, id.get().as_bytes()))
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

type Rejection<'a> = (ErrorObject, Option<&'a RawValue>);

/// Parses and validates one request object, or says why it is not one (with
/// the id, when the id itself could be read).
fn parse_request(bytes: &[u8]) -> Result<RequestRef<'_>, Rejection<'_>> {
    let request: RequestRef = serde_json::from_slice(bytes).map_err(|e| reject(bytes, e))?;
    let id = request.id;
    if let Some(raw) = id.filter(|raw| !id_is_valid(raw)) {
        let e =
            ErrorObject::invalid_request(format_args!("`id` must be a string, a number or null, not {}", raw.get()));
        return Err((e, None));
    }
    if request.jsonrpc != "2.0" {
        let e = ErrorObject::invalid_request(format_args!("`jsonrpc` must be \"2.0\", not {:?}", request.jsonrpc));
        return Err((e, id));
    }
    if let Some(params) = request.params.filter(|p| !matches!(p.get().as_bytes()[0], b'{' | b'[')) {
        let e =
            ErrorObject::invalid_request(format_args!("`params` must be an object or an array, not {}", params.get()));
        return Err((e, id));
    }
    Ok(request)
}

/// Classifies a failed parse: broken JSON is `-32700`; well-formed JSON of the
/// wrong shape is `-32600`, answered with its id when that can be read.
fn reject(bytes: &[u8], e: serde_json::Error) -> Rejection<'_> {
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
    (ErrorObject::invalid_request(strip_position(&e.to_string())), id)
}

fn finish(reply: Reply, id: &[u8]) -> Vec<u8> {
    match reply.0 {
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
