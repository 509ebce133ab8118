//! Any bytes as the answer to a call and to a batch (in JSON or
//! MessagePack, under any status): the client never panics, and a success
//! is always what the answer says of that call's id.
#![no_main]

mod client;

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use remotipy::http::StatusCode;
use serde::de::IgnoredAny;
use serde_json::Value;
use serde_json::value::RawValue;

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

/// A response object as a client reads it: `id`, `result` and `error`
/// (`Null` when absent), under names (a map with integer keys is no
/// response). Other members (`jsonrpc` among them) are skipped unread, as
/// the client skips them: they may hold what JSON's grammar or MessagePack
/// allows and `serde_json::Value` cannot (`1e400`, `"\ud800"`, bin, ext).
struct Answer {
    id: Value,
    result: Value,
    error: Value,
}

impl Answer {
    fn of<M>(mut members: BTreeMap<String, M>, read: impl Fn(M) -> Option<Value>) -> Option<Answer> {
        let mut take = |name| members.remove(name).map_or(Some(Value::Null), &read);
        Some(Answer { id: take("id")?, result: take("result")?, error: take("error")? })
    }

    fn json(text: &str) -> Option<Answer> {
        let members: BTreeMap<String, &RawValue> = serde_json::from_str(text).ok()?;
        Answer::of(members, |raw| serde_json::from_str(raw.get()).ok())
    }

    fn msgpack(members: BTreeMap<String, Member>) -> Option<Answer> {
        Answer::of(members, |member| if let Member::Value(v) = member { Some(v) } else { None })
    }
}

/// A MessagePack member's value: one `Value` holds, or any other.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Member {
    Value(Value),
    Other(IgnoredAny),
}

/// The answer to one call. JSON is UTF-8 throughout (RFC 8259 §8.1), the
/// skipped members included.
fn read_one(body: &[u8], msgpack: bool) -> Option<Answer> {
    match msgpack {
        true => Answer::msgpack(rmp_serde::from_slice(body).ok()?),
        false => Answer::json(std::str::from_utf8(body).ok()?),
    }
}

/// The objects of a batch answer that read as one; other items are left
/// out (a success cannot come from them).
fn read_batch(body: &[u8], msgpack: bool) -> Option<Vec<Answer>> {
    if !msgpack {
        // Item by item: serde's untagged enums buffer every value, which
        // serde_json cannot do for `1e400` or `"\ud800"`.
        let items: Vec<&RawValue> = serde_json::from_str(std::str::from_utf8(body).ok()?).ok()?;
        return Some(items.into_iter().filter_map(|item| Answer::json(item.get())).collect());
    }
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Item {
        Members(BTreeMap<String, Member>),
        Other(IgnoredAny),
    }
    let items: Vec<Item> = rmp_serde::from_slice(body).ok()?;
    Some(
        items
            .into_iter()
            .filter_map(|item| if let Item::Members(m) = item { Answer::msgpack(m) } else { None })
            .collect(),
    )
}
