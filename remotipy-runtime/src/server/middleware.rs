//! RPC-level middleware: tower layers around every call a [`Server`] runs,
//! each call of a batch included, seeing its method, its params as sent,
//! the [`Context`](super::Context) of its request and its [`Reply`].
//!
//! A layer wraps a [`tower::Service`]`<`[`RpcCall`]`, Response = `[`Reply`]`,
//! Error = Infallible>`: failures are replies (JSON-RPC errors), so a layer
//! refuses a call by answering it. [`ServerBuilder::layer`](super::ServerBuilder::layer) adds one; the
//! first added is the outermost (it sees each call first). A server without
//! layers runs its calls without any of this: the layers cost nothing
//! unless there are some.

use std::convert::Infallible;

use bytes::Bytes;

use super::service::{Call, MethodInfo, Params, Reply};
use crate::codec::Codec;
use crate::protocol::ErrorObject;

/// One call as the server's layers see it: its method (and what the server
/// knows of it), its params as sent, in the request's codec. Owned: a layer
/// may keep it, or hand it to a task. The request it came in is
/// [`Context::current`](super::Context::current), as in handlers.
#[derive(Clone)]
pub struct RpcCall {
    method: Method,
    /// The params' bytes, a slice of the request body (no copy).
    params: Option<Bytes>,
    codec: Codec,
    notification: bool,
}

/// A call's method: one the server declares, or a name it does not know.
#[derive(Clone)]
enum Method {
    Known(&'static MethodInfo),
    Unknown(Box<str>),
}

impl RpcCall {
    pub(crate) fn new(info: Option<&'static MethodInfo>, method: &str, params: Option<Bytes>, codec: Codec) -> Self {
        let method = match info {
            Some(info) => Method::Known(info),
            None => Method::Unknown(method.into()),
        };
        RpcCall { method, params, codec, notification: false }
    }

    pub(crate) fn notification(mut self, notification: bool) -> Self {
        self.notification = notification;
        self
    }

    /// The method name as sent.
    pub fn method(&self) -> &str {
        match &self.method {
            Method::Known(info) => info.name,
            Method::Unknown(name) => name,
        }
    }

    /// What the server knows about the method (its trait, whether it is
    /// idempotent, streaming…); `None` for a method no service declares
    /// (the call will fail with `-32601`, or answer `rpc.discover`).
    pub fn info(&self) -> Option<&'static MethodInfo> {
        match &self.method {
            Method::Known(info) => Some(info),
            Method::Unknown(_) => None,
        }
    }

    /// The params as sent (a JSON object or array, or MessagePack), `None`
    /// when the request had none.
    pub fn params(&self) -> Option<&[u8]> {
        self.params.as_deref()
    }

    /// The codec the call came in; its reply is in it too.
    pub fn codec(&self) -> Codec {
        self.codec
    }

    /// Sent as a notification: nobody reads its reply.
    pub fn is_notification(&self) -> bool {
        self.notification
    }

    /// Decodes the params as the method would ([`Call::decode`]): named,
    /// or positional in the order of `names`; `-32602` naming the parameter.
    pub fn decode<T: serde::de::DeserializeOwned>(&self, names: &[&str]) -> Result<T, ErrorObject> {
        self.as_call().decode(names)
    }

    /// Answers the call with `value`, as the method would ([`Call::ok`]):
    /// what a layer answering by itself (from a cache, say) returns.
    pub fn ok<R: serde::Serialize + ?Sized>(&self, value: &R) -> Reply {
        self.as_call().ok(value)
    }

    /// The call as a service answers it.
    pub(crate) fn as_call(&self) -> Call<'_> {
        Call::new(self.method(), self.raw_params())
    }

    /// The params as the dispatcher decodes them.
    pub(crate) fn raw_params(&self) -> Params<'_> {
        match self.codec {
            // Checked to be UTF-8 JSON when the request was parsed.
            Codec::Json => Params::Json(self.params.as_deref().map(|p| std::str::from_utf8(p).unwrap_or("null"))),
            #[cfg(feature = "msgpack")]
            Codec::MsgPack => Params::MsgPack(self.params.as_deref()),
        }
    }
}

impl std::fmt::Debug for RpcCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RpcCall")
            .field("method", &self.method())
            .field("codec", &self.codec)
            .field("notification", &self.notification)
            .finish_non_exhaustive()
    }
}

/// The service at the bottom of a server's layers, and what each layer is
/// given to wrap: the server's layers below it, then the dispatcher.
pub type CallStack = tower::util::BoxCloneSyncService<RpcCall, Reply, Infallible>;

/// A layer added to a [`ServerBuilder`](super::ServerBuilder): how it wraps
/// the stack below it.
pub(crate) type AddLayer = Box<dyn FnOnce(CallStack) -> CallStack + Send>;

/// Wraps `stack` in `layer`, type-erased again.
pub(crate) fn add<L>(layer: L) -> AddLayer
where
    L: tower::Layer<CallStack> + Send + 'static,
    L::Service: tower::Service<RpcCall, Response = Reply, Error = Infallible> + Clone + Send + Sync + 'static,
    <L::Service as tower::Service<RpcCall>>::Future: Send + 'static,
{
    Box::new(move |stack| CallStack::new(layer.layer(stack)))
}
