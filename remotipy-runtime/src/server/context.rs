//! What a handler may know about the HTTP request that carried its call,
//! without the shared trait (and so the client) having to mention it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use http::request::Parts;
use http::{Extensions, HeaderMap, Uri};
use tokio::time::Instant;

tokio::task_local! {
    static CURRENT: Context;
}

/// The HTTP request behind the current call: headers, the extensions tower
/// layers put there (an authenticated user, say), and the peer address.
///
/// The runtime sets it around every dispatch; a handler reads it with
/// [`Context::current`]. It is per HTTP request, so all calls of one batch
/// see the same context. It is task-local: a task the handler spawns does not
/// inherit it (clone it in first).
///
/// ```
/// # struct User(String);
/// async fn whoami() -> String {
///     let ctx = remotipy::Context::current().expect("called by the remotipy dispatcher");
///     ctx.headers().get("x-user").and_then(|v| v.to_str().ok()).unwrap_or("anonymous").to_owned()
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Context {
    parts: Arc<Parts>,
    deadline: Option<Instant>,
}

impl Context {
    /// The context of a request, its deadline read from the caller's
    /// `Remotipy-Timeout-Ms`.
    pub(crate) fn new(parts: Parts) -> Self {
        let deadline = parts
            .headers
            .get(crate::protocol::TIMEOUT_HEADER)
            .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok())
            // A wait too long for the clock to represent is no deadline.
            .and_then(|millis| Instant::now().checked_add(Duration::from_millis(millis)));
        Context { parts: Arc::new(parts), deadline }
    }

    /// When the caller stops waiting for this call, if it said
    /// (`Remotipy-Timeout-Ms`): the server stops the call then, and calls
    /// the handler makes through a generated client inherit what is left.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// The context of the call being handled, or `None` outside a remotipy
    /// handler (or in a task the handler spawned).
    pub fn current() -> Option<Context> {
        CURRENT.try_with(Context::clone).ok()
    }

    /// The HTTP request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.parts.headers
    }

    /// The request extensions: whatever tower layers inserted.
    pub fn extensions(&self) -> &Extensions {
        &self.parts.extensions
    }

    /// One extension by type, e.g. the user an auth layer resolved.
    pub fn extension<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.parts.extensions.get::<T>()
    }

    /// The peer's socket address, when the app is served with
    /// `into_make_service_with_connect_info::<SocketAddr>()`.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.extension::<ConnectInfo<SocketAddr>>().map(|info| info.0)
    }

    /// The `Last-Event-ID` a reconnecting caller sent: the id of the last
    /// item of a resumable stream it received (see
    /// [`stream::resume_after`](crate::stream::resume_after) for it parsed).
    pub fn last_event_id(&self) -> Option<&str> {
        self.parts.headers.get(crate::protocol::LAST_EVENT_ID).and_then(|v| v.to_str().ok())
    }

    /// The request URI (the endpoint's path as the server saw it).
    pub fn uri(&self) -> &Uri {
        &self.parts.uri
    }

    /// This context without a deadline: what a stream's items are produced
    /// in once it has opened (its caller's deadline bounds the opening only).
    pub(crate) fn without_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// Runs `future` with this context, and its deadline, as the current ones.
    pub(crate) async fn scope<F: Future>(self, future: F) -> F::Output {
        let deadline = self.deadline;
        crate::deadline::scope(deadline, CURRENT.scope(self, future)).await
    }

    /// Runs `f` with this context, and its deadline, as the current ones (a
    /// stream's poll).
    pub(crate) fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        let deadline = self.deadline;
        crate::deadline::sync_scope(deadline, || CURRENT.sync_scope(self, f))
    }
}
