//! The HTTP side of the MCP endpoint: Streamable HTTP's POST, its checks
//! (`Origin`, content type, `Accept`, body limit, protocol version), and
//! the method of each message.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, any};
use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderValue};
use http::{HeaderMap, Method, StatusCode};

use super::Mcp;
use super::call::ToolCall;
use super::headers::{self, Said};
use super::lifecycle::EMPTY;
use super::message::{self, Message, Params, invalid};
use super::reply::Answer;
use super::revision::{self, Revision};
use crate::body::{BodyError, read_limited};
use crate::codec::Codec;
use crate::protocol::ErrorObject;
use crate::server::context::Context;
use crate::server::stream;

impl Mcp {
    /// An axum router answering at `/`: mount it with `nest("/mcp", ..)`.
    pub fn into_router(self) -> Router {
        Router::new().route("/", self.into_route())
    }

    /// The endpoint as an axum route, to mount at a path of your router:
    /// `Router::new().route("/mcp", mcp.into_route())`. Every HTTP method
    /// reaches it: Streamable HTTP's GET and DELETE get their 405.
    pub fn into_route<S: Clone + Send + Sync + 'static>(self) -> MethodRouter<S> {
        any(serve).with_state(self)
    }

    /// Answers a whole HTTP request, as the route does: 405 for anything
    /// but POST (this server offers no GET stream and no sessions), 403 for
    /// an `Origin` not allowed, 415, 406, 413, 400 for an unsupported
    /// `MCP-Protocol-Version`; then the message's answer (JSON, or Server-Sent
    /// Events for a streaming tool's progress), or 202 for a notification.
    /// Handlers see this request as their [`Context`].
    pub async fn handle(&self, request: Request) -> Response {
        let (parts, body) = request.into_parts();
        if parts.method != Method::POST {
            return (StatusCode::METHOD_NOT_ALLOWED, [(ALLOW, HeaderValue::from_static("POST"))]).into_response();
        }
        if let Some(refused) = self.refuse(&parts.headers) {
            return refused;
        }
        let revision = match revision::of(&parts.headers) {
            Ok(revision) => revision,
            Err(error) => return respond(Answer::error(Revision::Legacy, None, &error)),
        };
        let limit = self.inner.server.inner.options.body_limit;
        let body = match read_limited(&parts.headers, body, limit).await {
            Ok(body) => body,
            Err(BodyError::TooLarge(rest)) => return crate::server::http::too_large(rest, limit).await,
            Err(BodyError::Read(_)) => {
                return (StatusCode::BAD_REQUEST, "could not read the request body").into_response();
            }
        };
        let events = stream::accepts_events(&parts.headers);
        let context = Context::new(parts);
        respond(context.clone().scope(self.answer(revision, &body, events, &context)).await)
    }

    /// The checks before the body is read: a response in plain text (these
    /// come before anything says which protocol the client speaks).
    fn refuse(&self, headers: &HeaderMap) -> Option<Response> {
        if let Err(origin) = self.inner.origins.check(headers) {
            let error = ErrorObject::invalid_request(format_args!(
                "Origin `{origin}` is not allowed to call this MCP endpoint (see `McpBuilder::allow_origin`)"
            ));
            return Some(plain_error(StatusCode::FORBIDDEN, &error));
        }
        if let Some(essence) = content_type(headers) {
            let error = ErrorObject::invalid_request(format_args!(
                "unsupported content type `{essence}`: MCP messages are `application/json`"
            ));
            return Some(plain_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, &error));
        }
        if !accepts_json(headers) {
            let error = ErrorObject::invalid_request(
                "the `Accept` header must list `application/json` and `text/event-stream`",
            );
            return Some(plain_error(StatusCode::NOT_ACCEPTABLE, &error));
        }
        None
    }

    /// The answer to one message.
    async fn answer(&self, revision: Revision, body: &Bytes, events: bool, context: &Context) -> Answer {
        let (id, method, params) = match message::parse(body) {
            Ok(Message::Request { id, method, params }) => (id, method, params),
            Ok(Message::Notification) => return Answer::Accepted,
            Ok(Message::Response) if revision == Revision::Legacy => return Answer::Accepted,
            Ok(Message::Response) => {
                let error =
                    ErrorObject::invalid_request("2026-07-28 clients send no responses: this server asks nothing");
                return Answer::error(revision, None, &error);
            }
            Err((error, id)) => return Answer::error(revision, id.as_deref(), &error),
        };
        let params = match Params::parse(&method, params) {
            Ok(params) => params,
            Err(error) => return Answer::error(revision, Some(id), &error),
        };
        if revision == Revision::Modern {
            if let Err(error) = check_envelope(context.headers(), &method, &params) {
                return Answer::error(revision, Some(id), &error);
            }
        }
        let answers = &self.inner.answers;
        match (revision, &*method) {
            (_, "tools/call") => ToolCall { mcp: self, revision, id, params, body, events, context }.answer().await,
            (_, "tools/list") if params.cursor.is_some() => {
                let detail = format_args!("this server lists every tool at once and gives no cursor");
                Answer::error(revision, Some(id), &invalid("tools/list", detail))
            }
            (_, "tools/list") => Answer::result(id, answers.list(revision)),
            (Revision::Legacy, "initialize") => {
                Answer::result(id, &answers.initialize(params.protocol_version.as_deref()))
            }
            (Revision::Legacy, "ping") => Answer::result(id, EMPTY),
            (Revision::Modern, "server/discover") => Answer::result(id, answers.discover()),
            (_, other) => Answer::error(revision, Some(id), &ErrorObject::method_not_found(other)),
        }
    }
}

/// 2026-07-28's checks, in its order: the `_meta` envelope (`-32602`),
/// the headers against the body (`-32020`), the version (`-32022`).
fn check_envelope(headers: &HeaderMap, method: &str, params: &Params<'_>) -> Result<(), ErrorObject> {
    let meta = params.meta.as_ref();
    let (Some(version), Some(_)) = (meta.and_then(|m| m.protocol_version), meta.and_then(|m| m.client_capabilities))
    else {
        return Err(invalid(
            method,
            format_args!(
                "2026-07-28 requests carry `params._meta` with `io.modelcontextprotocol/protocolVersion` and \
                 `io.modelcontextprotocol/clientCapabilities`"
            ),
        ));
    };
    let Ok(version) = serde_json::from_str::<&str>(version.get()) else {
        return Err(invalid(method, format_args!("the protocol version in `params._meta` must be a string")));
    };
    let name = match method {
        "tools/call" => params.name.as_deref(),
        _ => None,
    };
    headers::check(headers, &Said { version, method, name })?;
    match version {
        revision::MODERN => Ok(()),
        other => Err(revision::unsupported(other)),
    }
}

async fn serve(State(mcp): State<Mcp>, request: Request) -> Response {
    mcp.handle(request).await
}

fn respond(answer: Answer) -> Response {
    match answer {
        Answer::Json { status, body, retry_after } => {
            let mut response = (status, [(CONTENT_TYPE, Codec::Json.content_type())], body).into_response();
            if let Some(seconds) = retry_after {
                response.headers_mut().insert(http::header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Answer::Accepted => StatusCode::ACCEPTED.into_response(),
        Answer::Events(events) => {
            let body = Body::from_stream(futures_util::StreamExt::map(events, Ok::<_, std::convert::Infallible>));
            (stream::headers(), body).into_response()
        }
    }
}

/// An error before any message was read: a JSON-RPC error without an id.
fn plain_error(status: StatusCode, error: &ErrorObject) -> Response {
    let body = Codec::Json.error_response(error, b"null");
    (status, [(CONTENT_TYPE, Codec::Json.content_type())], body).into_response()
}

/// The content type's essence when it is not JSON (none is taken as JSON).
fn content_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(CONTENT_TYPE)?;
    let essence = value.to_str().unwrap_or("").split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    (essence != "application/json").then_some(essence)
}

/// Whether the caller takes a JSON answer: no `Accept`, or one listing
/// JSON, a wildcard, or (MCP clients list both) an event stream.
fn accepts_json(headers: &HeaderMap) -> bool {
    let mut values = headers.get_all(ACCEPT).iter().peekable();
    if values.peek().is_none() {
        return true;
    }
    values.filter_map(|value| value.to_str().ok()).flat_map(|value| value.split(',')).any(|range| {
        let range = range.split(';').next().unwrap_or("").trim();
        ["application/json", "application/*", "*/*", "text/event-stream"].iter().any(|t| range.eq_ignore_ascii_case(t))
    })
}
