//! The JSON-RPC shapes the hand-written baselines read and write with serde
//! (servers and the dispatch floor): what a user without remotipy writes.

use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};

/// A request, its `jsonrpc` and `method` skipped (each baseline serves one
/// method per route); `Id` is `serde_json::Value`, or a borrowed `&RawValue`.
#[derive(Deserialize)]
pub struct Request<P, Id> {
    #[allow(dead_code)]
    jsonrpc: IgnoredAny,
    #[allow(dead_code)]
    method: IgnoredAny,
    pub params: P,
    pub id: Id,
}

/// A success response.
#[derive(Serialize)]
pub struct Response<R, Id> {
    pub jsonrpc: &'static str,
    pub result: R,
    pub id: Id,
}

impl<R, Id> Response<R, Id> {
    pub fn new(result: R, id: Id) -> Self {
        Response { jsonrpc: "2.0", result, id }
    }
}

/// `add`'s params.
#[derive(Serialize, Deserialize)]
pub struct Add {
    pub a: i64,
    pub b: i64,
}

/// `greet`'s params, of the example's `UserInfo`.
#[derive(Deserialize)]
pub struct Greet<U> {
    pub user: U,
}

/// The hand-written axum server of `add`: the `Json` extractor, one route,
/// at `/add`: the baseline of the server's CPU per call.
pub fn add_router() -> axum::Router {
    use axum::Json;
    axum::Router::new().route(
        "/add",
        axum::routing::post(|Json(r): Json<Request<Add, serde_json::Value>>| async move {
            Json(Response::new(r.params.a + r.params.b, r.id))
        }),
    )
}
