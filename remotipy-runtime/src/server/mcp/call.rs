//! `tools/call`: the method run exactly as a JSON-RPC call of the same name
//! (the same decoder and `-32602`s, the server's layers, the request's
//! `Context` and deadline), its reply turned into a `CallToolResult`.
//!
//! - A result is `structuredContent` (an object as it is, anything else as
//!   `{"result": <value>}`) and its JSON text in `content`.
//! - The method's own error (`Err(e)`), and any failure of the call that
//!   is not the request's fault (a panic, the deadline, a layer's error
//!   without an HTTP status), is a result with `isError: true`: its
//!   message, then the JSON-RPC error object as JSON text.
//! - Bad arguments (`-32602` naming the parameter) and an unknown tool are
//!   protocol errors; a layer's refusal with an HTTP status (401, 503 and
//!   `Retry-After`) is sent with that status.
//! - A stream's items are collected into the result; with a progress token
//!   and `Accept: text/event-stream`, each item is also sent as it comes,
//!   as a `notifications/progress` whose `message` is the item's JSON.

use std::time::Duration;

use bytes::Bytes;
use tokio::time::Instant;
use tracing::Instrument;

use super::Mcp;
use super::message::{Params, invalid};
use super::reply::Answer;
use super::result::{Failure, classify, past_deadline, success, tool_error};
use super::revision::Revision;
use super::tools::Tool;
use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};
use crate::server::context::Context;
use crate::server::middleware::RpcCall;
use crate::server::service::{Call, HttpStatus, Outcome, Params as RawParams, Reply};
use crate::server::{dispatch, stream};

mod progress;

/// How long after the caller's deadline the call is stopped: as on the
/// JSON-RPC endpoint, a caller counting to the same moment gives up first.
const DEADLINE_GRACE: Duration = Duration::from_millis(20);

/// One `tools/call` request.
pub(crate) struct ToolCall<'a> {
    pub mcp: &'a Mcp,
    pub revision: Revision,
    pub id: &'a [u8],
    pub params: Params<'a>,
    /// The request body, which `params` borrows from.
    pub body: &'a Bytes,
    /// The caller accepts `text/event-stream`.
    pub events: bool,
    pub context: &'a Context,
}

impl ToolCall<'_> {
    pub async fn answer(self) -> Answer {
        let tools = &self.mcp.inner.tools;
        let Some(name) = self.params.name.as_deref() else {
            return self.refuse(&invalid("tools/call", format_args!("`name` is missing: which tool to call")));
        };
        let Some((index, tool)) = tools.find(name) else {
            return self.refuse(&ErrorObject::new(code::INVALID_PARAMS, format!("Unknown tool: {name}")));
        };
        let arguments = match self.params.arguments.map(|raw| raw.get()) {
            Some(arguments) if !arguments.starts_with('{') => {
                let detail = format_args!("`arguments` must be an object of the named parameters, not {arguments}");
                return self.refuse(&invalid(tool.info.name, detail));
            }
            arguments => arguments,
        };
        let id = tracing::field::display(String::from_utf8_lossy(self.id));
        let span = tracing::info_span!("rpc", method = tool.info.name, id);
        #[cfg(feature = "otel")]
        crate::trace::continue_from(&span, self.context.headers());
        let deadline = self.context.deadline().map(|at| at.checked_add(DEADLINE_GRACE).unwrap_or(at));
        let server = &self.mcp.inner.server;
        let started = within(deadline, run(server, tool, arguments, self.body)).instrument(span.clone()).await;
        let reply = match started {
            Ok(reply) => reply,
            Err(past) => return self.finish(tool, Err((past, None))),
        };
        let limit = server.inner.options.max_collected_items;
        let outcome = match reply.outcome {
            Outcome::Stream(items) => match (self.params.progress_token(), self.events) {
                (Some(token), true) => {
                    let progress = progress::Progress::new(self.mcp, index, self.revision, self.id, token, items);
                    return Answer::Events(progress.deadline(deadline).context(self.context.clone()).events());
                }
                _ => {
                    let collect = stream::collect_contained(Codec::Json, tool.info.name, items, limit);
                    within(deadline, collect).instrument(span).await.and_then(|collected| collected)
                }
            },
            Outcome::Done(done) => done,
        };
        let prefix = Codec::Json.result_prefix().len();
        self.finish(tool, outcome.map(|mut body| body.split_off(prefix)).map_err(|error| (error, reply.status)))
    }

    fn refuse(&self, error: &ErrorObject) -> Answer {
        Answer::error(self.revision, Some(self.id), error)
    }

    /// The answer to a call that ended with `outcome`: the result's JSON,
    /// or the error and the HTTP status the reply asked for.
    fn finish(&self, tool: &Tool, outcome: Result<Vec<u8>, (ErrorObject, Option<HttpStatus>)>) -> Answer {
        let modern_end = &self.mcp.inner.answers.modern_end;
        let failure = match outcome {
            Ok(value) => return Answer::result(self.id, &success(tool, &value, self.revision, modern_end)),
            Err((error, status)) => classify(tool, error, status),
        };
        match failure {
            Failure::Tool(error) => Answer::result(self.id, &tool_error(&error, self.revision, modern_end)),
            Failure::Protocol(error, None) => self.refuse(&error),
            Failure::Protocol(error, Some(status)) => {
                Answer::error_with_status(self.id, &error, status.code, status.retry_after)
            }
        }
    }
}

/// Runs the method: through the server's layers, if it has any, as an
/// [`RpcCall`] whose params are the arguments.
async fn run(server: &crate::server::Server, tool: &Tool, arguments: Option<&str>, body: &Bytes) -> Reply {
    let info = tool.info;
    match dispatch::stack(server) {
        None => dispatch::run(server, Call::new(info.name, RawParams::Json(arguments))).await,
        Some(stack) => {
            let params = arguments.map(|arguments| body.slice_ref(arguments.as_bytes()));
            dispatch::through(server, stack, RpcCall::new(Some(info), info.name, params, Codec::Json)).await
        }
    }
}

/// `future`, unless `deadline` passes first: then the call is dropped.
async fn within<F: Future>(deadline: Option<Instant>, future: F) -> Result<F::Output, ErrorObject> {
    match deadline {
        None => Ok(future.await),
        Some(at) => tokio::time::timeout_at(at, future).await.map_err(|_| past_deadline()),
    }
}
