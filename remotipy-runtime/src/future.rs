//! The boxed future both sides hand around: a transport's exchange, a
//! service's call.

use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The future of a remote method's implementation: any `Future`. The
/// methods of a `#[remote]` trait return `impl RemoteFuture<Output = T> +
/// Send`, and implementations write `async fn`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a future: implement the methods of a `#[remotipy::remote]` trait with `async fn`",
    label = "write `async fn` for this method"
)]
pub trait RemoteFuture: Future {}

impl<F: Future> RemoteFuture for F {}
