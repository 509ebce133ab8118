//! The default transport: reqwest, used with care for the hot path (URL
//! parsed once, default headers prebuilt inside the reqwest client).

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
}

impl ReqwestTransport {
    /// A transport posting to `url` with `client`.
    pub fn new(client: reqwest::Client, url: Url) -> Self {
        ReqwestTransport { client, url, headers: HeaderMap::new() }
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
            let body = response.bytes().await?;
            Ok(TransportResponse { status, body })
        })
    }

    fn endpoint(&self) -> &str {
        self.url.as_str()
    }
}
