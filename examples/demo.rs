//! Server and client in one process: starts the example server on a free
//! loopback port, runs every client call against it, and exits.
//!
//! ```text
//! cargo run --example demo
//! ```

mod api;
mod app;
mod calls;

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    app::init_tracing();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/rpc", listener.local_addr()?);
    let app = app::router(app::server()?).into_make_service_with_connect_info::<SocketAddr>();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    println!("server listening at {url}");
    calls::run(&[url]).await?;
    server.abort();
    println!("demo finished: every call answered as expected");
    Ok(())
}
