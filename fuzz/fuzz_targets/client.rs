//! What the client targets share: a transport that answers every request
//! with the fuzzer's bytes, and the example's calculator client over it.
#![allow(dead_code)]

#[path = "../../examples/api/mod.rs"]
mod api;

use std::sync::{Arc, LazyLock};

pub use api::CalculatorClient;
use remotipy::http::{HeaderMap, HeaderValue, StatusCode};
use remotipy::transport::{BoxError, BoxFuture, StreamingResponse, Transport, TransportRequest, TransportResponse};

pub static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap());

/// Answers with `status`, `headers` and `chunks` (joined for a whole answer).
pub struct Canned {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub chunks: Arc<Vec<Vec<u8>>>,
}

impl Transport for Canned {
    fn send<'a>(&'a self, _: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        let body = self.chunks.concat();
        Box::pin(async move { Ok(TransportResponse::new(self.status, self.headers.clone(), body.into())) })
    }

    fn open<'a>(&'a self, _: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        let chunks = self.chunks.iter().map(|c| Ok::<_, BoxError>(c.clone().into())).collect::<Vec<_>>();
        let body = futures_util::stream::iter(chunks);
        Box::pin(async move { Ok(StreamingResponse::new(self.status, self.headers.clone(), Box::pin(body))) })
    }

    fn endpoint(&self) -> &str {
        "fuzz"
    }
}

/// A client whose every call gets this answer, with a short timeout and
/// no retries (the answer would only come again).
pub fn client(status: StatusCode, content_type: &'static str, chunks: Vec<Vec<u8>>, msgpack: bool) -> CalculatorClient {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_static(content_type));
    let transport = Canned { status, headers, chunks: Arc::new(chunks) };
    let codec = if msgpack { remotipy::Codec::MsgPack } else { remotipy::Codec::Json };
    remotipy::ClientBuilder::with_transport(transport)
        .codec(codec)
        .timeout(std::time::Duration::from_millis(100))
        .max_response_size(64 * 1024)
        .retry(remotipy::client::Retry::never())
        .build()
        .unwrap()
}
