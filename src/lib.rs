//! One shared trait becomes a typed remote API over HTTP.
//!
//! Put [`#[remotipy::remote]`](remote) on a trait in a crate both sides depend on. The client
//! and the server are generated from it, so they cannot disagree on a signature: that is a
//! compile error, not a runtime `MethodNotFound`. They speak standard JSON-RPC 2.0 over HTTP
//! POST, so any JSON-RPC client can call the server and the client can call any JSON-RPC server.
//!
//! ```
//! use serde::{Deserialize, Serialize};
//!
//! # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
//! #[derive(Debug, Clone, Serialize, Deserialize)]
//! pub struct UserInfo { pub first_name: String, pub email: String }
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
//! }
//!
//! // The server side implements the trait (with `async fn`) and serves it:
//! struct Directory;
//! impl Users for Directory {
//!     async fn find(&self, id: u64) -> Result<UserInfo, UserError> {
//!         Err(UserError::NotFound(id))
//!     }
//! }
//! let app: axum::Router = axum::Router::new().route("/rpc", UsersServer::new(Directory).into_route());
//!
//! // The client side calls it (here in-process; `UsersClient::new("http://host/rpc")` over HTTP):
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let users = UsersClient::in_process(UsersServer::new(Directory).into_server());
//! match users.find(7).await {
//!     Err(remotipy::Error::App(UserError::NotFound(id))) => assert_eq!(id, 7),
//!     other => panic!("{other:?}"),
//! }
//! # }
//! ```
//!
//! What you touch is at the root: the attribute, [`Client`] and [`ClientBuilder`] (what the
//! generated clients wrap), [`CallOptions`], [`Server`] and [`ServerBuilder`] (one endpoint for
//! one or several traits), [`Error`], [`Codec`], [`Context`] (the HTTP request behind a call),
//! [`ErrorCode`]. The rest is one level down: [`transport`], [`batch`], [`service`] (writing a
//! service by hand), [`protocol`] (codes and error objects), [`client`] and [`server`] (their
//! build errors and defaults), and `blocking` and `openrpc` with their features.
//!
//! The features `client` and `server` (both default) choose the sides compiled: a crate with
//! only `client` compiles no axum, one with only `server` no reqwest, and the generated code
//! follows, so the shared crate needs no features of its own. The client also builds for
//! `wasm32-unknown-unknown`, over the browser's `fetch` (`docs/browser.md`).
//!
//! The README is the guide; `docs/` in the repository has the reference (wire protocol,
//! errors and limits, performance).

/// Turns a trait into a typed remote API: a client, a batch, a server and (feature
/// `blocking`) a blocking client.
///
/// ```
/// # #[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
/// # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
/// # #[error("bad")] pub struct GeoError;
/// /// Places.
/// #[remotipy::remote]
/// pub trait Geo {
///     /// The distance between two places, in metres.
///     async fn distance(&self, from: String, to: String) -> Result<f64, GeoError>;
/// }
/// ```
///
/// generates, beside the trait:
///
/// - the trait itself, each method returning `impl RemoteFuture<Output = T> + Send` so the
///   server runs calls on a multi-threaded runtime; implementations write `async fn`;
/// - `GeoClient` (feature `client`): `GeoClient::new(url)?.distance(a, b).await` returns
///   `Result<f64, remotipy::Error<GeoError>>`, flat, with the server's error in
///   [`Error::App`]; `GeoClient::builder(url)` configures it ([`ClientBuilder`]);
///   `GeoClient::in_process(server)` calls a server without a socket (both features);
/// - `GeoBatch` (`client.batch()`): the same methods queued into one JSON-RPC batch;
/// - `GeoServer<S: Geo>` (feature `server`): `into_route()` / `into_router()` for axum, `into_server()` for a
///   [`Server`];
/// - with feature `blocking`, `GeoBlockingClient`: the calls without `.await`.
///
/// Methods are `async fn name(&self, args..) -> T` or `-> Result<T, E>`. Arguments and
/// results are owned serde types; `E` implements `Display` too (its message is what callers
/// see), and `Result` is recognised by its spelling: an alias of it is refused. The
/// method's docs, `#[cfg]`, `#[cfg_attr]` and `#[deprecated]` reach every generated item for
/// it, and raw identifiers (`r#type`) are plain names on the wire. Each mistake is one
/// spanned error, all reported at once.
///
/// # Options on the trait
///
/// - `#[remotipy::remote(namespace = "geo")]` prefixes every wire name: `geo.distance`.
/// - `#[remotipy::remote(crate = "::my_remotipy")]` names this crate when the dependency is
///   renamed.
///
/// ```
/// #[remotipy::remote(namespace = "geo", crate = "::remotipy")]
/// pub trait Geo {
///     async fn ping(&self) -> u8; // called as "geo.ping"
/// }
/// ```
///
/// # Options on a method
///
/// - `#[remote(name = "distanceBetween")]`: its name on the wire (the Rust name by default;
///   also the way to keep a wire name that clashes with the client's own methods, such as
///   `clone` or `new`).
/// - `#[remote(notification)]`: sent without an id; no reply is awaited (it must return `()`).
/// - `#[remote(idempotent)]`: running it twice is harmless, so the client may retry it.
/// - `#[remote(read_only)]`: it changes nothing (`MethodInfo::read_only`,
///   OpenRPC `x-remotipy-read-only`, MCP `readOnlyHint`); not for a notification.
/// - `#[remote(mcp(..))]` (read by `Server::mcp`, feature `mcp`): `mcp(skip)` leaves the
///   method out of the MCP tools; `mcp(title = "..", destructive = bool, open_world = bool)`
///   give the tool's title and MCP's `destructiveHint` and `openWorldHint` (see docs/mcp.md).
///
/// Options may be combined in one attribute or split over several; each is given once.
///
/// ```
/// #[remotipy::remote]
/// pub trait Log {
///     #[remote(name = "log.write", notification)]
///     async fn write(&self, line: String);
///     #[remote(idempotent)]
///     async fn count(&self) -> u64;
/// }
/// ```
pub use remotipy_macros::remote;
pub use remotipy_runtime::*;
