//! A transport with no socket: calls go straight into a [`Server`] or an
//! axum [`Router`] in the same process, through the same encode → dispatch →
//! decode path.

use axum::Router;
use axum::body::Body;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request};
use tower_service::Service as _;

use super::transport::{
    DEFAULT_MAX_RESPONSE_SIZE, Transport, TransportRequest, TransportResponse, extend, read_limited,
};
use crate::error::BoxError;
use crate::server::{BoxFuture, Context, Server};

/// Calls a [`Server`] or an axum [`Router`] in this process; for tests and
/// embedding. Built with `From` either: `InProcess::from(server)`.
///
/// Through a server, the handler's [`Context`] carries the client's headers
/// (default and per-call), no peer address and no extensions. Through a
/// router, the request is a real `http::Request` (`POST /`) that passes the
/// router's layers (auth, limits …) exactly as a network request would.
#[derive(Debug, Clone)]
pub struct InProcess {
    target: Target,
    headers: HeaderMap,
}

#[derive(Debug, Clone)]
enum Target {
    Server(Server),
    Router(Router),
}

impl InProcess {
    /// A transport answering from `target`: a [`Server`] or a [`Router`].
    pub fn new(target: impl Into<InProcess>) -> Self {
        target.into()
    }

    pub(crate) fn with_default_headers(mut self, headers: HeaderMap) -> Self {
        self.headers = headers;
        self
    }
}

impl From<Server> for InProcess {
    fn from(server: Server) -> Self {
        InProcess { target: Target::Server(server), headers: HeaderMap::new() }
    }
}

impl From<Router> for InProcess {
    fn from(router: Router) -> Self {
        InProcess { target: Target::Router(router), headers: HeaderMap::new() }
    }
}

impl Transport for InProcess {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let mut headers = self.headers.clone();
            extend(&mut headers, request.headers);
            match &self.target {
                Target::Server(server) => {
                    let (status, body) =
                        server.in_context(Context::from_headers(headers), request.codec, &request.body).await;
                    Ok(TransportResponse { status, body: body.unwrap_or_default().into() })
                }
                Target::Router(router) => {
                    let mut http = Request::new(Body::from(request.body));
                    *http.method_mut() = Method::POST;
                    headers.insert(CONTENT_TYPE, request.codec.content_type());
                    *http.headers_mut() = headers;
                    let response = router.clone().call(http).await?;
                    let (parts, body) = response.into_parts();
                    let body = read_limited(&parts.headers, body, DEFAULT_MAX_RESPONSE_SIZE).await?;
                    Ok(TransportResponse { status: parts.status, body })
                }
            }
        })
    }

    fn endpoint(&self) -> &str {
        "in-process"
    }
}
