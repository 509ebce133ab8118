//! The default transport: reqwest, used with care for the hot path (URL
//! parsed once, the request built directly rather than through a builder).

use http::Method;
use reqwest::Url;

#[cfg(target_arch = "wasm32")]
use super::seam::BodyStream;
#[cfg(not(target_arch = "wasm32"))]
use super::seam::{NotSent, chunks};
use super::seam::{StreamingResponse, Transport, TransportRequest, TransportResponse, read_body};
use crate::error::BoxError;
use crate::future::BoxFuture;

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
    async fn execute(&self, request: TransportRequest<'_>) -> Result<Head, BoxError> {
        let mut http = reqwest::Request::new(Method::POST, self.url.clone());
        *http.headers_mut() = request.headers;
        *http.body_mut() = Some(request.body.into());
        // On wasm32 the future holds the browser's fetch, which is not `Send`:
        // the wrapper (one thread there) keeps the client's bounds.
        #[cfg(target_arch = "wasm32")]
        let response = send_wrapper::SendWrapper::new(self.client.execute(http)).await;
        #[cfg(not(target_arch = "wasm32"))]
        let response = self.client.execute(http).await;
        match response {
            Ok(response) => Ok(Head::from(response)),
            // reqwest says "connect" only when the connection could not be
            // made. A browser's fetch does not tell: there, a failed call may
            // have run, and is retried only if idempotent.
            #[cfg(not(target_arch = "wasm32"))]
            Err(e) if e.is_connect() => Err(Box::new(NotSent(Box::new(e)))),
            Err(e) => Err(Box::new(e)),
        }
    }
}

/// A response's status and headers, and its body as the target reads it.
struct Head {
    status: http::StatusCode,
    headers: http::HeaderMap,
    #[cfg(not(target_arch = "wasm32"))]
    body: reqwest::Body,
    #[cfg(target_arch = "wasm32")]
    body: BodyStream,
}

impl From<reqwest::Response> for Head {
    #[cfg(not(target_arch = "wasm32"))]
    fn from(response: reqwest::Response) -> Self {
        let (parts, body) = http::Response::from(response).into_parts();
        Head { status: parts.status, headers: parts.headers, body }
    }

    // reqwest on wasm32 has no `http::Response` conversion: the body is
    // the fetch's stream of chunks.
    #[cfg(target_arch = "wasm32")]
    fn from(response: reqwest::Response) -> Self {
        use futures_util::TryStreamExt;
        let (status, headers) = (response.status(), response.headers().clone());
        let chunks = response.bytes_stream().map_err(|e| Box::new(e) as BoxError);
        Head { status, headers, body: Box::pin(send_wrapper::SendWrapper::new(chunks)) }
    }
}

impl Head {
    fn into_streaming(self) -> StreamingResponse {
        #[cfg(not(target_arch = "wasm32"))]
        let body = chunks(self.body);
        #[cfg(target_arch = "wasm32")]
        let body = self.body;
        StreamingResponse::new(self.status, self.headers, body)
    }

    async fn read(self, limit: usize) -> Result<TransportResponse, BoxError> {
        #[cfg(not(target_arch = "wasm32"))]
        let body = self.body;
        #[cfg(target_arch = "wasm32")]
        let body = {
            use futures_util::TryStreamExt;
            http_body_util::StreamBody::new(self.body.map_ok(http_body::Frame::data))
        };
        let bytes = read_body(&self.headers, body, limit).await?;
        Ok(TransportResponse::new(self.status, self.headers, bytes))
    }
}

impl Transport for ReqwestTransport {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let limit = request.max_response_size;
            self.execute(request).await?.read(limit).await
        })
    }

    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        Box::pin(async move { Ok(self.execute(request).await?.into_streaming()) })
    }

    fn endpoint(&self) -> &str {
        self.url.as_str()
    }
}
