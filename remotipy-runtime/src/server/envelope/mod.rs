//! Requests as each codec carries them: one request object parsed borrowing
//! from the body, its params and id left encoded until the method is known.

mod json;
#[cfg(feature = "msgpack")]
mod msgpack;
mod request;

#[cfg(feature = "mcp")]
pub(crate) use json::id_is_valid;
pub(crate) use request::{Rejection, Request};

use crate::codec::Codec;
use crate::protocol::ErrorObject;

/// Parses and validates one request object.
pub(crate) fn parse_request(codec: Codec, bytes: &[u8]) -> Result<Request<'_>, Rejection> {
    match codec {
        Codec::Json => json::parse_request(bytes),
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => msgpack::parse_request(bytes),
    }
}

/// Every request object of a batch, parsed: in one pass when the codec
/// can and each entry is a request object, else entry by entry. `Err`:
/// the body is no array at all.
pub(crate) fn parse_batch(codec: Codec, body: &[u8]) -> Result<Vec<Result<Request<'_>, Rejection>>, ErrorObject> {
    if codec == Codec::Json {
        if let Some(requests) = json::parse_batch(body) {
            return Ok(requests);
        }
    }
    let items = codec.split_array(body).map_err(|e| ErrorObject::parse_error(e.message))?;
    Ok(items.into_iter().map(|item| parse_request(codec, item)).collect())
}

/// Whether the body is a batch (an array) rather than one request.
pub(crate) fn is_batch(codec: Codec, body: &[u8]) -> bool {
    match codec {
        Codec::Json => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['),
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => crate::codec::msgpack::is_array(body),
    }
}

/// An encoded id, shown as JSON text in logs.
pub(crate) struct IdText<'a>(pub Codec, pub &'a [u8]);

impl std::fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Codec::Json => f.write_str(&String::from_utf8_lossy(self.1)),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => f.write_str(&crate::codec::msgpack::to_json_text(self.1)),
        }
    }
}
