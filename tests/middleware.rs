//! Handlers that know their request (remotipy's header checks, quickrpc's
//! security info), errors of the handler's choosing, and ordinary tower /
//! tower-http layers on the generated router.

mod common;

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use remotipy::{CallOptions, Context, Error};
use serde::{Deserialize, Serialize};

/// What the auth layer resolved from the token.
#[derive(Clone, Debug)]
struct AuthUser(String);

/// remotipy's README example: check `X-Authentication-Token` before dispatch.
async fn auth(mut request: Request, next: Next) -> Response {
    let user = match request.headers().get("x-authentication-token").and_then(|v| v.to_str().ok()) {
        Some("ada-token") => "ada",
        Some("root-token") => "root",
        _ => return (StatusCode::UNAUTHORIZED, "missing or bad X-Authentication-Token").into_response(),
    };
    request.extensions_mut().insert(AuthUser(user.into()));
    next.run(request).await
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
#[error("only root may do that, not {0}")]
pub struct Forbidden(String);

/// The handler picks the JSON-RPC code and the HTTP status.
impl remotipy::ErrorCode for Forbidden {
    fn code(&self) -> i64 {
        -32003
    }
    fn http_status(&self) -> Option<StatusCode> {
        Some(StatusCode::FORBIDDEN)
    }
}

#[remotipy::remote]
pub trait Account {
    /// The authenticated user, as the auth layer resolved it.
    async fn whoami(&self) -> String;
    /// Root only.
    async fn shutdown(&self) -> Result<String, Forbidden>;
    async fn nap(&self, millis: u64) -> u64;
}

struct Accounts;

fn current_user() -> String {
    let ctx = Context::current().expect("inside a remotipy handler");
    ctx.extension::<AuthUser>().expect("the auth layer ran").0.clone()
}

impl Account for Accounts {
    async fn whoami(&self) -> String {
        current_user()
    }
    async fn shutdown(&self) -> Result<String, Forbidden> {
        match current_user().as_str() {
            "root" => Ok("shutting down".into()),
            other => Err(Forbidden(other.into())),
        }
    }
    async fn nap(&self, millis: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(millis)).await;
        millis
    }
}

async fn serve_with_auth() -> String {
    let router = AccountServer::new(Accounts).into_router().layer(middleware::from_fn(auth));
    common::serve(router).await
}

#[tokio::test]
async fn an_auth_layer_resolves_the_user_and_the_handler_reads_it() {
    let url = serve_with_auth().await;
    let ada = AccountClient::builder(&url).header("x-authentication-token", "ada-token").build().unwrap();
    assert_auth(ada, AccountClient::new(&url).unwrap()).await;
}

#[tokio::test]
async fn the_in_process_client_over_a_router_runs_its_layers_too() {
    let router = AccountServer::new(Accounts).into_router().layer(middleware::from_fn(auth));
    let builder = || remotipy::ClientBuilder::<AccountClient>::in_process(router.clone());
    let ada = builder().header("x-authentication-token", "ada-token").build().unwrap();
    assert_auth(ada, builder().build().unwrap()).await;
}

/// `ada` sends Ada's token; `anonymous` sends none.
async fn assert_auth(ada: AccountClient, anonymous: AccountClient) {
    // Per client.
    assert_eq!(ada.whoami().await.unwrap(), "ada");
    // Per call, on a client without the header.
    let as_root = anonymous.with_options(CallOptions::new().header("x-authentication-token", "root-token")).unwrap();
    assert_eq!(as_root.whoami().await.unwrap(), "root");
    // Without a token the layer answers 401 before any dispatch.
    let error = anonymous.whoami().await.unwrap_err();
    assert!(matches!(&error, Error::Status { status, .. } if *status == StatusCode::UNAUTHORIZED), "{error:?}");
    assert_eq!(error.to_string(), "`whoami` got HTTP 401 Unauthorized: missing or bad X-Authentication-Token");
}

#[tokio::test]
async fn a_handler_chooses_the_error_code_and_http_status() {
    let url = serve_with_auth().await;
    let ada = AccountClient::builder(&url).header("x-authentication-token", "ada-token").build().unwrap();
    let error = ada.shutdown().await.unwrap_err();
    assert!(matches!(&error, Error::App(Forbidden(who)) if who == "ada"), "{error:?}");
    let root = AccountClient::builder(&url).header("x-authentication-token", "root-token").build().unwrap();
    assert_eq!(root.shutdown().await.unwrap(), "shutting down");

    // On the wire: HTTP 403 and code -32003 for a single call.
    let response = reqwest::Client::new()
        .post(&url)
        .header("x-authentication-token", "ada-token")
        .body(r#"{"jsonrpc":"2.0","method":"shutdown","id":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let v: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(v["error"]["code"], -32003);
    assert_eq!(v["error"]["data"]["type"], "Forbidden");
    // In a batch the status stays 200: other calls succeeded.
    let response = reqwest::Client::new()
        .post(&url)
        .header("x-authentication-token", "ada-token")
        .body(r#"[{"jsonrpc":"2.0","method":"shutdown","id":1},{"jsonrpc":"2.0","method":"whoami","id":2}]"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_in_process_client_carries_headers_into_the_context() {
    #[remotipy::remote]
    trait Echo {
        async fn token(&self) -> Option<String>;
    }
    struct E;
    impl Echo for E {
        async fn token(&self) -> Option<String> {
            let ctx = Context::current()?;
            Some(ctx.headers().get("x-authentication-token")?.to_str().ok()?.to_owned())
        }
    }
    let client = remotipy::ClientBuilder::<EchoClient>::in_process(EchoServer::new(E).into_server())
        .header("x-authentication-token", "in-process")
        .build()
        .unwrap();
    assert_eq!(client.token().await.unwrap().as_deref(), Some("in-process"));
    assert!(Context::current().is_none(), "no context outside a handler");
}

#[tokio::test]
async fn tower_http_layers_stack_on_the_generated_router() {
    use tower::limit::ConcurrencyLimitLayer;
    use tower_http::compression::CompressionLayer;
    use tower_http::cors::CorsLayer;
    use tower_http::timeout::TimeoutLayer;
    use tower_http::trace::TraceLayer;

    let router = AccountServer::new(Accounts)
        .into_router()
        .layer(middleware::from_fn(auth))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_millis(300)))
        .layer(ConcurrencyLimitLayer::new(64))
        .layer(CompressionLayer::new())
        .layer(CorsLayer::permissive())
        .layer(TraceLayer::new_for_http());
    let url = common::serve(router).await;
    let client = AccountClient::builder(&url).header("x-authentication-token", "ada-token").build().unwrap();
    assert_eq!(client.whoami().await.unwrap(), "ada");
    assert_eq!(client.nap(10).await.unwrap(), 10);

    // The timeout layer answers 408 for a call that takes too long.
    let error = client.nap(2_000).await.unwrap_err();
    assert!(matches!(&error, Error::Status { status, .. } if *status == StatusCode::REQUEST_TIMEOUT), "{error:?}");

    // Compression, when the caller asks for it. (A reqwest that leaves the
    // answer compressed: with remotipy's `compression` on, it decompresses.)
    let big = reqwest::Client::builder()
        .no_gzip()
        .build()
        .unwrap()
        .post(&url)
        .header("x-authentication-token", "ada-token")
        .header("accept-encoding", "gzip")
        .body(format!(r#"{{"jsonrpc":"2.0","method":"nap","params":[1],"id":"{}"}}"#, "x".repeat(4000)))
        .send()
        .await
        .unwrap();
    assert_eq!(big.headers().get("content-encoding"), Some(&HeaderValue::from_static("gzip")));

    // CORS preflight, answered by the layer.
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://example.org")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().contains_key("access-control-allow-origin"));
}
