//! The example client: calls every method of the example server.
//!
//! ```text
//! cargo run --release --example client -- --url http://127.0.0.1:3000/rpc
//! ```
//!
//! Given `--url` more than once, the client spreads its calls over every
//! endpoint (`ClientBuilder::endpoints`). With `--ticks N [--interval-ms M]`
//! it only reads the resumable stream `ticks(N, M)` (M defaults to 100),
//! one item per line, surviving a server killed under it.

// The client binary uses only the generated clients, not the traits.
#[allow(dead_code)]
mod api;
mod calls;

use api::CalculatorClient;
use remotipy::stream::StreamExt;

#[tokio::main]
async fn main() {
    // The error as its `Display` says it, on stderr; a failure exits 1.
    if let Err(error) = run().await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    const USAGE: &str = "usage: client [--url URL]... [--ticks N [--interval-ms M]]";
    let mut args = std::env::args().skip(1);
    let (mut urls, mut ticks, mut interval_ms) = (Vec::new(), None, None);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--url" => urls.push(args.next().ok_or("--url needs a value, e.g. http://127.0.0.1:3000/rpc")?),
            "--ticks" => ticks = Some(number(args.next(), "--ticks")?),
            "--interval-ms" => interval_ms = Some(number(args.next(), "--interval-ms")?),
            other => return Err(format!("unknown argument `{other}`; {USAGE}").into()),
        }
    }
    if urls.is_empty() {
        urls.push("http://127.0.0.1:3000/rpc".to_owned());
    }
    match (ticks, interval_ms) {
        (Some(n), interval_ms) => read_ticks(&urls, n, interval_ms.unwrap_or(100)).await,
        (None, Some(_)) => Err(format!("--interval-ms goes with --ticks; {USAGE}").into()),
        (None, None) => calls::run(&urls).await,
    }
}

/// Reads `ticks(n, interval_ms)` from `urls` (each an endpoint), printing each
/// item on its own line as it arrives; a stream that breaks off resumes at
/// another endpoint, which stderr notes.
async fn read_ticks(urls: &[String], n: u64, interval_ms: u64) -> Result<(), Box<dyn std::error::Error>> {
    let (first, more) = urls.split_first().ok_or("no URL to call")?;
    let calc = CalculatorClient::builder(first).endpoints(more.iter().cloned()).build()?;
    let mut ticks = calc.ticks(n, interval_ms).await?;
    let mut reconnects = 0;
    while let Some(tick) = ticks.next().await {
        if ticks.reconnects() != reconnects {
            reconnects = ticks.reconnects();
            eprintln!("(the stream broke off and resumed: {reconnects} reconnect(s) so far)");
        }
        println!("{}", tick?);
    }
    Ok(())
}

fn number(value: Option<String>, flag: &str) -> Result<u64, String> {
    let value = value.ok_or_else(|| format!("{flag} needs a number"))?;
    value.parse().map_err(|_| format!("{flag} needs a number, not `{value}`"))
}
