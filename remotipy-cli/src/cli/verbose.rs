//! `-v`: the HTTP exchange on stderr, as curl shows it (`>` what was sent,
//! `<` what came back). The response's body is the command's output, so it
//! is not repeated here.

use std::io::Write;

use reqwest::{Request, Response};
use serde_json::Value;

/// The request about to be sent; `json` is its body as JSON (a MessagePack
/// body is shown as the JSON it encodes).
pub fn request(request: &Request, json: &Value) {
    let mut out = String::new();
    out.push_str(&format!("> {} {}\n", request.method(), request.url()));
    for (name, value) in request.headers() {
        out.push_str(&format!("> {name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
    }
    let length = request.body().and_then(|body| body.as_bytes()).map_or(0, <[u8]>::len);
    out.push_str(&format!("> content-length: {length}\n>\n"));
    let msgpack = request.headers().get("content-type").is_some_and(|value| value == "application/msgpack");
    match msgpack {
        true => out.push_str(&format!("> [MessagePack] {json}\n")),
        false => out.push_str(&format!("> {json}\n")),
    }
    let _ = std::io::stderr().write_all(out.as_bytes());
}

/// The status line and headers of the answer.
pub fn response(response: &Response) {
    let mut out = format!("< {:?} {}\n", response.version(), response.status());
    for (name, value) in response.headers() {
        out.push_str(&format!("< {name}: {}\n", String::from_utf8_lossy(value.as_bytes())));
    }
    out.push_str("<\n");
    let _ = std::io::stderr().write_all(out.as_bytes());
}
