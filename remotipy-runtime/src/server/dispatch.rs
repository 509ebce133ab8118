//! Bytes in, bytes out: one JSON-RPC body, in any codec, (a call, a notification or a
//! batch) answered by a [`Server`], with every protocol error mapped to the
//! spec's code and every handler panic contained.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use futures_util::future::join_all;
use http::StatusCode;
use tracing::Instrument;

use super::service::{Call, Reply};
use super::{Server, envelope};
use crate::codec::Codec;
use crate::protocol::ErrorObject;

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

/// How many calls of a batch share one `join_all` (which holds up to 30
/// futures in place, without a task allocation each).
const JOIN_CHUNK: usize = 30;

/// The answer to one JSON-RPC body.
#[derive(Debug)]
pub(crate) struct Answer {
    /// `None` when no response body is due (a notification, or a batch of
    /// only notifications).
    pub body: Option<Vec<u8>>,
    /// The HTTP status a single failed call asked for through `ErrorCode`.
    pub status: Option<StatusCode>,
}

/// Answers one body in `codec`: a call, a notification or a batch.
pub(crate) async fn dispatch(service: &Server, options: &DispatchOptions, codec: Codec, body: &[u8]) -> Answer {
    match envelope::is_batch(codec, body) {
        true => Answer { body: dispatch_batch(service, options, codec, body).await, status: None },
        false => answer_one(service, options, codec, body).await,
    }
}

async fn dispatch_batch(service: &Server, options: &DispatchOptions, codec: Codec, body: &[u8]) -> Option<Vec<u8>> {
    let refuse = |e: ErrorObject| Some(envelope::error_response(codec, &e, envelope::null_id(codec)));
    let items = match codec.split_array(body) {
        Ok(items) => items,
        Err(e) => return refuse(ErrorObject::parse_error(e.message)),
    };
    if items.is_empty() {
        return refuse(ErrorObject::invalid_request("empty batch"));
    }
    if items.len() > options.max_batch_len {
        let limit = options.max_batch_len;
        return refuse(ErrorObject::invalid_request(format_args!(
            "batch of {} calls exceeds the limit of {limit}",
            items.len()
        )));
    }
    // The calls run concurrently. `join_all` keeps a few futures in one
    // allocation but gives each of a larger set its own task, so the batch is
    // joined in chunks of a size it keeps together.
    let chunks = items
        .chunks(JOIN_CHUNK)
        .map(|chunk| join_all(chunk.iter().map(|item| answer_one(service, options, codec, item))));
    let answers = join_all(chunks).await;
    let replies: Vec<_> = answers.into_iter().flatten().map(|answer| answer.body).collect();
    envelope::join(codec, &replies)
}

/// Answers one request object (no body for a notification), in a tracing
/// span naming the method and id.
async fn answer_one(service: &Server, options: &DispatchOptions, codec: Codec, bytes: &[u8]) -> Answer {
    let request = match envelope::parse_request(codec, bytes) {
        Ok(request) => request,
        Err((error, id)) => {
            let id = id.as_deref().unwrap_or(envelope::null_id(codec));
            return Answer { body: Some(envelope::error_response(codec, &error, id)), status: None };
        }
    };
    // Fields are only evaluated when a subscriber wants the span.
    let id = request.id.map(|id| tracing::field::display(envelope::IdText(codec, id)));
    let span = tracing::info_span!("rpc", method = &*request.method, id);
    let reply = run(service, options, Call::with_params(&request.method, request.params)).instrument(span).await;
    let status = reply.status;
    let body = request.id.map(|id| envelope::finish(codec, reply, id));
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

fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string panic payload")
}
