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
    /// The Rust name (also the client method's name), raw if written so.
    pub ident: Ident,
    /// The name on the wire.
    pub wire_name: String,
    /// Where the wire name was chosen (the `name = ".."` literal, or the ident).
    pub wire_span: Span,
    /// The method's own attributes that its generated items carry too.
    pub attrs: Forwarded,
    pub args: Vec<Arg>,
    pub output: Output,
    /// `#[remote(notification)]`: sent without an id; no reply awaited.
    pub notification: bool,
    /// `#[remote(idempotent)]`: running it twice is harmless.
    pub idempotent: bool,
    /// `#[remote(read_only)]`: it changes nothing.
    pub read_only: bool,
    /// `#[remote(mcp(..))]`: how it shows as an MCP tool.
    pub mcp: McpHints,
}

/// What `#[remote(mcp(..))]` says of a method as an MCP tool.
#[derive(Default)]
pub struct McpHints {
    /// Not a tool at all.
    pub skip: bool,
    pub title: Option<String>,
    pub destructive: Option<bool>,
    pub open_world: Option<bool>,
}

impl McpHints {
    /// Whether anything was said.
    pub fn is_empty(&self) -> bool {
        !self.skip && self.title.is_none() && self.destructive.is_none() && self.open_world.is_none()
    }
}

/// A method's attributes, by where they go.
#[derive(Default)]
pub struct Forwarded {
    /// `#[doc]`: on every generated method.
    pub docs: Vec<Attribute>,
    /// `#[cfg]`: on every generated item of the method, so a compiled-out
    /// method is compiled out everywhere.
    pub cfgs: Vec<Attribute>,
    /// `#[cfg_attr]` and `#[deprecated]`: on the generated client methods,
    /// which callers use.
    pub callers: Vec<Attribute>,
}

/// One argument: a plain identifier and an owned type.
pub struct Arg {
    pub ident: Ident,
    /// The name on the wire (the identifier without `r#`).
    pub wire_name: String,
    pub ty: Type,
    /// `T` of an `Option<T>` argument: it may be omitted on the wire, and is,
    /// when `None`.
    pub optional: Option<Type>,
}

/// What a method returns.
#[allow(clippy::large_enum_variant)] // one per method, at compile time
pub enum Output {
    /// `-> T` (or nothing: `()`); `written` when the signature wrote a type.
    Value { ty: Type, written: bool },
    /// `-> Result<T, E>`: `E` travels as an application error.
    Fallible { ok: Type, err: Type, err_name: String },
    /// `-> impl Stream<Item = T>`, `-> impl Stream<Item = Result<T, E>>`,
    /// `-> Result<impl Stream<Item = T>, E>` or
    /// `-> Result<impl Stream<Item = Result<T, E>>, E>`: items of type `T`;
    /// the setup, the items or both may fail with `E`. With items
    /// `Tracked<T>` or `Tracked<T, I>` (`T` still the item), `tracked` is
    /// the id type `I` (`u64` unless given): the stream resumes.
    Stream {
        item: Type,
        err: Option<(Type, String)>,
        setup_fallible: bool,
        items_fallible: bool,
        tracked: Option<Type>,
    },
}

impl Method {
    /// The types that cross the wire as themselves, in the order written:
    /// arguments (but for `Option<T>` ones, whose `T` does), then the result.
    pub fn wire_types(&self) -> impl Iterator<Item = &Type> {
        let args = self.args.iter().map(Arg::wire_type);
        args.chain([self.output.ok_type()])
    }

    /// The application error type, for a method declared `-> Result<T, E>`.
    pub fn error_type(&self) -> Option<&Type> {
        self.output.error()
    }
}

impl Arg {
    /// The type that crosses the wire: `T` for an `Option<T>` argument
    /// (which is left out when `None`), else the argument's own.
    pub fn wire_type(&self) -> &Type {
        self.optional.as_ref().unwrap_or(&self.ty)
    }
}

impl Output {
    /// The type of a successful call's result (of each item, for a stream).
    pub fn ok_type(&self) -> &Type {
        match self {
            Output::Value { ty, .. } | Output::Fallible { ok: ty, .. } | Output::Stream { item: ty, .. } => ty,
        }
    }

    /// The application error type and its name on the wire, if any.
    pub fn error_and_name(&self) -> Option<(&Type, &str)> {
        match self {
            Output::Fallible { err, err_name, .. } | Output::Stream { err: Some((err, err_name)), .. } => {
                Some((err, err_name))
            }
            _ => None,
        }
    }

    /// The id type of a resumable stream's items (`Tracked<T, I>`), if
    /// this is one.
    pub fn tracked(&self) -> Option<&Type> {
        match self {
            Output::Stream { tracked, .. } => tracked.as_ref(),
            _ => None,
        }
    }

    /// The application error type, if any.
    pub fn error(&self) -> Option<&Type> {
        self.error_and_name().map(|(err, _)| err)
    }
}
