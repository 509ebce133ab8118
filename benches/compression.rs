//! What compression costs and saves, side by side in one run: a call that
//! sends a JSON DTO (rows of a table: names, emails, numbers) and gets it
//! back, at sizes from 256 B to 1 MiB, uncompressed, gzip and zstd both
//! ways (the client's `compress_requests`, the server behind tower-http's
//! decompression and compression layers at their fastest levels, as the
//! example server's `--metrics` sets them).
//!
//! Reported per size and encoding: bytes on the wire (the request's and the
//! answer's bodies, as those levels compress them), and client + server
//! CPU per call. Compression never pays on loopback, where bytes are free;
//! it pays where the bytes it saves take longer to send than its CPU takes,
//! so the table gives, per size, the slowest link on which compressing
//! still costs more time than it saves: the break-even bandwidth.
//!
//! The server runs in a child process (this binary with `--serve`, one
//! runtime worker) pinned to core 0; the client here, pinned to core 1.
//!
//! ```text
//! cargo bench --all-features --bench compression          # 5 rounds, 2 000 calls per size (200 at 1 MiB)
//! ROUNDS=3 CALLS=500 cargo bench --all-features --bench compression
//! cargo test --benches --all-features                     # smoke
//! ```
//! Load goes only to 127.0.0.1; every run is bounded in calls.

mod common;

use std::io::Write;

use serde::{Deserialize, Serialize};

/// One row of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Row {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub score: f64,
    pub tags: Vec<String>,
}

#[remotipy::remote]
pub trait Bulk {
    /// The rows, back.
    async fn echo(&self, rows: Vec<Row>) -> Vec<Row>;
}

struct Echo;

impl Bulk for Echo {
    async fn echo(&self, rows: Vec<Row>) -> Vec<Row> {
        rows
    }
}

/// Rows whose JSON is about `bytes` long.
fn rows(bytes: usize) -> Vec<Row> {
    const FIRST: [&str; 8] = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John"];
    const LAST: [&str; 8] = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus"];
    let row = |i: u64| {
        let (first, last) = (FIRST[(i * 7 % 8) as usize], LAST[(i * 5 % 8) as usize]);
        Row {
            id: i * 7919 % 100_003,
            name: format!("{first} {last}"),
            email: format!("{}.{}{}@example.org", first.to_lowercase(), last.to_lowercase(), i % 97),
            score: (i * 37 % 1000) as f64 / 7.0,
            tags: (0..(i % 3)).map(|t| ["admin", "staff", "guest"][t as usize].to_owned()).collect(),
        }
    };
    let (mut rows, mut length) = (Vec::new(), 2);
    while length < bytes {
        let next = row(rows.len() as u64);
        length += serde_json::to_vec(&next).unwrap().len() + 1;
        rows.push(next);
    }
    rows
}

const SIZES: [usize; 7] = [256, 1024, 4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024];
const ENCODINGS: [&str; 3] = ["identity", "gzip", "zstd"];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--serve") {
        return serve();
    }
    let rounds = common::setting("ROUNDS", 5, 1);
    let calls = common::setting("CALLS", 2_000, 20);
    println!("compression bench: {rounds} round(s) × {calls} calls per size and encoding (a tenth at 1 MiB)");
    common::pin_self(1);
    let mut server = common::spawn_self(0, &["--serve"]);
    let url = format!("http://127.0.0.1:{}/rpc", common::read_line(&mut server));
    let server_pid = server.id().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut cpu: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); ENCODINGS.len()]; SIZES.len()];
    for round in 0..rounds {
        for (s, &size) in SIZES.iter().enumerate() {
            let calls = if size >= 1024 * 1024 { (calls / 10).max(2) } else { calls };
            // Rotating order, so no encoding always runs first.
            for e in (0..ENCODINGS.len()).map(|e| (e + round + s) % ENCODINGS.len()) {
                let us = runtime.block_on(measure(&url, &server_pid, ENCODINGS[e], size, calls));
                println!("round {round} {:>8} B {:<8} {us:>9.1} µs client + server CPU/call", size, ENCODINGS[e]);
                cpu[s][e].push(us);
            }
        }
    }
    common::stop(server);
    report(&cpu);
}

/// Client + server CPU per call of `echo(rows(size))`, in µs.
async fn measure(url: &str, server_pid: &str, encoding: &str, size: usize, calls: usize) -> f64 {
    let client = client(url, encoding);
    let rows = rows(size);
    assert_eq!(client.echo(rows.clone()).await.unwrap(), rows, "{encoding}: the rows come back");
    let (client_before, server_before) = (common::self_cpu_ns(), common::cpu_ticks(server_pid));
    for _ in 0..calls {
        let back = client.echo(rows.clone()).await.unwrap();
        assert_eq!(back.len(), rows.len());
    }
    let client_ns = (common::self_cpu_ns() - client_before) as f64;
    let server_ns = (common::cpu_ticks(server_pid) - server_before) as f64 / common::TICKS_PER_SEC * 1e9;
    (client_ns + server_ns) / 1e3 / calls as f64
}

/// A client asking for answers in `encoding` and sending its requests so.
fn client(url: &str, encoding: &str) -> BulkClient {
    let builder = BulkClient::builder(url).header("accept-encoding", encoding);
    #[cfg(feature = "compression")]
    let builder = match encoding {
        "gzip" => builder.compress_requests(remotipy::client::Compression::Gzip, 0),
        "zstd" => builder.compress_requests(remotipy::client::Compression::Zstd, 0),
        _ => builder,
    };
    builder.build().unwrap()
}

/// The body bytes of one call (request and answer: the same rows), as the
/// fastest levels compress them.
fn wire_bytes(size: usize, encoding: &str) -> usize {
    let json = serde_json::to_vec(&rows(size)).unwrap();
    let one = match encoding {
        "gzip" => {
            let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gzip.write_all(&json).unwrap();
            gzip.finish().unwrap().len()
        }
        "zstd" => zstd::bulk::compress(&json, 1).unwrap().len(),
        _ => json.len(),
    };
    2 * one
}

fn report(cpu: &[Vec<Vec<f64>>]) {
    println!(
        "\n| body | encoding | bytes per call (both ways) | client + server CPU µs/call | extra CPU vs none | break-even link |"
    );
    println!("|---|---|---|---|---|---|");
    for (s, &size) in SIZES.iter().enumerate() {
        let plain = common::median(cpu[s][0].clone()).0;
        for (e, encoding) in ENCODINGS.iter().enumerate() {
            let (us, lo, hi) = common::median(cpu[s][e].clone());
            let (bytes, plain_bytes) = (wire_bytes(size, encoding), wire_bytes(size, "identity"));
            let extra = us - plain;
            // The link speed at which the time to send the saved bytes equals the extra CPU time.
            let break_even = match (e, extra > 0.0) {
                (0, _) => "—".to_owned(),
                (_, false) => "always pays".to_owned(),
                (_, true) => format!("{:.0} Mbit/s", (plain_bytes - bytes) as f64 * 8.0 / extra),
            };
            println!(
                "| {} | {encoding} | {bytes} ({:.0}%) | {us:.1} [{lo:.1}–{hi:.1}] | {extra:+.1} µs | {break_even} |",
                human(size),
                bytes as f64 * 100.0 / plain_bytes as f64
            );
        }
    }
    println!("\n(a link slower than the break-even speed gains from compression; a faster one loses)");
}

fn human(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 => format!("{} KiB", b >> 10),
        b => format!("{b} B"),
    }
}

/// The server: the echo behind tower-http's decompression and compression
/// layers (every size compressed, at the fastest level), body limit 8 MiB.
fn serve() {
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    runtime.block_on(async {
        let rpc = remotipy::Server::builder().service(BulkServer::new(Echo)).body_limit(8 << 20).build().unwrap();
        let app = axum::Router::new()
            .route("/rpc", rpc.into_route())
            .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
            .layer(tower_http::decompression::RequestDecompressionLayer::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap().port());
        tokio::spawn(axum::serve(listener, app).into_future());
        common::parent_gone().await;
    });
}
