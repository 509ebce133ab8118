//! The seam between services and the dispatcher: an [`RpcService`] answers
//! calls by method name; HTTP, batches, ids and panics are the
//! dispatcher's job.

use futures_util::StreamExt;
use futures_util::stream::{BoxStream, Stream};
use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::codec::Codec;
pub use crate::future::BoxFuture;
use crate::protocol::{ErrorObject, code};
use crate::tracked::{EventId, Tracked};

/// What the server knows about one remote method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MethodInfo {
    /// The name on the wire.
    pub name: &'static str,
    /// The trait that declares it.
    pub trait_name: &'static str,
    /// Declared `#[remote(notification)]`: callers expect no reply.
    pub notification: bool,
    /// Declared `#[remote(idempotent)]`: running it twice is harmless, so
    /// clients may retry it.
    pub idempotent: bool,
    /// Returns a stream of items.
    pub streaming: bool,
    /// Declared `#[remote(read_only)]`: it changes nothing, only reads.
    pub read_only: bool,
}

impl MethodInfo {
    /// Method `name` of trait `trait_name`, answered with a reply.
    pub const fn new(name: &'static str, trait_name: &'static str) -> Self {
        MethodInfo { name, trait_name, notification: false, idempotent: false, streaming: false, read_only: false }
    }

    /// Marks the method as a notification: callers expect no reply.
    pub const fn notification(mut self) -> Self {
        self.notification = true;
        self
    }

    /// Marks the method as idempotent: running it twice is harmless.
    pub const fn idempotent(mut self) -> Self {
        self.idempotent = true;
        self
    }

    /// Marks the method as streaming: it answers with [`Call::stream`].
    pub const fn streaming(mut self) -> Self {
        self.streaming = true;
        self
    }

    /// Marks the method as read-only: it changes nothing, only reads.
    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }
}

/// Something that answers JSON-RPC calls by method name.
///
/// `#[remotipy::remote]` implements it for every generated `<Trait>Server`;
/// a [`Server`](crate::Server) serves one or several. Implement it by hand
/// for methods no trait declares (a proxy, methods known only at run time):
///
/// ```
/// use remotipy::service::{BoxFuture, Call, MethodInfo, Reply, RpcService};
///
/// /// Answers `version` with a constant and `echo` with its `text` param.
/// struct Meta;
///
/// impl RpcService for Meta {
///     fn methods(&self) -> &'static [MethodInfo] {
///         const METHODS: &[MethodInfo] = &[MethodInfo::new("version", "Meta"), MethodInfo::new("echo", "Meta")];
///         METHODS
///     }
///
///     fn call<'a>(&'a self, call: Call<'a>) -> Option<BoxFuture<'a, Reply>> {
///         match call.method() {
///             "version" => Some(Box::pin(async move { call.ok("1.2.3") })),
///             "echo" => Some(Box::pin(async move {
///                 #[derive(serde::Deserialize)]
///                 struct Params { text: String }
///                 match call.decode::<Params>(&["text"]) {
///                     Ok(params) => call.ok(&params.text),
///                     Err(error) => Reply::error(error),
///                 }
///             })),
///             _ => None,
///         }
///     }
/// }
///
/// # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = remotipy::Server::new(Meta)?;
/// let client = remotipy::Client::in_process(server);
/// let echoed: String = client.request("echo", &serde_json::json!({ "text": "hi" })).await?;
/// assert_eq!(echoed, "hi");
/// # Ok(()) }
/// ```
pub trait RpcService: Send + Sync + 'static {
    /// The methods this service answers, in declaration order.
    fn methods(&self) -> &'static [MethodInfo];

    /// Starts the call, or returns `None` when `call.method()` is not one of
    /// [`RpcService::methods`]. A panic here or in the future costs only this
    /// call (a `-32603` error).
    fn call<'a>(&'a self, call: Call<'a>) -> Option<BoxFuture<'a, Reply>>;

    /// Adds this service's methods to an OpenRPC document (feature
    /// `openrpc`). Generated services describe every method; the default
    /// describes none.
    #[cfg(feature = "openrpc")]
    fn describe(&self, describer: &mut super::openrpc::Describer) {
        let _ = describer;
    }
}

/// One incoming call: the method name and its still-encoded params.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    method: &'a str,
    params: Params<'a>,
}

/// A call's params as they came, in the request's codec (JSON: checked to
/// be one object or array).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Params<'a> {
    Json(Option<&'a str>),
    #[cfg(feature = "msgpack")]
    MsgPack(Option<&'a [u8]>),
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: &'a str, params: Params<'a>) -> Self {
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

    /// Decodes the params into `T`: from a named object, or from a
    /// positional array in the order of `names` (how `T` deserializes a
    /// sequence); absent params read as `{}`.
    ///
    /// On failure the error is `-32602` and its message names the offending
    /// parameter by `names` (found by a second, slower pass that runs only
    /// on failure).
    pub fn decode<T: DeserializeOwned>(&self, names: &[&str]) -> Result<T, ErrorObject> {
        match self.params {
            Params::Json(params) => {
                let json = params.unwrap_or("{}");
                serde_json::from_str(json).map_err(|e| {
                    let positional = json.starts_with('[').then(|| serde_json::from_str::<Vec<&RawValue>>(json).ok());
                    let path = error_path::<T, _>(&mut serde_json::Deserializer::from_str(json), names);
                    self.invalid_params(positional.flatten().map(|v| v.len()), names, &e.to_string(), path)
                })
            }
            #[cfg(feature = "msgpack")]
            Params::MsgPack(params) => {
                use crate::codec::msgpack;
                let bytes = params.unwrap_or(msgpack::EMPTY_MAP);
                msgpack::decode_cut(bytes).map_err(|e| {
                    let path = error_path::<T, _>(&mut rmp_serde::Deserializer::from_read_ref(bytes), names);
                    self.invalid_params(msgpack::array_len(bytes), names, &e.message, path)
                })
            }
        }
    }

    /// A successful call returning `value`, encoded in the call's codec. A
    /// value the codec cannot carry (a `Serialize` impl failing, `NaN` in
    /// JSON) is a `-32603` error naming the method instead.
    pub fn ok<R: Serialize + ?Sized>(&self, value: &R) -> Reply {
        let codec = self.codec();
        let prefix = codec.result_prefix();
        let mut buf = Vec::with_capacity(128);
        buf.extend_from_slice(prefix);
        match codec.encode_into(&mut buf, value) {
            Ok(()) => Reply::done(Ok(buf)),
            Err(e) => Reply::error(ErrorObject::internal(format_args!(
                "`{}` returned a result that cannot be encoded: {e}",
                self.method
            ))),
        }
    }

    /// A call answered with a stream of items: sent as Server-Sent Events
    /// to a caller that accepts `text/event-stream`, collected into one
    /// array for any other (within the server's limit). An `Err` item ends
    /// the stream with that error.
    pub fn stream<T, S>(&self, items: S) -> Reply
    where
        T: Serialize,
        S: Stream<Item = Result<T, ErrorObject>> + Send + 'static,
    {
        let (codec, method) = (self.codec(), self.method.to_owned());
        let encoded = items.map(move |item| {
            let mut buf = Vec::with_capacity(64);
            encode_item(codec, &method, &mut buf, &item?)?;
            Ok(Encoded { bytes: buf, id: 0 })
        });
        Reply { outcome: Outcome::Stream(Box::pin(encoded)), status: None }
    }

    /// A resumable stream: as [`Call::stream`], each event also carrying its
    /// item's id (SSE `id:`), which a client that lost the stream sends back
    /// as `Last-Event-ID` to resume after it. The ids must increase, from
    /// the one the caller resumes after (if it does): a stream that does not
    /// continue after it ends with `-32093`, never a silently different
    /// stream. A resuming caller's `Last-Event-ID` that does not parse as
    /// `I` is `-32093` before any item.
    pub fn stream_tracked<T, I, S>(&self, items: S) -> Reply
    where
        T: Serialize,
        I: EventId,
        S: Stream<Item = Result<Tracked<T, I>, ErrorObject>> + Send + 'static,
    {
        let resume = match super::resume::resume_point::<I>(self.method) {
            Ok(resume) => resume,
            Err(refused) => return Reply::error(refused),
        };
        let (codec, method) = (self.codec(), self.method.to_owned());
        let mut last = resume;
        let encoded = items.map(move |item| {
            let Tracked { id, item } = item?;
            if last.as_ref().is_some_and(|last| id <= *last) {
                let last = last.as_ref().expect("checked");
                return Err(ErrorObject::new(
                    code::CANNOT_RESUME,
                    format!("`{method}` yielded item id {id} after {last}: a resumable stream's ids increase"),
                ));
            }
            let mut buf = Vec::with_capacity(64);
            write_id(&method, &mut buf, &id)?;
            let id_len = buf.len();
            last = Some(id);
            encode_item(codec, &method, &mut buf, &item)?;
            Ok(Encoded { bytes: buf, id: id_len })
        });
        Reply { outcome: Outcome::Stream(Box::pin(encoded)), status: None }
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
        let message = strip_position(serde_message);
        let detail = match (positional, path) {
            (Some(len), _) if len > names.len() => {
                format!("`{method}` takes {} params ({}), got {len}", names.len(), names.join(", "))
            }
            // "invalid length" of the params themselves (no path: not of a
            // value inside one) means too few positional params.
            (Some(len), None) if message.starts_with("invalid length") && len < names.len() => {
                format!("missing param `{}` (position {})", names[len], len + 1)
            }
            // "unknown field `lang`" already names it.
            (_, Some(path)) if !message.contains(&format!("`{path}`")) => format!("`{path}`: {message}"),
            _ => message.to_owned(),
        };
        ErrorObject::new(code::INVALID_PARAMS, format!("invalid params for `{method}`: {detail}"))
    }
}

/// Appends one item, encoded in the call's codec.
fn encode_item<T: Serialize>(codec: Codec, method: &str, buf: &mut Vec<u8>, item: &T) -> Result<(), ErrorObject> {
    codec
        .encode_into(buf, item)
        .map_err(|e| ErrorObject::internal(format_args!("`{method}` yielded an item that cannot be encoded: {e}")))
}

/// Appends an item's id as its SSE `id:` line carries it: one line, no NUL.
fn write_id<I: EventId>(method: &str, buf: &mut Vec<u8>, id: &I) -> Result<(), ErrorObject> {
    use std::io::Write;
    // The default id type, a `u64`, without the formatting machinery (a
    // stream writes one per item): digits hold no line break.
    if let Some(id) = (id as &dyn std::any::Any).downcast_ref::<u64>() {
        buf.extend_from_slice(itoa::Buffer::new().format(*id).as_bytes());
        return Ok(());
    }
    let _ = write!(buf, "{id}");
    match buf.iter().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
        true => Err(ErrorObject::internal(format_args!("`{method}` yielded an item id with a line break or NUL"))),
        false => Ok(()),
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

/// The outcome of one call, already encoded: build one with [`Call::ok`]
/// (in the call's codec), [`Call::stream`] or [`Reply::error`].
///
/// On success it holds the response envelope up to and including the result,
/// so the dispatcher only appends the id: the result is serialized once,
/// straight into the response buffer.
pub struct Reply {
    pub(crate) outcome: Outcome,
    /// The HTTP status a failed single call asks for (see [`ErrorCode`](crate::ErrorCode)).
    pub(crate) status: Option<HttpStatus>,
}

/// The HTTP status of the response to a single call, when it is not 200,
/// and the `Retry-After` (whole seconds) sent with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpStatus {
    pub code: StatusCode,
    pub retry_after: Option<u32>,
}

pub(crate) enum Outcome {
    /// The response up to its id, or the error.
    Done(Result<Vec<u8>, ErrorObject>),
    /// The items, each encoded in the call's codec.
    Stream(Items),
}

/// A streaming call's items, each encoded in the call's codec; an `Err`
/// ends the stream.
pub(crate) type Items = BoxStream<'static, Result<Encoded, ErrorObject>>;

/// One item of a stream, encoded: its id's text (for a resumable stream),
/// then the item, in one buffer.
pub(crate) struct Encoded {
    pub bytes: Vec<u8>,
    /// Where the id ends and the item starts (0: no id).
    pub id: usize,
}

impl Encoded {
    pub fn id(&self) -> Option<&[u8]> {
        (self.id > 0).then(|| &self.bytes[..self.id])
    }

    pub fn item(&self) -> &[u8] {
        &self.bytes[self.id..]
    }
}

impl Reply {
    /// A call that failed with a JSON-RPC error.
    pub fn error(error: ErrorObject) -> Self {
        Reply::done(Err(error))
    }

    /// Whether the call failed.
    pub fn is_error(&self) -> bool {
        self.error_object().is_some()
    }

    /// The error the call failed with, if it did (an error that ends a
    /// stream comes later, with the stream).
    pub fn error_object(&self) -> Option<&ErrorObject> {
        match &self.outcome {
            Outcome::Done(Err(error)) => Some(error),
            _ => None,
        }
    }

    /// Whether the call answers with a stream of items.
    pub fn is_stream(&self) -> bool {
        matches!(self.outcome, Outcome::Stream(_))
    }

    /// Sends the response to this call, when it comes alone (not in a
    /// batch), with HTTP status `status` (and `Retry-After` if `retry_after`
    /// says how long to wait, in whole seconds): what a load-shedding layer
    /// answers (`503`, `Retry-After`), so that clients retry elsewhere.
    pub fn with_status(mut self, status: StatusCode, retry_after: Option<u32>) -> Self {
        self.status = Some(HttpStatus { code: status, retry_after });
        self
    }

    /// The HTTP status this reply asks for, when alone: `None` for 200.
    pub fn status(&self) -> Option<StatusCode> {
        self.status.map(|status| status.code)
    }

    pub(crate) fn done(body: Result<Vec<u8>, ErrorObject>) -> Self {
        Reply { outcome: Outcome::Done(body), status: None }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.outcome {
            Outcome::Done(Ok(_)) => f.write_str("Reply::Ok"),
            Outcome::Done(Err(e)) => write!(f, "Reply::Error({e})"),
            Outcome::Stream(_) => f.write_str("Reply::Stream"),
        }
    }
}

impl From<ErrorObject> for Reply {
    fn from(e: ErrorObject) -> Self {
        Reply::error(e)
    }
}
