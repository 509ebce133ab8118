//! What the server's and the client's metrics share (feature `metrics`):
//! the meter's scope and the OpenTelemetry RPC semantic conventions' names,
//! attributes and buckets.
//!
//! Recorded through the OpenTelemetry metrics API only: the application
//! installs the provider (an SDK with an exporter), and without one every
//! record is a no-op. The attributes are static strings, so a record
//! allocates nothing but on a failure with a code of the application's.

use std::borrow::Cow;

use opentelemetry::metrics::Meter;
use opentelemetry::{InstrumentationScope, KeyValue};

/// The meter of the application's global provider, scoped to remotipy.
/// Instruments take the provider installed when they are made: build
/// servers and clients after installing it (or give them a meter).
pub(crate) fn meter() -> Meter {
    let scope = InstrumentationScope::builder("remotipy").with_version(env!("CARGO_PKG_VERSION")).build();
    opentelemetry::global::meter_with_scope(scope)
}

/// The semantic conventions' advice for RPC durations, in seconds.
pub(crate) const BUCKETS: [f64; 14] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

/// The attributes of a call of `method` (its wire name, `_OTHER` for one no
/// service declares, so that callers cannot grow the metric without bound):
/// `rpc.system.name` and `rpc.method`.
pub(crate) fn call(method: &'static str) -> [KeyValue; 2] {
    [KeyValue::new("rpc.system.name", "jsonrpc"), KeyValue::new("rpc.method", method)]
}

/// The attributes of a failed call: the call's, then `rpc.status_code`
/// (its JSON-RPC code, when it has one) and `error.type` (the code, else
/// `kind`, what failed).
pub(crate) fn failed(method: &'static str, code: Option<i64>, kind: &'static str) -> Vec<KeyValue> {
    let mut attributes = call(method).to_vec();
    if let Some(code) = code {
        attributes.push(KeyValue::new("rpc.status_code", code_text(code)));
    }
    let error = code.map_or(Cow::Borrowed(kind), code_text);
    attributes.push(KeyValue::new("error.type", error));
    attributes
}

/// A JSON-RPC code as text: the protocol's own without allocating.
fn code_text(code: i64) -> Cow<'static, str> {
    use crate::protocol::code::*;
    Cow::Borrowed(match code {
        PARSE_ERROR => "-32700",
        INVALID_REQUEST => "-32600",
        METHOD_NOT_FOUND => "-32601",
        INVALID_PARAMS => "-32602",
        INTERNAL_ERROR => "-32603",
        APP_ERROR => "-32000",
        STREAM_TOO_LONG => "-32090",
        SHUTTING_DOWN => "-32091",
        DEADLINE_EXCEEDED => "-32092",
        CANNOT_RESUME => "-32093",
        OVERLOADED => "-32094",
        other => return Cow::Owned(other.to_string()),
    })
}
