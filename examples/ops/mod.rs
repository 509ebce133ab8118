//! The example server's `--metrics`: remotipy's metrics through the
//! OpenTelemetry SDK into a Prometheus registry, served as text at
//! `GET /metrics` (what a Prometheus server scrapes); and compressed bodies
//! both ways (gzip and zstd, tower-http's layers).

use std::error::Error;

use axum::http::header::CONTENT_TYPE;
use axum::routing::{MethodRouter, get};
use opentelemetry_sdk::metrics::SdkMeterProvider;
use tower_http::compression::predicate::{DefaultPredicate, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::decompression::RequestDecompressionLayer;

/// Answers smaller than this go uncompressed: below it, compressing costs
/// both sides more CPU than the bytes it saves are worth on a fast network
/// (docs/performance.md measures where it breaks even).
pub const COMPRESS_ABOVE: u16 = 1024;

/// The meter provider the process records through, and the registry the
/// Prometheus exporter fills.
pub struct Metrics {
    registry: prometheus::Registry,
    provider: SdkMeterProvider,
}

impl Metrics {
    /// Installs the provider globally: remotipy's metrics, made after this,
    /// record through it.
    pub fn install() -> Result<Self, Box<dyn Error>> {
        let registry = prometheus::Registry::new();
        let exporter = opentelemetry_prometheus::exporter().with_registry(registry.clone()).build()?;
        let provider = SdkMeterProvider::builder().with_reader(exporter).build();
        opentelemetry::global::set_meter_provider(provider.clone());
        Ok(Metrics { registry, provider })
    }

    /// `GET /metrics`: the registry in Prometheus' text format.
    pub fn route<S: Clone + Send + Sync + 'static>(&self) -> MethodRouter<S> {
        let registry = self.registry.clone();
        get(move || {
            let registry = registry.clone();
            async move {
                let text = prometheus::TextEncoder::new().encode_to_string(&registry.gather()).unwrap_or_default();
                ([(CONTENT_TYPE, prometheus::TEXT_FORMAT)], text)
            }
        })
    }

    /// Flushes what is recorded (at shutdown).
    pub fn shutdown(&self) {
        let _ = self.provider.shutdown();
    }
}

/// Request bodies sent gzip or zstd are decompressed before remotipy reads
/// them (so its body limit counts decompressed bytes: a zip bomb is refused
/// at the limit); other encodings get 415.
pub fn decompress_requests() -> RequestDecompressionLayer {
    RequestDecompressionLayer::new().gzip(true).zstd(true)
}

/// Answers of at least [`COMPRESS_ABOVE`] bytes are compressed when the
/// caller accepts gzip or zstd. Event streams are not (tower-http's default
/// predicate leaves `text/event-stream` alone: each event must go out as
/// it comes).
pub fn compress_answers() -> CompressionLayer<impl Predicate> {
    let predicate = DefaultPredicate::new().and(SizeAbove::new(COMPRESS_ABOVE));
    CompressionLayer::new().gzip(true).zstd(true).quality(CompressionLevel::Fastest).compress_when(predicate)
}
