//! A TCP relay on loopback in front of a server, standing for a proxy that
//! cuts connections: the server's bytes to each connection are passed on in
//! chunks of the sizes its plan gives, and the connection is closed (both
//! ways, mid-response) after as many bytes as the plan says.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the relay does to one connection.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Closes it after this many bytes from the server; `None`: never.
    pub cut_after: Option<usize>,
    /// The sizes of the writes the server's bytes are passed on in, in
    /// turn (empty: as they come).
    pub chunks: Vec<usize>,
}

/// A relay to `upstream` (`host:port`), connection `i` treated as
/// `plan(i)`; its `host:port`, and the connections it accepted.
pub async fn start<F>(upstream: String, plan: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(usize) -> Plan + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let plan = plan(count.fetch_add(1, Ordering::SeqCst));
            let upstream = upstream.clone();
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(&upstream).await {
                    pass(client, server, plan).await;
                }
            });
        }
    });
    (addr, accepted)
}

/// Relays until either side closes or the plan cuts; then both go.
async fn pass(client: TcpStream, server: TcpStream, plan: Plan) {
    let (mut from_client, mut to_server) = (client, server);
    let (mut client_read, mut client_write) = from_client.split();
    let (mut server_read, mut server_write) = to_server.split();
    let upstream = tokio::io::copy(&mut client_read, &mut server_write);
    let downstream = async {
        let (mut sent, mut turn, mut buf) = (0usize, 0usize, vec![0u8; 16 * 1024]);
        loop {
            let read = match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(read) => read,
            };
            let mut bytes = &buf[..read];
            while !bytes.is_empty() {
                if plan.cut_after == Some(sent) {
                    return;
                }
                let mut size = plan.chunks.get(turn % plan.chunks.len().max(1)).copied().unwrap_or(bytes.len());
                turn += 1;
                if let Some(cut) = plan.cut_after {
                    size = size.min(cut - sent);
                }
                let size = size.clamp(1, bytes.len());
                if client_write.write_all(&bytes[..size]).await.is_err() {
                    return;
                }
                let _ = client_write.flush().await;
                sent += size;
                bytes = &bytes[size..];
            }
            if plan.cut_after == Some(sent) {
                return;
            }
        }
    };
    tokio::select! {
        _ = upstream => {}
        () = downstream => {}
    }
}
