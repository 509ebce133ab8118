//! JSON requests, parsed borrowing from the body: `params` and `id` stay raw
//! JSON slices until the method is known, so the envelope costs one scan.

use std::borrow::Cow;

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::error::Category;
use serde_json::value::RawValue;

use super::request::{Rejection, Request};
use crate::protocol::{ErrorObject, code};
use crate::server::service::{Params, strip_position};

/// A request object as JSON has it, borrowed from the body.
#[derive(Deserialize)]
struct RequestRef<'a> {
    #[serde(borrow)]
    jsonrpc: Cow<'a, str>,
    #[serde(borrow)]
    method: Cow<'a, str>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    /// `None` when the key is absent (a notification); `Some("null")` for `"id": null`.
    #[serde(borrow, default, deserialize_with = "present")]
    id: Option<&'a RawValue>,
}

/// Deserializes a key that is present (even as `null`) into `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Only strings, numbers and null are valid ids, and only ones a JSON parser
/// reads back: the id is echoed as sent, and an answer carrying `1e400` or
/// the lone surrogate `"\ud800"` (JSON to the grammar, RFC 8259 §6 and §8.2)
/// is unreadable to serde_json, and so would be a whole batch's answer.
pub(crate) fn id_is_valid(id: &str) -> bool {
    match id.as_bytes().first() {
        // Only an escape can hold a lone surrogate: most ids skip the parse.
        Some(b'"') => !id.contains('\\') || serde_json::from_str::<String>(id).is_ok(),
        // The grammar is checked already; only the range is left, and a
        // number with under 300 digits and no exponent is well inside it.
        Some(b'-' | b'0'..=b'9') if id.len() < 300 && !id.bytes().any(|b| b | 0x20 == b'e') => true,
        Some(b'-' | b'0'..=b'9') => id.parse::<serde_json::Number>().is_ok(),
        Some(b'n') => true,
        _ => false,
    }
}

/// Parses and validates one request object, or says why it is not one (with
/// the id, when the id itself could be read).
pub(super) fn parse_request(bytes: &[u8]) -> Result<Request<'_>, Rejection> {
    // One UTF-8 check of the whole request, then parsing from `str`: strings
    // and raw values inside are not validated again piece by piece.
    let text = std::str::from_utf8(bytes).map_err(|e| invalid_utf8(bytes, e.valid_up_to()))?;
    let request: RequestRef = serde_json::from_str(text).map_err(|e| reject(bytes, e))?;
    validate(request)
}

/// Every request object of a batch in one pass over the body, when each is
/// one (the common case: a batch is scanned once, not split and then parsed
/// again item by item); `None` when any is not, for the caller to take them
/// one by one and answer each mistake.
pub(super) fn parse_batch(body: &[u8]) -> Option<Vec<Result<Request<'_>, Rejection>>> {
    let text = std::str::from_utf8(body).ok()?;
    let requests: Vec<RequestRef> = serde_json::from_str(text).ok()?;
    Some(requests.into_iter().map(validate).collect())
}

/// Checks what the shape of a request object does not: its `id`, `jsonrpc`
/// and `params`.
fn validate(request: RequestRef<'_>) -> Result<Request<'_>, Rejection> {
    let id = request.id;
    let owned_id = || id.map(|id| id.get().as_bytes().to_vec());
    if let Some(raw) = id.filter(|raw| !id_is_valid(raw.get())) {
        let e = ErrorObject::invalid_request(format_args!(
            "`id` must be a string, a number or null that parsers read back, not {}",
            raw.get()
        ));
        return Err((e, None));
    }
    if request.jsonrpc != "2.0" {
        let e = ErrorObject::invalid_request(format_args!("`jsonrpc` must be \"2.0\", not {:?}", request.jsonrpc));
        return Err((e, owned_id()));
    }
    if let Some(params) = request.params.filter(|p| !matches!(p.get().as_bytes()[0], b'{' | b'[')) {
        let e =
            ErrorObject::invalid_request(format_args!("`params` must be an object or an array, not {}", params.get()));
        return Err((e, owned_id()));
    }
    Ok(Request {
        method: request.method,
        params: Params::Json(request.params.map(RawValue::get)),
        id: id.map(|id| id.get().as_bytes()),
    })
}

/// Classifies a failed parse: broken JSON is `-32700`; well-formed JSON of the
/// wrong shape is `-32600`, answered with its id when that can be read.
fn reject(bytes: &[u8], e: serde_json::Error) -> Rejection {
    let well_formed = e.classify() == Category::Data && serde_json::from_slice::<IgnoredAny>(bytes).is_ok();
    if !well_formed {
        return (ErrorObject::parse_error(e), None);
    }
    #[derive(Deserialize)]
    struct IdOnly<'a> {
        #[serde(borrow)]
        id: Option<&'a RawValue>,
    }
    let id = serde_json::from_slice::<IdOnly>(bytes).ok().and_then(|r| r.id).filter(|id| id_is_valid(id.get()));
    (ErrorObject::invalid_request(strip_position(&e.to_string())), id.map(|id| id.get().as_bytes().to_vec()))
}

/// JSON must be UTF-8, but a client that sent one bad string deserves to be
/// told which parameter holds it: the request is re-read lossily to find
/// the method and the parameter containing the replacement character.
fn invalid_utf8(bytes: &[u8], at: usize) -> Rejection {
    let lossy = String::from_utf8_lossy(bytes);
    let request = match serde_json::from_str::<RequestRef>(&lossy) {
        Ok(request) if !request.method.contains('\u{fffd}') => request,
        _ => return (ErrorObject::parse_error(format_args!("the body is not valid UTF-8 (byte {at})")), None),
    };
    let id = request.id.filter(|id| id_is_valid(id.get()) && !id.get().contains('\u{fffd}'));
    let params = request.params.map_or("", RawValue::get);
    let culprit = match serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(params) {
        Ok(named) => named.into_iter().find(|(_, v)| v.get().contains('\u{fffd}')).map(|(k, _)| format!("`{k}`: ")),
        Err(_) => serde_json::from_str::<Vec<&RawValue>>(params).ok().and_then(|positional| {
            let index = positional.iter().position(|v| v.get().contains('\u{fffd}'))?;
            Some(format!("param {}: ", index + 1))
        }),
    };
    let message =
        format!("invalid params for `{}`: {}not valid UTF-8 (byte {at})", request.method, culprit.unwrap_or_default());
    (ErrorObject::new(code::INVALID_PARAMS, message), id.map(|id| id.get().as_bytes().to_vec()))
}
