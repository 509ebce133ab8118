//! Trace context across real HTTP hops (feature `otel`): a caller's span,
//! the `rpc` span of server A, and the `rpc` span of server B (called from
//! A's handler) are one trace, each the parent of the next, as an
//! in-memory OpenTelemetry exporter records them.
#![cfg(feature = "otel")]

mod common;

use std::time::{Duration, Instant};

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tracing::Instrument;
use tracing_subscriber::layer::SubscriberExt;

#[remotipy::remote]
pub trait Hop {
    /// Calls the first of `next` with the rest, and so on; answers the
    /// `traceparent` each server received, in order.
    async fn relay(&self, next: Vec<String>) -> Vec<Option<String>>;
}

struct Relay;

impl Hop for Relay {
    async fn relay(&self, next: Vec<String>) -> Vec<Option<String>> {
        let context = remotipy::Context::current().expect("called by the dispatcher");
        let received = context.headers().get("traceparent").map(|v| v.to_str().unwrap().to_owned());
        let mut seen = vec![received];
        if let Some((first, rest)) = next.split_first() {
            seen.extend(HopClient::new(first).unwrap().relay(rest.to_vec()).await.unwrap());
        }
        seen
    }
}

/// The spans exported so far, once `count` of them have ended.
fn finished(exporter: &InMemorySpanExporter, count: usize) -> Vec<SpanData> {
    let started = Instant::now();
    loop {
        let spans = exporter.get_finished_spans().unwrap();
        if spans.len() >= count || started.elapsed() > Duration::from_secs(5) {
            return spans;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[tokio::test]
async fn one_trace_spans_the_caller_and_every_hop() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("remotipy-test"));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();

    let a = common::serve(HopServer::new(Relay).into_router()).await;
    let b = common::serve(HopServer::new(Relay).into_router()).await;
    let client = HopClient::new(&a).unwrap();

    // Outside any span the caller sends nothing; A's `rpc` span starts a
    // trace, which B continues.
    let received = client.relay(vec![b.clone()]).await.unwrap();
    assert!(received[0].is_none() && received[1].is_some(), "{received:?}");
    exporter.reset();

    let received = client.relay(vec![b.clone()]).instrument(tracing::info_span!("caller")).await.unwrap();
    let spans = finished(&exporter, 3);
    let named = |name: &str| spans.iter().filter(|s| s.name == name).collect::<Vec<_>>();
    let (caller, rpcs) = (named("caller"), named("rpc"));
    assert_eq!((caller.len(), rpcs.len()), (1, 2), "{spans:#?}");
    let caller = caller[0];
    let trace = caller.span_context.trace_id();
    // A's span is the caller's child, B's is A's: one trace across both hops.
    let a_span =
        rpcs.iter().find(|s| s.parent_span_id == caller.span_context.span_id()).expect("A continues the caller");
    let b_span = rpcs.iter().find(|s| s.parent_span_id == a_span.span_context.span_id()).expect("B continues A");
    assert!(rpcs.iter().all(|s| s.span_context.trace_id() == trace), "{spans:#?}");
    assert!(a_span.parent_span_is_remote && b_span.parent_span_is_remote);
    // On the wire: W3C traceparent, version 00, the trace id, the parent span, sampled.
    let sent = |parent: &SpanData| Some(format!("00-{trace}-{}-01", parent.span_context.span_id()));
    assert_eq!(received, [sent(caller), sent(a_span)]);

    // The application's own propagator, once installed, is what travels.
    opentelemetry::global::set_text_map_propagator(Custom);
    exporter.reset();
    let received = client.relay(vec![b.clone()]).instrument(tracing::info_span!("caller")).await.unwrap();
    assert_eq!(received, [None, None], "no traceparent: the custom propagator sends its own header");
    let spans = finished(&exporter, 3);
    let trace = spans.iter().find(|s| s.name == "caller").unwrap().span_context.trace_id();
    assert!(spans.iter().all(|s| s.span_context.trace_id() == trace), "one trace through x-custom-trace: {spans:#?}");
}

/// A propagator of the application's own: the context as `x-custom-trace:
/// <trace id>/<span id>`.
#[derive(Debug)]
struct Custom;

impl opentelemetry::propagation::TextMapPropagator for Custom {
    fn inject_context(&self, cx: &opentelemetry::Context, injector: &mut dyn opentelemetry::propagation::Injector) {
        use opentelemetry::trace::TraceContextExt;
        let span = cx.span();
        let context = span.span_context();
        injector.set("x-custom-trace", format!("{}/{}", context.trace_id(), context.span_id()));
    }

    fn extract_with_context(
        &self,
        cx: &opentelemetry::Context,
        extractor: &dyn opentelemetry::propagation::Extractor,
    ) -> opentelemetry::Context {
        use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
        let Some((trace, span)) = extractor.get("x-custom-trace").and_then(|v| v.split_once('/')) else {
            return cx.clone();
        };
        let (Ok(trace), Ok(span)) = (TraceId::from_hex(trace), SpanId::from_hex(span)) else { return cx.clone() };
        cx.with_remote_span_context(SpanContext::new(trace, span, TraceFlags::SAMPLED, true, TraceState::default()))
    }

    fn fields(&self) -> opentelemetry::propagation::text_map_propagator::FieldIter<'_> {
        static FIELDS: std::sync::LazyLock<[String; 1]> = std::sync::LazyLock::new(|| ["x-custom-trace".to_owned()]);
        opentelemetry::propagation::text_map_propagator::FieldIter::new(&*FIELDS)
    }
}
