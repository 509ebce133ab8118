//! The one seam every generated client goes through: request bytes and
//! headers in, status and response bytes out.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::error::BoxError;
use crate::server::BoxFuture;

/// One HTTP exchange, as the client hands it to a transport.
#[derive(Debug)]
pub struct TransportRequest<'a> {
    /// The encoded JSON-RPC request.
    pub body: Vec<u8>,
    /// Headers for this call only, on top of the transport's defaults.
    pub headers: &'a HeaderMap,
}

/// What came back.
#[derive(Debug)]
pub struct TransportResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The whole response body.
    pub body: Bytes,
}

/// Carries encoded calls to a server. Implement it to put a generated client
/// over another HTTP stack; remotipy ships [`ReqwestTransport`](super::ReqwestTransport)
/// and [`InProcess`](super::InProcess).
///
/// Timeouts are the client's job, not the transport's: the client drops the
/// future when the call's deadline passes.
pub trait Transport: Send + Sync + 'static {
    /// Sends one request and reads the whole response.
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>>;

    /// Where calls go, for messages and `Debug`.
    fn endpoint(&self) -> &str;
}
