//! Any bytes as the answer to a call and to a batch (in JSON or
//! MessagePack, under any status): the client never panics, and a success
//! is always what the answer says of that call's id.
#![no_main]

mod client;

use libfuzzer_sys::fuzz_target;
use remotipy::http::StatusCode;

fuzz_target!(|input: &[u8]| {
    let Some((&mode, body)) = input.split_first() else { return };
    let status = [200, 200, 200, 204, 400, 413, 500, 503][usize::from(mode & 7)];
    let msgpack = mode & 8 != 0;
    let calc = client::client(StatusCode::from_u16(status).unwrap(), "application/json", vec![body.to_vec()], msgpack);
    client::RUNTIME.block_on(async {
        // The first call's id is 1: a success is the answer's result for id 1.
        if let Ok(sum) = calc.add(40, 2).await {
            let answer = decode(body, msgpack).expect("a success comes from a readable answer");
            assert_eq!(answer["id"], 1, "the answer is for this call");
            assert_eq!(answer["result"], sum, "and says this");
            assert!(answer.get("error").is_none_or(serde_json::Value::is_null));
        }
        // Then a batch of two (ids 2 and 3): each success is its own id's answer.
        let mut batch = calc.batch();
        let (two, three) = (batch.add(1, 1), batch.add(2, 2));
        if let Ok(mut replies) = batch.send_batch().await {
            for (id, handle) in [(2u64, two), (3, three)] {
                if let Ok(sum) = replies.take(handle) {
                    let answers = decode(body, msgpack).expect("a success comes from a readable answer");
                    let answers = answers.as_array().expect("a batch answer is an array");
                    assert!(answers.iter().any(|a| a["id"] == id && a["result"] == sum), "{id}: {sum}");
                }
            }
        }
    });
});

fn decode(body: &[u8], msgpack: bool) -> Option<serde_json::Value> {
    match msgpack {
        true => rmp_serde::from_slice(body).ok(),
        false => serde_json::from_slice(body).ok(),
    }
}
