//! The request and response envelopes in each codec: parsing one request
//! object (borrowing its params and id), and writing answers around a
//! [`Reply`]'s already-encoded result.

mod json;
#[cfg(feature = "msgpack")]
mod msgpack;

use std::borrow::Cow;

use super::service::{Params, Reply};
use crate::codec::Codec;
use crate::protocol::ErrorObject;

/// One request object of a call or batch, borrowed from the body.
pub(crate) struct Request<'a> {
    pub method: Cow<'a, str>,
    pub params: Params<'a>,
    /// The id as encoded (echoed back verbatim); `None` for a notification.
    pub id: Option<&'a [u8]>,
}

/// Why a request object was refused, and its id (encoded) when that could be read.
pub(crate) type Rejection = (ErrorObject, Option<Vec<u8>>);

/// Parses and validates one request object.
pub(crate) fn parse_request(codec: Codec, bytes: &[u8]) -> Result<Request<'_>, Rejection> {
    match codec {
        Codec::Json => json::parse_request(bytes),
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => msgpack::parse_request(bytes),
    }
}

/// Whether the body is a batch (an array) rather than one request.
pub(crate) fn is_batch(codec: Codec, body: &[u8]) -> bool {
    match codec {
        Codec::Json => body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'['),
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => crate::msgpack::is_array(body),
    }
}

/// The encoded `null` id of answers to requests whose id is unknown.
pub(crate) fn null_id(codec: Codec) -> &'static [u8] {
    match codec {
        Codec::Json => b"null",
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => &[0xc0],
    }
}

/// An encoded id, shown as JSON text in logs.
pub(crate) struct IdText<'a>(pub Codec, pub &'a [u8]);

impl std::fmt::Display for IdText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Codec::Json => f.write_str(&String::from_utf8_lossy(self.1)),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => f.write_str(&crate::msgpack::to_json_text(self.1)),
        }
    }
}

/// The start of a success response, up to the result's value.
pub(crate) fn result_prefix(codec: Codec) -> &'static [u8] {
    match codec {
        Codec::Json => br#"{"jsonrpc":"2.0","result":"#,
        // A map of 3: "jsonrpc": "2.0", "result": (value follows), then "id".
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => b"\x83\xa7jsonrpc\xa32.0\xa6result",
    }
}

/// Completes a reply into a response object carrying `id`.
pub(crate) fn finish(codec: Codec, reply: Reply, id: &[u8]) -> Vec<u8> {
    match reply.body {
        Ok(mut buf) => {
            push_id(codec, &mut buf, id);
            buf
        }
        Err(error) => error_response(codec, &error, id),
    }
}

/// An error response object carrying `id`.
pub(crate) fn error_response(codec: Codec, error: &ErrorObject, id: &[u8]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(96 + error.message.len());
    buf.extend_from_slice(match codec {
        Codec::Json => br#"{"jsonrpc":"2.0","error":"#,
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => b"\x83\xa7jsonrpc\xa32.0\xa5error",
    });
    // Infallible: an ErrorObject is strings, integers and a JSON value.
    codec.encode_into(&mut buf, error).expect("an ErrorObject always encodes");
    push_id(codec, &mut buf, id);
    buf
}

fn push_id(codec: Codec, buf: &mut Vec<u8>, id: &[u8]) {
    match codec {
        Codec::Json => {
            buf.extend_from_slice(b",\"id\":");
            buf.extend_from_slice(id);
            buf.push(b'}');
        }
        #[cfg(feature = "msgpack")]
        Codec::MsgPack => {
            buf.extend_from_slice(b"\xa2id");
            buf.extend_from_slice(id);
        }
    }
}

/// A batch's answer: the responses due, as one array (`None` when none is).
pub(crate) fn join(codec: Codec, responses: &[Option<Vec<u8>>]) -> Option<Vec<u8>> {
    let size = responses.iter().flatten().map(Vec::len).sum::<usize>() + responses.len() + 1;
    let mut out = codec.open_array(size);
    let mut len = 0;
    for response in responses.iter().flatten() {
        codec.separate(&mut out);
        out.extend_from_slice(response);
        len += 1;
    }
    codec.close_array(&mut out, len);
    (len > 0).then_some(out)
}
