//! Any bytes as the event stream of a streaming call, cut into chunks
//! anywhere: the client's SSE reader never panics, never buffers past its
//! limit, and the stream ends (an error ends it at once).
#![no_main]

mod client;

use futures_util::StreamExt;
use libfuzzer_sys::fuzz_target;
use remotipy::http::StatusCode;

fuzz_target!(|input: &[u8]| {
    let Some((&chunk, body)) = input.split_first() else { return };
    let chunks: Vec<Vec<u8>> = body.chunks(usize::from(chunk).max(1)).map(<[u8]>::to_vec).collect();
    let calc = client::client(StatusCode::OK, "text/event-stream", chunks, false);
    client::RUNTIME.block_on(async {
        let Ok(mut ticks) = calc.ticks(3, 1).await else { return };
        let mut seen = 0;
        while let Some(tick) = ticks.next().await {
            seen += 1;
            // Each item is a whole event: at most one per 50 bytes or so.
            assert!(seen <= body.len() / 40 + 1, "more items than the bytes can hold");
            if tick.is_err() {
                assert!(ticks.next().await.is_none(), "an error ends the stream");
                break;
            }
        }
    });
});
