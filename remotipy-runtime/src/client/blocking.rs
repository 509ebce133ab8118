//! A blocking client for scripts and command-line tools (feature
//! `blocking`): the same encoding and decoding as [`Client`](super::Client),
//! over `reqwest::blocking`.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use http::HeaderMap;
use http::header::CONTENT_TYPE;
use reqwest::Url;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::transport::{ResponseTooLarge, TransportResponse, extend};
use super::{BuildError, CallOptions, encode, read_ack, read_reply, response, transport_error};
use crate::codec::Codec;
use crate::error::Error;
use crate::protocol::ErrorObject;

/// The untyped blocking client every generated `<Trait>BlockingClient`
/// wraps. Cheap to clone (the connection pool is shared).
///
/// It belongs to code without an async runtime (scripts, command-line tools,
/// plain threads). Inside a runtime's context it would stall that runtime's
/// thread, so building one there is a [`BuildError`] and a call made there
/// fails at once with an [`InsideAsyncRuntime`] transport error; async code
/// uses the async client. (Tokio does not tell a `spawn_blocking` thread from
/// a worker, so those are refused too.)
#[derive(Clone)]
pub struct BlockingClient {
    shared: Arc<Shared>,
    headers: HeaderMap,
    timeout: Option<Duration>,
}

struct Shared {
    http: reqwest::blocking::Client,
    url: Url,
    codec: Codec,
    next_id: AtomicU64,
    max_response_size: usize,
}

/// A blocking client was used on an async runtime's thread.
#[derive(Debug, thiserror::Error)]
#[error(
    "a blocking remotipy client was called inside an async runtime, where it would block the runtime's thread; \
     use the async client there (the blocking one is for code without a runtime: scripts, CLIs, plain threads)"
)]
pub struct InsideAsyncRuntime;

impl BlockingClient {
    pub(crate) fn new(
        url: Url,
        codec: Codec,
        headers: HeaderMap,
        timeout: Option<Duration>,
        max_response_size: usize,
    ) -> Result<Self, BuildError> {
        if inside_async_runtime() {
            return Err(BuildError::Unsupported(InsideAsyncRuntime.to_string()));
        }
        // The deadline is set per request; reqwest's own 30 s default is off.
        let http = reqwest::blocking::Client::builder().default_headers(headers).timeout(None::<Duration>).build()?;
        let shared = Arc::new(Shared { http, url, codec, next_id: AtomicU64::new(1), max_response_size });
        Ok(BlockingClient { shared, headers: HeaderMap::new(), timeout })
    }

    /// Where calls go.
    pub fn endpoint(&self) -> &str {
        self.shared.url.as_str()
    }

    /// A clone whose calls also send the options' headers and use its timeout.
    pub fn with_options(&self, options: CallOptions) -> Self {
        let (headers, timeout) = options.over(&self.headers, self.timeout);
        BlockingClient { shared: Arc::clone(&self.shared), headers, timeout }
    }

    /// Calls a method declared `-> R`.
    #[doc(hidden)]
    pub fn call<P: Serialize, R: DeserializeOwned>(&self, method: &'static str, params: &P) -> Result<R, Error> {
        self.call_with(method, params, |_| None)
    }

    /// Calls a method declared `-> Result<R, E>`.
    #[doc(hidden)]
    pub fn call_fallible<P, R, E>(&self, method: &'static str, params: &P) -> Result<R, Error<E>>
    where
        P: Serialize,
        R: DeserializeOwned,
        E: DeserializeOwned,
    {
        self.call_with(method, params, response::decode_app::<E>)
    }

    fn call_with<P: Serialize, R: DeserializeOwned, E>(
        &self,
        method: &'static str,
        params: &P,
        decode_app: fn(&ErrorObject) -> Option<E>,
    ) -> Result<R, Error<E>> {
        let id = self.shared.next_id.fetch_add(1, Ordering::Relaxed);
        let codec = self.shared.codec;
        let response = self.exchange(method, encode(codec, method, params, Some(id))?)?;
        read_reply(codec, method, id, &response, decode_app)
    }

    /// Sends a notification.
    #[doc(hidden)]
    pub fn notify<P: Serialize>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        let response = self.exchange(method, encode(self.shared.codec, method, params, None)?)?;
        read_ack(method, &response)
    }

    fn exchange<E>(&self, method: &'static str, body: Vec<u8>) -> Result<TransportResponse, Error<E>> {
        if inside_async_runtime() {
            return Err(Error::Transport { method, source: Box::new(InsideAsyncRuntime) });
        }
        let mut request = self.shared.http.post(self.shared.url.clone()).body(body);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, self.shared.codec.content_type());
        extend(&mut headers, &self.headers);
        request = request.headers(headers);
        if let Some(after) = self.timeout {
            request = request.timeout(after);
        }
        let fail = |e: reqwest::Error| match self.timeout {
            Some(after) if e.is_timeout() => Error::Timeout { method, after },
            _ => Error::Transport { method, source: Box::new(e) },
        };
        let response = request.send().map_err(fail)?;
        let status = response.status();
        let body = read_limited(response, self.shared.max_response_size)
            .map_err(|e| e.downcast::<reqwest::Error>().map_or_else(|e| transport_error(method, e), |e| fail(*e)))?;
        Ok(TransportResponse { status, body: body.into() })
    }
}

/// The whole body, or [`ResponseTooLarge`] past `limit` bytes.
fn read_limited(response: reqwest::blocking::Response, limit: usize) -> Result<Vec<u8>, crate::BoxError> {
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Err(Box::new(ResponseTooLarge { limit }));
    }
    let mut body = Vec::new();
    response.take(limit as u64 + 1).read_to_end(&mut body)?;
    match body.len() > limit {
        true => Err(Box::new(ResponseTooLarge { limit })),
        false => Ok(body),
    }
}

fn inside_async_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_ok()
}

impl std::fmt::Debug for BlockingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingClient")
            .field("endpoint", &self.endpoint())
            .field("timeout", &self.timeout)
            .field("headers", &self.headers)
            .finish()
    }
}
