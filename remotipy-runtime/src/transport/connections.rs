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

use super::BoxError;

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
                    false => return Err(Box::new(super::NotSent(e.into()))),
                }
            }
            match connection.try_send_request(request).await {
                Ok(response) => return Ok(Exchange { response, connection }),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) if reused => request = unsent,
                    // hyper gave it back: it never left.
                    Some(_) => return Err(Box::new(super::NotSent(failed.into_error().into()))),
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
            .map_err(|e| Box::new(super::NotSent(Box::new(e))) as BoxError)?;
        stream.set_nodelay(true)?;
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| Box::new(super::NotSent(Box::new(e))) as BoxError)?;
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

/// One HTTP/2 connection to a `host:port`, spoken with prior knowledge
/// (h2c) and shared by every call: each is a stream on it. A connection that
/// closed is replaced by the next call.
#[derive(Debug)]
pub(super) struct Http2 {
    authority: String,
    /// Every request's URI: HTTP/2 sends its scheme and authority as pseudo-headers.
    uri: Uri,
    sender: tokio::sync::Mutex<Option<http2::SendRequest<Full<Bytes>>>>,
}

impl Http2 {
    pub fn new(uri: &Uri) -> Result<Self, BoxError> {
        let authority = uri.authority().ok_or("the URI has no host")?;
        let authority = format!("{}:{}", authority.host(), authority.port_u16().unwrap_or(80));
        Ok(Http2 { authority, uri: uri.clone(), sender: tokio::sync::Mutex::new(None) })
    }

    pub async fn send(&self, mut request: Request<Full<Bytes>>) -> Result<Response<Incoming>, BoxError> {
        *request.uri_mut() = self.uri.clone();
        let mut sender = self.sender().await?;
        sender.ready().await.map_err(|e| Box::new(super::NotSent(e.into())) as BoxError)?;
        Ok(sender.send_request(request).await?)
    }

    /// The shared connection, opened (again) if it is not open.
    async fn sender(&self) -> Result<http2::SendRequest<Full<Bytes>>, BoxError> {
        let mut shared = self.sender.lock().await;
        if let Some(sender) = shared.as_ref().filter(|sender| !sender.is_closed()) {
            return Ok(sender.clone());
        }
        let not_sent = |e: BoxError| Box::new(super::NotSent(e)) as BoxError;
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
        *shared = Some(sender.clone());
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
