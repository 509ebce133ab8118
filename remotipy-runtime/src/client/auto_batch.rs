//! Automatic batching (`ClientBuilder::auto_batch`): concurrent calls on one
//! client travel together as one JSON-RPC batch, and each caller gets its
//! own answer, with the failure semantics it would have alone.
//!
//! The first call to find the queue empty leads: it waits the window (with
//! a zero window, it lets the tasks that are ready run first, so the calls
//! made in the same tick join it), takes every call queued by then, and
//! sends them, each batch in a task of its own so that a caller giving up
//! never takes the others' answers with it. With no window, a call made
//! while fewer than 4 others are in flight on the client goes at once,
//! alone: a lone caller pays nothing for batching, and a few callers are
//! not serialized into one request at a time.
//!
//! Calls are grouped so that each batch is what its calls would be alone:
//! - by idempotency: a batch of idempotent calls is retried as one of them
//!   would be; any other only when it certainly never left;
//! - by headers: calls through a `with_options` clone with headers of its
//!   own share a batch only with calls sending the same headers;
//! - by size: at most `max_calls` calls and about `max_bytes` bytes.
//!
//! A server that refuses a batch as a whole without running it (HTTP 413,
//! or one error object instead of an array of answers, as the JSON-RPC
//! spec says a server answers a batch it cannot take) gets it again in
//! halves, down to single calls, which fail as they would alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http::{HeaderMap, StatusCode};
use tokio::sync::oneshot;
use tracing::Instrument;

use super::attempts::Whole;
use super::batch::BATCH;
use super::batch_queue::{AutoBatch, Delivery, Entry, Failure};
use super::response::{ById, ErrorOnly};
use super::untyped::Client;
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::{BoxError, Error};
use crate::transport::TransportResponse;

/// With no window, a call goes alone while fewer than this many others are
/// in flight: so few gain little from sharing a request, and batching them
/// would serialize them into one request at a time (measured at 4 callers:
/// half the calls per second of unbatched calls).
const GO_ALONE_BELOW: usize = 4;

/// A call being answered: counted in flight until dropped.
struct Counted<'a>(&'a AtomicUsize);

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl AutoBatch {
    /// Sends the call `body` (a request object; `id` is `None` for a
    /// notification) with whatever else is waiting, and returns its answer.
    pub async fn submit<E>(
        self: &Arc<Self>,
        client: &Client,
        method: &'static str,
        body: Vec<u8>,
        id: Option<u64>,
        idempotent: bool,
    ) -> Result<TransportResponse, Error<E>> {
        let others = self.in_flight.fetch_add(1, Ordering::Relaxed);
        let _counted = Counted(&self.in_flight);
        if others < GO_ALONE_BELOW && self.window.is_zero() {
            // Too few calls to gain from sharing a request: no wait, no task.
            return client.exchange(method, body, idempotent).await;
        }
        let deadline = client.deadline();
        let (reply, answer) = oneshot::channel();
        let headers = (!client.default_headers).then(|| client.headers.clone());
        let entry = Entry { method, body, id, idempotent, headers, deadline, reply };
        let leads = {
            let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.waiting.push(entry);
            !std::mem::replace(&mut queue.led, true)
        };
        let answer = match leads {
            false => answer,
            true => {
                // Should this caller give up while waiting, the others still go.
                let mut lead = Lead { batcher: self, client, own: Some(answer) };
                let wait = async {
                    match self.window.is_zero() {
                        true => tokio::task::yield_now().await,
                        false => crate::rt::sleep(self.window).await,
                    }
                };
                // The window ends early for a caller whose own time is up first.
                match deadline {
                    Some(deadline) => crate::rt::timeout_at(deadline.at, wait)
                        .await
                        .map_err(|_| Error::Timeout { method, after: deadline.after })?,
                    None => wait.await,
                }
                lead.own.take().expect("taken once")
            }
        };
        let answer = match deadline {
            Some(deadline) => crate::rt::timeout_at(deadline.at, answer)
                .await
                .map_err(|_| Error::Timeout { method, after: deadline.after })?,
            None => answer.await,
        };
        match answer {
            Ok(Ok(response)) => Ok(response),
            Ok(Err(failure)) => Err(failure.into_error(method)),
            Err(_) => Err(Error::Abandoned { method }),
        }
    }

    /// Takes every waiting call and sends them, in batches, each in a task.
    fn flush(self: &Arc<Self>, client: &Client) {
        let waiting = {
            let mut queue = self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            queue.led = false;
            // The next batch is likely as large: room for it, not regrown from nothing.
            let room = queue.waiting.len();
            std::mem::replace(&mut queue.waiting, Vec::with_capacity(room))
        };
        for mut batch in self.batches(waiting) {
            let headers = batch[0].headers.take().unwrap_or_else(|| self.defaults.clone());
            let client = Client { headers, ..client.clone() };
            // The batch carries the leader's trace context, if any. Outside
            // a runtime (one shutting down) it cannot go: its callers, gone
            // with the runtime too, get "dropped".
            crate::rt::spawn(send(client, batch).instrument(tracing::Span::current()));
        }
    }

    /// Groups `entries` (callers gone, or whose time is up, are left out)
    /// by idempotency and headers, then cuts the groups to the size limits.
    fn batches(&self, mut entries: Vec<Entry>) -> Vec<Vec<Entry>> {
        let waiting = |entry: &Entry| !entry.reply.is_closed() && !entry.deadline.is_some_and(|d| d.passed());
        entries.retain(waiting);
        // The common case: calls alike, within the limits, are one batch as they are.
        let bytes: usize = entries.iter().map(|entry| entry.body.len() + 1).sum();
        let alike = entries.windows(2).all(|w| w[0].idempotent == w[1].idempotent && w[0].headers == w[1].headers);
        if entries.is_empty() {
            return Vec::new();
        }
        if alike && entries.len() <= self.max_calls && bytes <= self.max_bytes {
            return vec![entries];
        }
        let mut groups: Vec<Vec<Entry>> = Vec::new();
        for entry in entries {
            let same =
                |group: &&mut Vec<Entry>| group[0].idempotent == entry.idempotent && group[0].headers == entry.headers;
            match groups.iter_mut().find(same) {
                Some(group) => group.push(entry),
                None => groups.push(vec![entry]),
            }
        }
        let mut batches = Vec::new();
        for group in groups {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            for entry in group {
                let full =
                    batch.len() == self.max_calls || (!batch.is_empty() && bytes + entry.body.len() > self.max_bytes);
                if full {
                    batches.push(std::mem::take(&mut batch));
                    bytes = 0;
                }
                bytes += entry.body.len() + 1;
                batch.push(entry);
            }
            batches.push(batch);
        }
        batches
    }
}

/// The leader's duty: whenever its wait ends, or is cut short because its
/// caller gave up, the queue is flushed.
struct Lead<'a> {
    batcher: &'a Arc<AutoBatch>,
    client: &'a Client,
    /// The leader's own answer, until its wait ends: dropped first if the
    /// caller gives up, so that its call is left out.
    own: Option<oneshot::Receiver<Delivery>>,
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        drop(self.own.take());
        self.batcher.flush(self.client);
    }
}

/// Sends one batch (one call goes as a plain request) with `client`'s
/// headers, and answers each of its callers.
fn send(client: Client, mut batch: Vec<Entry>) -> crate::future::BoxFuture<'static, ()> {
    Box::pin(async move {
        let codec = client.codec();
        let (method, body) = match &mut batch[..] {
            [one] => (one.method, std::mem::take(&mut one.body)),
            many => (BATCH, codec.join(many.iter().map(|entry| &entry.body[..])).unwrap_or_default()),
        };
        let attempt = client.attempt(method, body.into(), codec, batch[0].idempotent);
        let deadline = latest(&batch);
        let response = match client.attempts::<Whole, std::convert::Infallible>(attempt, deadline).await {
            Ok(response) => response,
            Err(error) => return fail(batch, &Failure::from(error)),
        };
        if batch.len() > 1 && refused_unrun(codec, &response) {
            // Nothing ran: resend in halves, each where it is safe as it was.
            let rest = batch.split_off(batch.len() / 2);
            futures_util::future::join(send(client.clone(), batch), send(client, rest)).await;
            return;
        }
        answer(codec, batch, response);
    })
}

/// The deadline of a batch: the latest of its calls' (each caller stops
/// waiting at its own), or none if one has none.
fn latest(batch: &[Entry]) -> Option<Deadline> {
    batch.iter().try_fold(None, |latest: Option<Deadline>, entry| {
        let deadline = entry.deadline?;
        Some(Some(match latest {
            Some(latest) if latest.at >= deadline.at => latest,
            _ => deadline,
        }))
    })?
}

/// A batch the server refused as a whole before running any of it: too
/// large for it (413), or answered with one error object instead of an
/// array, which the JSON-RPC spec allows only for a batch it could not
/// take (remotipy's `-32600` for too many calls, jsonrpsee's `-32010`).
fn refused_unrun(codec: Codec, response: &TransportResponse) -> bool {
    response.status == StatusCode::PAYLOAD_TOO_LARGE || codec.decode::<ErrorOnly>(&response.body).is_ok()
}

/// Gives each caller its answer: its own response object, found by id;
/// the whole answer when the batch was answered as a whole.
fn answer(codec: Codec, batch: Vec<Entry>, response: TransportResponse) {
    let items = match batch.len() {
        1 => None,
        _ => codec.split_array(&response.body).ok(),
    };
    let Some(items) = items else {
        // A plain request, or a batch answered with one error or an HTTP status: each caller reads it whole.
        for entry in batch {
            let whole = TransportResponse::new(response.status, HeaderMap::new(), response.body.clone());
            let _ = entry.reply.send(Ok(whole));
        }
        return;
    };
    let by_id = ById::new(codec, items);
    for entry in batch {
        let delivery = match entry.id {
            None => Ok(TransportResponse::new(StatusCode::NO_CONTENT, HeaderMap::new(), Default::default())),
            Some(id) => match by_id.get(id) {
                Ok(item) => Ok(TransportResponse::new(StatusCode::OK, HeaderMap::new(), response.body.slice_ref(item))),
                Err(detail) => Err(Failure::Decode(detail)),
            },
        };
        let _ = entry.reply.send(delivery);
    }
}

fn fail(batch: Vec<Entry>, failure: &Failure) {
    for entry in batch {
        let _ = entry.reply.send(Err(failure.clone()));
    }
}

impl From<Error<std::convert::Infallible>> for Failure {
    fn from(error: Error<std::convert::Infallible>) -> Self {
        match error {
            Error::Transport { source, .. } => Failure::Transport(Arc::new(source)),
            Error::Timeout { after, .. } => Failure::Timeout(after),
            other => Failure::Decode(other.to_string()),
        }
    }
}

impl Failure {
    fn into_error<E>(self, method: &'static str) -> Error<E> {
        match self {
            Failure::Transport(source) => Error::Transport { method, source: Box::new(SharedCause(source)) },
            Failure::Timeout(after) => Error::Timeout { method, after },
            Failure::Decode(detail) => Error::Decode { method, detail },
        }
    }
}

/// The cause of a failed batch, given to each of its callers.
struct SharedCause(Arc<BoxError>);

impl std::fmt::Debug for SharedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self.0, f)
    }
}

impl std::fmt::Display for SharedCause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&**self.0, f)
    }
}

impl std::error::Error for SharedCause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    #[test]
    fn the_default_limits_are_a_remotipy_servers() {
        assert_eq!(super::super::batch_queue::DEFAULT_MAX_CALLS, crate::server::DEFAULT_MAX_BATCH_LEN);
        assert_eq!(super::super::batch_queue::DEFAULT_MAX_BYTES, crate::server::DEFAULT_BODY_LIMIT);
    }
}
