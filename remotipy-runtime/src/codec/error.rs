//! What a codec reports about a body it could not decode.

/// A body, or a value in it, that could not be decoded.
#[derive(Debug)]
pub(crate) struct DecodeError {
    pub message: String,
    /// The bytes are not this codec at all (as opposed to well-formed data
    /// of the wrong shape).
    #[cfg_attr(not(any(feature = "client", feature = "msgpack")), allow(dead_code))]
    pub malformed: bool,
}
