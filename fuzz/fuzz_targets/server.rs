//! The server both targets fuzz: the example's traits and the shapes (every
//! serde shape, a type whose serde impls panic, floats JSON cannot carry),
//! on one endpoint, answering through `Server::handle` as over HTTP.
#![allow(dead_code)]

#[path = "../../examples/api/mod.rs"]
mod api;
#[path = "../../examples/app/mod.rs"]
mod app;
#[path = "../../tests/common/shapes.rs"]
mod shapes;

use http_body_util::BodyExt;
use remotipy::http;

/// The server, once the panic hook tells the deliberate panics (`Fragile`'s,
/// which the dispatcher must contain) from any other: libfuzzer-sys's hook
/// aborts at every panic, caught or not, and every other panic, even one
/// the dispatcher contains, is a bug to report.
pub fn server() -> remotipy::Server {
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or("");
        if !message.contains("Fragile refuses") {
            report(info);
        }
    }));
    remotipy::Server::builder()
        .service(api::UsersServer::new(app::Directory))
        .service(api::CalculatorServer::new(app::Calc))
        .service(shapes::ShapesServer::new(shapes::ShapesImpl))
        .build()
        .unwrap()
}

/// The status and body `server` answers `body` (in `codec`) with. A panic
/// escaping `handle` fails the fuzz run.
pub fn answer(server: &remotipy::Server, runtime: &tokio::runtime::Runtime, codec: remotipy::Codec, body: &[u8]) -> (u16, Vec<u8>) {
    runtime.block_on(async {
        let mut request = http::Request::new(axum::body::Body::from(body.to_vec()));
        *request.method_mut() = http::Method::POST;
        request.headers_mut().insert(http::header::CONTENT_TYPE, codec.content_type());
        let response = server.handle(request).await;
        let status = response.status().as_u16();
        (status, response.into_body().collect().await.unwrap().to_bytes().to_vec())
    })
}

/// A well-formed answer: nothing (204), one response object, or a non-empty
/// array of them, each with `jsonrpc`, `id` and exactly one of `result` and
/// `error` (an error with an integer code and a message).
pub fn assert_well_formed(status: u16, answer: serde_json::Value) {
    let one = |v: &serde_json::Value| {
        let object = v.as_object().unwrap_or_else(|| panic!("not an object: {v}"));
        assert_eq!(object.get("jsonrpc").and_then(|v| v.as_str()), Some("2.0"), "{v}");
        assert!(object.contains_key("id"), "{v}");
        assert!(object.keys().all(|k| ["jsonrpc", "id", "result", "error"].contains(&k.as_str())), "{v}");
        match (object.get("result"), object.get("error")) {
            (Some(_), None) => {}
            (None, Some(error)) => assert!(error["code"].is_i64() && error["message"].is_string(), "{v}"),
            _ => panic!("exactly one of result and error: {v}"),
        }
    };
    assert_eq!(status, 200, "{answer}");
    match &answer {
        serde_json::Value::Array(items) => {
            assert!(!items.is_empty(), "an empty batch answer must be no answer");
            items.iter().for_each(one);
        }
        other => one(other),
    }
}
