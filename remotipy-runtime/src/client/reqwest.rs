//! The default transport: reqwest, used with care for the hot path (URL
//! parsed once, default headers prebuilt inside the reqwest client, the
//! request built directly rather than through a builder).

use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method};
use reqwest::Url;

use super::transport::{
    DEFAULT_MAX_RESPONSE_SIZE, Transport, TransportRequest, TransportResponse, extend, read_limited,
};
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
            let mut http = reqwest::Request::new(Method::POST, self.url.clone());
            let headers = http.headers_mut();
            headers.insert(CONTENT_TYPE, request.codec.content_type());
            extend(headers, &self.headers);
            extend(headers, request.headers);
            *http.body_mut() = Some(request.body.into());
            let response = http::Response::from(self.client.execute(http).await?);
            let status = response.status();
            let (parts, body) = response.into_parts();
            let body = read_limited(&parts.headers, body, self.max_response_size).await?;
            Ok(TransportResponse { status, body })
        })
    }

    fn endpoint(&self) -> &str {
        self.url.as_str()
    }
}
