//! The default transport: reqwest, used with care for the hot path (URL
//! parsed once, the request built directly rather than through a builder).

use http::Method;
use reqwest::Url;

use super::{
    BoxError, BoxFuture, NotSent, StreamingResponse, Transport, TransportRequest, TransportResponse, chunks, read_body,
};

/// Sends calls with a [`reqwest::Client`]: HTTP/1.1, HTTPS with the
/// `rustls` feature, proxies and pooling as reqwest does them.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    client: reqwest::Client,
    url: Url,
}

impl ReqwestTransport {
    /// A transport posting to `url` with `client` (its own default headers,
    /// if any, are sent too, unless a call sets the same name).
    pub fn new(client: reqwest::Client, url: Url) -> Self {
        ReqwestTransport { client, url }
    }
}

impl ReqwestTransport {
    async fn execute(&self, request: TransportRequest<'_>) -> Result<http::Response<reqwest::Body>, BoxError> {
        let mut http = reqwest::Request::new(Method::POST, self.url.clone());
        *http.headers_mut() = request.http_headers();
        *http.body_mut() = Some(request.body.into());
        match self.client.execute(http).await {
            Ok(response) => Ok(http::Response::from(response)),
            // reqwest says "connect" only when the connection could not be made.
            Err(e) if e.is_connect() => Err(Box::new(NotSent(Box::new(e)))),
            Err(e) => Err(Box::new(e)),
        }
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let limit = request.max_response_size;
            let (parts, body) = self.execute(request).await?.into_parts();
            let body = read_body(&parts.headers, body, limit).await?;
            Ok(TransportResponse::new(parts.status, parts.headers, body))
        })
    }

    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        Box::pin(async move {
            let (parts, body) = self.execute(request).await?.into_parts();
            Ok(StreamingResponse::new(parts.status, parts.headers, chunks(body)))
        })
    }

    fn endpoint(&self) -> &str {
        self.url.as_str()
    }
}
