//! One shared trait becomes a typed remote API over HTTP.
//!
//! Put `#[remotipy::remote]` on a trait in a crate both sides depend on:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
//! #[derive(Debug, Clone, Serialize, Deserialize)]
//! pub struct UserInfo { pub first_name: String, pub last_name: String, pub email: String }
//!
//! # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
//! #[derive(Debug, Clone, Serialize, Deserialize, thiserror::Error)]
//! pub enum UserError { #[error("no user with id {0}")] NotFound(u64) }
//!
//! /// The user directory.
//! #[remotipy::remote]
//! pub trait Users {
//!     /// Finds a user by id.
//!     async fn find(&self, id: u64) -> Result<UserInfo, UserError>;
//!     /// Records an audit line; no reply is awaited.
//!     #[remote(notification)]
//!     async fn audit(&self, line: String);
//! }
//! ```
//!
//! The attribute generates, beside the trait (whose methods now return
//! `impl Future + Send`; implementors still write `async fn`):
//!
//! - `UsersServer<S: Users>`: `UsersServer::new(imp).into_route()` is an axum
//!   route answering JSON-RPC 2.0 (`Router::new().route("/rpc", ..)`;
//!   `into_router()` gives a router answering at `/` to `nest`); several
//!   traits share one endpoint through [`Server::builder`];
//! - `UsersClient`: `UsersClient::new("http://host/rpc")?.find(7).await` returns
//!   `Result<UserInfo, remotipy::Error<UserError>>`, flat, with the server's
//!   typed error in [`Error::App`]; over reqwest (default), hyper (feature
//!   `hyper`, `ClientBuilder::hyper`) or in-process
//!   (`UsersClient::in_process(server_or_router)`);
//! - `UsersBatch`: `users.batch()` queues calls and sends them as one JSON-RPC
//!   batch, each answer read back typed from the [`Replies`];
//! - with feature `blocking`, `UsersBlockingClient`: the same calls without
//!   `.await`, on `reqwest::blocking`.
//!
//! Client and server are generated from the same trait, so they cannot
//! disagree on a signature: that is a compile error, not a runtime
//! `MethodNotFound`.
//!
//! # Options
//!
//! - on the trait: `#[remotipy::remote(namespace = "users")]` prefixes every wire
//!   name (`users.find`); `#[remotipy::remote(crate = "::my_remotipy")]` names the
//!   crate when you renamed the dependency;
//! - on a method: `#[remote(name = "findUser")]` renames it on the wire;
//!   `#[remote(notification)]` sends it without an id (it must return `()`).
//!
//! # Features
//!
//! `rustls` (HTTPS for reqwest), `hyper` (the hyper transport), `blocking`
//! (the blocking clients), `openrpc` (every server answers `rpc.discover`
//! with an OpenRPC document; wire types must implement `schemars::JsonSchema`),
//! `msgpack` (MessagePack bodies, [`Codec::MsgPack`]: same envelope,
//! negotiated by `Content-Type`, answered in kind).
//!
//! See the README for the guide, the wire protocol and the error codes.

pub use remotipy_macros::remote;
pub use remotipy_runtime::*;

/// What generated code reaches through; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use remotipy_runtime::__private::*;
}
