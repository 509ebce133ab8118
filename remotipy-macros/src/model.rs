//! What the macro understood of the trait: the validated input of code
//! generation.

use proc_macro2::Span;
use syn::{Attribute, Ident, ItemTrait, Path, Type};

/// A `#[remote]` trait.
pub struct RemoteTrait {
    /// The trait as written, minus remotipy's own attributes; emitted with
    /// its methods rewritten to return `Send` futures.
    pub item: ItemTrait,
    /// Path to the remotipy crate (`::remotipy`, or `#[remote(crate = ..)]`).
    pub krate: Path,
    /// Methods that can cross the wire; invalid ones are left out of the
    /// generated client and server (and reported).
    pub methods: Vec<Method>,
}

/// One remote method.
pub struct Method {
    /// The Rust name (also the client method's name).
    pub ident: Ident,
    /// The name on the wire.
    pub wire_name: String,
    /// Where the wire name was chosen (the `name = ".."` literal, or the ident).
    pub wire_span: Span,
    /// Doc comments and other attributes to copy onto the client method.
    pub docs: Vec<Attribute>,
    pub args: Vec<Arg>,
    pub output: Output,
    /// `#[remote(notification)]`: sent without an id; no reply awaited.
    pub notification: bool,
}

/// One argument: a plain identifier and an owned type.
pub struct Arg {
    pub ident: Ident,
    pub ty: Type,
    /// `T` of an `Option<T>` argument: it may be omitted on the wire, and is,
    /// when `None`.
    pub optional: Option<Type>,
}

/// What a method returns.
#[allow(clippy::large_enum_variant)] // one per method, at compile time
pub enum Output {
    /// `-> T` (or nothing: `()`).
    Value(Type),
    /// `-> Result<T, E>`: `E` travels as an application error.
    Fallible { ok: Type, err: Type, err_name: String },
}

impl RemoteTrait {
    /// Every type that crosses the wire as an argument or a result.
    pub fn wire_types(&self) -> impl Iterator<Item = &Type> {
        self.methods.iter().flat_map(|m| m.args.iter().map(|a| &a.ty).chain([m.output.ok_type()]))
    }

    /// Every application error type.
    pub fn error_types(&self) -> impl Iterator<Item = &Type> {
        self.methods.iter().filter_map(|m| match &m.output {
            Output::Fallible { err, .. } => Some(err),
            Output::Value(_) => None,
        })
    }
}

impl Output {
    /// The type of a successful call's result.
    pub fn ok_type(&self) -> &Type {
        match self {
            Output::Value(ty) | Output::Fallible { ok: ty, .. } => ty,
        }
    }
}
