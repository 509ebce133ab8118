//! Reading a JSON-RPC response in one pass, straight into the result type.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, Visitor};

use http::StatusCode;

use crate::codec::Codec;
use crate::error::Error;
use crate::method::{Decode, ErrOf, Fallible};
use crate::protocol::ErrorObject;

/// A response object, its result read as `R`. `"result": null` is a result
/// (of `()`, `Option::None` …), not a missing key; `jsonrpc` is not
/// checked (liberal in what is accepted).
struct Response<R> {
    result: Option<R>,
    error: Option<ErrorObject>,
    id: Option<NumericId>,
}

/// A key of a response object. Only names: serde's derived visitors also
/// take a field's index for its name, so a MessagePack map with integer
/// keys (found by the client_answer fuzz target) would read as a response.
enum Key {
    Result,
    Error,
    Id,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
                Ok(match name {
                    "result" => Key::Result,
                    "error" => Key::Error,
                    "id" => Key::Id,
                    _ => Key::Other,
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de, R: DeserializeOwned> Deserialize<'de> for Response<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<R>(std::marker::PhantomData<R>);
        impl<'de, R: DeserializeOwned> Visitor<'de> for V<R> {
            type Value = Response<R>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON-RPC response object")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Response<R>, A::Error> {
                let mut response = Response { result: None, error: None, id: None };
                let (mut seen_error, mut seen_id) = (false, false);
                while let Some(key) = map.next_key::<Key>()? {
                    match key {
                        Key::Result if response.result.is_some() => return Err(de::Error::duplicate_field("result")),
                        Key::Error if seen_error => return Err(de::Error::duplicate_field("error")),
                        Key::Id if seen_id => return Err(de::Error::duplicate_field("id")),
                        Key::Result => response.result = Some(map.next_value()?),
                        Key::Error => (response.error, seen_error) = (map.next_value()?, true),
                        Key::Id => (response.id, seen_id) = (map.next_value()?, true),
                        Key::Other => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(response)
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// The response id, as far as this client cares: it sends integer ids, so
/// anything else (a string, null) is simply not its id.
pub(crate) struct NumericId(pub(crate) Option<u64>);

impl<'de> Deserialize<'de> for NumericId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NumericId;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON-RPC id")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumericId, E> {
                Ok(NumericId(Some(v)))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<NumericId, E> {
                Ok(NumericId(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<NumericId, E> {
                Ok(NumericId(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<NumericId, E> {
                Ok(NumericId(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<NumericId, E> {
                Ok(NumericId(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// Decodes the answer to call `id`: its result as `R`, or its error (an
/// application error as `E` when `decode_app` recognises it).
pub(crate) fn decode<R, E>(
    codec: Codec,
    method: &'static str,
    id: u64,
    status: StatusCode,
    body: &[u8],
    decode_app: fn(&ErrorObject) -> Option<E>,
) -> Result<R, Error<E>>
where
    R: DeserializeOwned,
{
    let parsed: Response<R> = match codec.decode(body) {
        Ok(parsed) => parsed,
        Err(_) if !status.is_success() => return Err(status_error(method, status, body)),
        Err(e) if e.malformed => {
            return Err(Error::Decode { method, detail: format!("the body is not {} ({})", codec.name(), e.message) });
        }
        Err(e) => return Err(Error::Decode { method, detail: e.message }),
    };
    match parsed {
        Response { error: Some(error), .. } => Err(remote_error(method, error, decode_app)),
        Response { id: Some(NumericId(Some(got))), .. } if got != id => {
            Err(Error::Decode { method, detail: format!("the response is for call {got}, not {id}") })
        }
        Response { id: None | Some(NumericId(None)), .. } => {
            Err(Error::Decode { method, detail: format!("the response does not carry this call's id {id}") })
        }
        Response { result: Some(result), .. } => Ok(result),
        Response { result: None, .. } => {
            Err(Error::Decode { method, detail: "the response has neither `result` nor `error`".into() })
        }
    }
}

/// The id of one response object of a batch answer, if it is one this
/// client could have sent.
fn response_id(codec: Codec, item: &[u8]) -> Option<u64> {
    codec.decode::<Response<IgnoredAny>>(item).ok()?.id?.0
}

/// The id of a JSON response object that ends with it (`…,"id":7}`), as
/// servers write it, read from the bytes without parsing the object; `None`
/// otherwise. The object is valid JSON (the batch was split by a parser),
/// so `"id"` preceded by `,` or `{` and followed by `:` is a key, and its
/// value is the last one before the object's closing brace. The caller's
/// own decoding checks the id again, so a misreading fails a call, never
/// answers it with another's result.
fn tail_id(item: &[u8]) -> Option<u64> {
    let rest = item.trim_ascii_end().strip_suffix(b"}")?.trim_ascii_end();
    let digits = rest.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (rest, number) = rest.split_at(rest.len() - digits);
    let rest = rest.trim_ascii_end().strip_suffix(b":")?.trim_ascii_end().strip_suffix(b"\"id\"")?;
    if !matches!(rest.trim_ascii_end().last(), Some(b',' | b'{')) || digits == 0 || digits > 20 {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// The answers of a batch, by the id they answer. A server may answer in
/// any order; an id answered twice with the same bytes is answered once,
/// but one answered twice differently is answered by neither: one of them
/// may be another caller's, so the call fails rather than guess.
pub(crate) struct ById<'a> {
    /// Sorted by id; `None` for an id answered differently twice.
    answers: Vec<(u64, Option<&'a [u8]>)>,
}

impl<'a> ById<'a> {
    pub fn new(codec: Codec, items: Vec<&'a [u8]>) -> Self {
        let id_of = |item: &[u8]| match codec {
            Codec::Json => tail_id(item).or_else(|| response_id(codec, item)),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => response_id(codec, item),
        };
        let mut answers: Vec<(u64, Option<&[u8]>)> =
            items.into_iter().filter_map(|item| Some((id_of(item)?, Some(item)))).collect();
        // Servers answer in order, mostly: the sort is one pass then.
        answers.sort_by_key(|(id, _)| *id);
        answers.dedup_by(|later, kept| {
            let same_id = later.0 == kept.0;
            if same_id && later.1 != kept.1 {
                kept.1 = None;
            }
            same_id
        });
        ById { answers }
    }

    /// The answer to call `id`, or why there is none.
    pub fn get(&self, id: u64) -> Result<&'a [u8], String> {
        match self.answers.binary_search_by_key(&id, |(id, _)| *id) {
            Ok(at) => {
                self.answers[at].1.ok_or_else(|| format!("the batch response answers call {id} twice, differently"))
            }
            Err(_) => Err(format!("the batch response has no answer to call {id}")),
        }
    }
}

/// A response that is only an error (as a server answers a refused batch).
#[derive(Deserialize)]
pub(crate) struct ErrorOnly {
    pub error: ErrorObject,
}

fn remote_error<E>(method: &'static str, error: ErrorObject, decode_app: fn(&ErrorObject) -> Option<E>) -> Error<E> {
    if let Some(app) = decode_app(&error) {
        return Error::App(app);
    }
    let class = error.class().map(str::to_owned);
    Error::Remote { method, code: error.code, message: error.message, class, data: error.data }
}

#[cfg(all(test, feature = "msgpack"))]
mod tests {
    use super::*;

    /// What the client_answer fuzz target found: a MessagePack map whose
    /// keys are integers (serde's derive reads field indices as names), and
    /// bytes after the value, each read as a success.
    #[test]
    fn messagepack_answers_have_named_keys_and_nothing_after_them() {
        let read = |body: &[u8]| {
            decode::<i64, std::convert::Infallible>(Codec::MsgPack, "add", 1, StatusCode::OK, body, |_| None)
        };
        let named = rmp_serde::to_vec_named(&serde_json::json!({ "jsonrpc": "2.0", "result": 5, "id": 1 })).unwrap();
        assert_eq!(read(&named).unwrap(), 5);
        let indexed = b"\x82\x02\x01\x00\x05";
        assert!(read(indexed).is_err(), "integer keys are no field names");
        let trailing = [&named[..], b"E\x02"].concat();
        let error = read(&trailing).unwrap_err();
        assert!(error.to_string().contains("2 bytes after the MessagePack value"), "{error}");
    }
}

pub(crate) fn status_error<E>(method: &'static str, status: StatusCode, body: &[u8]) -> Error<E> {
    let body = String::from_utf8_lossy(body).chars().take(200).collect();
    Error::Status { method, status, body }
}

/// Reads an application error's `data.value` as `M::Err`: code `-32000`, or
/// any code an `ErrorCode` impl chose, as long as `data` names a type.
pub(crate) fn decode_app<M: Fallible>(error: &ErrorObject) -> Option<ErrOf<M>> {
    let data = error.data.as_ref()?;
    if error.code != crate::protocol::code::APP_ERROR && data.get("type").is_none() {
        return None;
    }
    <<ErrOf<M> as Decode>::De as serde::Deserialize>::deserialize(data.get("value")?).ok().map(Decode::from_de)
}

#[cfg(test)]
mod tail_tests {
    use super::*;

    /// What the client_answer fuzz target found next: invalid UTF-8 in a
    /// field the client skips (`jsonrpc`), which serde_json does not check,
    /// read as a success.
    #[test]
    fn a_json_answer_is_utf8_throughout() {
        let read = |body: &[u8]| {
            decode::<i64, std::convert::Infallible>(Codec::Json, "add", 1, StatusCode::OK, body, |_| None)
        };
        assert_eq!(read(br#"{"jsonrpc":"2.0","result":42,"id":1}"#).unwrap(), 42);
        let error = read(b"{\"jsonrpc\":\"2\xfb.0\",\"result\":42,\"id\":1}").unwrap_err();
        assert!(error.to_string().contains("the body is not JSON (the body is not valid UTF-8 (byte 13))"), "{error}");
        let batch = Codec::Json.split_array(b"[{\"jsonrpc\":\"2\xfb.0\",\"result\":42,\"id\":1}]");
        assert!(batch.is_err(), "a batch answer too");
    }

    #[test]
    fn the_id_is_read_from_the_end_only_where_it_is_the_last_key() {
        let read = |text: &str| tail_id(text.as_bytes());
        assert_eq!(read(r#"{"jsonrpc":"2.0","result":42,"id":7}"#), Some(7));
        assert_eq!(read(r#"{ "result": 1 , "id" : 18446744073709551615 } "#), Some(u64::MAX));
        assert_eq!(read(r#"{"id":3}"#), Some(3));
        // Anything else is left to the parser.
        for other in [
            r#"{"id":7,"result":42}"#,
            r#"{"result":{"id":5}}"#,
            r#"{"result":"x\",\"id\":5}"}"#,
            r#"{"id":-1}"#,
            r#"{"id":1.5}"#,
            r#"{"id":"7"}"#,
            r#"{"xid":7}"#,
            r#"{"id":}"#,
            r#"{"id":184467440737095516150}"#,
        ] {
            assert_eq!(read(other), None, "{other}");
        }
    }
}
