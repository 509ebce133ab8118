//! A transport with no socket: calls go straight into a [`Server`] or an
//! axum [`Router`] in the same process, through the same encode → dispatch →
//! decode path.

use axum::Router;
use axum::body::Body;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, Method, Request, Uri};
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
/// router, the request is a real `http::Request` (`POST /`, or the path given
/// to [`InProcess::at`]) that passes the router's layers (auth, limits …)
/// exactly as a network request would.
#[derive(Debug, Clone)]
pub struct InProcess {
    target: Target,
    headers: HeaderMap,
}

#[derive(Debug, Clone)]
enum Target {
    Server(Server),
    /// The router, and the path calls are posted to.
    Router(Router, Uri),
}

impl InProcess {
    /// A transport answering from `target`: a [`Server`] or a [`Router`].
    pub fn new(target: impl Into<InProcess>) -> Self {
        target.into()
    }

    /// Posts to `path` of the router (default `/`): where your app mounts
    /// the endpoint, e.g. `"/rpc"` for `.route("/rpc", rpc.into_route())`.
    /// Panics if `path` is not a valid URI path; a server target has no paths
    /// and ignores it.
    pub fn at(mut self, path: &str) -> Self {
        if let Target::Router(_, uri) = &mut self.target {
            *uri = path.parse().unwrap_or_else(|e| panic!("invalid in-process path {path:?}: {e}"));
        }
        self
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
        InProcess { target: Target::Router(router, Uri::from_static("/")), headers: HeaderMap::new() }
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
                Target::Router(router, uri) => {
                    let mut http = Request::new(Body::from(request.body));
                    *http.method_mut() = Method::POST;
                    *http.uri_mut() = uri.clone();
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
