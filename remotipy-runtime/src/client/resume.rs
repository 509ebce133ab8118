//! How a resumable stream reconnects when it breaks off: the same request
//! POSTed again with `Last-Event-ID` (the id of the last item that
//! arrived), at once to another endpoint, then after the retry policy's
//! backoff, each reconnect spending its budget, at most
//! [`Retry::max_stream_reconnects`](super::Retry::max_stream_reconnects)
//! times with no item between, and within the call's timeout from the
//! break: a stream is resumed as promptly as a call is answered, or given
//! up. The server continues after that id.

use std::convert::Infallible;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;

use super::attempts::{Attempt, Streamed};
use super::retry::unavailable;
use super::sse::{Parser, is_event_stream};
use super::untyped::{Client, Place};
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::{BoxError, Error};
use crate::future::BoxFuture;
use crate::rt::Instant;
use crate::transport::{StreamingResponse, TransportResponse};

/// What a resumable stream keeps to reconnect.
pub(super) struct Resume {
    client: Client,
    /// The request, sent again as it was.
    body: Bytes,
    /// Reconnects made so far.
    pub reconnects: u32,
    /// Reconnects made since the last item arrived.
    fruitless: u32,
    /// When the reconnects since the last item give up: the client's
    /// timeout after the break.
    deadline: Option<Deadline>,
    reconnecting: Option<BoxFuture<'static, Result<Reconnected, Error>>>,
}

/// Where a stream broke off.
pub(super) struct Broke<'a> {
    pub method: &'static str,
    pub parser: &'a Parser,
    /// The items that arrived before.
    pub received: u64,
    /// The endpoint it was reading from.
    pub left: Option<usize>,
}

/// What a reconnect came to.
pub(super) enum Reconnected {
    /// The stream again, from after the last id.
    Events(StreamingResponse, Place),
    /// One answer: an error, most likely (the server cannot resume).
    Answer(TransportResponse),
}

impl Resume {
    pub fn new(client: Client, body: Bytes) -> Self {
        Resume { client, body, reconnects: 0, fruitless: 0, deadline: None, reconnecting: None }
    }

    pub fn reconnecting(&self) -> bool {
        self.reconnecting.is_some()
    }

    /// An item arrived: the reconnects in a row start again from none.
    pub fn progressed(&mut self) {
        self.fruitless = 0;
        self.deadline = None;
    }

    /// Until when the current reconnects may try.
    pub fn deadline(&self) -> Option<Deadline> {
        self.deadline
    }

    /// Starts a reconnect, after the connection at endpoint `left` broke
    /// off for `why`, `received` items in; `false` when the policy allows
    /// no more, or the stream cannot resume (its items came without ids).
    pub fn reconnect(&mut self, broke: Broke<'_>, why: &(dyn std::error::Error + Send + Sync)) -> bool {
        let (method, retry) = (broke.method, &self.client.state.retry);
        // After the last id; a stream with no item yet starts afresh.
        let resume = match broke.parser.last_id().map(|id| HeaderValue::from_bytes(id.as_bytes())) {
            Some(Ok(id)) => Some(id),
            None if broke.received == 0 => None,
            // Items without ids (a server that does not resume): starting
            // again would repeat them.
            Some(Err(_)) | None => return false,
        };
        if self.fruitless == 0 {
            self.deadline = self.client.deadline();
        }
        let (parser, left) = (broke.parser, broke.left);
        let wait = self.wait(parser.retry());
        let now = Instant::now();
        let in_time = self.deadline.is_none_or(|deadline| now.checked_add(wait).is_some_and(|at| at < deadline.at));
        if self.fruitless >= retry.max_stream_reconnects || !in_time || !self.client.state.budget.retry(now) {
            tracing::warn!(method, reconnects = self.reconnects, error = %why, "remotipy: a stream broke off for good");
            return false;
        }
        self.fruitless += 1;
        self.reconnects += 1;
        tracing::info!(
            method,
            reconnects = self.reconnects,
            last_event_id = parser.last_id(),
            ?wait,
            error = %why,
            "remotipy: reconnecting a stream that broke off"
        );
        let attempt = Attempt {
            events: true,
            resume,
            avoid: left,
            // Resuming reads what follows an id: it may be sent again.
            ..self.client.attempt(method, self.body.clone(), Codec::Json, true)
        };
        let (client, deadline) = (self.client.clone(), self.deadline);
        self.reconnecting = Some(Box::pin(async move {
            if !wait.is_zero() {
                crate::rt::sleep(wait).await;
            }
            let (response, place) = client.attempts::<Streamed, Infallible>(attempt, deadline).await?;
            if is_event_stream(&response) {
                return Ok(Reconnected::Events(response, place));
            }
            drop(place);
            client.read_whole(method, response, deadline).await.map(Reconnected::Answer)
        }));
        true
    }

    /// The wait before this reconnect: none for the first after an item
    /// (it goes to another endpoint), then the backoff; never shorter than
    /// the server's SSE `retry`, never longer than `max_retry_after`.
    fn wait(&self, asked: Option<Duration>) -> Duration {
        let retry = &self.client.state.retry;
        let backoff = match self.fruitless {
            0 => Duration::ZERO,
            n => retry.backoff_before(n, self.client.state.endpoints.next_random()),
        };
        backoff.max(asked.unwrap_or_default()).min(retry.max_retry_after)
    }

    pub fn poll_reconnected(&mut self, cx: &mut Context<'_>) -> Poll<Result<Reconnected, Error>> {
        let reconnecting = self.reconnecting.as_mut().expect("polled while reconnecting");
        let done = std::task::ready!(reconnecting.as_mut().poll(cx));
        self.reconnecting = None;
        Poll::Ready(done)
    }

    /// The client it reconnects with.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A reconnect answered with one response: a 502, 503 or 504 is one
    /// more failure to reconnect after (why); anything else (`None`) ends
    /// the stream with what it says.
    pub fn unavailable(&self, answer: &TransportResponse) -> Option<BoxError> {
        unavailable(answer.status).then(|| format!("the reconnect was answered {}", answer.status).into())
    }
}
