//! What operating a service adds, for the benches: an OpenTelemetry SDK
//! meter provider (with the Prometheus exporter the example server uses),
//! and an RPC-level layer that only passes calls on (the least a layer of
//! one's own costs).

use std::task::{Context, Poll};

/// Installs an SDK meter provider exporting to a Prometheus registry, as
/// the example server's `--metrics` does; the provider records for as long
/// as the process lives.
pub fn install_meter_provider() -> opentelemetry_sdk::metrics::SdkMeterProvider {
    let registry = prometheus::Registry::new();
    let exporter = opentelemetry_prometheus::exporter().with_registry(registry).build().unwrap();
    let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_reader(exporter).build();
    opentelemetry::global::set_meter_provider(provider.clone());
    provider
}

/// A layer whose service passes every request to the one it wraps.
#[derive(Clone)]
pub struct Pass<S>(S);

impl Pass<()> {
    pub fn layer<S>() -> tower::layer::LayerFn<fn(S) -> Pass<S>> {
        tower::layer::layer_fn(Pass)
    }
}

impl<S: tower::Service<R>, R> tower::Service<R> for Pass<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> S::Future {
        self.0.call(request)
    }
}
