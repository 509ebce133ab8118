//! A lean transport: hyper's HTTP/1.1 connections used directly (or
//! hyper-util's pooled client, for TLS), with none of reqwest's per-request
//! redirect, proxy and URL machinery.

use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};

use super::connections::{Connections, Exchange};
use super::transport::{
    DEFAULT_MAX_RESPONSE_SIZE, Transport, TransportRequest, TransportResponse, extend, read_limited,
};
use crate::error::BoxError;
use crate::server::BoxFuture;

/// Sends calls over hyper (feature `hyper`).
///
/// [`HyperTransport::new`] speaks plain `http://` over hyper's HTTP/1.1
/// connections used directly (kept for reuse, `TCP_NODELAY` set): the
/// least client work per call. For HTTPS or another connector, build a
/// hyper-util client over it (e.g. `hyper-rustls`'s `HttpsConnector`) and
/// pass it to [`HyperTransport::with_client`].
#[derive(Debug, Clone)]
pub struct HyperTransport<C = HttpConnector> {
    via: Via<C>,
    endpoint: String,
    /// Sent with every call.
    headers: HeaderMap,
    max_response_size: usize,
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per transport, never moved per call
enum Via<C> {
    /// hyper's connections, pooled here.
    Direct(Arc<Connections>),
    /// hyper-util's pooled client, posting to this URI.
    Client(Client<C, Full<Bytes>>, Uri),
}

impl HyperTransport {
    /// A transport posting to `uri` (`http://host:port/path`) over plain
    /// HTTP/1.1 connections it opens and keeps for reuse.
    pub fn new(uri: Uri) -> Result<Self, BoxError> {
        let connections = Connections::new(&uri)?;
        Ok(HyperTransport::with_via(Via::Direct(Arc::new(connections)), &uri))
    }
}

impl<C> HyperTransport<C> {
    /// A transport posting to `uri` through `client` (your connector, pool and
    /// TLS settings).
    pub fn with_client(client: Client<C, Full<Bytes>>, uri: Uri) -> Self {
        let endpoint = uri.clone();
        HyperTransport::with_via(Via::Client(client, uri), &endpoint)
    }

    fn with_via(via: Via<C>, uri: &Uri) -> Self {
        let endpoint = uri.to_string();
        HyperTransport { via, endpoint, headers: HeaderMap::new(), max_response_size: DEFAULT_MAX_RESPONSE_SIZE }
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
            let headers = http.headers_mut();
            headers.insert(CONTENT_TYPE, request.codec.content_type());
            extend(headers, &self.headers);
            extend(headers, request.headers);
            match &self.via {
                Via::Direct(connections) => {
                    let Exchange { response, connection } = connections.send(http).await?;
                    let (parts, body) = response.into_parts();
                    let body = read_limited(&parts.headers, body, self.max_response_size).await?;
                    // Only a connection whose response was read whole can carry another.
                    connections.give_back(connection);
                    Ok(TransportResponse { status: parts.status, body })
                }
                Via::Client(client, uri) => {
                    // A `Uri` clone shares its bytes: no parsing, no copy.
                    *http.uri_mut() = uri.clone();
                    let (parts, body) = client.request(http).await?.into_parts();
                    let body = read_limited(&parts.headers, body, self.max_response_size).await?;
                    Ok(TransportResponse { status: parts.status, body })
                }
            }
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
