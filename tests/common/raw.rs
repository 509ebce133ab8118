//! A server that answers with bytes the test chose: no HTTP library, so it
//! can say anything a broken or hostile server could (any status, headers,
//! truncated or endless bodies), over a real loopback socket.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the raw server is asked, one request at a time.
pub struct Request {
    /// The request's head, lower-cased.
    pub head: String,
    pub body: Vec<u8>,
}

/// Serves every request on `127.0.0.1:0` with `answer(request)`, the raw
/// bytes of the whole response, then closes the connection (after
/// `linger`, so that a truncated answer is not a reset). Returns the
/// endpoint URL and the number of requests read.
pub async fn serve<F>(answer: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(Request) -> Vec<u8> + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let (answer, requests) = (Arc::new(answer), Arc::new(AtomicUsize::new(0)));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answer, counted) = (answer.clone(), counted.clone());
            tokio::spawn(async move {
                let Some(request) = read_request(&mut socket).await else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = socket.write_all(&answer(request)).await;
                let _ = socket.shutdown().await;
                // Drain what the client still sends, so the close is not a reset.
                let mut sink = [0u8; 1024];
                while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    (url, requests)
}

/// Serves every request as [`serve`] does, writing the answer in pieces of
/// the sizes `pieces(request)` gives (the rest in one), each sent on its
/// own (`TCP_NODELAY`, a millisecond apart): what a reader sees when the
/// network splits an answer anywhere.
pub async fn serve_in_pieces<F, P>(answer: F, pieces: P) -> (String, Arc<AtomicUsize>)
where
    F: Fn(&Request) -> Vec<u8> + Send + Sync + 'static,
    P: Fn(&Request) -> Vec<usize> + Send + Sync + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    let (answer, pieces, requests) = (Arc::new(answer), Arc::new(pieces), Arc::new(AtomicUsize::new(0)));
    let counted = requests.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (answer, pieces, counted) = (answer.clone(), pieces.clone(), counted.clone());
            tokio::spawn(async move {
                let _ = socket.set_nodelay(true);
                let Some(request) = read_request(&mut socket).await else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                let mut rest = &answer(&request)[..];
                for size in pieces(&request) {
                    let (piece, after) = rest.split_at(size.min(rest.len()));
                    if socket.write_all(piece).await.is_err() {
                        return;
                    }
                    rest = after;
                    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                }
                let _ = socket.write_all(rest).await;
                let _ = socket.shutdown().await;
                let mut sink = [0u8; 1024];
                while matches!(socket.read(&mut sink).await, Ok(n) if n > 0) {}
            });
        }
    });
    (url, requests)
}

/// The head of an event stream whose end is the connection's close.
pub fn event_stream_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n".to_vec()
}

/// One HTTP/1.1 request: its head and its `content-length` body.
async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let n = socket.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let n = socket.read(&mut chunk).await.ok().filter(|&n| n > 0)?;
        buf.extend_from_slice(&chunk[..n]);
    }
    Some(Request { head, body: buf[head_end..head_end + length].to_vec() })
}

/// A whole response: status line, `headers`, a `content-length`, `body`.
pub fn response(status: u16, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len()).into_bytes();
    for (name, value) in headers {
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The JSON-RPC ids of a request body (one, or a batch's).
pub fn ids(body: &[u8]) -> Vec<u64> {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let ids = |v: &serde_json::Value| v.get("id").and_then(serde_json::Value::as_u64);
    match &value {
        serde_json::Value::Array(items) => items.iter().filter_map(ids).collect(),
        other => ids(other).into_iter().collect(),
    }
}
