//! The vocabulary in which generated code describes a remote method to the
//! runtime, shared by the client and the server: what crosses the wire
//! ([`Wire`], through one [`WireType`] marker per type), a method's wire
//! name, params and result ([`RemoteMethod`]), and its application error
//! ([`Fallible`]). Generated code names it through `__private`; nothing here
//! is a public API.

use std::fmt::Display;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

/// What a remote argument or result is: serde-compatible both ways. Every
/// `Encode` + `Decode` type is one. Generated code requires those two
/// directly, each with its own message, so a type lacking one of serde's
/// traits is told which, at the type, whatever crates are in the build;
/// the runtime reads and writes values through them.
pub trait Wire: Encode + Decode {}

impl<T: Encode + Decode> Wire for T {}

/// A type that can be sent: serde's `Serialize`, with a message that says
/// so. (Not a supertrait of it: rustc would report serde's own message.)
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross the wire: it does not implement serde's `Serialize`",
    label = "used as a remote argument or result here",
    note = "derive it on the type: `#[derive(serde::Serialize)]` (beside `serde::Deserialize`: values cross both ways)"
)]
pub trait Encode {
    /// `Self`, as serde sees it.
    type Ser: Serialize + ?Sized;
    /// `self`, to encode.
    fn ser(&self) -> &Self::Ser;
}

#[diagnostic::do_not_recommend]
impl<T: Serialize> Encode for T {
    type Ser = T;
    fn ser(&self) -> &T {
        self
    }
}

/// A type that can be received: serde's `Deserialize` (owned), with a
/// message that says so.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot cross the wire: it does not implement serde's `Deserialize`",
    label = "used as a remote argument or result here",
    note = "derive it on the type: `#[derive(serde::Deserialize)]` (beside `serde::Serialize`: values cross \
            both ways); a remote value is decoded into an owned value, so it cannot borrow"
)]
pub trait Decode: Sized {
    /// `Self`, as serde sees it.
    type De: DeserializeOwned;
    /// A decoded value.
    fn from_de(value: Self::De) -> Self;
}

#[diagnostic::do_not_recommend]
impl<T: DeserializeOwned> Decode for T {
    type De = T;
    fn from_de(value: T) -> T {
        value
    }
}

/// One type that crosses the wire (an argument or a result), named by a
/// marker the macro generates once per type. Everything generated reaches
/// the type through its marker, so what the type lacks is checked in one
/// place, the marker's impl, and reported once, at the type's first use.
pub trait WireType: 'static {
    /// The type.
    type T: Encode + Decode;
}

/// One application error type (see [`WireType`]): it crosses the wire, and
/// its `Display` is the message remote callers see.
pub trait ErrorType: 'static {
    /// The type.
    type T: Encode + Decode + Display;
}

/// The result type of method `M`.
pub type OkOf<M> = <<M as RemoteMethod>::Ok as WireType>::T;
/// The application error type of method `M`.
pub type ErrOf<M> = <<M as Fallible>::Err as ErrorType>::T;

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
    /// A stream of `Tracked` items: the client resumes it after a break.
    const RESUMABLE: bool = false;
}

/// A streaming method whose items are `Tracked<T, Id>`: it resumes after
/// an id (the only bound on `Id` is checked here, so a wrong id type is
/// one error, at the type).
pub trait Resumable: RemoteMethod {
    /// The id of each item.
    type Id: crate::tracked::EventId;
}

/// A method declared `-> Result<T, E>`: `E` travels as an application error.
pub trait Fallible: RemoteMethod {
    /// The application error.
    type Err: ErrorType;
    /// The error's name as remote callers see it (`data.type`): the last
    /// path segment of the type as written, like a Python class name.
    const ERR_NAME: &'static str;
}

/// Field helpers for the params structs, through each argument type's
/// [`WireType`] marker (see there).
pub mod wire {
    use super::*;

    /// An argument, to encode.
    pub fn serde_of<A: WireType>(value: &A::T) -> impl Serialize + '_ {
        value.ser()
    }

    /// Decodes an argument.
    pub fn deserialize<'de, A: WireType, D: Deserializer<'de>>(d: D) -> Result<A::T, D::Error> {
        <A::T as Decode>::De::deserialize(d).map(Decode::from_de)
    }

    /// Decodes an `Option` argument (absent when `None`).
    pub fn deserialize_option<'de, A: WireType, D: Deserializer<'de>>(d: D) -> Result<Option<A::T>, D::Error> {
        Option::<<A::T as Decode>::De>::deserialize(d).map(|v| v.map(Decode::from_de))
    }
}
