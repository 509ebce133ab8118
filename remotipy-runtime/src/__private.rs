//! What generated code reaches through; not a public API.
//!
//! Everything the macro's output names goes through here, by absolute path,
//! so it compiles without the user depending on serde, axum or reqwest, and
//! under `#![no_implicit_prelude]`. This module only re-exports and adapts:
//! nothing else in the crate imports it.

#[cfg(feature = "server")]
pub use ::axum;
pub use ::core;
pub use ::serde;
pub use ::std;

pub use crate::future::BoxFuture;
pub use crate::method::{ErrOf, ErrorType, Fallible, OkOf, RemoteMethod, Resumable, Wire, WireType, wire};
#[cfg(feature = "server")]
pub use crate::server::service::{Call, MethodInfo, Reply, RpcService};

/// What generated clients, batches and blocking clients call.
#[cfg(feature = "client")]
mod calls;
#[cfg(feature = "blocking")]
pub use calls::blocking;
#[cfg(feature = "client")]
pub use calls::{batch, client};

/// Compile-time checks of the trait as written, with messages of their own.
mod checks;
pub use checks::*;

/// What generated servers call: params decoding, replies, application
/// errors, streams.
#[cfg(feature = "server")]
mod serving;
#[cfg(feature = "server")]
pub use serving::*;

/// What generated `describe` impls call (feature `openrpc`).
#[cfg(all(feature = "openrpc", feature = "server"))]
pub mod openrpc;

/// Defines, for each feature condition, a macro that emits its input only
/// when the condition holds in remotipy (`{ .. } else { .. }` picks
/// between two inputs): generated code cannot test remotipy's features
/// itself, as a `cfg` in it would read the user's crate's features. `$d`
/// is a `$`, for the macros being defined.
macro_rules! gates {
    ($d:tt $($(#[$doc:meta])* $name:ident if ($($cfg:tt)*);)*) => {$(
        $(#[$doc])*
        #[cfg($($cfg)*)]
        #[macro_export]
        #[doc(hidden)]
        macro_rules! $name {
            ({$d($d then:tt)*} else {$d($d _otherwise:tt)*}) => { $d($d then)* };
            ($d($d then:tt)*) => { $d($d then)* };
        }
        $(#[$doc])*
        #[cfg(not($($cfg)*))]
        #[macro_export]
        #[doc(hidden)]
        macro_rules! $name {
            ({$d($d _then:tt)*} else {$d($d otherwise:tt)*}) => { $d($d otherwise)* };
            ($d($d _then:tt)*) => {};
        }
    )*};
}

// Named at the crate root (`#krate::__remotipy_if_client!`): a macro
// exported from a macro's expansion cannot be re-exported by path here.
gates! { $
    /// The generated clients and batches.
    __remotipy_if_client if (feature = "client");
    /// The generated servers.
    __remotipy_if_server if (feature = "server");
    /// Clients that call a server in this process: both sides.
    __remotipy_if_both if (all(feature = "client", feature = "server"));
    /// The blocking clients.
    __remotipy_if_blocking if (feature = "blocking");
    /// The OpenRPC description of a generated server.
    __remotipy_if_openrpc if (all(feature = "openrpc", feature = "server"));
}
