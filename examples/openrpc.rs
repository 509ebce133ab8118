//! OpenRPC discovery: starts the example server, asks it `rpc.discover`
//! like any OpenRPC tool would, and prints the document (methods, params,
//! results, errors, DTO schemas, all from the shared trait and its docs).
//!
//! ```text
//! cargo run --example openrpc --features openrpc
//! ```

mod api;
#[allow(dead_code)] // this example does not log
mod app;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/rpc", listener.local_addr()?);
    let app = app::router(app::server()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let request = serde_json::json!({ "jsonrpc": "2.0", "method": "rpc.discover", "id": 1 });
    let response: serde_json::Value = reqwest::Client::new().post(&url).json(&request).send().await?.json().await?;
    println!("{}", serde_json::to_string_pretty(&response["result"])?);
    server.abort();
    Ok(())
}
