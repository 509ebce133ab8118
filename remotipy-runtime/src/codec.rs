//! How a JSON-RPC envelope becomes bytes: JSON always, MessagePack with the
//! `msgpack` feature. The envelope is the same in both (the same keys, the
//! same error objects); the request's `Content-Type` says which one a body
//! uses, and the server answers in kind.

use http::HeaderValue;
use serde::de::Deserialize;
use serde::ser::Serialize;

use crate::error::BoxError;

/// The encoding of request and response bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// JSON (`application/json`): the JSON-RPC 2.0 standard, the default.
    #[default]
    Json,
    /// MessagePack (`application/msgpack`, feature `msgpack`): the same
    /// envelope as a MessagePack map; structs travel as maps with their
    /// field names, so DTOs evolve exactly as they do over JSON.
    #[cfg(feature = "msgpack")]
    MsgPack,
}

/// A body that could not be decoded.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub message: String,
    /// The bytes are not this codec at all (as opposed to well-formed data
    /// of the wrong shape).
    pub malformed: bool,
}

impl Codec {
    /// The `Content-Type` of bodies in this encoding.
    pub fn content_type(self) -> HeaderValue {
        match self {
            Codec::Json => HeaderValue::from_static("application/json"),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => HeaderValue::from_static("application/msgpack"),
        }
    }

    /// The encoding's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Codec::Json => "JSON",
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => "MessagePack",
        }
    }

    /// The codec a content type's essence (lower case, no parameters) names.
    ///
    /// Liberal for JSON: no content type, anything JSON-ish, and `text/plain`
    /// (browsers' CORS-simple requests); HTML, XML, forms and other binary
    /// types are no codec.
    pub(crate) fn from_essence(essence: &str) -> Option<Codec> {
        match essence {
            "" | "text/plain" | "application/jsonrequest" => Some(Codec::Json),
            #[cfg(feature = "msgpack")]
            "application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack" => Some(Codec::MsgPack),
            json if json.ends_with("json") || json.contains("json-rpc") => Some(Codec::Json),
            _ => None,
        }
    }

    /// Appends `value` to `buf`.
    pub(crate) fn encode_into<T: Serialize + ?Sized>(self, buf: &mut Vec<u8>, value: &T) -> Result<(), BoxError> {
        match self {
            Codec::Json => serde_json::to_writer(buf, value).map_err(Into::into),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::encode_into(buf, value),
        }
    }

    /// Decodes one value from the whole of `bytes`.
    pub(crate) fn decode<'de, T: Deserialize<'de>>(self, bytes: &'de [u8]) -> Result<T, DecodeError> {
        match self {
            Codec::Json => serde_json::from_slice(bytes)
                .map_err(|e| DecodeError { malformed: e.is_syntax() || e.is_eof(), message: e.to_string() }),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::decode(bytes),
        }
    }

    /// The encoded items of an array (a batch), borrowed from `bytes`.
    pub(crate) fn split_array(self, bytes: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
        match self {
            Codec::Json => {
                let items: Vec<&serde_json::value::RawValue> = self.decode(bytes)?;
                Ok(items.into_iter().map(|item| item.get().as_bytes()).collect())
            }
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::split_array(bytes),
        }
    }

    /// Starts an array whose length is known only at [`Codec::close_array`],
    /// in a buffer with room for `capacity` bytes of items.
    pub(crate) fn open_array(self, capacity: usize) -> Vec<u8> {
        let mut body = Vec::with_capacity(capacity + 8);
        match self {
            Codec::Json => body.push(b'['),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::open_array(&mut body),
        }
        body
    }

    /// Whether `body`, from [`Codec::open_array`], holds no item yet.
    pub(crate) fn array_is_empty(self, body: &[u8]) -> bool {
        let header = match self {
            Codec::Json => 1,
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::ARRAY_HEADER_LEN,
        };
        body.len() == header
    }

    /// Separates the next item from the previous ones.
    pub(crate) fn separate(self, body: &mut Vec<u8>) {
        if self == Codec::Json && !self.array_is_empty(body) {
            body.push(b',');
        }
    }

    /// Ends an array of `len` items (JSON's brackets need no length).
    #[cfg_attr(not(feature = "msgpack"), allow(unused_variables))]
    pub(crate) fn close_array(self, body: &mut Vec<u8>, len: usize) {
        match self {
            Codec::Json => body.push(b']'),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => crate::msgpack::close_array(body, len),
        }
    }
}
