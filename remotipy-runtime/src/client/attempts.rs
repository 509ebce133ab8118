//! One call's HTTP exchange: its attempts, each to an endpoint, retried as
//! [`Retry`] says, within the call's deadline, which each attempt tells the
//! server (`Remotipy-Timeout-Ms`).

use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::endpoints::Lease;
use super::retry::{AttemptsFailed, Retry, retry_after, unavailable};
use super::untyped::{Client, Place};
use crate::body::BodyError;
use crate::codec::Codec;
use crate::deadline::Deadline;
use crate::error::{BoxError, Error};
use crate::future::BoxFuture;
use crate::rt::Instant;
use crate::transport::{NotSent, ResponseTooLarge, StreamingResponse, Transport, TransportRequest, TransportResponse};

/// One call, as its attempts send it.
pub(crate) struct Attempt {
    pub method: &'static str,
    pub body: Bytes,
    pub codec: Codec,
    /// May run twice: any failure may be retried.
    pub idempotent: bool,
    /// Asks for an event stream.
    pub events: bool,
    /// Resumes a stream after the item with this id (`Last-Event-ID`).
    pub resume: Option<HeaderValue>,
    /// The endpoint not to try first (where there is another): the one a
    /// resumed stream broke off from.
    pub avoid: Option<usize>,
    /// The body's `Content-Encoding`, when it is compressed.
    pub encoding: Option<HeaderValue>,
}

impl Attempt {
    pub fn new(method: &'static str, body: Bytes, codec: Codec, idempotent: bool) -> Self {
        Attempt { method, body, codec, idempotent, events: false, resume: None, avoid: None, encoding: None }
    }
}

impl Client {
    /// The attempts of a call of `method` sending `body`: compressed once
    /// here, when the client compresses requests of its size.
    pub(crate) fn attempt(&self, method: &'static str, body: Bytes, codec: Codec, idempotent: bool) -> Attempt {
        #[cfg(feature = "compression")]
        if let Some((how, min)) = self.state.compress {
            if body.len() >= min {
                if let Some(compressed) = how.compress(&body) {
                    let encoding = Some(how.content_encoding());
                    return Attempt { encoding, ..Attempt::new(method, compressed.into(), codec, idempotent) };
                }
            }
        }
        Attempt::new(method, body, codec, idempotent)
    }
}

/// How a transport is asked for an answer, what the answer's head says,
/// and what the call keeps of its attempt.
pub(crate) trait Exchange {
    type Answer;
    /// The answer, and what else outlives the attempt.
    type Kept;
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>>;
    fn head(answer: &Self::Answer) -> (StatusCode, &HeaderMap);
    fn keep(answer: Self::Answer, lease: Lease<'_>, client: &Client) -> Self::Kept;
}

/// The answer read whole ([`Transport::send`]).
pub(crate) struct Whole;

impl Exchange for Whole {
    type Answer = TransportResponse;
    type Kept = TransportResponse;
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>> {
        transport.send(request)
    }
    fn head(answer: &TransportResponse) -> (StatusCode, &HeaderMap) {
        (answer.status, &answer.headers)
    }
    /// The place at the endpoint is given back: the answer is all read.
    fn keep(answer: TransportResponse, _: Lease<'_>, _: &Client) -> TransportResponse {
        answer
    }
}

/// The answer's body read as it comes ([`Transport::open`]): a stream,
/// which keeps its place at the endpoint while it is open (a connection, or
/// an HTTP/2 stream, it holds as a call would).
pub(crate) struct Streamed;

impl Exchange for Streamed {
    type Answer = StreamingResponse;
    type Kept = (StreamingResponse, Place);
    fn start<'a>(
        transport: &'a dyn Transport,
        request: TransportRequest<'a>,
    ) -> BoxFuture<'a, Result<Self::Answer, BoxError>> {
        transport.open(request)
    }
    fn head(answer: &StreamingResponse) -> (StatusCode, &HeaderMap) {
        (answer.status, &answer.headers)
    }
    fn keep(answer: StreamingResponse, lease: Lease<'_>, client: &Client) -> Self::Kept {
        (answer, client.hold(lease))
    }
}

/// What one attempt came to.
enum Tried<A, E> {
    /// The call's answer: a success, or anything but 502, 503 and 504.
    Answered(A),
    /// A 502, 503 or 504: the call's answer unless it is retried.
    Unavailable { answer: A, retry_after: Option<Duration> },
    /// No answer, and whether the call may have run anyway.
    Failed { error: Error<E>, may_have_run: bool },
}

impl Client {
    /// One call's whole HTTP exchange.
    pub(crate) async fn exchange<E>(
        &self,
        method: &'static str,
        body: Vec<u8>,
        idempotent: bool,
    ) -> Result<TransportResponse, Error<E>> {
        let attempt = self.attempt(method, body.into(), self.state.codec, idempotent);
        self.attempts::<Whole, E>(attempt, self.deadline()).await
    }

    /// A streamed answer read whole, within the limit and the deadline.
    pub(crate) async fn read_whole<E>(
        &self,
        method: &'static str,
        response: StreamingResponse,
        deadline: Option<Deadline>,
    ) -> Result<TransportResponse, Error<E>> {
        let limit = self.state.max_response_size;
        let frames = response.body.map(|chunk| chunk.map(http_body::Frame::data));
        let read = crate::body::read_limited(&response.headers, http_body_util::StreamBody::new(frames), limit);
        let body = match deadline {
            Some(deadline) => crate::rt::timeout_at(deadline.at, read)
                .await
                .map_err(|_| Error::Timeout { method, after: deadline.after })?,
            None => read.await,
        };
        let body = body.map_err(|e| match e {
            BodyError::TooLarge(_) => transport_error(method, Box::new(ResponseTooLarge { limit })),
            BodyError::Read(source) => transport_error(method, source),
        })?;
        Ok(TransportResponse::new(response.status, response.headers, body))
    }

    /// Sends `attempt` until it succeeds, fails for good, or `deadline`
    /// passes. A 502, 503 or 504 answer not retried is returned as it is.
    pub(crate) async fn attempts<X: Exchange, E>(
        &self,
        attempt: Attempt,
        deadline: Option<Deadline>,
    ) -> Result<X::Kept, Error<E>> {
        let state = &*self.state;
        let mut now = Instant::now();
        state.budget.called(now);
        let mut avoid = attempt.avoid;
        // The endpoints tried (their indexes modulo 64), for the error that
        // says so: no allocation on the path of every call.
        let mut tried_at = 0u64;
        for tries in 1.. {
            let lease = self.lease(attempt.method, avoid, deadline).await?;
            tried_at |= 1 << (lease.index % 64);
            let (failed, may_have_run, asked) = match self.try_once::<X, E>(&attempt, &lease, deadline, now).await? {
                Tried::Answered(answer) => return Ok(X::keep(answer, lease, self)),
                Tried::Unavailable { answer, retry_after } => (Ok(answer), true, retry_after),
                Tried::Failed { error, may_have_run } => (Err(error), may_have_run, None),
            };
            let Some(wait) = self.retry_wait(&attempt, tries, may_have_run, asked, deadline) else {
                return match failed {
                    Ok(answer) => Ok(X::keep(answer, lease, self)),
                    Err(error) => Err(exhausted(error, tries, tried_at.count_ones() as usize)),
                };
            };
            tracing::debug!(method = attempt.method, tries, ?wait, "remotipy: retrying");
            avoid = Some(lease.index);
            drop(lease);
            crate::rt::sleep(wait).await;
            now = Instant::now();
        }
        unreachable!("the attempts end by returning")
    }

    /// A place at an endpoint (not `avoid` where there is another), within
    /// the call's deadline.
    async fn lease<E>(
        &self,
        method: &'static str,
        avoid: Option<usize>,
        deadline: Option<Deadline>,
    ) -> Result<Lease<'_>, Error<E>> {
        let endpoints = &self.state.endpoints;
        match deadline {
            Some(deadline) => crate::rt::timeout_at(deadline.at, endpoints.lease(avoid))
                .await
                .map_err(|_| Error::Timeout { method, after: deadline.after }),
            None => Ok(endpoints.lease(avoid).await),
        }
    }

    /// One attempt at `lease`'s endpoint, within the call's deadline (the
    /// call's timeout is an `Err`) and the attempt's own timeout.
    async fn try_once<X: Exchange, E>(
        &self,
        attempt: &Attempt,
        lease: &Lease<'_>,
        deadline: Option<Deadline>,
        now: Instant,
    ) -> Result<Tried<X::Answer, E>, Error<E>> {
        let (state, method) = (&*self.state, attempt.method);
        #[cfg(feature = "metrics")]
        if let Some(metrics) = &state.metrics {
            metrics.attempt(method);
        }
        let request = TransportRequest {
            method,
            body: attempt.body.clone(),
            codec: attempt.codec,
            headers: self.attempt_headers(attempt, deadline, now),
            max_response_size: state.max_response_size,
            _borrows: std::marker::PhantomData,
        };
        let sent = X::start(&*lease.endpoint.transport, request);
        let outcome = match attempt_end(deadline, &state.retry, now) {
            Some(at) => crate::rt::timeout_at(at, sent).await.ok(),
            None => Some(sent.await),
        };
        let endpoints = &state.endpoints;
        Ok(match outcome {
            Some(Ok(answer)) => {
                let (status, headers) = X::head(&answer);
                if !unavailable(status) {
                    endpoints.succeeded(lease);
                    return Ok(Tried::Answered(answer));
                }
                let retry_after = retry_after(headers);
                endpoints.failed(lease);
                Tried::Unavailable { answer, retry_after }
            }
            Some(Err(source)) => {
                endpoints.failed(lease);
                Tried::Failed { may_have_run: !NotSent::is(&*source), error: transport_error(method, source) }
            }
            None => match deadline {
                Some(deadline) if deadline.passed() => return Err(Error::Timeout { method, after: deadline.after }),
                _ => {
                    let after = state.retry.attempt_timeout.unwrap_or_default();
                    Tried::Failed { error: Error::Timeout { method, after }, may_have_run: true }
                }
            },
        })
    }

    /// How long to wait before the next attempt, if there is one: the call
    /// may run twice or never ran, attempts are left, the wait (the
    /// server's `Retry-After`, else the backoff) ends before the deadline
    /// and is not longer than [`Retry::max_retry_after`], and the budget allows.
    fn retry_wait(
        &self,
        attempt: &Attempt,
        tries: u32,
        may_have_run: bool,
        asked: Option<Duration>,
        deadline: Option<Deadline>,
    ) -> Option<Duration> {
        let (state, retry) = (&*self.state, &self.state.retry);
        let may_run_again = attempt.idempotent || !may_have_run;
        if !may_run_again || tries >= retry.max_attempts {
            return None;
        }
        let wait = match asked {
            Some(asked) if asked > retry.max_retry_after => return None,
            Some(asked) => asked,
            None => retry.backoff_before(tries, state.endpoints.next_random()),
        };
        let in_time = deadline.is_none_or(|deadline| Instant::now().checked_add(wait).is_some_and(|t| t < deadline.at));
        (in_time && state.budget.retry(Instant::now())).then_some(wait)
    }

    /// The headers of one attempt, in one map the transport takes: the
    /// call's, the content type, its remaining time, what it accepts, and
    /// (feature `otel`) the current trace context.
    fn attempt_headers(&self, attempt: &Attempt, deadline: Option<Deadline>, now: Instant) -> HeaderMap {
        let mut headers = self.headers.clone();
        headers.insert(http::header::CONTENT_TYPE, attempt.codec.content_type());
        #[cfg(feature = "otel")]
        if let Some(trace) = crate::trace::current() {
            crate::trace::inject(&trace, &mut headers);
        }
        if let Some(deadline) = deadline {
            headers.insert(TIMEOUT, self.timeout_header(deadline, now));
        }
        if attempt.events {
            headers.insert(http::header::ACCEPT, HeaderValue::from_static("text/event-stream, application/json"));
        }
        if let Some(last) = &attempt.resume {
            headers.insert(LAST_EVENT_ID, last.clone());
        }
        if let Some(encoding) = &attempt.encoding {
            headers.insert(http::header::CONTENT_ENCODING, encoding.clone());
        }
        headers
    }

    /// The time left, relative, in whole milliseconds rounded up (clocks need
    /// not agree), at least 1. A call's first attempt, made as it starts,
    /// usually has exactly its timeout left: that value is made once.
    fn timeout_header(&self, deadline: Deadline, now: Instant) -> HeaderValue {
        let left = deadline.at.saturating_duration_since(now);
        let millis = u64::try_from(left.as_micros().div_ceil(1000)).unwrap_or(u64::MAX).max(1);
        match &self.timeout_header {
            Some((whole, value)) if *whole == millis => value.clone(),
            _ => HeaderValue::from(millis),
        }
    }
}

/// The deadline header's name, made at compile time: inserting by `&str`
/// parses the name at every call, and so does `from_static` outside a const.
const TIMEOUT: http::HeaderName = http::HeaderName::from_static(crate::protocol::TIMEOUT_HEADER);

const LAST_EVENT_ID: http::HeaderName = http::HeaderName::from_static(crate::protocol::LAST_EVENT_ID);

/// When one attempt gives up: at the call's deadline, or its own timeout.
fn attempt_end(deadline: Option<Deadline>, retry: &Retry, now: Instant) -> Option<Instant> {
    let own = retry.attempt_timeout.and_then(|each| now.checked_add(each));
    let call = deadline.map(|deadline| deadline.at);
    match (call, own) {
        (Some(call), Some(own)) => Some(call.min(own)),
        (call, own) => call.or(own),
    }
}

/// The last failure of a call that made several attempts says how many, at
/// how many endpoints.
fn exhausted<E>(error: Error<E>, attempts: u32, endpoints: usize) -> Error<E> {
    match error {
        Error::Transport { method, source } if attempts > 1 => {
            Error::Transport { method, source: Box::new(AttemptsFailed { attempts, endpoints, last: source }) }
        }
        other => other,
    }
}

/// A transport failure; an oversized body is a decoding failure.
pub(crate) fn transport_error<E>(method: &'static str, source: BoxError) -> Error<E> {
    match source.downcast_ref::<ResponseTooLarge>() {
        Some(too_large) => Error::Decode { method, detail: too_large.to_string() },
        None => Error::Transport { method, source },
    }
}
