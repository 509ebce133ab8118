//! The client's metrics (feature `metrics`): the OpenTelemetry RPC semantic
//! conventions' `rpc.client.call.duration` (a histogram, in seconds, once
//! per call: a call of an automatic batch once, each call of an explicit
//! batch once, a stream for its opening; with `rpc.system.name`,
//! `rpc.method`, `server.address`, and on failure `rpc.status_code` and
//! `error.type`), and `remotipy.client.attempts` (a counter of the HTTP
//! attempts calls made: retries are what it counts beyond the calls).

use std::sync::Arc;

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};

use crate::error::Error;
use crate::instruments;
use crate::rt::Instant;

/// The client's metrics, for
/// [`ClientBuilder::metrics`](super::ClientBuilder::metrics). Make it after
/// the application has installed its meter provider (or give it a meter).
#[derive(Clone)]
pub struct Metrics {
    duration: Histogram<f64>,
    attempts: Counter<u64>,
}

impl Metrics {
    /// Records through the global meter provider.
    pub fn new() -> Self {
        Self::with_meter(&instruments::meter())
    }

    /// Records through `meter`.
    pub fn with_meter(meter: &Meter) -> Self {
        Metrics {
            duration: meter
                .f64_histogram("rpc.client.call.duration")
                .with_unit("s")
                .with_description("The duration of the calls this client made, retries included")
                .with_boundaries(instruments::BUCKETS.to_vec())
                .build(),
            attempts: meter
                .u64_counter("remotipy.client.attempts")
                .with_unit("{attempt}")
                .with_description("The HTTP attempts of this client's calls (retries beyond the calls)")
                .build(),
        }
    }

    /// What a client built with these metrics records with: `server.address`
    /// is its (first) endpoint's host.
    pub(crate) fn recorder(self, endpoint: &str) -> Recorder {
        let host = endpoint.split("://").nth(1).unwrap_or(endpoint);
        let host = host.split(['/', '?']).next().unwrap_or(host);
        let host =
            host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |(h, _)| h);
        let server = KeyValue::new("server.address", Arc::<str>::from(host));
        Recorder { metrics: self, server }
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

/// A client's metrics and what every record of it carries.
pub(crate) struct Recorder {
    metrics: Metrics,
    server: KeyValue,
}

impl Recorder {
    /// One call ended, started at `started`, with `outcome`.
    pub fn call<T, E>(&self, method: &'static str, started: Instant, outcome: &Result<T, Error<E>>) {
        let seconds = started.elapsed().as_secs_f64();
        match outcome {
            Ok(_) => {
                let [system, method] = instruments::call(method);
                self.metrics.duration.record(seconds, &[system, method, self.server.clone()]);
            }
            Err(error) => {
                let mut attributes = instruments::failed(method, error.code(), kind(error));
                attributes.push(self.server.clone());
                self.metrics.duration.record(seconds, &attributes);
            }
        }
    }

    /// One HTTP attempt of `method` is made.
    pub fn attempt(&self, method: &'static str) {
        let [system, method] = instruments::call(method);
        self.metrics.attempts.add(1, &[system, method, self.server.clone()]);
    }
}

/// What failed, for `error.type` when there is no JSON-RPC code.
fn kind<E>(error: &Error<E>) -> &'static str {
    match error {
        Error::App(_) => "app",
        Error::Timeout { .. } => "timeout",
        Error::Status { .. } => "http_status",
        Error::Decode { .. } => "decode",
        Error::Encode { .. } => "encode",
        Error::StreamBroken { .. } => "stream_broken",
        _ => "transport",
    }
}
