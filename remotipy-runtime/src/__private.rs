//! What generated code reaches through; not a public API.
//!
//! Everything the macro's output names goes through here, by absolute path,
//! so it compiles without the user depending on serde, axum or reqwest, and
//! under `#![no_implicit_prelude]`.

pub use ::axum;
pub use ::core;
pub use ::serde;
pub use ::std;

#[cfg(feature = "blocking")]
pub use crate::blocking::BlockingClient;
pub use crate::future::BoxFuture;
use crate::server::service::Outcome;
pub use crate::server::service::{Call, MethodInfo, Reply, RpcService};

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use crate::ErrorCode;
use crate::protocol::{ErrorObject, code};

/// What a remote argument or result must be: serde-compatible both ways.
///
/// Not a supertrait of serde's traits but a blanket impl over them that
/// rustc does not recommend, so a type lacking them gets this one message
/// (the same whatever crates are in the build), at the type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross the wire: it does not implement serde's `Serialize` and `Deserialize`",
    label = "used as a remote argument or result here",
    note = "derive them on the type: `#[derive(serde::Serialize, serde::Deserialize)]`"
)]
pub trait Wire: Sized {
    /// `Self`, as serde sees it.
    type Serde: Serialize + DeserializeOwned;
    fn as_serde(&self) -> &Self::Serde;
    fn from_serde(value: Self::Serde) -> Self;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize + DeserializeOwned> Wire for T {
    type Serde = T;
    fn as_serde(&self) -> &T {
        self
    }
    fn from_serde(value: T) -> T {
        value
    }
}

/// One type that crosses the wire (an argument or a result), named by a
/// marker the macro generates once per type. Everything generated reaches
/// the type through its marker, so what the type lacks is checked in one
/// place, the marker's impl, and reported once, at the type's first use.
pub trait WireType: 'static {
    type T: Wire;
}

/// One application error type (see [`WireType`]): it crosses the wire, and
/// its `Display` is the message remote callers see.
pub trait ErrorType: 'static {
    type T: Wire + Display;
}

/// The result of `M`.
pub type Ok<M> = <<M as RemoteMethod>::Ok as WireType>::T;
/// The application error of `M`.
pub type Err<M> = <<M as Fallible>::Err as ErrorType>::T;

/// One method of a remote trait, as generated code describes it to the
/// runtime: its wire name, its params struct and its result.
pub trait RemoteMethod: 'static {
    /// The name on the wire.
    const NAME: &'static str;
    /// The parameter names, in declaration order.
    const PARAMS: &'static [&'static str];
    /// The params struct: the arguments, by name.
    type Params: Serialize + DeserializeOwned + Send;
    /// What a successful call returns.
    type Ok: WireType;
    /// Declared `#[remote(idempotent)]`: the client may run it twice.
    const IDEMPOTENT: bool = false;
}

/// A method declared `-> Result<T, E>`: `E` travels as an application error.
pub trait Fallible: RemoteMethod {
    type Err: ErrorType;
    /// The error's name as remote callers see it (`data.type`): the last
    /// path segment of the type as written, like a Python class name.
    const ERR_NAME: &'static str;
}

/// Field helpers for the params structs, through each argument type's
/// [`WireType`] marker (see there).
pub mod wire {
    use super::*;

    pub fn serde_of<A: WireType>(value: &A::T) -> impl Serialize + '_ {
        value.as_serde()
    }

    pub fn deserialize<'de, A: WireType, D: Deserializer<'de>>(d: D) -> Result<A::T, D::Error> {
        <A::T as Wire>::Serde::deserialize(d).map(Wire::from_serde)
    }

    pub fn deserialize_option<'de, A: WireType, D: Deserializer<'de>>(d: D) -> Result<Option<A::T>, D::Error> {
        Option::<<A::T as Wire>::Serde>::deserialize(d).map(|v| v.map(Wire::from_serde))
    }
}

/// Decodes `M`'s params (named or positional).
pub fn decode_params<M: RemoteMethod>(call: &Call<'_>) -> Result<M::Params, ErrorObject> {
    call.decode(M::PARAMS)
}

/// The reply of a method declared `-> T`.
pub fn reply_ok<M: RemoteMethod>(call: &Call<'_>, output: &Ok<M>) -> Reply {
    call.ok(output.as_serde())
}

/// Builds the reply of a handler's application error, choosing at compile
/// time between the error type's [`ErrorCode`] impl and the default
/// (autoref specialization: generated code calls
/// `(&&AppError::<M>(&e)).reply()`).
pub struct AppError<'a, M: Fallible>(pub &'a Err<M>);

pub trait ViaErrorCode {
    fn reply(&self) -> Reply;
}

impl<M: Fallible> ViaErrorCode for &AppError<'_, M>
where
    Err<M>: ErrorCode,
{
    fn reply(&self) -> Reply {
        let e = self.0;
        Reply { outcome: Outcome::Done(Err(app_error::<M>(e, e.code()))), status: e.http_status() }
    }
}

pub trait ViaDefault {
    fn reply(&self) -> Reply;
}

impl<M: Fallible> ViaDefault for AppError<'_, M> {
    fn reply(&self) -> Reply {
        Reply::error(app_error::<M>(self.0, code::APP_ERROR))
    }
}

/// `{"code", "message": e's Display, "data": {"type", "value": e}}`.
fn app_error<M: Fallible>(e: &Err<M>, code: i64) -> ErrorObject {
    let type_name = M::ERR_NAME;
    match serde_json::to_value(e.as_serde()) {
        Ok(value) => {
            ErrorObject::new(code, e.to_string()).with_data(serde_json::json!({ "type": type_name, "value": value }))
        }
        Err(err) => ErrorObject::internal(format_args!("cannot encode the `{type_name}` error: {err}")),
    }
}

/// Streaming methods: the items a generated server hands to the runtime.
pub mod stream {
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use futures_util::stream::{BoxStream, Stream, StreamExt};
    use serde::{Serialize, Serializer};

    use super::{Call, Ok, RemoteMethod, Reply, Wire};
    use crate::protocol::ErrorObject;
    use crate::server::service::Outcome;

    /// A method's items, `Err` ending the stream.
    pub type Items<T, E> = BoxStream<'static, Result<T, E>>;

    /// Items that may fail.
    pub fn boxed<T, E, S>(items: S) -> Items<T, E>
    where
        S: Stream<Item = Result<T, E>> + Send + 'static,
    {
        Box::pin(items)
    }

    /// Items that cannot fail.
    pub fn ok<T, E, S>(items: S) -> Items<T, E>
    where
        S: Stream<Item = T> + Send + 'static,
        T: 'static,
        E: 'static,
    {
        Box::pin(items.map(Result::Ok))
    }

    /// The error of a method that declares none.
    pub fn never(never: &core::convert::Infallible) -> Reply {
        match *never {}
    }

    /// Starts `M` on `service` and answers with its items.
    ///
    /// The implementation may borrow `self` in the stream it returns (its
    /// signature captures `&self`), but the stream outlives the call: it is
    /// read while the response goes out. So the service is lent for
    /// `'static` and kept alive, by its `Arc`, beside the stream.
    pub async fn serve<M, S, E, F, Fut>(call: &Call<'_>, service: Arc<S>, start: F, error: fn(&E) -> Reply) -> Reply
    where
        M: RemoteMethod,
        Ok<M>: Send + 'static,
        S: Send + Sync + 'static,
        E: 'static,
        F: FnOnce(&'static S) -> Fut,
        Fut: Future<Output = Result<Items<Ok<M>, E>, E>>,
    {
        // SAFETY: the reference lives no longer than `service`: the setup
        // future is awaited here, while `service` is held, and the stream
        // is stored beside a clone of it, in a field dropped before the
        // clone. Implementations cannot keep it longer: their code is
        // checked for any lifetime of `&self`, not for `'static`.
        let lent: &'static S = unsafe { &*Arc::as_ptr(&service) };
        match start(lent).await {
            Err(e) => error(&e),
            Result::Ok(items) => {
                let items = Lent { items, _service: service }.map(move |item| match item {
                    Result::Ok(value) => Result::Ok(AsSerde(value)),
                    Err(e) => Err(into_error(error(&e))),
                });
                call.stream(items)
            }
        }
    }

    /// The error object of a failed reply.
    fn into_error(reply: Reply) -> ErrorObject {
        match reply.outcome {
            Outcome::Done(Err(error)) => error,
            _ => ErrorObject::internal("a stream item failed"),
        }
    }

    /// Items borrowing from the service they keep alive. Fields drop in
    /// order: the items first.
    struct Lent<T, E, S> {
        items: Items<T, E>,
        _service: Arc<S>,
    }

    impl<T, E, S> Stream for Lent<T, E, S> {
        type Item = Result<T, E>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            self.items.poll_next_unpin(cx)
        }
    }

    /// An item, serialized through [`Wire`].
    struct AsSerde<T>(T);

    impl<T: Wire> Serialize for AsSerde<T> {
        fn serialize<Z: Serializer>(&self, serializer: Z) -> Result<Z::Ok, Z::Error> {
            self.0.as_serde().serialize(serializer)
        }
    }
}

/// Boxes a call's future.
pub fn boxed<'a, F>(future: F) -> BoxFuture<'a, Reply>
where
    F: core::future::Future<Output = Reply> + Send + 'a,
{
    std::boxed::Box::pin(future)
}

/// A method's declared return type, probed for being a `Result` whatever it
/// is called: generated code calls `spelled_out((&&Probe::<T>::new()).kind())`
/// for every return type not written `Result<T, E>`, so an alias of
/// `Result` (which the macro cannot see through) is a compile error instead
/// of an `Err` travelling as a successful result.
pub struct Probe<T>(core::marker::PhantomData<T>);

impl<T> Probe<T> {
    #[allow(clippy::new_without_default)] // only generated code makes one
    pub const fn new() -> Self {
        Probe(core::marker::PhantomData)
    }
}

pub struct NotAResult;
pub struct AliasedResult;

pub trait ProbeResult {
    fn kind(&self) -> AliasedResult {
        AliasedResult
    }
}
impl<T, E> ProbeResult for &Probe<Result<T, E>> {}

pub trait ProbeOther {
    fn kind(&self) -> NotAResult {
        NotAResult
    }
}
impl<T> ProbeOther for Probe<T> {}

#[diagnostic::on_unimplemented(
    message = "this remote method returns a `Result` through an alias: write `Result<T, E>`",
    label = "spell out `Result<T, E>` here",
    note = "the macro recognises `Result<T, E>` by its spelling; through an alias an `Err` would travel as a \
            successful result instead of an application error"
)]
pub trait SpelledOut {}
impl SpelledOut for NotAResult {}

pub fn spelled_out<K: SpelledOut>(_: K) {}

/// Emits its input only with the `blocking` feature: generated code
/// cannot test remotipy's features itself (a `cfg` in it would read the
/// user's crate's features).
#[cfg(feature = "blocking")]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_blocking {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(feature = "blocking"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_blocking {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_blocking as if_blocking;

/// Emits its input only with the `openrpc` feature (see `if_blocking`).
#[cfg(feature = "openrpc")]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_openrpc {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(feature = "openrpc"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_openrpc {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_openrpc as if_openrpc;
