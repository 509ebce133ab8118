//! Reading a whole HTTP body within a limit: the one reader the server (for
//! requests) and every client transport (for responses) share.

use bytes::{Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;

use crate::error::BoxError;

/// Why a body was not read whole.
pub(crate) enum BodyError<B> {
    /// It is longer than the limit: known from `Content-Length` before
    /// reading, or once the bytes read pass it. The unread rest comes back,
    /// for a server to drain before it answers.
    TooLarge(B),
    /// The connection failed while reading (a server only answers 400).
    #[cfg_attr(not(feature = "client"), allow(dead_code))]
    Read(BoxError),
}

/// The whole body, or [`BodyError::TooLarge`] as soon as it is known to
/// exceed `limit` bytes. A body of one chunk is returned without a copy.
pub(crate) async fn read_limited<B>(headers: &HeaderMap, mut body: B, limit: usize) -> Result<Bytes, BodyError<B>>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(BodyError::TooLarge(body));
    }
    let mut first = Bytes::new();
    let mut more: Option<BytesMut> = None;
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|e| BodyError::Read(e.into()))?.into_data() else { continue };
        let read = more.as_ref().map_or(first.len(), BytesMut::len);
        if read + data.len() > limit {
            return Err(BodyError::TooLarge(body));
        }
        match &mut more {
            Some(buf) => buf.extend_from_slice(&data),
            None if first.is_empty() => first = data,
            None => {
                let mut buf = BytesMut::with_capacity(declared.map_or(2 * read, |n| n as usize).max(read + data.len()));
                buf.extend_from_slice(&first);
                buf.extend_from_slice(&data);
                more = Some(buf);
            }
        }
    }
    Ok(more.map_or(first, BytesMut::freeze))
}
