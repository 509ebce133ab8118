//! The one seam every generated client goes through: request bytes and
//! headers in, status and response bytes out.

use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::{HeaderMap, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::codec::Codec;
use crate::error::BoxError;
use crate::server::BoxFuture;

/// One HTTP exchange, as the client hands it to a transport.
#[derive(Debug)]
pub struct TransportRequest<'a> {
    /// The encoded JSON-RPC request.
    pub body: Vec<u8>,
    /// Its encoding: send `codec.content_type()` as the `Content-Type`.
    pub codec: Codec,
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
/// over another HTTP stack; remotipy ships [`ReqwestTransport`](super::ReqwestTransport),
/// [`InProcess`](super::InProcess) and, with the `hyper` feature, `HyperTransport`.
///
/// Timeouts are the client's job, not the transport's: the client drops the
/// future when the call's deadline passes. A transport that refuses an
/// oversized body should fail with [`ResponseTooLarge`], which the client
/// reports as `Error::Decode`.
pub trait Transport: Send + Sync + 'static {
    /// Sends one request and reads the whole response.
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>>;

    /// Where calls go, for messages and `Debug`.
    fn endpoint(&self) -> &str;
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

/// The whole body, or [`ResponseTooLarge`] as soon as it is known to exceed
/// `limit`: at once from a declared length, else while reading.
pub(crate) async fn read_limited<B>(headers: &HeaderMap, body: B, limit: usize) -> Result<Bytes, BoxError>
where
    B: http_body::Body<Data = Bytes>,
    B::Error: Into<BoxError>,
{
    let too_large = || Box::new(ResponseTooLarge { limit }) as BoxError;
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(too_large()),
        Err(e) => Err(e),
    }
}

/// Adds `extra` to `headers`, keeping repeated names repeated.
pub(crate) fn extend(headers: &mut HeaderMap, extra: &HeaderMap) {
    if !extra.is_empty() {
        headers.extend(extra.iter().map(|(name, value)| (name.clone(), value.clone())));
    }
}
