//! Compile-time checks of the trait as written, each failing with a message
//! that says what is wrong and how to fix it.

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

// Generated types whose remotipy feature is off: the trait's expansion
// names each as `<() as BlockingOff>::Type` (or `ClientOff`, `ServerOff`),
// which only a type with the feature has, so naming it, or calling a
// constructor of it, fails once with a message that says which feature to
// turn on, instead of "cannot find type" (and nothing after that).

/// What a generated type whose feature is off stands for.
pub struct Off<T>(core::marker::PhantomData<T>);

/// The constructors of the generated types, so that calling one reports
/// the missing feature only (through its type), not also a missing function.
impl<T> Off<T> {
    #[doc(hidden)]
    pub fn new<U>(_: U) -> Self {
        unreachable!("the feature is off, so this type cannot be named")
    }
    #[doc(hidden)]
    pub fn builder<U>(_: U) -> Self {
        unreachable!("the feature is off, so this type cannot be named")
    }
    #[doc(hidden)]
    pub fn in_process<U>(_: U) -> Self {
        unreachable!("the feature is off, so this type cannot be named")
    }
    #[doc(hidden)]
    pub fn from_arc<U>(_: U) -> Self {
        unreachable!("the feature is off, so this type cannot be named")
    }
}

/// `<Trait>BlockingClient` while remotipy's `blocking` feature is off.
pub trait BlockingOff {
    type Type;
}
impl<T: BlockingFeature> BlockingOff for T {
    type Type = Off<T>;
}

#[diagnostic::on_unimplemented(
    message = "a `<Trait>BlockingClient` needs remotipy's `blocking` feature, which is off",
    label = "needs remotipy's `blocking` feature",
    note = "turn it on where your crate depends on remotipy: \
            `remotipy = {{ version = \"0.1\", features = [\"blocking\"] }}`"
)]
pub trait BlockingFeature {}

/// `<Trait>Client` and `<Trait>Batch` while remotipy's `client` feature is off.
pub trait ClientOff {
    type Type;
}
impl<T: ClientFeature> ClientOff for T {
    type Type = Off<T>;
}

#[diagnostic::on_unimplemented(
    message = "a `<Trait>Client` or `<Trait>Batch` needs remotipy's `client` feature, which is off",
    label = "needs remotipy's `client` feature",
    note = "turn it on where your crate depends on remotipy: \
            `remotipy = {{ version = \"0.1\", features = [\"client\"] }}`"
)]
pub trait ClientFeature {}

/// `<Trait>Server` while remotipy's `server` feature is off.
pub trait ServerOff {
    type Type;
}
impl<T: ServerFeature> ServerOff for T {
    type Type = Off<T>;
}

#[diagnostic::on_unimplemented(
    message = "a `<Trait>Server` needs remotipy's `server` feature, which is off",
    label = "needs remotipy's `server` feature",
    note = "turn it on where your crate depends on remotipy: \
            `remotipy = {{ version = \"0.1\", features = [\"server\"] }}`"
)]
pub trait ServerFeature {}

/// The JSON Schema the `openrpc` feature needs of every remote type.
#[cfg(feature = "openrpc")]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no JSON Schema, which remotipy's `openrpc` feature needs of every remote type",
    label = "used as a remote argument, result or error here",
    note = "derive it on the type: `#[derive(schemars::JsonSchema)]`, or \
            `#[cfg_attr(feature = \"openrpc\", derive(schemars::JsonSchema))]` in a crate that forwards the \
            feature (`openrpc = [\"remotipy/openrpc\", \"dep:schemars\"]`)"
)]
pub trait Described: schemars::JsonSchema {}

#[cfg(feature = "openrpc")]
#[diagnostic::do_not_recommend]
impl<T: schemars::JsonSchema + ?Sized> Described for T {}
