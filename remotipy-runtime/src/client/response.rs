//! Reading a JSON-RPC response in one pass, straight into the result type.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, Visitor};

use http::StatusCode;

use super::status_error;
use crate::codec::Codec;
use crate::error::Error;
use crate::protocol::ErrorObject;

#[derive(Deserialize)]
#[serde(bound = "R: DeserializeOwned")]
struct Response<R> {
    #[serde(default, deserialize_with = "present")]
    result: Option<R>,
    #[serde(default)]
    error: Option<ErrorObject>,
    #[serde(default)]
    id: Option<NumericId>,
    #[serde(default, rename = "jsonrpc")]
    _jsonrpc: IgnoredAny,
}

/// `"result": null` is a result (of `()`, `Option::None` …), not a missing key.
fn present<'de, D: Deserializer<'de>, R: DeserializeOwned>(d: D) -> Result<Option<R>, D::Error> {
    R::deserialize(d).map(Some)
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
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<NumericId>,
    }
    codec.decode::<IdOnly>(item).ok()?.id?.0
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
        let mut answers: Vec<(u64, Option<&[u8]>)> =
            items.into_iter().filter_map(|item| Some((response_id(codec, item)?, Some(item)))).collect();
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
