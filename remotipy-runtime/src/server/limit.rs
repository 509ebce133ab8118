//! Bounds on calls in flight, per method and per service (trait), and load
//! shedding: a call past its bound is answered at once with `-32094`
//! (`protocol::code::OVERLOADED`), and when it came alone, HTTP 503 with
//! `Retry-After`, which clients take as "try another endpoint" for calls
//! that may run twice. A slow method saturated by its callers then holds
//! only its own share of the server, never the others' (tower's
//! `ConcurrencyLimit` + `LoadShed`, per method).
//!
//! A call holds its place until its reply is made, a stream's until the
//! stream ends. The bounds are counters, not queues: nothing waits.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use futures_util::StreamExt;
use http::StatusCode;

use super::middleware::RpcCall;
use super::service::{Outcome, Reply};
use crate::future::BoxFuture;
use crate::protocol::{ErrorObject, code};

/// Bounds on calls in flight: a tower layer for
/// [`ServerBuilder::layer`](super::ServerBuilder::layer).
///
/// ```
/// # #[remotipy::remote] pub trait Calculator { async fn add(&self, a: i64, b: i64) -> i64; }
/// # struct Calc; impl Calculator for Calc { async fn add(&self, a: i64, b: i64) -> i64 { a + b } }
/// use remotipy::server::ConcurrencyLimits;
///
/// let server = remotipy::Server::builder()
///     .service(CalculatorServer::new(Calc))
///     .layer(ConcurrencyLimits::new().method("add", 64).service("Calculator", 256))
///     .build()?;
/// # Ok::<(), remotipy::server::BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ConcurrencyLimits {
    methods: HashMap<String, usize>,
    services: HashMap<String, usize>,
    retry_after: u32,
}

impl Default for ConcurrencyLimits {
    fn default() -> Self {
        ConcurrencyLimits { methods: HashMap::new(), services: HashMap::new(), retry_after: 1 }
    }
}

impl ConcurrencyLimits {
    /// No bounds yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// At most `max_in_flight` calls of method `name` (its wire name) at once.
    pub fn method(mut self, name: impl Into<String>, max_in_flight: usize) -> Self {
        self.methods.insert(name.into(), max_in_flight);
        self
    }

    /// At most `max_in_flight` calls of the methods of trait `name` at once,
    /// together.
    pub fn service(mut self, name: impl Into<String>, max_in_flight: usize) -> Self {
        self.services.insert(name.into(), max_in_flight);
        self
    }

    /// The `Retry-After` sent with a shed call, in seconds (default 1).
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = seconds;
        self
    }
}

impl<S> tower::Layer<S> for ConcurrencyLimits {
    type Service = Limited<S>;

    fn layer(&self, inner: S) -> Limited<S> {
        let bound = |(name, max): (&String, &usize)| (name.clone(), Arc::new(Bound::new(*max)));
        let bounds = Bounds {
            methods: self.methods.iter().map(bound).collect(),
            services: self.services.iter().map(bound).collect(),
            retry_after: self.retry_after,
        };
        Limited { inner, bounds: Arc::new(bounds) }
    }
}

/// The service [`ConcurrencyLimits`] makes.
#[derive(Clone)]
pub struct Limited<S> {
    inner: S,
    bounds: Arc<Bounds>,
}

struct Bounds {
    methods: HashMap<String, Arc<Bound>>,
    services: HashMap<String, Arc<Bound>>,
    retry_after: u32,
}

/// One bound: its calls in flight, at most `max`.
struct Bound {
    in_flight: AtomicUsize,
    max: usize,
}

impl Bound {
    fn new(max: usize) -> Self {
        Bound { in_flight: AtomicUsize::new(0), max }
    }

    /// A place, if one is free.
    fn enter(self: &Arc<Self>) -> Option<Place> {
        let taken =
            self.in_flight.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < self.max).then_some(n + 1));
        taken.ok().map(|_| Place(Arc::clone(self)))
    }
}

/// A call's place under a bound, given back when dropped.
struct Place(Arc<Bound>);

impl Drop for Place {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Bounds {
    /// The places `call` takes (its method's, its service's), or the error
    /// that sheds it.
    fn enter(&self, call: &RpcCall) -> Result<Vec<Place>, Reply> {
        let method = call.method();
        let service = call.info().map(|info| info.trait_name);
        let bounds = (self.methods.get(method).map(|b| (b, format!("`{method}`"))).into_iter())
            .chain(service.and_then(|s| self.services.get(s).map(|b| (b, format!("the methods of `{s}`")))));
        let mut places = Vec::new();
        for (bound, what) in bounds {
            match bound.enter() {
                Some(place) => places.push(place),
                None => {
                    let message = format!("overloaded: {what} already run {} calls, the most allowed", bound.max);
                    let reply = Reply::error(ErrorObject::new(code::OVERLOADED, message));
                    return Err(reply.with_status(StatusCode::SERVICE_UNAVAILABLE, Some(self.retry_after)));
                }
            }
        }
        Ok(places)
    }
}

impl<S> tower::Service<RpcCall> for Limited<S>
where
    S: tower::Service<RpcCall, Response = Reply, Error = Infallible>,
    S::Future: Send + 'static,
{
    type Response = Reply;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Reply, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, call: RpcCall) -> Self::Future {
        let places = match self.bounds.enter(&call) {
            Ok(places) => places,
            Err(shed) => return Box::pin(std::future::ready(Ok(shed))),
        };
        let reply = self.inner.call(call);
        Box::pin(async move {
            let mut reply = reply.await?;
            if !places.is_empty() {
                // A stream holds its places until it ends (or is dropped).
                if let Outcome::Stream(items) = reply.outcome {
                    reply.outcome = Outcome::Stream(Box::pin(items.map(move |item| {
                        let _held = &places;
                        item
                    })));
                }
            }
            Ok(reply)
        })
    }
}
