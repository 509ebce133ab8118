//! A transport with no socket: calls go straight into a [`Server`] in the
//! same process, through the same encode → dispatch → decode path.

use http::HeaderMap;

use super::transport::{Transport, TransportRequest, TransportResponse, extend};
use crate::error::BoxError;
use crate::server::{BoxFuture, Context, Server};

/// Calls a [`Server`] in this process; for tests and embedding.
///
/// The handler's [`Context`] carries the client's headers (default and
/// per-call), no peer address and no extensions.
#[derive(Debug, Clone)]
pub struct InProcess {
    server: Server,
    headers: HeaderMap,
}

impl InProcess {
    /// A transport answering from `server`.
    pub fn new(server: Server) -> Self {
        InProcess { server, headers: HeaderMap::new() }
    }

    pub(crate) fn with_default_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }
}

impl Transport for InProcess {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let mut headers = self.headers.clone();
            extend(&mut headers, request.headers);
            let (status, body) = self.server.in_context(Context::from_headers(headers), &request.body).await;
            Ok(TransportResponse { status, body: body.unwrap_or_default().into() })
        })
    }

    fn endpoint(&self) -> &str {
        "in-process"
    }
}
