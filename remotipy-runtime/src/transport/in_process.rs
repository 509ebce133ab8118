//! A transport with no socket: calls go straight into a [`Server`] or an
//! axum [`Router`] in the same process, through the same encode → dispatch →
//! decode path as over HTTP.

use axum::Router;
use axum::body::Body;
use http::{Method, Request, Uri};
use http_body::Body as _;
use tower_service::Service as _;

use super::seam::{StreamingResponse, Transport, TransportRequest, TransportResponse, chunks, read_body};
use crate::error::BoxError;
use crate::future::BoxFuture;
use crate::server::Server;

/// Calls a [`Server`] or an axum [`Router`] in this process: for tests, and
/// for embedding. Built with `From` either: `InProcess::from(server)`.
///
/// Each call is a real `http::Request` (`POST /`, or the path given to
/// [`InProcess::at`]) carrying the client's headers. Through a server, the
/// handler's [`Context`](crate::Context) has them (no peer address, no
/// extensions); through a router, the request first passes the router's
/// layers (auth, limits …) exactly as a network request would.
#[derive(Debug, Clone)]
pub struct InProcess {
    target: Target,
    /// The path calls are posted to.
    path: Uri,
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

    /// Posts to `path` of the router (default `/`): where your app mounts
    /// the endpoint, e.g. `"/rpc"` for `.route("/rpc", rpc.into_route())`.
    /// A server answers at any path.
    pub fn at(mut self, path: &str) -> Result<Self, http::uri::InvalidUri> {
        self.path = path.parse()?;
        Ok(self)
    }
}

impl From<Server> for InProcess {
    fn from(server: Server) -> Self {
        InProcess { target: Target::Server(server), path: Uri::from_static("/") }
    }
}

impl From<Router> for InProcess {
    fn from(router: Router) -> Self {
        InProcess { target: Target::Router(router), path: Uri::from_static("/") }
    }
}

impl InProcess {
    async fn exchange(&self, request: TransportRequest<'_>) -> Result<axum::response::Response, BoxError> {
        let mut http = Request::new(Body::empty());
        *http.method_mut() = Method::POST;
        *http.uri_mut() = self.path.clone();
        *http.headers_mut() = request.headers;
        *http.body_mut() = Body::from(request.body);
        Ok(match &self.target {
            Target::Server(server) => server.handle(http).await,
            Target::Router(router) => {
                let response = router.clone().call(http).await?;
                match response.status() == http::StatusCode::NOT_FOUND && response.body().size_hint().exact() == Some(0)
                {
                    true => self.nothing_mounted(),
                    false => response,
                }
            }
        })
    }

    /// The router's bare 404, said with where the call went.
    fn nothing_mounted(&self) -> axum::response::Response {
        let message = format!(
            "nothing is mounted at `{}` of this router: give the endpoint's path, \
             e.g. `InProcess::from(router).at(\"/rpc\")`",
            self.path
        );
        axum::response::IntoResponse::into_response((http::StatusCode::NOT_FOUND, message))
    }
}

impl Transport for InProcess {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        Box::pin(async move {
            let limit = request.max_response_size;
            let (parts, body) = self.exchange(request).await?.into_parts();
            let body = read_body(&parts.headers, body, limit).await?;
            Ok(TransportResponse::new(parts.status, parts.headers, body))
        })
    }

    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        Box::pin(async move {
            let (parts, body) = self.exchange(request).await?.into_parts();
            Ok(StreamingResponse::new(parts.status, parts.headers, chunks(body)))
        })
    }

    fn endpoint(&self) -> &str {
        "in-process"
    }
}
