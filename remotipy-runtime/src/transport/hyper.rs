//! A lean transport: hyper's HTTP/1.1 connections used directly (or
//! hyper-util's pooled client, for TLS), with none of reqwest's per-request
//! redirect, proxy and URL machinery.

use std::sync::Arc;

use futures_util::StreamExt;

use bytes::Bytes;
use http::{Method, Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};

use super::connections::{Connections, Exchange, Http2};
use super::seam::{NotSent, StreamingResponse, Transport, TransportRequest, TransportResponse, chunks, read_body};
use crate::error::BoxError;
use crate::future::BoxFuture;

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
}

#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)] // one per transport, never moved per call
enum Via<C> {
    /// hyper's connections, pooled here.
    Direct(Arc<Connections>),
    /// HTTP/2 connections (h2c), each carrying many calls at once.
    Http2(Arc<Http2>),
    /// hyper-util's pooled client, posting to this URI.
    Client(Client<C, Full<Bytes>>, Uri),
}

impl HyperTransport {
    /// A transport posting to `uri` (`http://host:port/path`) over plain
    /// HTTP/1.1 connections it opens and keeps for reuse.
    pub fn new(uri: Uri) -> Result<Self, BoxError> {
        let connections = Connections::new(&uri)?;
        Ok(HyperTransport { via: Via::Direct(Arc::new(connections)), endpoint: uri.to_string() })
    }

    /// A transport posting to `uri` over HTTP/2 spoken with prior knowledge
    /// (h2c), every call a stream on a shared connection; another connection
    /// is opened whenever those open carry 100 exchanges each (the least
    /// number of concurrent streams a server is advised to allow).
    pub fn http2(uri: Uri) -> Result<Self, BoxError> {
        let connection = Http2::new(&uri)?;
        Ok(HyperTransport { via: Via::Http2(Arc::new(connection)), endpoint: uri.to_string() })
    }
}

impl<C> HyperTransport<C> {
    /// A transport posting to `uri` through `client` (your connector, pool and
    /// TLS settings).
    pub fn with_client(client: Client<C, Full<Bytes>>, uri: Uri) -> Self {
        let endpoint = uri.to_string();
        HyperTransport { via: Via::Client(client, uri), endpoint }
    }
}

/// hyper-util says "connect" only when the connection could not be made.
fn not_sent_if_connect(e: hyper_util::client::legacy::Error) -> BoxError {
    match e.is_connect() {
        true => Box::new(NotSent(Box::new(e))),
        false => Box::new(e),
    }
}

fn http_request(request: TransportRequest<'_>) -> Request<Full<Bytes>> {
    let mut http = Request::new(Full::new(request.body));
    *http.method_mut() = Method::POST;
    *http.headers_mut() = request.headers;
    http
}

impl<C: Connect + Clone + Send + Sync + 'static> Transport for HyperTransport<C> {
    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        Box::pin(async move {
            let mut http = http_request(request);
            // A streamed response's connection is not reused: it closes when
            // the stream is dropped, which is how the server learns to stop.
            let (parts, body) = match &self.via {
                Via::Direct(connections) => connections.send(http).await?.response.into_parts(),
                Via::Http2(connections) => {
                    // The stream holds its place on its connection until its body is dropped.
                    let (response, place) = connections.send(http).await?;
                    let (parts, body) = response.into_parts();
                    let body = chunks(body).map(move |chunk| {
                        let _held = &place;
                        chunk
                    });
                    return Ok(StreamingResponse::new(parts.status, parts.headers, Box::pin(body)));
                }
                Via::Client(client, uri) => {
                    *http.uri_mut() = uri.clone();
                    client.request(http).await.map_err(not_sent_if_connect)?.into_parts()
                }
            };
            Ok(StreamingResponse::new(parts.status, parts.headers, chunks(body)))
        })
    }

    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let limit = request.max_response_size;
            let mut http = http_request(request);
            match &self.via {
                Via::Direct(connections) => {
                    let Exchange { response, connection } = connections.send(http).await?;
                    let (parts, body) = response.into_parts();
                    let body = read_body(&parts.headers, body, limit).await?;
                    // Only a connection whose response was read whole can carry another.
                    connections.give_back(connection);
                    Ok(TransportResponse::new(parts.status, parts.headers, body))
                }
                Via::Http2(connections) => {
                    let (response, _place) = connections.send(http).await?;
                    let (parts, body) = response.into_parts();
                    let body = read_body(&parts.headers, body, limit).await?;
                    Ok(TransportResponse::new(parts.status, parts.headers, body))
                }
                Via::Client(client, uri) => {
                    // A `Uri` clone shares its bytes: no parsing, no copy.
                    *http.uri_mut() = uri.clone();
                    let (parts, body) = client.request(http).await.map_err(not_sent_if_connect)?.into_parts();
                    let body = read_body(&parts.headers, body, limit).await?;
                    Ok(TransportResponse::new(parts.status, parts.headers, body))
                }
            }
        })
    }

    fn endpoint(&self) -> &str {
        &self.endpoint
    }
}
