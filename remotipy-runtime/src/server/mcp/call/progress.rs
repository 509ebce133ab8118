//! A streaming tool called with a progress token, by a caller that accepts
//! `text/event-stream`: each item is a `notifications/progress` as it
//! comes (`progress` counting the items, `message` the item's JSON), and
//! the last event is the response, with every item collected. The stream
//! ends, with a tool error, at the caller's deadline, at the server's
//! shutdown, past the most items collected, or on a panic; it stops when
//! the caller goes (closing it is 2026-07-28's cancellation).

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use tokio::time::Instant;
use tokio_util::sync::WaitForCancellationFutureOwned;

use super::super::Mcp;
use super::super::reply::push_string;
use super::super::result::{last_response, past_deadline};
use super::super::revision::Revision;
use crate::protocol::{ErrorObject, code};
use crate::server::context::Context;
use crate::server::service::Items;

/// The state of one such stream.
pub(super) struct Progress {
    mcp: Mcp,
    /// The tool's place in the server's tools.
    tool: usize,
    revision: Revision,
    id: Vec<u8>,
    /// The progress token, as JSON.
    token: String,
    items: Items,
    /// `[` and the items so far, comma-separated.
    collected: Vec<u8>,
    count: usize,
    context: Option<Context>,
    deadline: Option<Instant>,
    shutdown: Pin<Box<WaitForCancellationFutureOwned>>,
    keep_alive: Option<Duration>,
    done: bool,
}

/// What came next.
enum Step {
    Item(Vec<u8>),
    Quiet,
    End(Result<(), ErrorObject>),
}

impl Progress {
    pub fn new(mcp: &Mcp, tool: usize, revision: Revision, id: &[u8], token: &str, items: Items) -> Self {
        let server = &mcp.inner.server.inner;
        Progress {
            mcp: mcp.clone(),
            tool,
            revision,
            id: id.to_vec(),
            token: token.to_owned(),
            items,
            collected: b"[".to_vec(),
            count: 0,
            context: None,
            deadline: None,
            shutdown: Box::pin(server.shutdown.clone().cancelled_owned()),
            keep_alive: server.options.keep_alive,
            done: false,
        }
    }

    pub fn deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The request's context, which the items are produced in.
    pub fn context(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }

    /// The events, as a response body.
    pub fn events(self) -> BoxStream<'static, Bytes> {
        futures_util::stream::unfold(self, |mut progress| async move {
            let event = progress.next_event().await?;
            Some((Bytes::from(event), progress))
        })
        .boxed()
    }

    async fn next_event(&mut self) -> Option<Vec<u8>> {
        if self.done {
            return None;
        }
        Some(match self.next().await {
            Step::Item(item) => self.progress(&item),
            Step::Quiet => b":\n\n".to_vec(),
            Step::End(outcome) => {
                self.done = true;
                let outcome = outcome.map(|()| {
                    self.collected.push(b']');
                    std::mem::take(&mut self.collected)
                });
                let tool = self.mcp.inner.tools.at(self.tool);
                let response = last_response(&self.mcp, tool, self.revision, &self.id, outcome);
                event(&response)
            }
        })
    }

    /// The next item, or why there is none.
    async fn next(&mut self) -> Step {
        let (deadline, keep_alive) = (self.deadline, self.keep_alive);
        let limit = self.mcp.inner.server.inner.options.max_collected_items;
        let context = self.context.clone();
        let polled = AssertUnwindSafe(self.items.next()).catch_unwind();
        let item = async move {
            match context {
                Some(context) => context.scope(polled).await,
                None => polled.await,
            }
        };
        let step = tokio::select! {
            biased;
            () = &mut self.shutdown => Step::End(Err(ErrorObject::new(code::SHUTTING_DOWN, "the server is shutting down"))),
            () = sleep_until(deadline) => Step::End(Err(past_deadline())),
            item = item => match item {
                Ok(Some(Ok(encoded))) => Step::Item(encoded.item().to_vec()),
                Ok(Some(Err(error))) => Step::End(Err(error)),
                Ok(None) => Step::End(Ok(())),
                Err(_) => {
                    tracing::error!("a remote stream panicked");
                    Step::End(Err(ErrorObject::internal("the stream panicked")))
                }
            },
            () = sleep(keep_alive) => Step::Quiet,
        };
        match step {
            Step::Item(_) if self.count == limit => Step::End(Err(ErrorObject::new(
                code::STREAM_TOO_LONG,
                format!("the tool streams more than {limit} items, too many to collect into one result"),
            ))),
            step => step,
        }
    }

    /// The progress notification of one more item, which is collected.
    fn progress(&mut self, item: &[u8]) -> Vec<u8> {
        if self.count > 0 {
            self.collected.push(b',');
        }
        self.collected.extend_from_slice(item);
        self.count += 1;
        let mut notification =
            br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"#.to_vec();
        notification.extend_from_slice(self.token.as_bytes());
        notification.extend_from_slice(format!(r#","progress":{},"message":"#, self.count).as_bytes());
        push_string(&mut notification, &String::from_utf8_lossy(item));
        notification.extend_from_slice(b"}}");
        event(&notification)
    }
}

/// One SSE event carrying `message` (JSON, one line).
fn event(message: &[u8]) -> Vec<u8> {
    let mut event = Vec::with_capacity(message.len() + 8);
    event.extend_from_slice(b"data: ");
    event.extend_from_slice(message);
    event.extend_from_slice(b"\n\n");
    event
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn sleep(every: Option<Duration>) {
    match every {
        Some(every) => tokio::time::sleep(every).await,
        None => std::future::pending().await,
    }
}
