//! A call's outcome as MCP says it: a `CallToolResult` (its value as
//! `structuredContent` and text, or its error with `isError`), or, for a
//! request at fault, a protocol error.

use http::StatusCode;

use super::Mcp;
use super::reply::{end_result, push_string, response};
use super::revision::Revision;
use super::schema::Shape;
use super::tools::Tool;
use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};
use crate::server::service::HttpStatus;

pub(crate) fn past_deadline() -> ErrorObject {
    ErrorObject::new(code::DEADLINE_EXCEEDED, "deadline exceeded: the caller stopped waiting")
}

/// Which side a failed call's error is on.
pub(crate) enum Failure {
    /// The tool failed: a result with `isError`, for the model to read.
    Tool(ErrorObject),
    /// The request failed: a JSON-RPC error, maybe with an HTTP status.
    Protocol(ErrorObject, Option<HttpStatus>),
}

pub(crate) fn classify(tool: &Tool, error: ErrorObject, status: Option<HttpStatus>) -> Failure {
    if tool.is_app_error(&error) {
        return Failure::Tool(error);
    }
    match (error.code, status) {
        (code::PARSE_ERROR | code::INVALID_REQUEST | code::METHOD_NOT_FOUND | code::INVALID_PARAMS, _) => {
            Failure::Protocol(error, None)
        }
        (_, Some(status)) if status.code != StatusCode::OK => Failure::Protocol(outside_reserved(error), Some(status)),
        _ => Failure::Tool(error),
    }
}

/// 2026-07-28 reserves `-32020..=-32099` for the protocol's own errors;
/// remotipy's codes there (`-32090..=-32094`) travel as `-32603` on the MCP
/// endpoint, the original code in `data.code`.
fn outside_reserved(error: ErrorObject) -> ErrorObject {
    if !(-32099..=-32020).contains(&error.code) {
        return error;
    }
    let data = serde_json::json!({ "code": error.code, "data": error.data });
    ErrorObject::new(code::INTERNAL_ERROR, error.message).with_data(data)
}

/// The `CallToolResult` of a call that returned `value` (JSON).
pub(crate) fn success(tool: &Tool, value: &[u8], revision: Revision, modern_end: &[u8]) -> Vec<u8> {
    let mut result = Vec::with_capacity(2 * value.len() + 96);
    result.extend_from_slice(br#"{"content":["#);
    if tool.shape != Shape::Nothing {
        result.extend_from_slice(br#"{"type":"text","text":"#);
        push_string(&mut result, &String::from_utf8_lossy(value));
        result.push(b'}');
    }
    result.push(b']');
    match tool.shape {
        Shape::Object => {
            result.extend_from_slice(br#","structuredContent":"#);
            result.extend_from_slice(value);
        }
        Shape::Wrapped => {
            result.extend_from_slice(br#","structuredContent":{"result":"#);
            result.extend_from_slice(value);
            result.push(b'}');
        }
        Shape::Nothing => {}
    }
    result.extend_from_slice(br#","isError":false"#);
    end_result(&mut result, revision, modern_end);
    result
}

/// The `CallToolResult` of a tool that failed with `error`: its message,
/// then the whole error object (code, message, data) as JSON text. No
/// `structuredContent`: clients check it against the `outputSchema`.
pub(crate) fn tool_error(error: &ErrorObject, revision: Revision, modern_end: &[u8]) -> Vec<u8> {
    let mut result = br#"{"content":[{"type":"text","text":"#.to_vec();
    push_string(&mut result, &error.message);
    result.extend_from_slice(br#"},{"type":"text","text":"#);
    push_string(&mut result, &serde_json::to_string(error).unwrap_or_else(|_| error.message.clone()));
    result.extend_from_slice(br#"}],"isError":true"#);
    end_result(&mut result, revision, modern_end);
    result
}

/// The response to request `id` for a call that ended with `outcome` (a
/// stream's collected items, or its error), as a stream's last event.
pub(crate) fn last_response(
    mcp: &Mcp,
    tool: &Tool,
    revision: Revision,
    id: &[u8],
    outcome: Result<Vec<u8>, ErrorObject>,
) -> Vec<u8> {
    let modern_end = &mcp.inner.answers.modern_end;
    match outcome {
        Ok(items) => response(id, &success(tool, &items, revision, modern_end)),
        Err(error) => match classify(tool, error, None) {
            Failure::Tool(error) => response(id, &tool_error(&error, revision, modern_end)),
            Failure::Protocol(error, _) => Codec::Json.error_response(&error, id),
        },
    }
}
