//! The example server: `Users` and `Calculator` on one endpoint, `/rpc`.
//!
//! ```text
//! cargo run --release --example server -- --listen 127.0.0.1:3000
//! ```

mod api;
mod app;

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    app::init_tracing();
    let listen = parse_listen()?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!("serving Users and Calculator at http://{}/rpc", listener.local_addr()?);
    let rpc = app::server()?;
    let service = app::router(rpc.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, service).with_graceful_shutdown(shutdown_signal(rpc)).await?;
    tracing::info!("shut down");
    Ok(())
}

fn parse_listen() -> Result<SocketAddr, String> {
    let mut args = std::env::args().skip(1);
    let mut listen = "127.0.0.1:3000".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs an address, e.g. 127.0.0.1:3000")?,
            other => return Err(format!("unknown argument `{other}`; usage: server [--listen ADDR]")),
        }
    }
    listen.parse().map_err(|e| format!("--listen {listen}: {e}"))
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
