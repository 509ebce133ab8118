//! What generated code reaches through; not a public API.
//!
//! Everything the macro's output names goes through here, by absolute path,
//! so it compiles without the user depending on serde, axum or reqwest, and
//! under `#![no_implicit_prelude]`.

#[cfg(feature = "server")]
pub use ::axum;
pub use ::core;
pub use ::serde;
pub use ::std;

#[cfg(feature = "blocking")]
pub use crate::blocking::BlockingClient;
pub use crate::future::BoxFuture;
#[cfg(feature = "server")]
pub use crate::server::service::{Call, MethodInfo, Reply, RpcService};

/// What generated servers call: params decoding, replies, application
/// errors, streams.
#[cfg(feature = "server")]
mod serving;
#[cfg(feature = "server")]
pub use serving::*;

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

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

/// Emits its input only with the `openrpc` feature on a server (see
/// `if_blocking`).
#[cfg(all(feature = "openrpc", feature = "server"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_openrpc {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(all(feature = "openrpc", feature = "server")))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_openrpc {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_openrpc as if_openrpc;

/// Emits its input only with the `client` feature (see `if_blocking`):
/// the generated clients and batches.
#[cfg(feature = "client")]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_client {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(feature = "client"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_client {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_client as if_client;

/// Emits its input only with the `server` feature (see `if_blocking`): the
/// generated servers.
#[cfg(feature = "server")]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_server {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(feature = "server"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_server {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_server as if_server;

/// Emits its input only with both sides (see `if_blocking`): clients that
/// call a server in this process.
#[cfg(all(feature = "client", feature = "server"))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_both {
    ($($item:tt)*) => { $($item)* };
}
#[cfg(not(all(feature = "client", feature = "server")))]
#[macro_export]
#[doc(hidden)]
macro_rules! __remotipy_if_both {
    ($($item:tt)*) => {};
}
pub use crate::__remotipy_if_both as if_both;
