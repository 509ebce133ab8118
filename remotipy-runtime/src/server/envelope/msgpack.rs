//! MessagePack requests: the same envelope as a map. Its entries are split
//! off without decoding, so `params` and `id` stay encoded until the method
//! is known, as with JSON.

use std::borrow::Cow;

use super::request::{Rejection, Request};
use crate::codec::msgpack::{
    decode_cut as decode, for_each_entry, id_is_valid, is_structured, split_value, to_json_text,
};
use crate::protocol::ErrorObject;
use crate::server::service::Params;

/// Parses and validates one request object, or says why it is not one (with
/// the id, when the id itself could be read).
pub(super) fn parse_request(bytes: &[u8]) -> Result<Request<'_>, Rejection> {
    let [mut jsonrpc, mut method, mut params, mut id]: [Option<&[u8]>; 4] = [None; 4];
    let entries = for_each_entry(bytes, |key, value| match decode::<&str>(key) {
        Ok("jsonrpc") => jsonrpc = Some(value),
        Ok("method") => method = Some(value),
        Ok("params") => params = Some(value),
        Ok("id") => id = Some(value),
        _ => {}
    });
    entries.map_err(|e| match e.malformed || split_value(bytes).is_err() {
        true => (ErrorObject::parse_error(e.message), None),
        false => (ErrorObject::invalid_request("a request must be a map"), None),
    })?;
    if let Some(raw) = id.filter(|raw| !id_is_valid(raw)) {
        let detail = format_args!("`id` must be a string, a number or nil, not {}", to_json_text(raw));
        return Err((ErrorObject::invalid_request(detail), None));
    }
    let refuse = |detail: String| Err((ErrorObject::invalid_request(detail), id.map(<[u8]>::to_vec)));
    match jsonrpc {
        None => return refuse("missing field `jsonrpc`".into()),
        Some(raw) if decode::<&str>(raw).is_ok_and(|version| version == "2.0") => {}
        Some(raw) => return refuse(format!("`jsonrpc` must be \"2.0\", not {}", to_json_text(raw))),
    }
    let method = match method.map(decode::<&str>) {
        Some(Ok(method)) => method,
        None => return refuse("missing field `method`".into()),
        Some(Err(_)) => return refuse("`method` must be a string".into()),
    };
    if let Some(params) = params.filter(|p| !is_structured(p)) {
        return refuse(format!("`params` must be a map or an array, not {}", to_json_text(params)));
    }
    Ok(Request { method: Cow::Borrowed(method), params: Params::MsgPack(params), id })
}
