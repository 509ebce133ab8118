//! The example client: calls every method of the example server.
//!
//! ```text
//! cargo run --release --example client -- --url http://127.0.0.1:3000/rpc
//! ```
//!
//! Given `--url` more than once, the client spreads its calls over every
//! endpoint (`ClientBuilder::endpoints`).

// The client binary uses only the generated clients, not the traits.
#[allow(dead_code)]
mod api;
mod calls;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut urls = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => urls.push(args.next().ok_or("--url needs a value, e.g. http://127.0.0.1:3000/rpc")?),
            other => return Err(format!("unknown argument `{other}`; usage: client [--url URL]...").into()),
        }
    }
    if urls.is_empty() {
        urls.push("http://127.0.0.1:3000/rpc".to_owned());
    }
    calls::run(&urls).await
}
