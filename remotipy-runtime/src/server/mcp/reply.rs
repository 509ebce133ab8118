//! What the endpoint answers a POST with, and the bytes of MCP's answers:
//! JSON-RPC responses whose HTTP status follows each revision's rules.

use bytes::Bytes;
use futures_util::stream::BoxStream;
use http::StatusCode;

use super::headers::HEADER_MISMATCH;
use super::revision::{Revision, UNSUPPORTED_VERSION};
use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};

/// The answer to one POST.
pub(crate) enum Answer {
    /// One JSON-RPC message.
    Json { status: StatusCode, body: Vec<u8>, retry_after: Option<u32> },
    /// A notification or a response, taken: 202, no body.
    Accepted,
    /// Server-Sent Events: progress notifications, then the response.
    Events(BoxStream<'static, Bytes>),
}

impl Answer {
    /// A success response to request `id` whose result object is `result`.
    pub fn result(id: &[u8], result: &[u8]) -> Answer {
        Answer::Json { status: StatusCode::OK, body: response(id, result), retry_after: None }
    }

    /// An error response to request `id` (`None`: its id could not be
    /// read), with the HTTP status `revision` gives its code.
    pub fn error(revision: Revision, id: Option<&[u8]>, error: &ErrorObject) -> Answer {
        let body = Codec::Json.error_response(error, id.unwrap_or(b"null"));
        Answer::Json { status: status(revision, error.code), body, retry_after: None }
    }

    /// An error response with a status of its own (a layer's refusal).
    pub fn error_with_status(id: &[u8], error: &ErrorObject, status: StatusCode, retry_after: Option<u32>) -> Answer {
        Answer::Json { status, body: Codec::Json.error_response(error, id), retry_after }
    }
}

/// `{"jsonrpc":"2.0","id":<id>,"result":<result>}`.
pub(crate) fn response(id: &[u8], result: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(result.len() + id.len() + 32);
    body.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
    body.extend_from_slice(id);
    body.extend_from_slice(br#","result":"#);
    body.extend_from_slice(result);
    body.push(b'}');
    body
}

/// The HTTP status of an error response. A message that is no valid
/// request is a 400 in both eras (as the SDKs answer); 2026-07-28 adds 400
/// for bad params, headers and versions, and 404 for an unknown method
/// (how a client tells it from a server of an older transport);
/// 2025-11-25 answers the rest with 200, as JSON-RPC over HTTP does.
pub(crate) fn status(revision: Revision, code: i64) -> StatusCode {
    match (revision, code) {
        (_, code::PARSE_ERROR | code::INVALID_REQUEST | UNSUPPORTED_VERSION) => StatusCode::BAD_REQUEST,
        (Revision::Modern, code::INVALID_PARAMS | HEADER_MISMATCH) => StatusCode::BAD_REQUEST,
        (Revision::Modern, code::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

/// Appends `text` as a JSON string.
pub(crate) fn push_string(buf: &mut Vec<u8>, text: &str) {
    // Writing a `str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *buf, text);
}

/// Appends the end of a result object: `}`, or 2026-07-28's
/// `resultType` and `_meta` first.
pub(crate) fn end_result(buf: &mut Vec<u8>, revision: Revision, modern_end: &[u8]) {
    match revision {
        Revision::Legacy => buf.push(b'}'),
        Revision::Modern => buf.extend_from_slice(modern_end),
    }
}
