//! One call's HTTP exchange: its attempts, each to an endpoint, retried as
//! [`Retry`] says, within the call's deadline, which each attempt tells the
//! server (`Remotipy-Timeout-Ms`).

use std::borrow::Cow;
use std::time::Duration;

use crate::rt::Instant;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::retry::{retry_after, unavailable};
use super::{Client, Retry, transport_error};
use crate::codec::Codec;
use crate::error::{BoxError, Error};
use crate::future::BoxFuture;
use crate::transport::{NotSent, Transport, TransportRequest, TransportResponse};

/// One call, as its attempts send it.
pub(super) struct Attempt {
    pub method: &'static str,
    pub body: Bytes,
    pub codec: Codec,
    /// May run twice: any failure may be retried.
    pub idempotent: bool,
    /// Asks for an event stream.
    pub events: bool,
}

/// A failed attempt: an answer to return as it is if not retried, or an error.
enum Failed<R, E> {
    Answer(R),
    Error(Error<E>),
}

/// What a transport is asked, and what its answer says of the call.
pub(super) trait Exchange {
    type Answer;
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>>;
    fn status(answer: &Self::Answer) -> (StatusCode, &HeaderMap);
}

/// A whole answer.
pub(super) struct Send;

impl Exchange for Send {
    type Answer = TransportResponse;
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>> {
        transport.send(request)
    }
    fn status(answer: &TransportResponse) -> (StatusCode, &HeaderMap) {
        (answer.status, &answer.headers)
    }
}

/// An answer whose body is read as it comes.
pub(super) struct Open;

impl Exchange for Open {
    type Answer = crate::transport::StreamingResponse;
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>> {
        transport.open(request)
    }
    fn status(answer: &Self::Answer) -> (StatusCode, &HeaderMap) {
        (answer.status, &answer.headers)
    }
}

impl Client {
    /// One call's whole HTTP exchange.
    pub(crate) async fn exchange<E>(
        &self,
        method: &'static str,
        body: Vec<u8>,
        idempotent: bool,
    ) -> Result<TransportResponse, Error<E>> {
        let attempt = Attempt { method, body: body.into(), codec: self.shared.codec, idempotent, events: false };
        self.attempts::<Send, E>(attempt, self.deadline()).await
    }

    /// The call's deadline, and the timeout it comes from: this clone's
    /// timeout, or the deadline of the call this one is made for (a handler
    /// calling another service), whichever ends first.
    pub(super) fn deadline(&self) -> Option<(Instant, Duration)> {
        let now = Instant::now();
        let own = self.timeout.map(|after| (now + after, after));
        #[cfg(feature = "server")]
        let inherited = crate::server::Context::current().and_then(|context| context.deadline());
        #[cfg(not(feature = "server"))]
        let inherited: Option<Instant> = None;
        match (own, inherited) {
            (Some((at, _)), Some(inherited)) if inherited >= at => own,
            (_, Some(inherited)) => Some((inherited, inherited.saturating_duration_since(now))),
            (own, None) => own,
        }
    }

    /// Sends `attempt` until it succeeds, fails for good, or `deadline`
    /// passes. A 502, 503 or 504 answer not retried is returned as it is.
    pub(super) async fn attempts<X: Exchange, E>(
        &self,
        attempt: Attempt,
        deadline: Option<(Instant, Duration)>,
    ) -> Result<X::Answer, Error<E>> {
        let (shared, retry) = (&*self.shared, &self.shared.retry);
        let method = attempt.method;
        let timed_out = || Error::Timeout { method, after: deadline.map_or(Duration::ZERO, |(_, after)| after) };
        let (mut avoid, mut tries) = (None, 0);
        shared.budget.called();
        loop {
            tries += 1;
            let lease = match deadline {
                Some((at, _)) => {
                    crate::rt::timeout_at(at, shared.endpoints.lease(avoid)).await.map_err(|_| timed_out())?
                }
                None => shared.endpoints.lease(avoid).await,
            };
            let headers = self.attempt_headers(deadline, attempt.events);
            let request = TransportRequest {
                body: attempt.body.clone(),
                codec: attempt.codec,
                headers: &headers,
                max_response_size: shared.max_response_size,
            };
            let sent = X::start(&*lease.endpoint.transport, request);
            let outcome = match attempt_end(deadline, retry) {
                Some(at) => crate::rt::timeout_at(at, sent).await.ok(),
                None => Some(sent.await),
            };
            // What went wrong, whether the call may have run, and how long the server asked to wait.
            let (failed, may_have_run, asked) = match outcome {
                Some(Ok(answer)) => {
                    let (status, headers) = X::status(&answer);
                    if !unavailable(status) {
                        shared.endpoints.succeeded(lease.index);
                        return Ok(answer);
                    }
                    let asked = retry_after(headers);
                    shared.endpoints.failed(lease.index);
                    (Failed::Answer(answer), true, asked)
                }
                Some(Err(source)) => {
                    let not_sent = NotSent::is(&*source);
                    shared.endpoints.failed(lease.index);
                    (Failed::Error(transport_error(method, source)), !not_sent, None)
                }
                None if deadline.is_some_and(|(at, _)| Instant::now() >= at) => return Err(timed_out()),
                None => {
                    let after = retry.attempt_timeout.unwrap_or_default();
                    (Failed::Error(Error::Timeout { method, after }), true, None)
                }
            };
            let wait = asked.unwrap_or_else(|| retry.backoff_before(tries, shared.endpoints.next_random()));
            let retried = (attempt.idempotent || !may_have_run)
                && tries < retry.max_attempts
                && deadline.is_none_or(|(at, _)| Instant::now() + wait < at)
                && shared.budget.retry();
            if !retried {
                return match failed {
                    Failed::Answer(answer) => Ok(answer),
                    Failed::Error(error) => Err(error),
                };
            }
            tracing::debug!(method, tries, ?wait, "remotipy: retrying");
            avoid = Some(lease.index);
            drop(lease);
            crate::rt::sleep(wait).await;
        }
    }

    /// The headers of one attempt: the call's, its remaining time, what it
    /// accepts, and (feature `otel`) the current trace context.
    fn attempt_headers(&self, deadline: Option<(Instant, Duration)>, events: bool) -> Cow<'_, HeaderMap> {
        #[cfg(feature = "otel")]
        let trace = crate::trace::current();
        #[cfg(not(feature = "otel"))]
        let trace: Option<()> = None;
        if deadline.is_none() && !events && trace.is_none() {
            return Cow::Borrowed(&self.headers);
        }
        let mut headers = self.headers.clone();
        #[cfg(feature = "otel")]
        if let Some(trace) = &trace {
            crate::trace::inject(trace, &mut headers);
        }
        if let Some((at, _)) = deadline {
            // Relative, in whole milliseconds rounded up: clocks need not agree.
            let left = at.saturating_duration_since(Instant::now());
            let millis = left.as_micros().div_ceil(1000).max(1) as u64;
            headers.insert(crate::protocol::TIMEOUT_HEADER, HeaderValue::from(millis));
        }
        if events {
            headers.insert(http::header::ACCEPT, HeaderValue::from_static("text/event-stream, application/json"));
        }
        Cow::Owned(headers)
    }
}

/// When one attempt gives up: at the call's deadline, or its own timeout.
fn attempt_end(deadline: Option<(Instant, Duration)>, retry: &Retry) -> Option<Instant> {
    let own = retry.attempt_timeout.map(|each| Instant::now() + each);
    match (deadline, own) {
        (Some((at, _)), Some(own)) => Some(at.min(own)),
        (Some((at, _)), None) => Some(at),
        (None, own) => own,
    }
}
