//! Any bytes, as a JSON body: the answer is always well formed, and no
//! panic escapes a call.
#![no_main]

mod server;

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;

static SERVER: LazyLock<remotipy::Server> = LazyLock::new(server::server);
static RUNTIME: LazyLock<tokio::runtime::Runtime> =
    LazyLock::new(|| tokio::runtime::Builder::new_current_thread().build().unwrap());

fuzz_target!(|body: &[u8]| {
    let (status, answer) = server::answer(&SERVER, &RUNTIME, remotipy::Codec::Json, body);
    if status == 204 {
        assert!(answer.is_empty());
        return;
    }
    let answer = serde_json::from_slice(&answer).expect("the answer is JSON");
    server::assert_well_formed(status, answer);
});
