//! The default transport: reqwest, used with care for the hot path (URL
//! parsed once, default headers prebuilt inside the reqwest client).

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue};
use reqwest::Url;

use super::transport::{Transport, TransportRequest, TransportResponse};
use crate::error::BoxError;
use crate::server::BoxFuture;

/// Sends calls with a [`reqwest::Client`] (HTTP/1.1 and, with the `rustls`
/// feature, HTTPS; proxies and pooling as reqwest does them).
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    url: Url,
    /// Sent with every call; empty when `client` already sends them.
    headers: HeaderMap,
    max_response_size: usize,
}

/// A response body larger than the client accepts.
#[derive(Debug, thiserror::Error)]
#[error("the response body exceeds the limit of {limit} bytes")]
pub struct ResponseTooLarge {
    /// The limit, in bytes.
    pub limit: usize,
}

/// The default limit on response bodies: 16 MiB.
pub const DEFAULT_MAX_RESPONSE_SIZE: usize = 16 * 1024 * 1024;

impl ReqwestTransport {
    /// A transport posting to `url` with `client`.
    pub fn new(client: reqwest::Client, url: Url) -> Self {
        ReqwestTransport { client, url, headers: HeaderMap::new(), max_response_size: DEFAULT_MAX_RESPONSE_SIZE }
    }

    /// Refuses response bodies larger than `bytes` (default 16 MiB), without
    /// reading them whole.
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Also sends `headers` with every call.
    pub fn with_default_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let mut builder = self
                .client
                .post(self.url.clone())
                .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
                .body(request.body);
            if !self.headers.is_empty() {
                builder = builder.headers(self.headers.clone());
            }
            if !request.headers.is_empty() {
                builder = builder.headers(request.headers.clone());
            }
            let response = builder.send().await?;
            let status = response.status();
            let body = read_limited(response, self.max_response_size).await?;
            Ok(TransportResponse { status, body })
        })
    }

    fn endpoint(&self) -> &str {
        self.url.as_str()
    }
}

/// The whole body, or [`ResponseTooLarge`] as soon as it is known to exceed `limit`.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Bytes, BoxError> {
    let too_large = || Box::new(ResponseTooLarge { limit }) as BoxError;
    match response.content_length() {
        Some(length) if length > limit as u64 => Err(too_large()),
        // The common case: a declared, acceptable length, read in one piece.
        Some(_) => Ok(response.bytes().await?),
        None => {
            let mut body = BytesMut::new();
            while let Some(chunk) = response.chunk().await? {
                if body.len() + chunk.len() > limit {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(body.freeze())
        }
    }
}
