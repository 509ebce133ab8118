//! The HTTP side of a [`Server`]: method and content-type checks, the body
//! limit, status codes, and the axum router.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::{Context, Server};
use crate::codec::Codec;

impl Server {
    /// An axum router answering `POST /` (mount it with `nest("/rpc", ..)` or
    /// `merge`), ready for any tower layer.
    pub fn into_router(self) -> Router {
        Router::new().route("/", self.into_route())
    }

    /// The endpoint as an axum route, to mount at a path of your router:
    /// `Router::new().route("/rpc", rpc.into_route())`. The same answers as
    /// [`Server::into_router`], without the path rewriting `nest` does on
    /// every request.
    pub fn into_route<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        post(serve).with_state(self)
    }

    /// Answers a whole HTTP request: 405 for anything but POST, 415 for a
    /// content type that is no codec's, 413 over the body limit, then the
    /// JSON-RPC response (200) in the request's codec, or nothing (204,
    /// notifications).
    ///
    /// Use it from a hand-written axum route after your own checks.
    pub async fn handle(&self, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        let checked = async {
            if parts.method != Method::POST {
                return Err(Rejection::MethodNotAllowed);
            }
            let codec = codec_of(&parts.headers)?;
            Ok((codec, read_limited(&parts.headers, body, self.inner.body_limit).await?))
        };
        match checked.await {
            Ok((codec, body)) => respond(codec, self.in_context(Context::new(parts), codec, &body).await),
            Err(rejection) => rejection.into_response(),
        }
    }

    /// Answers an already-read body (remotipy's "Step 4": check headers,
    /// cookies, etc. in your own route, then dispatch), in the codec its
    /// `Content-Type` names (415 for none). The handler's [`Context`]
    /// carries `headers`.
    pub async fn dispatch(&self, headers: HeaderMap, body: &[u8]) -> Response {
        match codec_of(&headers) {
            Ok(codec) => respond(codec, self.in_context(Context::from_headers(headers), codec, body).await),
            Err(rejection) => rejection.into_response(),
        }
    }

    /// Dispatches `body` with `context` as the handlers' [`Context`]; the
    /// answer's body and HTTP status (200, 204, or what an [`ErrorCode`](super::ErrorCode) asked).
    pub(crate) async fn in_context(
        &self,
        context: Context,
        codec: Codec,
        body: &[u8],
    ) -> (StatusCode, Option<Vec<u8>>) {
        let answer = context.scope(self.answer(codec, body)).await;
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

fn respond(codec: Codec, (status, body): (StatusCode, Option<Vec<u8>>)) -> Response {
    match body {
        Some(body) => (status, [(CONTENT_TYPE, codec.content_type())], body).into_response(),
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
                let message = format!("unsupported content type `{essence}`: send {ACCEPTED}");
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into_response()
            }
            Rejection::TooLarge(limit) => {
                (StatusCode::PAYLOAD_TOO_LARGE, format!("request body exceeds {limit} bytes")).into_response()
            }
            Rejection::Unreadable => (StatusCode::BAD_REQUEST, "could not read the request body").into_response(),
        }
    }
}

/// The content types a server reads, for the 415 message.
#[cfg(not(feature = "msgpack"))]
const ACCEPTED: &str = "application/json";
#[cfg(feature = "msgpack")]
const ACCEPTED: &str = "application/json or application/msgpack";

/// The codec of the body, from its content type: liberal for JSON (no
/// content type, anything JSON-ish, and `text/plain`, which browsers'
/// CORS-simple requests send); HTML, XML, forms and binary types are turned
/// away with 415.
fn codec_of(headers: &HeaderMap) -> Result<Codec, Rejection> {
    let Some(value) = headers.get(CONTENT_TYPE) else { return Ok(Codec::Json) };
    if value == "application/json" {
        return Ok(Codec::Json);
    }
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    Codec::from_essence(&essence).ok_or(Rejection::UnsupportedMediaType(essence))
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
