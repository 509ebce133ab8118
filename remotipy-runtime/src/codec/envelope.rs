//! The bytes around values: request and response objects, batch arrays and
//! ids, written straight into one buffer per codec, so a result is encoded
//! once, in place.

#[cfg(feature = "client")]
use serde::Serialize;

use super::Codec;
#[cfg(feature = "client")]
use crate::error::BoxError;
#[cfg(feature = "server")]
use crate::protocol::ErrorObject;

impl Codec {
    /// Appends one request object (a notification when `id` is `None`).
    #[cfg(feature = "client")]
    pub(crate) fn encode_request<P: Serialize + ?Sized>(
        self,
        buf: &mut Vec<u8>,
        method: &str,
        params: &P,
        id: Option<u64>,
    ) -> Result<(), BoxError> {
        #[cfg(feature = "msgpack")]
        #[derive(Serialize)]
        struct Request<'a, P: ?Sized> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
            #[serde(skip_serializing_if = "Option::is_none")]
            id: Option<u64>,
        }
        match self {
            // The envelope's fixed parts as bytes: serde would escape each key
            // and "2.0" at every call.
            Codec::Json => {
                let start = buf.len();
                buf.extend_from_slice(br#"{"jsonrpc":"2.0","method":"#);
                super::json::encode_plain(buf, method)?;
                buf.extend_from_slice(br#","params":"#);
                if let Err(e) = super::json::encode_into(buf, params) {
                    buf.truncate(start);
                    return Err(e);
                }
                if let Some(id) = id {
                    buf.extend_from_slice(br#","id":"#);
                    super::json::encode_plain(buf, &id)?;
                }
                buf.push(b'}');
                Ok(())
            }
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => self.encode_into(buf, &Request { jsonrpc: "2.0", method, params, id }),
        }
    }

    /// The start of a success response, up to the result's value; the result
    /// follows, then [`Codec::push_id`] completes it.
    #[cfg(feature = "server")]
    pub(crate) fn result_prefix(self) -> &'static [u8] {
        match self {
            Codec::Json => br#"{"jsonrpc":"2.0","result":"#,
            // A map of 3: "jsonrpc": "2.0", "result": (value follows), then "id".
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => b"\x83\xa7jsonrpc\xa32.0\xa6result",
        }
    }

    /// Completes a response object begun with [`Codec::result_prefix`] (or
    /// the error prefix) with its `id`, encoded.
    #[cfg(feature = "server")]
    pub(crate) fn push_id(self, buf: &mut Vec<u8>, id: &[u8]) {
        match self {
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

    /// An error response object carrying `id` (encoded).
    #[cfg(feature = "server")]
    pub(crate) fn error_response(self, error: &ErrorObject, id: &[u8]) -> Vec<u8> {
        let mut buf = Vec::with_capacity(96 + error.message.len());
        buf.extend_from_slice(match self {
            Codec::Json => br#"{"jsonrpc":"2.0","error":"#,
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => b"\x83\xa7jsonrpc\xa32.0\xa5error",
        });
        // An ErrorObject is strings, an integer and a JSON value; only a
        // non-finite float in `data` could fail, and `data` is built from
        // already-encoded values.
        if self.encode_into(&mut buf, error).is_err() {
            let plain = ErrorObject::new(error.code, error.message.clone());
            self.encode_into(&mut buf, &plain).expect("an ErrorObject without data always encodes");
        }
        self.push_id(&mut buf, id);
        buf
    }

    /// The encoded `null` id of answers to requests whose id is unknown.
    #[cfg(feature = "server")]
    pub(crate) fn null_id(self) -> &'static [u8] {
        match self {
            Codec::Json => b"null",
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => &[0xc0],
        }
    }

    /// Starts an array whose length is known only at [`Codec::close_array`],
    /// in a buffer with room for `capacity` bytes of items.
    pub(crate) fn open_array(self, capacity: usize) -> Vec<u8> {
        let mut body = Vec::with_capacity(capacity + 8);
        match self {
            Codec::Json => body.push(b'['),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => super::msgpack::open_array(&mut body),
        }
        body
    }

    /// Separates the next item from the previous ones.
    pub(crate) fn separate(self, body: &mut Vec<u8>) {
        if self == Codec::Json && body.len() > 1 {
            body.push(b',');
        }
    }

    /// Ends an array of `len` items (JSON's brackets need no length).
    #[cfg_attr(not(feature = "msgpack"), allow(unused_variables))]
    pub(crate) fn close_array(self, body: &mut Vec<u8>, len: usize) {
        match self {
            Codec::Json => body.push(b']'),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => super::msgpack::close_array(body, len),
        }
    }

    /// An empty array.
    #[cfg(feature = "server")]
    pub(crate) fn empty_array(self) -> Vec<u8> {
        let mut out = self.open_array(0);
        self.close_array(&mut out, 0);
        out
    }

    /// Encoded items as one array; `None` when there is no item.
    pub(crate) fn join<'a>(self, items: impl IntoIterator<Item = &'a [u8]> + Clone) -> Option<Vec<u8>> {
        let size = items.clone().into_iter().map(|item| item.len() + 1).sum();
        let mut out = self.open_array(size);
        let mut len = 0;
        for item in items {
            self.separate(&mut out);
            out.extend_from_slice(item);
            len += 1;
        }
        self.close_array(&mut out, len);
        (len > 0).then_some(out)
    }
}
