//! Property tests of the client against answers no honest server gives,
//! through a scripted `Transport`: single answers with any status, headers
//! and body (JSON and MessagePack), batch and automatic-batch answers out
//! of order, duplicated, missing, extra, of the wrong shape, and event
//! streams split at every byte with every line ending. The invariants:
//! nothing panics, every caller gets exactly one outcome in time, and a
//! success is always that caller's own answer.

mod common;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use common::api::CalculatorClient;
use futures_util::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode};
use proptest::prelude::*;
use remotipy::ClientBuilder;
use remotipy::transport::{BoxError, BoxFuture, StreamingResponse, Transport, TransportRequest, TransportResponse};

type Script = dyn Fn(&[u8]) -> (StatusCode, HeaderMap, Vec<Bytes>) + Send + Sync;

/// Answers each request with what `script` makes of its body: a status,
/// headers, and the body in chunks (joined for a whole answer).
struct Scripted(Arc<Script>);

impl Transport for Scripted {
    fn send<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<TransportResponse, BoxError>> {
        let (status, headers, chunks) = (self.0)(&request.body);
        let body: Vec<u8> = chunks.concat();
        Box::pin(async move { Ok(TransportResponse::new(status, headers, body.into())) })
    }

    fn open<'a>(&'a self, request: TransportRequest<'a>) -> BoxFuture<'a, Result<StreamingResponse, BoxError>> {
        let (status, headers, chunks) = (self.0)(&request.body);
        let body = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, BoxError>));
        Box::pin(async move { Ok(StreamingResponse::new(status, headers, Box::pin(body))) })
    }

    fn endpoint(&self) -> &str {
        "scripted"
    }
}

fn client(script: impl Fn(&[u8]) -> (StatusCode, HeaderMap, Vec<Bytes>) + Send + Sync + 'static) -> CalculatorClient {
    scripted(script).timeout(Duration::from_millis(200)).build().unwrap()
}

fn scripted(
    script: impl Fn(&[u8]) -> (StatusCode, HeaderMap, Vec<Bytes>) + Send + Sync + 'static,
) -> ClientBuilder<CalculatorClient> {
    ClientBuilder::with_transport(Scripted(Arc::new(script)))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// The calls of a request body (JSON or MessagePack): `(id, a)` of each
/// `add(a, b)`, or `(id, n)` of `ticks(n, ..)`.
fn calls(body: &[u8]) -> Vec<(Option<u64>, i64)> {
    let value: serde_json::Value =
        serde_json::from_slice(body).or_else(|_| rmp_serde::from_slice(body)).expect("a JSON or MessagePack request");
    let calls = match value {
        serde_json::Value::Array(calls) => calls,
        one => vec![one],
    };
    calls.iter().map(|c| (c["id"].as_u64(), c["params"]["a"].as_i64().or(c["params"]["n"].as_i64()).unwrap())).collect()
}

// ---- single answers ----

/// One answer, as a model: what a correct client may conclude from it.
#[derive(Debug, Clone)]
struct Single {
    status: u16,
    retry_after: Option<&'static str>,
    jsonrpc_ok: bool,
    /// `None`: no id; `Some(None)`: an id of the wrong type; `Some(Some(d))`:
    /// the request's id plus `d`.
    id: Option<Option<u64>>,
    result: Option<i64>,
    error: bool,
    /// Bytes cut from the end; or the whole body replaced by garbage.
    cut: usize,
    garbage: Option<Vec<u8>>,
    msgpack: bool,
}

fn singles() -> impl Strategy<Value = Single> {
    (
        prop_oneof![4 => Just(200u16), 1 => Just(204), 1 => Just(503), 1 => 100u16..600],
        proptest::option::of(prop_oneof![Just("0"), Just("18446744073709551615"), Just("x")]),
        prop::bool::weighted(0.8),
        prop_oneof![3 => Just(Some(Some(0))), 1 => Just(Some(Some(1))), 1 => Just(Some(None)), 1 => Just(None)],
        proptest::option::of(any::<i64>()),
        prop::bool::weighted(0.2),
        prop_oneof![4 => Just(0usize), 1 => 1usize..20],
        proptest::option::weighted(0.1, proptest::collection::vec(any::<u8>(), 0..40)),
        prop::bool::weighted(0.2),
    )
        .prop_map(|(status, retry_after, jsonrpc_ok, id, result, error, cut, garbage, msgpack)| Single {
            status,
            retry_after,
            jsonrpc_ok,
            id,
            result,
            error,
            cut,
            garbage,
            msgpack,
        })
}

impl Single {
    fn body(&self, request_id: u64) -> Vec<u8> {
        if let Some(garbage) = &self.garbage {
            return garbage.clone();
        }
        let mut object = serde_json::Map::new();
        object.insert("jsonrpc".into(), if self.jsonrpc_ok { "2.0".into() } else { "1.0".into() });
        if let Some(result) = self.result {
            object.insert("result".into(), result.into());
        }
        if self.error {
            object.insert("error".into(), serde_json::json!({ "code": -32000, "message": "no" }));
        }
        match self.id {
            Some(Some(delta)) => object.insert("id".into(), (request_id + delta).into()),
            Some(None) => object.insert("id".into(), "one".into()),
            None => None,
        };
        let mut body = match self.msgpack {
            true => rmp_serde::to_vec_named(&object).unwrap(),
            false => serde_json::to_vec(&object).unwrap(),
        };
        body.truncate(body.len().saturating_sub(self.cut));
        body
    }

    /// The one success a correct client may read from it: a whole response
    /// for this call's id, with a result and no error (whatever the status
    /// or `jsonrpc`: the body is the answer, read liberally).
    fn success(&self) -> Option<i64> {
        let whole = self.garbage.is_none() && self.cut == 0;
        (whole && self.id == Some(Some(0)) && !self.error).then_some(self.result?)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, .. ProptestConfig::default() })]

    #[test]
    fn any_single_answer_is_one_outcome_and_never_another_calls(answer in singles()) {
        let script = {
            let answer = answer.clone();
            move |body: &[u8]| {
                let id = calls(body)[0].0.unwrap();
                let mut headers = HeaderMap::new();
                if answer.msgpack {
                    headers.insert("content-type", HeaderValue::from_static("application/msgpack"));
                }
                if let Some(retry_after) = answer.retry_after {
                    headers.insert("retry-after", HeaderValue::from_static(retry_after));
                }
                (StatusCode::from_u16(answer.status).unwrap(), headers, vec![answer.body(id).into()])
            }
        };
        #[cfg(feature = "msgpack")]
        let codec = if answer.msgpack { remotipy::Codec::MsgPack } else { remotipy::Codec::Json };
        #[cfg(not(feature = "msgpack"))]
        let codec = remotipy::Codec::Json;
        if answer.msgpack && codec == remotipy::Codec::Json {
            return Ok(()); // a MessagePack answer needs the msgpack feature to be asked for
        }
        let client = scripted(script).codec(codec).timeout(Duration::from_millis(200)).build().unwrap();
        let outcome = runtime().block_on(async { tokio::time::timeout(Duration::from_secs(2), client.add(40, 2)).await });
        let outcome = outcome.expect("the call ends in time");
        match (outcome, answer.success()) {
            (Ok(got), Some(expected)) => prop_assert_eq!(got, expected),
            (Ok(got), None) => prop_assert!(false, "read {} from an answer that is no success: {:?}", got, answer),
            (Err(_), _) => {}
        }
    }
}

// ---- batch answers ----

/// What the server does with one call of a batch.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// Its answer (`result: a * 7`).
    Answered,
    Missing,
    /// Its answer twice, the same.
    Twice,
    /// Its answer and a different one under its id.
    Conflicting,
    /// Its result under an id of the wrong type (a string).
    StringId,
    /// A result of the wrong type.
    WrongType,
}

fn fates() -> impl Strategy<Value = Fate> {
    prop_oneof![
        6 => Just(Fate::Answered),
        1 => Just(Fate::Missing),
        1 => Just(Fate::Twice),
        1 => Just(Fate::Conflicting),
        1 => Just(Fate::StringId),
        1 => Just(Fate::WrongType),
    ]
}

/// What the server does with the batch as a whole.
#[derive(Debug, Clone, Copy)]
enum Whole {
    Array {
        shuffle: u64,
        extra: bool,
    },
    /// One error object instead of an array (a batch refused unrun).
    Refused,
    NotJson,
    Status(u16),
}

fn wholes() -> impl Strategy<Value = Whole> {
    prop_oneof![
        8 => (any::<u64>(), any::<bool>()).prop_map(|(shuffle, extra)| Whole::Array { shuffle, extra }),
        1 => Just(Whole::Refused),
        1 => Just(Whole::NotJson),
        1 => prop_oneof![Just(413u16), Just(500), Just(503)].prop_map(Whole::Status),
    ]
}

/// The answer to a batch (or one call) `body`, each call's fate chosen by
/// its `a` (the index of its caller) from `fates`.
fn batch_answer(body: &[u8], fates: &[Fate], whole: Whole) -> (StatusCode, HeaderMap, Vec<Bytes>) {
    let json = |text: String| (StatusCode::OK, HeaderMap::new(), vec![Bytes::from(text)]);
    let is_batch = body.first() == Some(&b'[');
    match whole {
        Whole::Status(status) => return (StatusCode::from_u16(status).unwrap(), HeaderMap::new(), vec![]),
        Whole::NotJson => return json("<html>".into()),
        Whole::Refused if is_batch => {
            return json(r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"too long"},"id":null}"#.into());
        }
        _ => {}
    }
    let mut answers = Vec::new();
    for (id, a) in calls(body) {
        let Some(id) = id else { continue }; // a notification
        let answer = |id: serde_json::Value, result: serde_json::Value| {
            serde_json::json!({ "jsonrpc": "2.0", "result": result, "id": id }).to_string()
        };
        let right = answer(id.into(), (a * 7).into());
        match fates[a as usize] {
            Fate::Answered => answers.push(right),
            Fate::Missing => {}
            Fate::Twice => answers.extend([right.clone(), right]),
            Fate::Conflicting => answers.extend([right, answer(id.into(), (a * 7 + 1).into())]),
            Fate::StringId => answers.push(answer(id.to_string().into(), (a * 7).into())),
            Fate::WrongType => answers.push(answer(id.into(), "seven".into())),
        }
    }
    if !is_batch {
        // A call sent alone (an automatic batch of one) gets its first answer, if it has one.
        return json(answers.into_iter().next().unwrap_or_default());
    }
    if let Whole::Array { shuffle, extra } = whole {
        if extra {
            answers.push(r#"{"jsonrpc":"2.0","result":-1,"id":987654321}"#.into());
        }
        // A rotation and a swap: any order.
        let len = answers.len().max(1);
        answers.rotate_left(shuffle as usize % len);
        if answers.len() > 1 {
            let (i, j) = ((shuffle >> 8) as usize % answers.len(), (shuffle >> 16) as usize % answers.len());
            answers.swap(i, j);
        }
    }
    json(format!("[{}]", answers.join(",")))
}

/// Whether a caller whose call met `fate` (in a batch answered as `whole`)
/// may succeed, and with what.
fn may_succeed(fate: Fate, whole: Whole, a: i64) -> Option<i64> {
    match (whole, fate) {
        (Whole::Array { .. } | Whole::Refused, Fate::Answered | Fate::Twice) => Some(a * 7),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, .. ProptestConfig::default() })]

    /// An explicit batch: each handle is read once; a success is its own answer.
    #[test]
    fn any_batch_answer_gives_each_call_its_own_outcome(fates in proptest::collection::vec(fates(), 1..12), whole in wholes()) {
        let script = {
            let fates = fates.clone();
            move |body: &[u8]| batch_answer(body, &fates, whole)
        };
        let client = client(script);
        runtime().block_on(async {
            let mut batch = client.batch();
            let handles: Vec<_> = (0..fates.len() as i64).map(|a| (a, batch.add(a, 0))).collect();
            let sent = tokio::time::timeout(Duration::from_secs(2), batch.send_batch()).await.expect("in time");
            let Ok(mut replies) = sent else { return Ok(()) };
            for (a, handle) in handles {
                let outcome = replies.take(handle);
                if let Ok(got) = outcome {
                    prop_assert_eq!(Some(got), may_succeed(fates[a as usize], whole, a), "call {} ({:?})", a, fates[a as usize]);
                } else if matches!(whole, Whole::Array { .. }) && matches!(fates[a as usize], Fate::Answered | Fate::Twice) {
                    prop_assert!(false, "call {} was answered but failed: {:?}", a, outcome);
                }
            }
            Ok(())
        })?;
    }

    /// Automatic batches: many concurrent callers, each with one outcome in
    /// time; a success is its own answer, whatever the others got.
    #[test]
    fn any_automatic_batch_answer_gives_each_caller_its_own_outcome(
        fates in proptest::collection::vec(fates(), 1..24),
        whole in wholes(),
        window in prop_oneof![Just(0u64), Just(1), Just(5)],
    ) {
        let script = {
            let fates = fates.clone();
            move |body: &[u8]| batch_answer(body, &fates, whole)
        };
        let client = scripted(script)
            .timeout(Duration::from_millis(300))
            .auto_batch(Duration::from_millis(window))
            .build()
            .unwrap();
        let outcomes = runtime().block_on(async {
            let calls = (0..fates.len() as i64).map(|a| {
                let client = client.clone();
                async move { (a, tokio::time::timeout(Duration::from_secs(2), client.add(a, 0)).await) }
            });
            futures_util::future::join_all(calls).await
        });
        for (a, outcome) in outcomes {
            let outcome = outcome.expect("every caller ends in time");
            if let Ok(got) = outcome {
                // Alone, a call's answer is read whole: an unrefused one is its own too.
                let alone = Some(a * 7);
                let allowed = may_succeed(fates[a as usize], whole, a);
                prop_assert!(Some(got) == allowed || (Some(got) == alone && matches!(fates[a as usize], Fate::Answered | Fate::Twice | Fate::Conflicting)),
                    "caller {} ({:?}, {:?}) got {}", a, fates[a as usize], whole, got);
            }
        }
    }
}

// ---- event streams ----

/// How the event stream of `ticks` is written.
#[derive(Debug, Clone)]
struct EventStream {
    items: Vec<u64>,
    /// Line endings of each event: LF, CR or CRLF.
    endings: Vec<u8>,
    /// What comes between events: nothing, a comment, an `id:`, a `retry:`,
    /// an event without data.
    noise: Vec<u8>,
    /// Each item's data split over two `data:` lines.
    split_data: bool,
    /// How it ends.
    end: End,
    /// Where the bytes are cut into chunks.
    cuts: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
enum End {
    /// The response, counting the items.
    Done,
    /// The response counting one item too many.
    Miscounted,
    /// Nothing: the connection closes.
    Cut,
    /// An event longer than the client's limit.
    Oversized,
    /// The server's error.
    Failed,
}

fn event_streams() -> impl Strategy<Value = EventStream> {
    (
        proptest::collection::vec(any::<u64>(), 0..12),
        proptest::collection::vec(0u8..3, 14),
        proptest::collection::vec(0u8..6, 14),
        any::<bool>(),
        prop_oneof![4 => Just(End::Done), 1 => Just(End::Miscounted), 1 => Just(End::Cut), 1 => Just(End::Oversized), 1 => Just(End::Failed)],
        proptest::collection::vec(any::<usize>(), 0..12),
    )
        .prop_map(|(items, endings, noise, split_data, end, cuts)| EventStream { items, endings, noise, split_data, end, cuts })
}

/// The client's response limit in these tests: an oversized event passes it.
const LIMIT: usize = 4096;

impl EventStream {
    fn bytes(&self, id: u64) -> Vec<u8> {
        let mut out = String::new();
        let mut event = |data: &str, k: usize| {
            let nl = ["\n", "\r", "\r\n"][self.endings[k % self.endings.len()] as usize];
            match self.noise[k % self.noise.len()] {
                1 => out.push_str(&format!(": keep-alive{nl}{nl}")),
                2 => out.push_str(&format!("id: {k}{nl}{nl}")),
                3 => out.push_str(&format!("retry: 10{nl}{nl}")),
                4 => out.push_str(&format!("data:{nl}{nl}")),
                5 => out.push_str(&format!("event: other{nl}")),
                _ => {}
            }
            match self.split_data {
                true if data.len() > 20 => {
                    let (a, b) = data.split_at(data.find(',').unwrap() + 1);
                    out.push_str(&format!("data: {a}{nl}data: {b}{nl}{nl}"));
                }
                _ => out.push_str(&format!("data: {data}{nl}{nl}")),
            }
        };
        for (k, item) in self.items.iter().enumerate() {
            let data =
                format!(r#"{{"jsonrpc":"2.0","method":"rpc.item","params":{{"subscription":{id},"result":{item}}}}}"#);
            event(&data, k);
        }
        let k = self.items.len();
        match self.end {
            End::Done => event(&format!(r#"{{"jsonrpc":"2.0","result":{{"items":{k}}},"id":{id}}}"#), k),
            End::Miscounted => event(&format!(r#"{{"jsonrpc":"2.0","result":{{"items":{}}},"id":{id}}}"#, k + 1), k),
            End::Cut => {}
            End::Oversized => event(&format!(r#"{{"jsonrpc":"2.0","result":"{}","id":{id}}}"#, "x".repeat(LIMIT)), k),
            End::Failed => {
                event(&format!(r#"{{"jsonrpc":"2.0","error":{{"code":-32603,"message":"broke"}},"id":{id}}}"#), k)
            }
        }
        out.into_bytes()
    }

    fn chunks(&self, bytes: Vec<u8>) -> Vec<Bytes> {
        let bytes = Bytes::from(bytes);
        let mut cuts: Vec<usize> = self.cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut chunks = Vec::new();
        let mut start = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            if cut > start {
                chunks.push(bytes.slice(start..cut));
                start = cut;
            }
        }
        chunks
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, .. ProptestConfig::default() })]

    /// Every item arrives once, in order, however the bytes are cut and the
    /// lines end; the stream then ends as the server said (or with the
    /// error that says it did not).
    #[test]
    fn an_event_stream_cut_anywhere_delivers_what_was_sent(stream in event_streams()) {
        let script = {
            let stream = stream.clone();
            move |body: &[u8]| {
                let id = calls(body)[0].0.unwrap();
                let mut headers = HeaderMap::new();
                headers.insert("content-type", HeaderValue::from_static("text/event-stream"));
                (StatusCode::OK, headers, stream.chunks(stream.bytes(id)))
            }
        };
        // `ticks` resumes; here a cut must end it (tests/resume.rs has the
        // property of streams that reconnect).
        let no_reconnects = remotipy::client::Retry::new().max_stream_reconnects(0);
        let client = scripted(script).max_response_size(LIMIT).retry(no_reconnects).build().unwrap();
        let (items, last) = runtime().block_on(async {
            let mut items = client.ticks(3, 1).await.expect("the stream starts");
            let (mut got, mut last) = (Vec::new(), None);
            while let Some(item) = tokio::time::timeout(Duration::from_secs(2), items.next()).await.expect("in time") {
                match item {
                    Ok(k) => got.push(k),
                    Err(e) => {
                        last = Some(e);
                        assert!(items.next().await.is_none(), "an error ends the stream");
                        break;
                    }
                }
            }
            (got, last)
        });
        prop_assert_eq!(&items, &stream.items);
        match (stream.end, last) {
            (End::Done, None) => {}
            (End::Cut, Some(remotipy::Error::StreamBroken { received, .. })) => prop_assert_eq!(received, items.len() as u64),
            (End::Miscounted, Some(remotipy::Error::Decode { detail, .. })) => prop_assert!(detail.contains("arrived"), "{}", detail),
            (End::Oversized, Some(remotipy::Error::Decode { detail, .. })) => prop_assert!(detail.contains("exceeds the limit"), "{}", detail),
            (End::Failed, Some(remotipy::Error::Remote { code: -32603, .. })) => {}
            (end, last) => prop_assert!(false, "{:?} ended with {:?}", end, last),
        }
    }
}
