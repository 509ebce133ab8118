//! The seam between the generated dispatcher and the runtime: a [`Service`]
//! answers calls by method name; everything else (HTTP, batches, ids,
//! panics) is the runtime's job.

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::codec::Codec;
use crate::protocol::{ErrorObject, code};

/// A boxed, sendable future: what a [`Service`] returns for one call.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What the server knows about one remote method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodInfo {
    /// The name on the wire.
    pub name: &'static str,
    /// The trait that declares it.
    pub trait_name: &'static str,
    /// Declared `#[remote(notification)]`: callers expect no reply.
    pub notification: bool,
}

/// Something that answers JSON-RPC calls by method name.
///
/// `#[remotipy::remote]` implements it for the generated `<Trait>Server`;
/// [`Server`](crate::Server) serves one or several of them over HTTP.
pub trait Service: Send + Sync + 'static {
    /// The methods this service answers, in declaration order.
    fn methods(&self) -> &'static [MethodInfo];

    /// Starts the call, or returns `None` when `call.method()` is not one of
    /// [`Service::methods`].
    fn call<'a>(&'a self, call: Call<'a>) -> Option<BoxFuture<'a, Reply>>;

    /// Adds this service's methods to an OpenRPC document (feature
    /// `openrpc`). Generated services describe every method; the default
    /// describes none.
    #[cfg(feature = "openrpc")]
    fn describe(&self, describer: &mut super::Describer) {
        let _ = describer;
    }
}

/// One incoming call: the method name and its still-encoded params.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    method: &'a str,
    params: Params<'a>,
}

/// A call's params as they came, in the request's codec.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Params<'a> {
    Json(Option<&'a RawValue>),
    #[cfg(feature = "msgpack")]
    MsgPack(Option<&'a [u8]>),
}

impl<'a> Call<'a> {
    /// A JSON call of `method` with raw `params` (an object, an array, or absent).
    pub fn new(method: &'a str, params: Option<&'a RawValue>) -> Self {
        Call::with_params(method, Params::Json(params))
    }

    pub(crate) fn with_params(method: &'a str, params: Params<'a>) -> Self {
        Call { method, params }
    }

    /// The method name as sent.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The codec the call came in, which its reply uses too.
    pub fn codec(&self) -> Codec {
        match self.params {
            Params::Json(_) => Codec::Json,
            #[cfg(feature = "msgpack")]
            Params::MsgPack(_) => Codec::MsgPack,
        }
    }

    /// The params as sent, still encoded in [`Call::codec`], if any were sent.
    pub fn raw_params(&self) -> Option<&'a [u8]> {
        match self.params {
            Params::Json(params) => params.map(|p| p.get().as_bytes()),
            #[cfg(feature = "msgpack")]
            Params::MsgPack(params) => params,
        }
    }

    /// Decodes the params into the method's argument struct: a named object
    /// or a positional array in declaration order (`names`); absent params
    /// read as `{}`.
    ///
    /// On failure the error is `-32602` and its message names the offending
    /// parameter (found by a second, slower pass that runs only on failure).
    pub fn decode<T: DeserializeOwned>(&self, names: &[&str]) -> Result<T, ErrorObject> {
        match self.params {
            Params::Json(params) => {
                let json = params.map_or("{}", RawValue::get);
                serde_json::from_str(json).map_err(|e| {
                    let positional = json.starts_with('[').then(|| serde_json::from_str::<Vec<&RawValue>>(json).ok());
                    let path = error_path::<T, _>(&mut serde_json::Deserializer::from_str(json), names);
                    self.invalid_params(positional.flatten().map(|v| v.len()), names, &e.to_string(), path)
                })
            }
            #[cfg(feature = "msgpack")]
            Params::MsgPack(params) => {
                let bytes = params.unwrap_or(crate::msgpack::EMPTY_MAP);
                crate::msgpack::decode(bytes).map_err(|e| {
                    let path = error_path::<T, _>(&mut rmp_serde::Deserializer::from_read_ref(bytes), names);
                    self.invalid_params(crate::msgpack::array_len(bytes), names, &e.message, path)
                })
            }
        }
    }

    /// A successful call returning `value`, encoded in the call's codec.
    pub fn ok<R: Serialize + ?Sized>(&self, value: &R) -> Reply {
        let codec = self.codec();
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(super::envelope::result_prefix(codec));
        match codec.encode_into(&mut buf, value) {
            Ok(()) => Reply { body: Ok(buf), status: None },
            Err(e) => Reply::error(ErrorObject::internal(format_args!("cannot encode the result: {e}"))),
        }
    }

    /// `positional`: the number of params sent in an array, if they were.
    fn invalid_params(
        &self,
        positional: Option<usize>,
        names: &[&str],
        serde_message: &str,
        path: Option<String>,
    ) -> ErrorObject {
        let method = self.method;
        let detail = match positional {
            Some(len) if len > names.len() => {
                format!("`{method}` takes {} params ({}), got {len}", names.len(), names.join(", "))
            }
            Some(len) if serde_message.starts_with("invalid length") => {
                format!("missing param `{}` (position {})", names[len], len + 1)
            }
            _ => {
                let message = strip_position(serde_message);
                match path {
                    // "unknown field `lang`" already names it.
                    Some(path) if !message.contains(&format!("`{path}`")) => format!("`{path}`: {message}"),
                    _ => message.to_owned(),
                }
            }
        };
        ErrorObject::new(code::INVALID_PARAMS, format!("invalid params for `{method}`: {detail}"))
    }
}

/// The path to the value that failed to decode, params named as declared
/// (`user.email`, or `b` for the second positional param).
fn error_path<'de, T: DeserializeOwned, D: serde::Deserializer<'de>>(de: D, names: &[&str]) -> Option<String> {
    use serde_path_to_error::Segment;
    let error = serde_path_to_error::deserialize::<_, T>(de).err()?;
    let mut path = String::new();
    for (depth, segment) in error.path().iter().enumerate() {
        match segment {
            Segment::Seq { index } if depth == 0 => path.push_str(names.get(*index)?),
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Unknown => {}
            named => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&named.to_string());
            }
        }
    }
    (!path.is_empty()).then_some(path)
}

/// serde_json appends " at line 1 column 42": positions inside `params` only confuse.
pub(crate) fn strip_position(message: &str) -> &str {
    message.rfind(" at line ").map_or(message, |at| &message[..at])
}

/// The outcome of one call, already encoded.
///
/// On success it holds the response envelope up to and including the result
/// (`{"jsonrpc":"2.0","result":<value>` in JSON), so the dispatcher only
/// appends the id: the result is serialized once, straight into the response
/// buffer. Build one with [`Call::ok`] (in the call's codec) or [`Reply::error`].
#[derive(Debug)]
pub struct Reply {
    pub(crate) body: Result<Vec<u8>, ErrorObject>,
    /// The HTTP status a failed single call asks for (see [`ErrorCode`]).
    pub(crate) status: Option<StatusCode>,
}

impl Reply {
    /// A call that failed with a JSON-RPC error.
    pub fn error(error: ErrorObject) -> Self {
        Reply { body: Err(error), status: None }
    }

    /// The error this call failed with, if it failed.
    pub fn as_error(&self) -> Option<&ErrorObject> {
        self.body.as_ref().err()
    }
}

impl From<ErrorObject> for Reply {
    fn from(e: ErrorObject) -> Self {
        Reply::error(e)
    }
}

/// Lets an application error choose its JSON-RPC code and, for a call that
/// is not part of a batch, the HTTP status of the response (e.g. 401).
///
/// Without an impl, an `Err(e)` travels as code `-32000` with HTTP 200.
/// Either way the message is `e`'s `Display` and `data` is
/// `{"type": <type name>, "value": e}`, so a remotipy client gets `Error::App(e)`.
///
/// ```
/// #[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
/// #[error("not authenticated")]
/// pub struct Unauthenticated;
///
/// impl remotipy::ErrorCode for Unauthenticated {
///     fn code(&self) -> i64 { -32001 }
///     fn http_status(&self) -> Option<http::StatusCode> { Some(http::StatusCode::UNAUTHORIZED) }
/// }
/// ```
pub trait ErrorCode {
    /// The JSON-RPC error code (default `-32000`).
    fn code(&self) -> i64 {
        code::APP_ERROR
    }

    /// The HTTP status of a single call's response (default: 200, like every
    /// JSON-RPC response). Ignored inside batches.
    fn http_status(&self) -> Option<StatusCode> {
        None
    }
}

/// Builds the reply of a handler's `Result`, choosing at compile time between
/// the error type's [`ErrorCode`] impl and the default (autoref
/// specialization: generated code calls `(&&AppResult(..)).reply(call, ..)`).
#[doc(hidden)]
pub struct AppResult<'a, R, E>(pub &'a Result<R, E>);

#[doc(hidden)]
pub trait ViaErrorCode {
    fn reply(&self, call: &Call<'_>, type_name: &'static str) -> Reply;
}

impl<R: Serialize, E: Serialize + Display + ErrorCode> ViaErrorCode for &AppResult<'_, R, E> {
    fn reply(&self, call: &Call<'_>, type_name: &'static str) -> Reply {
        match self.0 {
            Ok(value) => call.ok(value),
            Err(e) => Reply { body: Err(app_error(e, e.code(), type_name)), status: e.http_status() },
        }
    }
}

#[doc(hidden)]
pub trait ViaDefault {
    fn reply(&self, call: &Call<'_>, type_name: &'static str) -> Reply;
}

impl<R: Serialize, E: Serialize + Display> ViaDefault for AppResult<'_, R, E> {
    fn reply(&self, call: &Call<'_>, type_name: &'static str) -> Reply {
        match self.0 {
            Ok(value) => call.ok(value),
            Err(e) => Reply::error(app_error(e, code::APP_ERROR, type_name)),
        }
    }
}

fn app_error<E: Serialize + Display>(e: &E, code: i64, type_name: &'static str) -> ErrorObject {
    match serde_json::to_value(e) {
        Ok(value) => {
            ErrorObject::new(code, e.to_string()).with_data(serde_json::json!({ "type": type_name, "value": value }))
        }
        Err(err) => ErrorObject::internal(format_args!("cannot encode the `{type_name}` error: {err}")),
    }
}
