//! One MCP message, parsed borrowing from the body: a request, a
//! notification, or a response (the client answering a server request,
//! which this server never sends). JSON-RPC's envelope is remotipy's own
//! parser; MCP adds that ids are never null and that batches are gone.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};
use crate::server::envelope;
use crate::server::service::Params as RawParams;

/// A message, or why it is none (with the request's id when it could be read).
pub(crate) enum Message<'a> {
    Request { id: &'a [u8], method: Cow<'a, str>, params: Option<&'a str> },
    Notification,
    Response,
}

/// Why a body is no message: the error, and the id if one was read.
pub(crate) type Refused = (ErrorObject, Option<Vec<u8>>);

pub(crate) fn parse(body: &[u8]) -> Result<Message<'_>, Refused> {
    if envelope::is_batch(Codec::Json, body) {
        let error = ErrorObject::invalid_request(
            "MCP takes one JSON-RPC message per POST (batches were removed from MCP in 2025-06-18)",
        );
        return Err((error, None));
    }
    let request = match envelope::parse_request(Codec::Json, body) {
        Ok(request) => request,
        Err(_) if is_response(body) => return Ok(Message::Response),
        Err(refused) => return Err(refused),
    };
    let params = match request.params {
        RawParams::Json(params) => params,
        #[cfg(feature = "msgpack")]
        RawParams::MsgPack(_) => unreachable!("parsed as JSON"),
    };
    match request.id {
        None => Ok(Message::Notification),
        Some(b"null") => {
            Err((ErrorObject::invalid_request("an MCP request's `id` is a string or an integer, never null"), None))
        }
        Some(id) => Ok(Message::Request { id, method: request.method, params }),
    }
}

/// A JSON-RPC response object: an id and a result or an error, no method.
fn is_response(body: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Response<'a> {
        #[serde(borrow)]
        id: Option<&'a RawValue>,
        #[serde(borrow, default)]
        result: Option<&'a RawValue>,
        #[serde(borrow, default)]
        error: Option<&'a RawValue>,
        #[serde(borrow, default)]
        method: Option<&'a RawValue>,
    }
    serde_json::from_slice::<Response>(body)
        .is_ok_and(|r| r.id.is_some() && r.method.is_none() && (r.result.is_some() || r.error.is_some()))
}

/// The params of any request this server answers, each field optional:
/// what each method needs is checked by that method.
#[derive(Deserialize, Default)]
pub(crate) struct Params<'a> {
    /// `tools/call`: the tool.
    #[serde(borrow, default)]
    pub name: Option<Cow<'a, str>>,
    /// `tools/call`: its arguments, left as JSON for the method's decoder.
    #[serde(borrow, default)]
    pub arguments: Option<&'a RawValue>,
    /// `initialize`: the revision the client asks for.
    #[serde(borrow, default, rename = "protocolVersion")]
    pub protocol_version: Option<Cow<'a, str>>,
    /// `tools/list`: a page this server never hands out.
    #[serde(borrow, default)]
    pub cursor: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "_meta")]
    pub meta: Option<Meta<'a>>,
}

/// `params._meta`: the progress token, and 2026-07-28's envelope.
#[derive(Deserialize, Default)]
pub(crate) struct Meta<'a> {
    #[serde(borrow, default, rename = "progressToken")]
    pub progress_token: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "io.modelcontextprotocol/protocolVersion")]
    pub protocol_version: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "io.modelcontextprotocol/clientCapabilities")]
    pub client_capabilities: Option<&'a RawValue>,
}

impl<'a> Params<'a> {
    /// Reads the params of `method` (absent: all fields absent); `-32602`
    /// naming what is wrong.
    pub fn parse(method: &str, params: Option<&'a str>) -> Result<Self, ErrorObject> {
        let Some(params) = params else { return Ok(Params::default()) };
        if params.starts_with('[') {
            return Err(invalid(method, format_args!("MCP params are an object, not an array")));
        }
        let params: Params = serde_json::from_str(params)
            .map_err(|e| invalid(method, format_args!("{}", crate::server::service::strip_position(&e.to_string()))))?;
        if let Some(token) = params.meta.as_ref().and_then(|meta| meta.progress_token) {
            // Echoed in every progress notification, so held to the ids' rule.
            if token.get() == "null" || !envelope::id_is_valid(token.get()) {
                return Err(invalid(
                    method,
                    format_args!("`_meta.progressToken` must be a string or a number that parsers read back"),
                ));
            }
        }
        Ok(params)
    }

    /// The progress token, as JSON.
    pub fn progress_token(&self) -> Option<&'a str> {
        self.meta.as_ref()?.progress_token.map(RawValue::get)
    }
}

pub(crate) fn invalid(method: &str, detail: std::fmt::Arguments<'_>) -> ErrorObject {
    ErrorObject::new(code::INVALID_PARAMS, format!("invalid params for `{method}`: {detail}"))
}
