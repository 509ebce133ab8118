//! A lean transport: hyper-util's pooled HTTP/1.1 client used directly, with
//! none of reqwest's per-request redirect, proxy and URL machinery.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;

use super::transport::{
    DEFAULT_MAX_RESPONSE_SIZE, Transport, TransportRequest, TransportResponse, extend, read_limited,
};
use crate::error::BoxError;
use crate::server::BoxFuture;

/// Sends calls with hyper-util's pooled client (feature `hyper`).
///
/// Plain `http://` with the default connector. For HTTPS, build a hyper-util
/// client over a TLS connector (e.g. `hyper-rustls`'s `HttpsConnector`) and
/// pass it to [`HyperTransport::with_client`].
#[derive(Debug, Clone)]
pub struct HyperTransport<C = HttpConnector> {
    client: Client<C, Full<Bytes>>,
    uri: Uri,
    endpoint: String,
    /// Sent with every call.
    headers: HeaderMap,
    max_response_size: usize,
}

impl HyperTransport {
    /// A transport posting to `uri` over a new pool of plain HTTP/1.1
    /// connections (`TCP_NODELAY` set).
    pub fn new(uri: Uri) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        HyperTransport::with_client(client, uri)
    }
}

impl<C> HyperTransport<C> {
    /// A transport posting to `uri` through `client` (your connector, pool and
    /// TLS settings).
    pub fn with_client(client: Client<C, Full<Bytes>>, uri: Uri) -> Self {
        let endpoint = uri.to_string();
        HyperTransport {
            client,
            uri,
            endpoint,
            headers: HeaderMap::new(),
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
        }
    }

    /// Refuses response bodies larger than `bytes` (default 16 MiB), without
    /// reading them whole.
    pub fn with_max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// Also sends `headers` with every call.
    pub fn with_default_headers(mut self, headers: HeaderMap) -> Self {
        extend(&mut self.headers, &headers);
        self
    }
}

impl<C: Connect + Clone + Send + Sync + 'static> Transport for HyperTransport<C> {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let mut http = Request::new(Full::new(Bytes::from(request.body)));
            *http.method_mut() = Method::POST;
            // A `Uri` clone shares its bytes: no parsing, no copy.
            *http.uri_mut() = self.uri.clone();
            let headers = http.headers_mut();
            headers.insert(CONTENT_TYPE, request.codec.content_type());
            extend(headers, &self.headers);
            extend(headers, request.headers);
            let (parts, body) = self.client.request(http).await?.into_parts();
            let body = read_limited(&parts.headers, body, self.max_response_size).await?;
            Ok(TransportResponse { status: parts.status, body })
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
