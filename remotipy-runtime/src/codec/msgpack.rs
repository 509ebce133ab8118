//! MessagePack (feature `msgpack`) through rmp-serde: structs as maps with
//! their field names (the envelope and DTOs read like their JSON), and
//! values split off a body without decoding them, the way JSON's
//! `RawValue` borrows them.

use serde::de::Deserialize;
use serde::ser::Serialize;

use super::error::DecodeError;
use crate::error::BoxError;

/// `array 32` with its length still to be written: a batch's length is known
/// only when it is sent.
pub(crate) const ARRAY_HEADER_LEN: usize = 5;
const ARRAY_32: u8 = 0xdd;

/// An empty map: absent params.
#[cfg(feature = "server")]
pub(crate) const EMPTY_MAP: &[u8] = &[0x80];

pub(crate) fn encode_into<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<(), BoxError> {
    value.serialize(&mut rmp_serde::Serializer::new(buf).with_struct_map()).map_err(Into::into)
}

/// Decodes the one value `bytes` holds, borrowing strings from it. Bytes
/// after the value are an error, as after a JSON value: rmp-serde would stop
/// at the value's end and ignore them, so a body with trailing garbage
/// (found by the client_answer fuzz target) read as an answer.
#[cfg(feature = "client")]
pub(crate) fn decode<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, DecodeError> {
    let (value, rest) = split_value(bytes)?;
    if !rest.is_empty() {
        let message = format!("{} bytes after the MessagePack value", rest.len());
        return Err(DecodeError { message, malformed: true });
    }
    decode_cut(value)
}

/// Decodes a value that [`split_value`] cut from its surroundings (a key, a
/// field, the params): nothing follows it to check.
pub(crate) fn decode_cut<'de, T: Deserialize<'de>>(value: &'de [u8]) -> Result<T, DecodeError> {
    rmp_serde::from_slice(value).map_err(|e| {
        use rmp_serde::decode::Error::*;
        let malformed = matches!(
            e,
            InvalidMarkerRead(_) | InvalidDataRead(_) | DepthLimitExceeded | TypeMismatch(rmp::Marker::Reserved)
        );
        DecodeError { message: e.to_string(), malformed }
    })
}

/// Splits the first value off `bytes`: `(value, rest)`.
///
/// rmp-serde cannot say where a value ends, so this walks the markers
/// itself: each marker says how many payload bytes follow, or how many
/// values an array or map holds. No recursion, so no depth limit is needed.
pub(crate) fn split_value(bytes: &[u8]) -> Result<(&[u8], &[u8]), DecodeError> {
    use rmp::Marker::*;
    let truncated = || DecodeError { message: "truncated MessagePack value".into(), malformed: true };
    let mut rest = bytes;
    let mut pending: u64 = 1;
    while pending > 0 {
        pending -= 1;
        let marker = rmp::decode::read_marker(&mut rest).map_err(|_| truncated())?;
        let mut length = |width: usize| -> Result<usize, DecodeError> {
            let (be, tail) = rest.split_at_checked(width).ok_or_else(truncated)?;
            rest = tail;
            Ok(be.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b)))
        };
        // (payload bytes after the marker and length, values contained)
        let (payload, values) = match marker {
            FixPos(_) | FixNeg(_) | Null | True | False => (0, 0),
            U8 | I8 => (1, 0),
            U16 | I16 => (2, 0),
            U32 | I32 | F32 => (4, 0),
            U64 | I64 | F64 => (8, 0),
            FixStr(n) => (usize::from(n), 0),
            Str8 | Bin8 => (length(1)?, 0),
            Str16 | Bin16 => (length(2)?, 0),
            Str32 | Bin32 => (length(4)?, 0),
            // An extension is a type byte, then its data.
            FixExt1 => (2, 0),
            FixExt2 => (3, 0),
            FixExt4 => (5, 0),
            FixExt8 => (9, 0),
            FixExt16 => (17, 0),
            Ext8 => (length(1)? + 1, 0),
            Ext16 => (length(2)? + 1, 0),
            Ext32 => (length(4)? + 1, 0),
            FixArray(n) => (0, usize::from(n)),
            Array16 => (0, length(2)?),
            Array32 => (0, length(4)?),
            FixMap(n) => (0, 2 * usize::from(n)),
            Map16 => (0, 2 * length(2)?),
            Map32 => (0, 2 * length(4)?),
            Reserved => {
                return Err(DecodeError { message: "reserved MessagePack marker 0xc1".into(), malformed: true });
            }
        };
        pending += values as u64;
        rest = rest.get(payload..).ok_or_else(truncated)?;
        // Every pending value takes at least a byte: a lying length fails here, early.
        if pending > rest.len() as u64 {
            return Err(truncated());
        }
    }
    Ok(bytes.split_at(bytes.len() - rest.len()))
}

/// The items of an array, each still encoded.
pub(crate) fn split_array(bytes: &[u8]) -> Result<Vec<&[u8]>, DecodeError> {
    let mut rest = bytes;
    let len = rmp::decode::read_array_len(&mut rest)
        .map_err(|e| DecodeError { message: format!("not an array: {e}"), malformed: !is_array(bytes) })?;
    // Each item takes at least a byte: a lying length cannot reserve more.
    let mut items = Vec::with_capacity((len as usize).min(rest.len()));
    for _ in 0..len {
        let (item, tail) = split_value(rest)?;
        items.push(item);
        rest = tail;
    }
    match rest.is_empty() {
        true => Ok(items),
        false => Err(DecodeError { message: "trailing bytes after the array".into(), malformed: true }),
    }
}

/// Calls `entry` with each key and value of a map, both still encoded.
#[cfg(feature = "server")]
pub(crate) fn for_each_entry<'a>(
    bytes: &'a [u8],
    mut entry: impl FnMut(&'a [u8], &'a [u8]),
) -> Result<(), DecodeError> {
    let mut rest = bytes;
    let len = rmp::decode::read_map_len(&mut rest)
        .map_err(|e| DecodeError { message: format!("not a map: {e}"), malformed: false })?;
    for _ in 0..len {
        let (key, tail) = split_value(rest)?;
        let (value, tail) = split_value(tail)?;
        entry(key, value);
        rest = tail;
    }
    match rest.is_empty() {
        true => Ok(()),
        false => Err(DecodeError { message: "trailing bytes after the map".into(), malformed: true }),
    }
}

/// The value starts an array (a batch).
pub(crate) fn is_array(bytes: &[u8]) -> bool {
    matches!(bytes.first(), Some(0x90..=0x9f | 0xdc | 0xdd))
}

/// The value is a map or an array: what `params` may be.
#[cfg(feature = "server")]
pub(crate) fn is_structured(bytes: &[u8]) -> bool {
    is_array(bytes) || matches!(bytes.first(), Some(0x80..=0x8f | 0xde | 0xdf))
}

/// Only strings (UTF-8, as MessagePack strings must be: the id is echoed
/// verbatim), integers, floats and nil are valid ids.
#[cfg(feature = "server")]
pub(crate) fn id_is_valid(id: &[u8]) -> bool {
    match id.first() {
        Some(0xa0..=0xbf | 0xd9..=0xdb) => decode_cut::<&str>(id).is_ok(),
        Some(0x00..=0x7f | 0xc0 | 0xca..=0xd3 | 0xe0..=0xff) => true,
        _ => false,
    }
}

/// The length of an array's items, when `bytes` is an array.
#[cfg(feature = "server")]
pub(crate) fn array_len(bytes: &[u8]) -> Option<usize> {
    let mut rest = bytes;
    is_array(bytes).then(|| rmp::decode::read_array_len(&mut rest).ok().map(|len| len as usize)).flatten()
}

pub(crate) fn open_array(body: &mut Vec<u8>) {
    body.extend_from_slice(&[ARRAY_32, 0, 0, 0, 0]);
}

/// Writes the length of an array from [`open_array`].
pub(crate) fn close_array(body: &mut [u8], len: usize) {
    let len = u32::try_from(len).expect("an array of more than 2^32 items");
    body[1..ARRAY_HEADER_LEN].copy_from_slice(&len.to_be_bytes());
}

/// An id or other value, shown as JSON for logs.
#[cfg(feature = "server")]
pub(crate) fn to_json_text(bytes: &[u8]) -> String {
    decode_cut::<serde_json::Value>(bytes).map_or_else(|_| format!("{bytes:02x?}"), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    fn json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            ".{0,300}".prop_map(Value::from),
        ];
        leaf.prop_recursive(4, 200, 40, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..40).prop_map(Value::from),
                prop::collection::btree_map(".{0,8}", inner, 0..40)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The split ends exactly where the value does, whatever follows it,
        /// and every truncation is an error, never a panic.
        #[test]
        fn split_value_finds_the_end_of_any_value(value in json(), tail in prop::collection::vec(any::<u8>(), 0..8)) {
            let mut bytes = Vec::new();
            encode_into(&mut bytes, &value).unwrap();
            let encoded = bytes.len();
            bytes.extend_from_slice(&tail);
            let (head, rest) = split_value(&bytes).unwrap();
            prop_assert_eq!(head.len(), encoded);
            prop_assert_eq!(rest, &tail[..]);
            prop_assert_eq!(decode::<Value>(head).unwrap(), value);
            for cut in 0..encoded {
                prop_assert!(split_value(&bytes[..cut]).is_err());
            }
        }
    }

    #[test]
    fn binaries_extensions_and_big_lengths_are_skipped_whole() {
        let cases: &[&[u8]] = &[
            &[0xc4, 2, 1, 2],                                           // bin 8
            &[0xc5, 0, 1, 9],                                           // bin 16
            &[0xd4, 1, 7],                                              // fixext 1
            &[0xd8, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], // fixext 16
            &[0xc7, 1, 5, 9],                                           // ext 8
            &[0xdc, 0, 2, 0x01, 0xa1, b'x'],                            // array 16
            &[0xdf, 0, 0, 0, 1, 0xa1, b'k', 3],                         // map 32
        ];
        for case in cases {
            let mut bytes = case.to_vec();
            bytes.push(0xff);
            assert_eq!(split_value(&bytes).unwrap(), (*case, &[0xff][..]), "{case:02x?}");
        }
        // A length that promises more than the body holds fails at once.
        assert!(split_value(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        assert!(split_value(&[0xdb, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(split_value(&[0xc1]).is_err());
    }
}
