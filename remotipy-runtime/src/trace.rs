//! W3C trace context across hops (feature `otel`): a client sends the
//! current span's `traceparent` and `tracestate` with each attempt, and a
//! server makes each call's `rpc` span continue the trace they carry, so
//! one trace spans the caller, every server and the calls they make in
//! turn. Spans become OpenTelemetry spans through `tracing-opentelemetry`'s
//! layer, installed by the application; without it nothing is sent.
//!
//! W3C Trace Context is used whatever global propagator the application
//! set: it is the format the interop (and most collectors) expect.

use http::HeaderMap;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The current span's trace context, if it is part of a trace.
#[cfg(feature = "client")]
pub(crate) fn current() -> Option<opentelemetry::Context> {
    let context = tracing::Span::current().context();
    context.span().span_context().is_valid().then_some(context)
}

/// Writes `trace` into `headers`, unless the caller set `traceparent` itself.
#[cfg(feature = "client")]
pub(crate) fn inject(trace: &opentelemetry::Context, headers: &mut HeaderMap) {
    if !headers.contains_key("traceparent") {
        TraceContextPropagator::new().inject_context(trace, &mut opentelemetry_http::HeaderInjector(headers));
    }
}

/// Makes `span` continue the trace `headers` carry, if they carry one.
#[cfg(feature = "server")]
pub(crate) fn continue_from(span: &tracing::Span, headers: &HeaderMap) {
    if !headers.contains_key("traceparent") {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&opentelemetry_http::HeaderExtractor(headers));
    if parent.span().span_context().is_valid() {
        // Fails only when the span is already closed or not an OpenTelemetry one.
        let _ = span.set_parent(parent);
    }
}
