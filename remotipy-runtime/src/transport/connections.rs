//! hyper's HTTP/1.1 connections to one endpoint, used directly and kept in a
//! small idle list: what hyper-util's pooled client does per request (hash
//! the pool key, re-check the URI, rebuild `Host`, track idle time) is done
//! once, when the transport is built.

use std::sync::Mutex;

use bytes::Bytes;
use http::header::HOST;
use http::{HeaderValue, Request, Response, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::client::conn::http2;
use hyper_util::rt::TokioIo;

use super::seam::NotSent;
use crate::error::BoxError;

type Sender = SendRequest<Full<Bytes>>;

/// Idle connections kept for reuse; more than this many idle at once are closed.
const MAX_IDLE: usize = 256;

/// Plain-TCP HTTP/1.1 connections to one `host:port`.
#[derive(Debug)]
pub(super) struct Connections {
    /// Where to connect (`host:port`).
    authority: String,
    /// The request target (origin form) and `Host` header of every call.
    path: Uri,
    host: HeaderValue,
    idle: Mutex<Vec<Sender>>,
}

/// A response, and the connection to give back once its body is read.
pub(super) struct Exchange {
    pub response: Response<Incoming>,
    pub connection: Sender,
}

impl Connections {
    /// Connections for an `http://` URI with a host (checked by the builder).
    pub fn new(uri: &Uri) -> Result<Self, BoxError> {
        let authority = uri.authority().ok_or("the URI has no host")?;
        let port = authority.port_u16().unwrap_or(80);
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).parse()?;
        // `Host` is the authority without any user info.
        let host = match authority.port() {
            Some(port) => HeaderValue::from_str(&format!("{}:{port}", authority.host()))?,
            None => HeaderValue::from_str(authority.host())?,
        };
        let authority = format!("{}:{port}", authority.host());
        Ok(Connections { authority, path, host, idle: Mutex::new(Vec::new()) })
    }

    /// Sends `request` on an idle connection, or a new one. A request an
    /// idle connection turned away unsent (the server had closed it) is sent
    /// again on another: nothing reached the server, so nothing runs twice.
    pub async fn send(&self, mut request: Request<Full<Bytes>>) -> Result<Exchange, BoxError> {
        *request.uri_mut() = self.path.clone();
        request.headers_mut().insert(HOST, self.host.clone());
        loop {
            let (mut connection, reused) = match self.take_idle() {
                Some(connection) => (connection, true),
                None => (self.connect().await?, false),
            };
            if let Err(e) = connection.ready().await {
                match reused {
                    true => continue, // closed while idle
                    false => return Err(Box::new(NotSent(e.into()))),
                }
            }
            match connection.try_send_request(request).await {
                Ok(response) => return Ok(Exchange { response, connection }),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if reused => request = unsent,
                    // hyper gave it back: it never left.
                    Some(_) => return Err(Box::new(NotSent(failed.into_error().into()))),
                    None => return Err(failed.into_error().into()),
                },
            }
        }
    }

    /// Keeps a connection whose last response was read whole.
    pub fn give_back(&self, connection: Sender) {
        if connection.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
    }

    fn take_idle(&self) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        while let Some(connection) = idle.pop() {
            if !connection.is_closed() {
                return Some(connection);
            }
        }
        None
    }

    async fn connect(&self) -> Result<Sender, BoxError> {
        let stream = tokio::net::TcpStream::connect(&self.authority)
            .await
            .map_err(|e| Box::new(NotSent(Box::new(e))) as BoxError)?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            http1::handshake(TokioIo::new(stream)).await.map_err(|e| Box::new(NotSent(Box::new(e))) as BoxError)?;
        // The connection is driven by its own task; it ends when the sender
        // is dropped or the server closes it.
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "remotipy: connection closed");
            }
        });
        Ok(sender)
    }
}

/// Exchanges in flight on one HTTP/2 connection before another is opened:
/// the least `SETTINGS_MAX_CONCURRENT_STREAMS` RFC 9113 recommends a server
/// allow (hyper's default is 200, nginx's 128). Beyond a server's limit,
/// hyper queues new streams until one ends: without more connections, a
/// client with that many streams open would stall every later call.
const STREAMS_PER_CONNECTION: usize = 100;

/// HTTP/2 connections to a `host:port`, spoken with prior knowledge (h2c),
/// each carrying up to [`STREAMS_PER_CONNECTION`] exchanges at once: a
/// call takes the first connection with room, and a new one is opened when
/// none has. A connection that closed is dropped.
#[derive(Debug)]
pub(super) struct Http2 {
    authority: String,
    /// Every request's URI: HTTP/2 sends its scheme and authority as pseudo-headers.
    uri: Uri,
    lanes: tokio::sync::Mutex<Vec<Lane>>,
}

#[derive(Debug, Clone)]
struct Lane {
    sender: http2::SendRequest<Full<Bytes>>,
    in_flight: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// An exchange's place on its connection, given back when dropped (with
/// the response, or the streamed body, it goes with).
#[derive(Debug)]
pub(super) struct OnLane(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl Drop for OnLane {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Http2 {
    pub fn new(uri: &Uri) -> Result<Self, BoxError> {
        let authority = uri.authority().ok_or("the URI has no host")?;
        let authority = format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80));
        Ok(Http2 { authority, uri: uri.clone(), lanes: tokio::sync::Mutex::new(Vec::new()) })
    }

    pub async fn send(&self, mut request: Request<Full<Bytes>>) -> Result<(Response<Incoming>, OnLane), BoxError> {
        *request.uri_mut() = self.uri.clone();
        let (mut sender, place) = self.lane().await?;
        sender.ready().await.map_err(|e| Box::new(NotSent(e.into())) as BoxError)?;
        Ok((sender.send_request(request).await?, place))
    }

    /// A connection with room, opened if there is none, and a place on it.
    async fn lane(&self) -> Result<(http2::SendRequest<Full<Bytes>>, OnLane), BoxError> {
        use std::sync::atomic::Ordering;
        let mut lanes = self.lanes.lock().await;
        lanes.retain(|lane| !lane.sender.is_closed());
        let lane = match lanes.iter().find(|lane| lane.in_flight.load(Ordering::Relaxed) < STREAMS_PER_CONNECTION) {
            Some(lane) => lane.clone(),
            None => {
                let lane = Lane { sender: self.connect().await?, in_flight: Default::default() };
                lanes.push(lane.clone());
                lane
            }
        };
        lane.in_flight.fetch_add(1, Ordering::Relaxed);
        Ok((lane.sender, OnLane(lane.in_flight)))
    }

    async fn connect(&self) -> Result<http2::SendRequest<Full<Bytes>>, BoxError> {
        let not_sent = |e: BoxError| Box::new(NotSent(e)) as BoxError;
        let stream = tokio::net::TcpStream::connect(&self.authority).await.map_err(|e| not_sent(e.into()))?;
        stream.set_nodelay(true)?;
        let executor = hyper_util::rt::TokioExecutor::new();
        let (sender, connection) =
            http2::handshake(executor, TokioIo::new(stream)).await.map_err(|e| not_sent(e.into()))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "remotipy: HTTP/2 connection closed");
            }
        });
        Ok(sender)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_target_and_address_come_from_the_uri_once() {
        let c = Connections::new(&"http://user:pw@example.com:8080/rpc?v=1".parse().unwrap()).unwrap();
        assert_eq!(
            (c.authority.as_str(), c.path.to_string(), c.host.to_str().unwrap()),
            ("example.com:8080", "/rpc?v=1".to_owned(), "example.com:8080")
        );
        let c = Connections::new(&"http://[::1]/".parse().unwrap()).unwrap();
        assert_eq!((c.authority.as_str(), c.host.to_str().unwrap()), ("[::1]:80", "[::1]"));
    }
}
