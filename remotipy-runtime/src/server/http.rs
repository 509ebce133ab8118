//! The HTTP side of a [`Server`]: method and content-type checks, the body
//! limit, status codes, and the axum router.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::{Context, Server};

const JSON: HeaderValue = HeaderValue::from_static("application/json");

impl Server {
    /// An axum router answering `POST /` (mount it with `nest("/rpc", ..)` or
    /// `merge`), ready for any tower layer.
    pub fn into_router(self) -> Router {
        Router::new().route("/", post(serve)).with_state(self)
    }

    /// Answers a whole HTTP request: 405 for anything but POST, 415 for a
    /// content type that is clearly not JSON, 413 over the body limit, then
    /// the JSON-RPC response (200) or nothing (204, notifications).
    ///
    /// Use it from a hand-written axum route after your own checks.
    pub async fn handle(&self, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let checked = async {
            if parts.method != Method::POST {
                return Err(Rejection::MethodNotAllowed);
            }
            check_content_type(&parts.headers)?;
            read_limited(&parts.headers, body, self.inner.body_limit).await
        };
        match checked.await {
            Ok(body) => respond(self.in_context(Context::new(parts), &body).await),
            Err(rejection) => rejection.into_response(),
        }
    }

    /// Answers an already-read body (remotipy's "Step 4": check headers,
    /// cookies, etc. in your own route, then dispatch). The handler's
    /// [`Context`] carries `headers`.
    pub async fn dispatch(&self, headers: HeaderMap, body: &[u8]) -> Response {
        respond(self.in_context(Context::from_headers(headers), body).await)
    }

    /// Dispatches `body` with `context` as the handlers' [`Context`]; the
    /// answer's body and HTTP status (200, 204, or what an [`ErrorCode`](super::ErrorCode) asked).
    pub(crate) async fn in_context(&self, context: Context, body: &[u8]) -> (StatusCode, Option<Vec<u8>>) {
        let answer = context.scope(self.answer(body)).await;
        let status = match (&answer.body, answer.status) {
            (_, Some(status)) => status,
            (Some(_), None) => StatusCode::OK,
            (None, None) => StatusCode::NO_CONTENT,
        };
        (status, answer.body)
    }
}

async fn serve(State(server): State<Server>, request: Request) -> Response {
    server.handle(request).await
}

fn respond((status, body): (StatusCode, Option<Vec<u8>>)) -> Response {
    match body {
        Some(body) => (status, [(CONTENT_TYPE, JSON)], body).into_response(),
        None => status.into_response(),
    }
}

/// Why a request was turned away before dispatch.
enum Rejection {
    MethodNotAllowed,
    UnsupportedMediaType(String),
    TooLarge(usize),
    Unreadable,
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        match self {
            Rejection::MethodNotAllowed => {
                (StatusCode::METHOD_NOT_ALLOWED, [(ALLOW, HeaderValue::from_static("POST"))]).into_response()
            }
            Rejection::UnsupportedMediaType(essence) => {
                let message = format!("unsupported content type `{essence}`: send application/json");
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into_response()
            }
            Rejection::TooLarge(limit) => {
                (StatusCode::PAYLOAD_TOO_LARGE, format!("request body exceeds {limit} bytes")).into_response()
            }
            Rejection::Unreadable => (StatusCode::BAD_REQUEST, "could not read the request body").into_response(),
        }
    }
}

/// Liberal in what it accepts: no content type, anything JSON-ish, and
/// `text/plain` (browsers' CORS-simple requests) pass; HTML, XML, forms and
/// binary types are turned away with 415.
fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let Some(value) = headers.get(CONTENT_TYPE) else { return Ok(()) };
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let accepted = essence.is_empty()
        || essence.ends_with("json")
        || essence.contains("json-rpc")
        || essence == "application/jsonrequest"
        || essence == "text/plain";
    match accepted {
        true => Ok(()),
        false => Err(Rejection::UnsupportedMediaType(essence)),
    }
}

/// Reads the body, refusing (413) as soon as it is known to exceed `limit`:
/// from `Content-Length` before reading, or while streaming a chunked body.
async fn read_limited(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, Rejection> {
    let declared = headers.get(CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(Rejection::TooLarge(limit));
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Rejection::TooLarge(limit)),
        Err(_) => Err(Rejection::Unreadable),
    }
}
