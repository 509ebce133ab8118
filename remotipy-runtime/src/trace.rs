//! Trace context across hops (feature `otel`): a client sends the current
//! span's context with each attempt, and a server makes each call's `rpc`
//! span continue the trace the request carries, so one trace spans the
//! caller, every server and the calls they make in turn. Spans become
//! OpenTelemetry spans through `tracing-opentelemetry`'s layer, installed by
//! the application; without it nothing is sent.
//!
//! Only the OpenTelemetry API is used: the context travels in the format of
//! the propagator the application installed
//! (`opentelemetry::global::set_text_map_propagator`), and in W3C Trace
//! Context (`traceparent`, `tracestate`) when it installed none. That
//! fallback is written here, a few lines, because the W3C propagator lives
//! in `opentelemetry_sdk`, which a library must not impose on its users.

use std::str::FromStr;

use http::HeaderMap;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use tracing_opentelemetry::OpenTelemetrySpanExt;

const TRACEPARENT: &str = "traceparent";
const TRACESTATE: &str = "tracestate";

/// Runs `f` with the application's propagator, or `None` when it set none
/// (the API's default propagator carries no fields).
fn with_global<T>(f: impl FnOnce(Option<&dyn TextMapPropagator>) -> T) -> T {
    let mut f = Some(f);
    opentelemetry::global::get_text_map_propagator(|propagator| {
        let f = f.take().expect("called once");
        match propagator.fields().next() {
            Some(_) => f(Some(propagator)),
            None => f(None),
        }
    })
}

/// The current span's trace context, if it is part of a trace.
#[cfg(feature = "client")]
pub(crate) fn current() -> Option<opentelemetry::Context> {
    let context = tracing::Span::current().context();
    context.span().span_context().is_valid().then_some(context)
}

/// Writes `trace` into `headers`, unless the caller set `traceparent` itself.
#[cfg(feature = "client")]
pub(crate) fn inject(trace: &opentelemetry::Context, headers: &mut HeaderMap) {
    if headers.contains_key(TRACEPARENT) {
        return;
    }
    let mut injector = opentelemetry_http::HeaderInjector(headers);
    with_global(|propagator| match propagator {
        Some(propagator) => propagator.inject_context(trace, &mut injector),
        None => inject_w3c(trace.span().span_context(), &mut injector),
    });
}

/// Makes `span` continue the trace `headers` carry, if they carry one.
#[cfg(feature = "server")]
pub(crate) fn continue_from(span: &tracing::Span, headers: &HeaderMap) {
    let extractor = opentelemetry_http::HeaderExtractor(headers);
    let parent = with_global(|propagator| match propagator {
        Some(propagator) => Some(propagator.extract(&extractor)),
        None => extract_w3c(&extractor).map(|remote| opentelemetry::Context::new().with_remote_span_context(remote)),
    });
    if let Some(parent) = parent.filter(|parent| parent.span().span_context().is_valid()) {
        // Fails only when the span is already closed or not an OpenTelemetry one.
        let _ = span.set_parent(parent);
    }
}

fn inject_w3c(span: &SpanContext, injector: &mut dyn Injector) {
    if span.is_valid() {
        let flags = span.trace_flags() & TraceFlags::SAMPLED;
        injector.set(TRACEPARENT, format!("00-{}-{}-{:02x}", span.trace_id(), span.span_id(), flags.to_u8()));
        injector.set(TRACESTATE, span.trace_state().header());
    }
}

/// `traceparent` as W3C Trace Context defines it: `version-trace-span-flags`,
/// lower-case hex; a later version may append fields.
fn extract_w3c(extractor: &dyn Extractor) -> Option<SpanContext> {
    let header = extractor.get(TRACEPARENT)?.trim();
    let parts: Vec<&str> = header.split('-').collect();
    fn hex(part: &str, len: usize) -> Option<&str> {
        (part.len() == len && part.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))).then_some(part)
    }
    let version = u8::from_str_radix(hex(parts.first()?, 2)?, 16).ok()?;
    if version == 0xff || (version == 0 && parts.len() != 4) || parts.len() < 4 {
        return None;
    }
    let trace_id = TraceId::from_hex(hex(parts[1], 32)?).ok()?;
    let span_id = SpanId::from_hex(hex(parts[2], 16)?).ok()?;
    let flags = TraceFlags::new(u8::from_str_radix(hex(parts[3], 2)?, 16).ok()?) & TraceFlags::SAMPLED;
    let state = extractor.get(TRACESTATE).and_then(|s| TraceState::from_str(s).ok()).unwrap_or_default();
    let context = SpanContext::new(trace_id, span_id, flags, true, state);
    context.is_valid().then_some(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Map(std::collections::HashMap<String, String>);

    impl Extractor for Map {
        fn get(&self, key: &str) -> Option<&str> {
            self.0.get(key).map(String::as_str)
        }
        fn keys(&self) -> Vec<&str> {
            self.0.keys().map(String::as_str).collect()
        }
    }

    impl Injector for Map {
        fn set(&mut self, key: &str, value: String) {
            self.0.insert(key.to_owned(), value);
        }
    }

    fn parent(traceparent: &str) -> Option<SpanContext> {
        extract_w3c(&Map([(TRACEPARENT.to_owned(), traceparent.to_owned())].into()))
    }

    #[test]
    fn w3c_traceparent_round_trips_and_malformed_ones_are_ignored() {
        let sampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let context = parent(sampled).unwrap();
        assert!(context.is_remote() && context.is_sampled());
        let mut out = Map(Default::default());
        inject_w3c(&context, &mut out);
        assert_eq!(out.0[TRACEPARENT], sampled);
        assert!(
            parent("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-future").is_some(),
            "later versions may add fields"
        );
        for bad in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "zz-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "",
        ] {
            assert!(parent(bad).is_none(), "{bad:?}");
        }
    }
}
