//! The HTTP side of a [`Server`]: method and content-type checks, the body
//! limit, status codes, and the axum route.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use http::header::{ALLOW, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::BodyExt;

use super::context::Context;
use super::dispatch::{self, Answer};
use super::service::HttpStatus;
use super::{Server, stream};
use crate::body::{BodyError, read_limited};
use crate::codec::Codec;

impl Server {
    /// An axum router answering `POST /`: mount it with `nest("/rpc", ..)`
    /// or `merge`, add any tower layer.
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
    /// JSON-RPC response (200, or the status an [`ErrorCode`](crate::ErrorCode)
    /// chose) in the request's codec, or nothing (204, notifications).
    ///
    /// This is what the route does; call it from a hand-written axum handler
    /// after your own checks (remotipy's "Step 4"). The handlers'
    /// [`Context`] is this request's headers, URI and extensions.
    ///
    /// A streaming method, called with `Accept: text/event-stream`, is
    /// answered with an event stream (`200`, `text/event-stream`): one
    /// JSON-RPC message per event, each item a `rpc.item` notification,
    /// the last the response to the call.
    pub async fn handle(&self, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        if parts.method != Method::POST {
            return (StatusCode::METHOD_NOT_ALLOWED, [(ALLOW, HeaderValue::from_static("POST"))]).into_response();
        }
        let codec = match codec_of(&parts.headers) {
            Ok(codec) => codec,
            Err(essence) => return unsupported(&essence),
        };
        let limit = self.inner.options.body_limit;
        let body = match read_limited(&parts.headers, body, limit).await {
            Ok(body) => body,
            Err(BodyError::TooLarge(rest)) => return too_large(rest, limit).await,
            Err(BodyError::Read(_)) => {
                return (StatusCode::BAD_REQUEST, "could not read the request body").into_response();
            }
        };
        let events = stream::accepts_events(&parts.headers);
        let context = Context::new(parts);
        let deadline = context.deadline();
        match context.clone().scope(dispatch::dispatch(self, codec, &body, events, deadline)).await {
            Answer::Body { body: Some(body), status } => {
                let mut response =
                    (status.map_or(StatusCode::OK, |s| s.code), [(CONTENT_TYPE, codec.content_type())], body)
                        .into_response();
                retry_after(&mut response, status);
                response
            }
            Answer::Body { body: None, status } => {
                let mut response = status.map_or(StatusCode::NO_CONTENT, |s| s.code).into_response();
                retry_after(&mut response, status);
                response
            }
            Answer::Stream { items, id } => {
                let settings = stream::Settings {
                    keep_alive: self.inner.options.keep_alive,
                    shutdown: self.inner.shutdown.clone().cancelled_owned(),
                    context: context.without_deadline(),
                };
                let events = stream::Events::new(items, id, settings);
                (stream::headers(), Body::from_stream(events)).into_response()
            }
        }
    }
}

/// The `Retry-After` a reply asked for (a load-shedding layer's), if any.
fn retry_after(response: &mut Response, status: Option<HttpStatus>) {
    if let Some(seconds) = status.and_then(|status| status.retry_after) {
        response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
}

async fn serve(State(server): State<Server>, request: Request) -> Response {
    server.handle(request).await
}

/// The content types a server reads, for the 415 message.
#[cfg(not(feature = "msgpack"))]
const ACCEPTED: &str = "application/json";
#[cfg(feature = "msgpack")]
const ACCEPTED: &str = "application/json or application/msgpack";

fn unsupported(essence: &str) -> Response {
    let message = format!("unsupported content type `{essence}`: send {ACCEPTED}");
    (StatusCode::UNSUPPORTED_MEDIA_TYPE, message).into_response()
}

/// The codec of the body, from its content type (the essence, lower case,
/// when no codec reads it): liberal for JSON (no content type, anything
/// JSON-ish, and `text/plain`, which browsers' CORS-simple requests send);
/// HTML, XML, forms and binary types are turned away with 415.
fn codec_of(headers: &HeaderMap) -> Result<Codec, String> {
    let Some(value) = headers.get(CONTENT_TYPE) else { return Ok(Codec::Json) };
    if value == "application/json" {
        return Ok(Codec::Json);
    }
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    Codec::from_essence(&essence).ok_or(essence)
}

/// How much of an oversized body is read and dropped before the 413, and
/// for how long at most. A server that closes a connection with unread
/// request bytes makes the kernel reset it, and the reset destroys the 413
/// before the client reads it: the client would see a broken pipe instead.
/// Bodies beyond this still get the 413, on a connection then closed.
const DRAIN_BYTES: usize = 16 * 1024 * 1024;
const DRAIN_TIME: Duration = Duration::from_secs(2);

pub(crate) async fn too_large(mut rest: Body, limit: usize) -> Response {
    let drain = async {
        let mut drained = 0;
        while let Some(Ok(frame)) = rest.frame().await {
            drained += frame.data_ref().map_or(0, |data| data.len());
            if drained > DRAIN_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    (StatusCode::PAYLOAD_TOO_LARGE, format!("request body exceeds {limit} bytes")).into_response()
}
