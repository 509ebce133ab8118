//! JSON through serde_json, with one correction: serde_json writes `NaN` and
//! `±inf` as `null`, so a result holding one would travel as a success the
//! client cannot read (or, for an `Option<f64>`, reads as `None`). Encoding
//! such a value is an error here instead.

use serde::de::Deserialize;
use serde::ser::{self, Impossible, Serialize, Serializer};

use super::error::DecodeError;
use crate::error::BoxError;

pub(crate) fn encode_into<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<(), BoxError> {
    let start = buf.len();
    serde_json::to_writer(&mut *buf, value)?;
    // Only a written `null` can hide a non-finite float: the walk is paid for
    // by values that hold one (unit, `None`), not by every value. The
    // searcher is built once (building one per call cost more than the search).
    // A byte search first: most values hold no `n` at all, and a substring
    // searcher costs more to start than a short value takes to scan.
    static NULL: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"null"));
    let written = &buf[start..];
    if memchr::memchr(b'n', written).is_some() && NULL.find(written).is_some() {
        if let Err(e) = value.serialize(FiniteCheck) {
            buf.truncate(start);
            return Err(Box::new(e));
        }
    }
    Ok(())
}

/// Decodes `bytes`, checked as UTF-8 once (from a slice, serde_json checks
/// each string it reads instead, which costs more, and not the strings it
/// skips: a body with invalid UTF-8 in an ignored field would be read as
/// JSON, as the client_answer fuzz target found). (The client's: a server
/// reads requests through the envelope parser.)
#[cfg(feature = "client")]
pub(crate) fn decode<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, DecodeError> {
    decode_str(utf8(bytes)?)
}

/// `bytes` as text, or the error saying where they stop being UTF-8.
pub(crate) fn utf8(bytes: &[u8]) -> Result<&str, DecodeError> {
    std::str::from_utf8(bytes).map_err(|e| DecodeError {
        // The server's words for a single request's body, too.
        message: format!("the body is not valid UTF-8 (byte {})", e.valid_up_to()),
        malformed: true,
    })
}

/// Appends a value that cannot hold a float (a string, an integer): no
/// check for the ones JSON cannot carry. (The client's requests.)
#[cfg(feature = "client")]
pub(crate) fn encode_plain<T: Serialize + ?Sized>(buf: &mut Vec<u8>, value: &T) -> Result<(), BoxError> {
    serde_json::to_writer(&mut *buf, value).map_err(Into::into)
}

/// Decodes text already known to be UTF-8 (its strings are not checked again).
pub(crate) fn decode_str<'de, T: Deserialize<'de>>(text: &'de str) -> Result<T, DecodeError> {
    serde_json::from_str(text).map_err(decode_error)
}

fn decode_error(e: serde_json::Error) -> DecodeError {
    DecodeError { malformed: e.is_syntax() || e.is_eof(), message: e.to_string() }
}

/// A value holds a float JSON cannot carry.
#[derive(Debug, thiserror::Error)]
#[error("{0} cannot be represented in JSON (use MessagePack, or a finite value)")]
pub(crate) struct NonFinite(String);

impl ser::Error for NonFinite {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        NonFinite(msg.to_string())
    }
}

/// Walks a value without writing it, failing at the first non-finite float.
/// Hand-written because serde has no visitor for "every float in a value",
/// and serde_json's own serializer turns these floats into `null` before any
/// hook (its `Formatter`) sees them.
#[derive(Clone, Copy)]
struct FiniteCheck;

fn check(value: f64) -> Result<(), NonFinite> {
    match value.is_finite() {
        true => Ok(()),
        false => Err(NonFinite(format!("the float `{value}`"))),
    }
}

macro_rules! accept {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), NonFinite> { Ok(()) })*
    };
}

impl Serializer for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    accept!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    );

    fn serialize_f32(self, v: f32) -> Result<(), NonFinite> {
        check(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), NonFinite> {
        check(v)
    }
    fn serialize_none(self) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NonFinite> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), NonFinite> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), NonFinite> {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, NonFinite> {
        Ok(self)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self, NonFinite> {
        Ok(self)
    }
}

impl ser::SerializeSeq for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeTuple for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeTupleStruct for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeTupleVariant for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeMap for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NonFinite> {
        // serde_json writes float keys as strings, so any float may be a key.
        key.serialize(KeyCheck)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeStruct for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for FiniteCheck {
    type Ok = ();
    type Error = NonFinite;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, value: &T) -> Result<(), NonFinite> {
        value.serialize(*self)
    }
    fn end(self) -> Result<(), NonFinite> {
        Ok(())
    }
}

/// Map keys: serde_json writes a float key as its string (`"NaN"`), which
/// is valid JSON; nothing to refuse there.
struct KeyCheck;

impl Serializer for KeyCheck {
    type Ok = ();
    type Error = NonFinite;
    type SerializeSeq = Impossible<(), NonFinite>;
    type SerializeTuple = Impossible<(), NonFinite>;
    type SerializeTupleStruct = Impossible<(), NonFinite>;
    type SerializeTupleVariant = Impossible<(), NonFinite>;
    type SerializeMap = Impossible<(), NonFinite>;
    type SerializeStruct = Impossible<(), NonFinite>;
    type SerializeStructVariant = Impossible<(), NonFinite>;

    accept!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_str(&str),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str)
    );

    fn serialize_none(self) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_unit(self) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<(), NonFinite> {
        Ok(())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), NonFinite> {
        Ok(())
    }
    // Keys that are collections fail in serde_json itself, before this check runs.
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NonFinite> {
        Err(NonFinite("a sequence key".into()))
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NonFinite> {
        Err(NonFinite("a tuple key".into()))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NonFinite> {
        Err(NonFinite("a tuple key".into()))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, NonFinite> {
        Err(NonFinite("a tuple key".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NonFinite> {
        Err(NonFinite("a map key".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NonFinite> {
        Err(NonFinite("a struct key".into()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NonFinite> {
        Err(NonFinite("a struct key".into()))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn encode<T: Serialize>(value: &T) -> Result<String, String> {
        let mut buf = b"prefix:".to_vec();
        match encode_into(&mut buf, value) {
            Ok(()) => Ok(String::from_utf8(buf).unwrap()),
            Err(e) => {
                assert_eq!(buf, b"prefix:", "a failed encoding leaves the buffer as it was");
                Err(e.to_string())
            }
        }
    }

    #[test]
    fn non_finite_floats_are_refused_wherever_they_are() {
        for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert!(encode(&value).unwrap_err().contains("cannot be represented in JSON"));
            assert!(encode(&vec![Some(1.0), Some(value)]).is_err());
            assert!(encode(&BTreeMap::from([("k", (1u8, value as f32))])).is_err());
        }
        assert!(encode(&serde_json::json!({"a": [1.5, null]})).is_ok());
    }

    #[test]
    fn nulls_and_float_keys_are_fine() {
        assert_eq!(encode(&(None::<f64>, ())).unwrap(), "prefix:[null,null]");
        assert_eq!(encode(&BTreeMap::from([(1u8, f64::MAX)])).unwrap(), "prefix:{\"1\":1.7976931348623157e+308}");
    }
}
