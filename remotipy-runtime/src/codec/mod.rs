//! How a JSON-RPC envelope becomes bytes: JSON always, MessagePack with the
//! `msgpack` feature. The envelope is the same in both (the same keys, the
//! same error objects); the request's `Content-Type` says which one a body
//! uses, and the server answers in kind.

mod envelope;
mod error;
mod json;
#[cfg(feature = "msgpack")]
pub(crate) mod msgpack;

use http::HeaderValue;
#[cfg(feature = "client")]
use serde::de::Deserialize;

pub(crate) use error::DecodeError;

/// The encoding of request and response bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// JSON (`application/json`): the JSON-RPC 2.0 standard, the default.
    /// A float that JSON cannot carry (`NaN`, `±inf`) fails to encode
    /// rather than travel as `null`.
    #[default]
    Json,
    /// MessagePack (`application/msgpack`, feature `msgpack`): the same
    /// envelope as a MessagePack map; structs travel as maps with their
    /// field names, so DTOs evolve exactly as they do over JSON.
    #[cfg(feature = "msgpack")]
    MsgPack,
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
    #[cfg(feature = "server")]
    pub(crate) fn from_essence(essence: &str) -> Option<Codec> {
        match essence {
            "" | "text/plain" | "application/jsonrequest" => Some(Codec::Json),
            #[cfg(feature = "msgpack")]
            "application/msgpack" | "application/x-msgpack" | "application/vnd.msgpack" => Some(Codec::MsgPack),
            json if json.ends_with("json") || json.contains("json-rpc") => Some(Codec::Json),
            _ => None,
        }
    }

    /// Appends `value` to `buf`; on failure `buf` is left as it was. (A
    /// JSON-only client writes its requests with `json` directly.)
    #[cfg(any(feature = "server", feature = "msgpack"))]
    pub(crate) fn encode_into<T: serde::Serialize + ?Sized>(
        self,
        buf: &mut Vec<u8>,
        value: &T,
    ) -> Result<(), crate::error::BoxError> {
        match self {
            Codec::Json => json::encode_into(buf, value),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => msgpack::encode_into(buf, value),
        }
    }

    /// Decodes one value from the whole of `bytes`.
    #[cfg(feature = "client")]
    pub(crate) fn decode<'de, T: Deserialize<'de>>(self, bytes: &'de [u8]) -> Result<T, DecodeError> {
        match self {
            Codec::Json => json::decode(bytes),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => msgpack::decode(bytes),
        }
    }

    /// The encoded items of an array (a batch), borrowed from `bytes`.
    pub(crate) fn split_array(self, bytes: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
        match self {
            Codec::Json => {
                // One UTF-8 check of the whole array, then no check per string.
                let items: Vec<&serde_json::value::RawValue> = json::decode_str(json::utf8(bytes)?)?;
                Ok(items.into_iter().map(|item| item.get().as_bytes()).collect())
            }
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => msgpack::split_array(bytes),
        }
    }
}
