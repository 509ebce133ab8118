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
            let answer = read_one(body, msgpack).expect("a success comes from a readable answer");
            assert_eq!(answer.id, 1, "the answer is for this call");
            assert_eq!(answer.result, sum, "and says this");
            assert!(answer.error.is_null());
        }
        // Then a batch of two (ids 2 and 3): each success is its own id's answer.
        let mut batch = calc.batch();
        let (two, three) = (batch.add(1, 1), batch.add(2, 2));
        if let Ok(mut replies) = batch.send_batch().await {
            for (id, handle) in [(2u64, two), (3, three)] {
                if let Ok(sum) = replies.take(handle) {
                    let answers = read_batch(body, msgpack).expect("a success comes from a readable batch answer");
                    assert!(answers.iter().any(|a| a.id == id && a.result == sum && a.error.is_null()), "{id}: {sum}");
                }
            }
        }
    });
});

/// A response object as JSON-RPC defines it: the members a client reads,
/// each as any value. Other members (`jsonrpc` among them) are skipped, as
/// the client skips them: they may hold what JSON's grammar or MessagePack
/// allows and `serde_json::Value` cannot (`1e400`, `"\ud800"`, bin, ext).
#[derive(serde::Deserialize)]
struct Answer {
    #[serde(default)]
    id: serde_json::Value,
    #[serde(default)]
    result: serde_json::Value,
    #[serde(default)]
    error: serde_json::Value,
}

/// The answer to one call. JSON is UTF-8 throughout (RFC 8259 §8.1), the
/// skipped members included.
fn read_one(body: &[u8], msgpack: bool) -> Option<Answer> {
    match msgpack {
        true => rmp_serde::from_slice(body).ok(),
        false => serde_json::from_str(std::str::from_utf8(body).ok()?).ok(),
    }
}

/// The objects of a batch answer that read as one; other items are left
/// out (a success cannot come from them).
fn read_batch(body: &[u8], msgpack: bool) -> Option<Vec<Answer>> {
    if !msgpack {
        // Item by item: serde's untagged enums buffer every value, which
        // serde_json cannot do for `1e400` or `"\ud800"`.
        let items: Vec<&serde_json::value::RawValue> = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
        return Some(items.into_iter().filter_map(|item| serde_json::from_str(item.get()).ok()).collect());
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Item {
        Answer(Answer),
        Other(serde::de::IgnoredAny),
    }
    let items: Vec<Item> = rmp_serde::from_slice(body).ok()?;
    Some(items.into_iter().filter_map(|item| if let Item::Answer(a) = item { Some(a) } else { None }).collect())
}
