//! The server's metrics (feature `metrics`), as an RPC-level layer: the
//! OpenTelemetry RPC semantic conventions' `rpc.server.call.duration` (a
//! histogram, in seconds, for every call, each of a batch too, with
//! `rpc.system.name`, `rpc.method`, and on failure `rpc.status_code` and
//! `error.type`), plus `remotipy.server.active_calls` and
//! `remotipy.server.open_streams` (up-down counters; the conventions have
//! none for these). A stream's duration runs until it ends, its status is
//! how it ended.

use std::collections::HashMap;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Instant;

use futures_util::StreamExt as _;
use opentelemetry::metrics::{AsyncInstrument, Histogram, Meter, ObservableUpDownCounter};

use super::middleware::RpcCall;
use super::service::{Items, Outcome, Reply};
use crate::future::BoxFuture;
use crate::instruments;

/// The server's metrics, a tower layer for
/// [`ServerBuilder::layer`](super::ServerBuilder::layer). Make it after the
/// application has installed its meter provider (or give it a meter).
///
/// ```
/// # #[remotipy::remote] pub trait Calculator { async fn add(&self, a: i64, b: i64) -> i64; }
/// # struct Calc; impl Calculator for Calc { async fn add(&self, a: i64, b: i64) -> i64 { a + b } }
/// let server = remotipy::Server::builder()
///     .service(CalculatorServer::new(Calc))
///     .layer(remotipy::server::Metrics::new())
///     .build()?;
/// # Ok::<(), remotipy::server::BuildError>(())
/// ```
#[derive(Clone)]
pub struct Metrics {
    instruments: Arc<Instruments>,
}

struct Instruments {
    duration: Histogram<f64>,
    /// Calls in flight and open streams, per method: plain counters, read
    /// by the observable instruments when the metrics are collected, so
    /// that a call pays for one record (its duration), not three.
    gauges: Arc<Gauges>,
    _active: ObservableUpDownCounter<i64>,
    _streams: ObservableUpDownCounter<i64>,
}

#[derive(Default)]
struct Gauges {
    methods: RwLock<HashMap<&'static str, Arc<Counts>>>,
}

#[derive(Default)]
struct Counts {
    active: AtomicI64,
    streams: AtomicI64,
}

impl Gauges {
    /// The counts of `method`, made on its first call.
    fn of(&self, method: &'static str) -> Arc<Counts> {
        if let Some(counts) = self.methods.read().unwrap_or_else(|e| e.into_inner()).get(method) {
            return Arc::clone(counts);
        }
        let mut methods = self.methods.write().unwrap_or_else(|e| e.into_inner());
        Arc::clone(methods.entry(method).or_default())
    }

    /// Reports each method's count, as `count` reads it.
    fn observe(&self, observer: &dyn AsyncInstrument<i64>, count: fn(&Counts) -> &AtomicI64) {
        for (method, counts) in self.methods.read().unwrap_or_else(|e| e.into_inner()).iter() {
            observer.observe(count(counts).load(Ordering::Relaxed), &instruments::call(method));
        }
    }
}

impl Metrics {
    /// Records through the global meter provider.
    pub fn new() -> Self {
        Self::with_meter(&instruments::meter())
    }

    /// Records through `meter`.
    pub fn with_meter(meter: &Meter) -> Self {
        let gauges = Arc::new(Gauges::default());
        let observe = |count: fn(&Counts) -> &AtomicI64| {
            let gauges = Arc::clone(&gauges);
            move |observer: &dyn AsyncInstrument<i64>| gauges.observe(observer, count)
        };
        let instruments = Instruments {
            duration: meter
                .f64_histogram("rpc.server.call.duration")
                .with_unit("s")
                .with_description("The duration of the calls this server ran")
                .with_boundaries(instruments::BUCKETS.to_vec())
                .build(),
            _active: meter
                .i64_observable_up_down_counter("remotipy.server.active_calls")
                .with_unit("{call}")
                .with_description("The calls this server is running")
                .with_callback(observe(|counts| &counts.active))
                .build(),
            _streams: meter
                .i64_observable_up_down_counter("remotipy.server.open_streams")
                .with_unit("{stream}")
                .with_description("The streams this server has open")
                .with_callback(observe(|counts| &counts.streams))
                .build(),
            gauges,
        };
        Metrics { instruments: Arc::new(instruments) }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl<S> tower::Layer<S> for Metrics {
    type Service = Metered<S>;

    fn layer(&self, inner: S) -> Metered<S> {
        Metered { inner, instruments: Arc::clone(&self.instruments) }
    }
}

/// The service [`Metrics`] makes.
#[derive(Clone)]
pub struct Metered<S> {
    inner: S,
    instruments: Arc<Instruments>,
}

impl<S> tower::Service<RpcCall> for Metered<S>
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
        let method = call.info().map_or("_OTHER", |info| info.name);
        let running = Running::start(Arc::clone(&self.instruments), method);
        let reply = self.inner.call(call);
        Box::pin(async move {
            let mut reply = reply.await?;
            match reply.outcome {
                Outcome::Stream(items) => {
                    running.counts.streams.fetch_add(1, Ordering::Relaxed);
                    reply.outcome = Outcome::Stream(Box::pin(OpenStream { items, running, ended: None }));
                }
                Outcome::Done(ref outcome) => running.done(outcome.as_ref().err().map(|e| e.code)),
            }
            Ok(reply)
        })
    }
}

/// A call running: counted active until it is done or dropped (stopped at
/// its deadline, say), and then recorded.
struct Running {
    instruments: Arc<Instruments>,
    counts: Arc<Counts>,
    method: &'static str,
    started: Instant,
    recorded: bool,
}

impl Running {
    fn start(instruments: Arc<Instruments>, method: &'static str) -> Self {
        let counts = instruments.gauges.of(method);
        counts.active.fetch_add(1, Ordering::Relaxed);
        Running { instruments, counts, method, started: Instant::now(), recorded: false }
    }

    /// The call ended: with a JSON-RPC error's code, or well.
    fn done(mut self, failed: Option<i64>) {
        self.record(failed, "error");
    }

    fn record(&mut self, failed: Option<i64>, kind: &'static str) {
        if std::mem::replace(&mut self.recorded, true) {
            return;
        }
        let seconds = self.started.elapsed().as_secs_f64();
        let attributes = instruments::call(self.method);
        self.counts.active.fetch_sub(1, Ordering::Relaxed);
        match (failed, kind) {
            (None, "cancelled") => {
                self.instruments.duration.record(seconds, &instruments::failed(self.method, None, kind));
            }
            (None, _) => self.instruments.duration.record(seconds, &attributes),
            (Some(code), _) => {
                self.instruments.duration.record(seconds, &instruments::failed(self.method, Some(code), kind))
            }
        }
    }
}

impl Drop for Running {
    /// Dropped before its reply: stopped (a deadline passed, the caller left).
    fn drop(&mut self) {
        self.record(None, "cancelled");
    }
}

/// A stream open: recorded when it ends (with the code of the error that
/// ended it, if one did), or as cancelled when dropped before.
struct OpenStream {
    items: Items,
    running: Running,
    /// How it ended: `Some(None)` well, `Some(Some(code))` with an error.
    ended: Option<Option<i64>>,
}

impl futures_util::Stream for OpenStream {
    type Item = <Items as futures_util::Stream>::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = self.items.poll_next_unpin(cx);
        match &next {
            Poll::Ready(None) => self.ended = self.ended.or(Some(None)),
            Poll::Ready(Some(Err(error))) => self.ended = Some(Some(error.code)),
            _ => {}
        }
        next
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.running.counts.streams.fetch_sub(1, Ordering::Relaxed);
        match self.ended {
            Some(failed) => self.running.record(failed, "error"),
            None => self.running.record(None, "cancelled"),
        }
    }
}
