//! The example server: `Users` and `Calculator` on one endpoint, `/rpc`.
//!
//! ```text
//! cargo run --release --example server -- --listen 127.0.0.1:3000
//! ```
//!
//! `--allow-origin ORIGIN` (repeatable; `*` for any) lets web pages from
//! that origin call it: the CORS policy a browser client needs.
//!
//! With feature `mcp` (`cargo run --example server --features mcp`), the
//! same methods are MCP tools at `/mcp`.
//!
//! `--metrics` records every call's metrics (OpenTelemetry's RPC
//! conventions, `remotipy::server::Metrics`) and serves them as Prometheus
//! text at `GET /metrics`; with it the server also reads gzip and zstd
//! request bodies and compresses its larger answers for callers that
//! accept it.

mod api;
mod app;
mod ops;

use std::net::SocketAddr;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};
use axum::serve::ListenerExt;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What the command line says.
struct Args {
    listen: SocketAddr,
    allow_origins: Vec<HeaderValue>,
    metrics: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    app::init_tracing();
    let args = parse_args()?;
    let listener = tokio::net::TcpListener::bind(args.listen).await?;
    tracing::info!("serving Users and Calculator at http://{}/rpc", listener.local_addr()?);
    // The meter provider first: the metrics layer records through the one
    // installed when it is made.
    let metrics = if args.metrics { Some(ops::Metrics::install()?) } else { None };
    let rpc = match metrics {
        Some(_) => app::builder().layer(remotipy::server::Metrics::new()).build()?,
        None => app::server()?,
    };
    let mut router = app::router(rpc.clone());
    // The same methods as MCP tools for AI agents, at `/mcp` (feature `mcp`),
    // for pages of the origins `--allow-origin` lets call `/rpc` too.
    #[cfg(feature = "mcp")]
    {
        let mcp = args.allow_origins.iter().filter_map(|origin| origin.to_str().ok()).fold(
            rpc.mcp().server_info("remotipy-example", "0.1.0"),
            |mcp, origin| {
                if origin == "*" { mcp.allow_any_origin() } else { mcp.allow_origin(origin) }
            },
        );
        router = router.route("/mcp", mcp.build().into_route());
    }
    if let Some(metrics) = &metrics {
        router =
            router.route("/metrics", metrics.route()).layer(ops::compress_answers()).layer(ops::decompress_requests());
    }
    if !args.allow_origins.is_empty() {
        router = router.layer(cors(args.allow_origins));
    }
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    // Events go out as they come: without TCP_NODELAY, Nagle holds an event
    // stream's first event back until the reader acknowledges the head (a
    // 40 ms pause a resumed stream would show).
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal(rpc)).await?;
    if let Some(metrics) = metrics {
        metrics.shutdown();
    }
    tracing::info!("shut down");
    Ok(())
}

fn parse_args() -> Result<Args, String> {
    let usage = "usage: server [--listen ADDR] [--allow-origin ORIGIN]... [--metrics]";
    let mut args = std::env::args().skip(1);
    let (mut listen, mut allow_origins, mut metrics) = ("127.0.0.1:3000".to_owned(), Vec::new(), false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs an address, e.g. 127.0.0.1:3000")?,
            "--allow-origin" => {
                let origin = args.next().ok_or("--allow-origin needs an origin, e.g. http://127.0.0.1:8000")?;
                allow_origins
                    .push(HeaderValue::try_from(&origin).map_err(|e| format!("--allow-origin {origin}: {e}"))?);
            }
            "--metrics" => metrics = true,
            other => return Err(format!("unknown argument `{other}`; {usage}")),
        }
    }
    let listen = listen.parse().map_err(|e| format!("--listen {listen}: {e}"))?;
    Ok(Args { listen, allow_origins, metrics })
}

/// Pages from `origins` may call: POST with the headers remotipy's client
/// sends (and `authorization`), the preflight cached for ten minutes.
fn cors(origins: Vec<HeaderValue>) -> CorsLayer {
    let origins = match origins.iter().any(|origin| origin == "*") {
        true => AllowOrigin::any(),
        false => AllowOrigin::list(origins),
    };
    let allow_headers: Vec<HeaderName> =
        remotipy::protocol::CORS_REQUEST_HEADERS.into_iter().chain([axum::http::header::AUTHORIZATION]).collect();
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods([Method::POST])
        .allow_headers(allow_headers)
        .expose_headers(remotipy::protocol::CORS_RESPONSE_HEADERS)
        .max_age(Duration::from_secs(600))
}

/// Ctrl-C or SIGTERM: open streams end (their last event says the server
/// is shutting down), then axum finishes the calls in flight.
async fn shutdown_signal(rpc: remotipy::Server) {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: ending open streams, finishing in-flight calls");
    rpc.shutdown();
}
