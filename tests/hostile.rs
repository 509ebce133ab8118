//! A client that trusts no server: whatever a server answers, over a real
//! socket, no call panics, stalls past its timeout, or gets another call's
//! answer. The servers here are raw (`common::raw`): they say exactly the
//! bytes a test chose. Run over the reqwest and the hyper transports.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::api::{CalculatorClient, CalculatorServer};
use common::raw;
use futures_util::StreamExt;
use proptest::prelude::*;
use remotipy::client::Retry;
use remotipy::{CallOptions, ClientBuilder, Error};

#[derive(Clone, Copy, Debug)]
enum Transport {
    Reqwest,
    #[cfg(feature = "hyper")]
    Hyper,
}

const TRANSPORTS: &[Transport] = &[
    Transport::Reqwest,
    #[cfg(feature = "hyper")]
    Transport::Hyper,
];

fn over(transport: Transport, url: &str) -> ClientBuilder<CalculatorClient> {
    match transport {
        Transport::Reqwest => CalculatorClient::builder(url),
        #[cfg(feature = "hyper")]
        Transport::Hyper => CalculatorClient::builder(url).hyper(),
    }
}

fn json(body: &str) -> Vec<u8> {
    raw::response(200, &[("content-type", "application/json")], body.as_bytes())
}

/// The answer to each `add(a, b)` of a request body (one call or a batch):
/// `(id, a + b)`.
fn sums(body: &[u8]) -> Vec<(u64, i64)> {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    let calls = match value {
        serde_json::Value::Array(calls) => calls,
        one => vec![one],
    };
    let sum = |call: &serde_json::Value| call["params"]["a"].as_i64().unwrap() + call["params"]["b"].as_i64().unwrap();
    calls.iter().map(|call| (call["id"].as_u64().unwrap(), sum(call))).collect()
}

/// A server that answers the first request with `first` and every later
/// one with the right sum.
async fn first_then_sums(first: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let seen = AtomicUsize::new(0);
    raw::serve(move |request| match seen.fetch_add(1, Ordering::SeqCst) {
        0 => first.clone(),
        _ => {
            let (id, sum) = sums(&request.body)[0];
            json(&format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{id}}}"#))
        }
    })
    .await
}

/// `Retry-After` at every extreme: a wait the call cannot afford (longer
/// than `Retry::max_retry_after`, which also bounds a call without a
/// timeout, or than what the call has left) is not waited for: the 503 is
/// the answer; a value that reads as no number of seconds is the backoff's
/// choice; none panics or stalls.
#[tokio::test]
async fn retry_after_at_any_extreme_neither_panics_nor_stalls() {
    let cases = [
        ("18446744073709551615", false),
        ("4294967296", false),
        ("3600", false),
        ("61", false),
        ("99999999999999999999999", true), // no u64: taken as absent
        ("0", true),
        ("-1", true),
        ("soon", true),
        ("Wed, 21 Oct 2015 07:28:00 GMT", true),
    ];
    for &transport in TRANSPORTS {
        for (value, retried) in cases {
            for timeout in [Some(Duration::from_secs(30)), None] {
                let (url, requests) = first_then_sums(raw::response(503, &[("retry-after", value)], b"busy")).await;
                let builder = over(transport, &url);
                let client = match timeout {
                    Some(timeout) => builder.timeout(timeout),
                    None => builder.no_timeout(),
                }
                .build()
                .unwrap();
                let started = Instant::now();
                let outcome = client.add(40, 2).await;
                let case = format!("{transport:?} Retry-After: {value}, timeout {timeout:?}");
                assert!(started.elapsed() < Duration::from_secs(3), "{case}: took {:?}", started.elapsed());
                match retried {
                    true => assert_eq!(outcome.unwrap(), 42, "{case}"),
                    false => assert!(matches!(outcome, Err(Error::Status { status, .. }) if status == 503), "{case}"),
                }
                assert_eq!(requests.load(Ordering::SeqCst), if retried { 2 } else { 1 }, "{case}");
            }
        }
    }
    // Within the cap but past the call's deadline: not waited for either.
    let (url, requests) = first_then_sums(raw::response(503, &[("retry-after", "5")], b"busy")).await;
    let client = CalculatorClient::builder(url).timeout(Duration::from_secs(1)).build().unwrap();
    let started = Instant::now();
    assert!(matches!(client.add(40, 2).await, Err(Error::Status { status, .. }) if status == 503));
    assert!(started.elapsed() < Duration::from_millis(900), "{:?}", started.elapsed());
    assert_eq!(requests.load(Ordering::SeqCst), 1);
    // A cap of the caller's own.
    let (url, requests) = first_then_sums(raw::response(503, &[("retry-after", "1")], b"busy")).await;
    let retry = Retry::new().max_retry_after(Duration::from_millis(500));
    let client = CalculatorClient::builder(url).retry(retry).build().unwrap();
    assert!(client.add(40, 2).await.is_err());
    assert_eq!(requests.load(Ordering::SeqCst), 1);
}

/// `Duration::MAX` wherever a duration is taken is "never", not a panic at
/// the first call (it cannot be added to a clock).
#[tokio::test]
async fn the_longest_durations_are_settings_not_panics() {
    let url = common::serve_app(common::app::router(common::app::server().unwrap())).await + "/rpc";
    for &transport in TRANSPORTS {
        let client = over(transport, &url)
            .timeout(Duration::MAX)
            .stream_idle_timeout(Some(Duration::MAX))
            .retry(Retry::new().attempt_timeout(Duration::MAX).backoff(Duration::MAX, Duration::MAX))
            .build()
            .unwrap();
        let per_call =
            client.with_options(CallOptions::new().timeout(Duration::MAX).stream_idle_timeout(Duration::MAX)).unwrap();
        for client in [client, per_call] {
            assert_eq!(client.add(40, 2).await.unwrap(), 42);
            let ticks: Vec<u64> = client.ticks(3, 1).await.unwrap().map(Result::unwrap).collect().await;
            assert_eq!(ticks, [1, 2, 3]);
            let mut batch = client.batch();
            let sum = batch.add(1, 2);
            assert_eq!(batch.send_batch().await.unwrap().take(sum).unwrap(), 3);
        }
    }
    // And the server's: a keep-alive of `Duration::MAX` is never sent, and
    // the stream goes on past its first chunk.
    let rpc = remotipy::Server::builder()
        .service(CalculatorServer::new(common::app::Calc))
        .stream_keep_alive(Some(Duration::MAX))
        .build()
        .unwrap();
    let client = CalculatorClient::new(common::serve(rpc.into_router()).await).unwrap();
    let ticks: Vec<u64> = client.ticks(3, 20).await.unwrap().map(Result::unwrap).collect().await;
    assert_eq!(ticks, [1, 2, 3]);
}

/// A batch answer naming one id twice with different contents: that call
/// fails (one of the two may be another caller's answer); the same answer
/// twice is an answer. The same rule for explicit and automatic batches.
#[tokio::test]
async fn an_id_answered_twice_differently_is_an_error_for_that_call() {
    let (url, _) = raw::serve(|request| {
        let mut answers = Vec::new();
        for (id, sum) in sums(&request.body) {
            let answer = format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{id}}}"#);
            match sum {
                1 => answers.push(format!(r#"{{"jsonrpc":"2.0","result":999,"id":{id}}}"#)),
                2 => answers.push(answer.clone()),
                _ => {}
            }
            answers.push(answer);
        }
        answers.reverse(); // in any order
        json(&format!("[{}]", answers.join(",")))
    })
    .await;
    let check = |outcomes: [Result<i64, Error>; 3]| {
        let [one, two, three] = outcomes;
        let error = one.unwrap_err();
        assert!(error.to_string().contains("twice, differently"), "{error}");
        assert_eq!((two.unwrap(), three.unwrap()), (2, 3));
    };
    for &transport in TRANSPORTS {
        let client = over(transport, &url).build().unwrap();
        let mut batch = client.batch();
        let handles = [batch.add(1, 0), batch.add(2, 0), batch.add(3, 0)];
        let mut replies = batch.send_batch().await.unwrap();
        check(handles.map(|handle| replies.take(handle)));
        // Automatic batches: the three calls share one request (the window holds them).
        let client = over(transport, &url).auto_batch(Duration::from_millis(50)).build().unwrap();
        let (one, two, three) = tokio::join!(client.add(1, 0), client.add(2, 0), client.add(3, 0));
        check([one, two, three]);
    }
}

/// Events without data (a blank `data:`, only an `id:` or a `retry:`) and
/// comments between the items do not end a stream: the SSE spec dispatches
/// no such event.
#[tokio::test]
async fn events_without_data_do_not_end_a_stream() {
    let (url, _) = raw::serve(|request| {
        let id = raw::ids(&request.body)[0];
        let item = |k: u64| {
            format!(r#"data: {{"jsonrpc":"2.0","method":"rpc.item","params":{{"subscription":{id},"result":{k}}}}}"#)
        };
        let body = [
            item(1) + "\n\n",
            "data:\n\n".into(),
            "data:\r\n\r\n".into(),
            ": a comment\n\n".into(),
            "id: 7\n\n".into(),
            "retry: 100\r\n\r\n".into(),
            "data: \ndata:\n\n".into(),
            item(2) + "\r\n\r\n",
            format!("data: {{\"jsonrpc\":\"2.0\",\"result\":{{\"items\":2}},\"id\":{id}}}\n\n"),
        ]
        .concat();
        raw::response(200, &[("content-type", "text/event-stream")], body.as_bytes())
    })
    .await;
    for &transport in TRANSPORTS {
        let client = over(transport, &url).build().unwrap();
        let items: Vec<Result<u64, _>> = client.ticks(2, 1).await.unwrap().collect().await;
        assert_eq!(items.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [1, 2], "{transport:?}");
    }
}

/// Bytes that are not UTF-8 in a field the client skips (`jsonrpc`; serde_json
/// does not check the strings it skips): not JSON, so never a success, in an
/// answer or in a stream's item (found by the client_answer fuzz target).
#[tokio::test]
async fn invalid_utf8_anywhere_in_an_answer_is_no_success() {
    let (url, _) = raw::serve(|request| {
        let id = raw::ids(&request.body)[0];
        let stream = String::from_utf8_lossy(&request.body).contains("\"ticks\"");
        let body = match stream {
            false => format!("{{\"jsonrpc\":\"2\u{fffd}.0\",\"result\":42,\"id\":{id}}}").into_bytes(),
            true => format!(
                "data: {{\"jsonrpc\":\"2.0\",\"method\":\"rpc.item\",\"params\":{{\"subscription\":{id},\"result\":1}}}}\n\n\
                 data: {{\"jsonrpc\":\"2\u{fffd}.0\",\"method\":\"rpc.item\",\"params\":{{\"subscription\":{id},\"result\":2}}}}\n\n"
            )
            .into_bytes(),
        };
        // U+FFFD's encoding with its first byte changed: invalid UTF-8.
        let body = body.iter().map(|&b| if b == 0xEF { 0xFB } else { b }).collect::<Vec<u8>>();
        let content_type = if stream { "text/event-stream" } else { "application/json" };
        raw::response(200, &[("content-type", content_type)], &body)
    })
    .await;
    for &transport in TRANSPORTS {
        let client = over(transport, &url).build().unwrap();
        let error = client.add(40, 2).await.unwrap_err();
        assert!(error.to_string().contains("not valid UTF-8 (byte 13)"), "{transport:?}: {error}");
        let items: Vec<Result<u64, _>> = client.ticks(2, 1).await.unwrap().collect().await;
        assert_eq!(items.len(), 2, "{transport:?}: {items:?}");
        assert_eq!(items[0].as_ref().unwrap(), &1);
        let error = items[1].as_ref().unwrap_err();
        assert!(error.to_string().contains("not valid UTF-8"), "{transport:?}: {error}");
    }
}

/// Members the client does not read (`jsonrpc`, any other) are skipped
/// unread, as JSON-RPC's liberal readers do: what they hold is the server's
/// business as long as it is JSON, even what serde_json's `Value` refuses
/// (`1e400`, a lone surrogate). A batch item that is no response object is
/// skipped the same way; its neighbours are read.
#[tokio::test]
async fn members_the_client_does_not_read_are_skipped() {
    let (url, _) = raw::serve(|request| {
        let ids = raw::ids(&request.body);
        let skipped = r#""jsonrpc":"2.0","x":1e400,"y":"\ud800","z":{"w":[-1e999]}"#;
        let body = match ids.len() {
            1 => format!(r#"{{{skipped},"result":42,"id":{}}}"#, ids[0]),
            _ => format!(r#"[{{{skipped},"result":2,"id":{}}},5,{{{skipped},"result":4,"id":{}}}]"#, ids[0], ids[1]),
        };
        raw::response(200, &[("content-type", "application/json")], body.as_bytes())
    })
    .await;
    for &transport in TRANSPORTS {
        let client = over(transport, &url).build().unwrap();
        assert_eq!(client.add(40, 2).await.unwrap(), 42, "{transport:?}");
        let mut batch = client.batch();
        let (two, four) = (batch.add(1, 1), batch.add(2, 2));
        let mut replies = batch.send_batch().await.unwrap();
        assert_eq!((replies.take(two).unwrap(), replies.take(four).unwrap()), (2, 4), "{transport:?}");
    }
}

/// Whatever `Remotipy-Timeout-Ms` says, the server reads it without
/// panicking: a number too large for its clock is no deadline, anything
/// else that is no number of milliseconds is ignored.
#[tokio::test]
async fn the_server_reads_any_remotipy_timeout_ms() {
    let url = common::serve_app(common::app::router(common::app::server().unwrap())).await + "/rpc";
    let http = reqwest::Client::new();
    let body = r#"{"jsonrpc":"2.0","method":"add","params":{"a":40,"b":2},"id":1}"#;
    for value in ["18446744073709551615", "99999999999999999999", "0", "1", "-1", "x", " 5 ", "", "1.5"] {
        let response = http
            .post(&url)
            .header("content-type", "application/json")
            .header("remotipy-timeout-ms", value)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{value:?}");
        let answer: serde_json::Value = response.json().await.unwrap();
        let deadline_passed = answer["error"]["code"] == -32092;
        assert!(answer["result"] == 42 || deadline_passed, "{value:?}: {answer}");
    }
}

// ---- any answer at all ----

/// What a hostile or broken server answers one call with.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// Bytes of the body left out although `content-length` counts them.
    truncated: usize,
}

fn answers() -> impl Strategy<Value = Answer> {
    let status =
        prop_oneof![Just(200u16), Just(204), Just(400), Just(413), Just(500), Just(502), Just(503), 100u16..600];
    let header = prop_oneof![
        Just(("content-type", "application/json".to_owned())),
        Just(("content-type", "text/event-stream".to_owned())),
        Just(("content-type", "application/msgpack".to_owned())),
        prop_oneof![Just("0"), Just("1"), Just("18446744073709551615"), Just("-3"), Just("x")]
            .prop_map(|v| ("retry-after", v.to_owned())),
        Just(("connection", "close".to_owned())),
    ];
    let id = prop_oneof![Just("1".to_owned()), Just("2".to_owned()), Just("\"1\"".to_owned()), Just("null".to_owned())];
    let result = prop_oneof![Just("42".to_owned()), Just("\"x\"".to_owned()), Just("null".to_owned())];
    let error = Just(r#"{"code":-32000,"message":"m","data":{"type":"T","value":1}}"#.to_owned());
    let jsonrpc = prop_oneof![Just("\"2.0\""), Just("\"1.0\""), Just("2")];
    let envelope = (jsonrpc, proptest::option::of(result), proptest::option::of(error), proptest::option::of(id))
        .prop_map(|(jsonrpc, result, error, id)| {
            let mut fields = vec![format!(r#""jsonrpc":{jsonrpc}"#)];
            fields.extend(result.map(|r| format!(r#""result":{r}"#)));
            fields.extend(error.map(|e| format!(r#""error":{e}"#)));
            fields.extend(id.map(|i| format!(r#""id":{i}"#)));
            format!("{{{}}}", fields.join(",")).into_bytes()
        });
    let body = prop_oneof![
        envelope.clone(),
        envelope.prop_map(|one| [b"[".as_slice(), &one, b",", &one, b"]"].concat()),
        proptest::collection::vec(any::<u8>(), 0..64),
        Just(b"data: {\"jsonrpc\":\"2.0\",\"result\":{\"items\":0},\"id\":1}\n\n".to_vec()),
        Just(vec![b'['; 10_000]),
        (0usize..3 << 20).prop_map(|n| vec![b' '; n]),
    ];
    (status, proptest::collection::vec(header, 0..4), body, 0usize..8)
        .prop_map(|(status, headers, body, truncated)| Answer { status, headers, body, truncated })
}

impl Answer {
    fn bytes(&self) -> Vec<u8> {
        let headers: Vec<(&str, &str)> = self.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let mut whole = raw::response(self.status, &headers, &self.body);
        whole.truncate(whole.len() - self.truncated.min(self.body.len()));
        whole
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, .. ProptestConfig::default() })]

    /// Any status, headers and body, whole or cut short, over a real socket:
    /// every call, batch and stream ends in time with one outcome; none panics.
    #[test]
    fn any_answer_over_a_real_socket_ends_each_call_once(answer in answers()) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let bytes = answer.bytes();
            let (url, _) = raw::serve(move |_| bytes.clone()).await;
            for &transport in TRANSPORTS {
                let client = over(transport, &url)
                    .timeout(Duration::from_millis(500))
                    .max_response_size(1 << 20)
                    .build()
                    .unwrap();
                let bounded = |what: &str, elapsed: Duration| {
                    assert!(elapsed < Duration::from_secs(3), "{transport:?} {what} took {elapsed:?}: {answer:?}");
                };
                let started = Instant::now();
                let _ = client.add(40, 2).await;
                bounded("a call", started.elapsed());
                let started = Instant::now();
                let mut batch = client.batch();
                let (a, b) = (batch.add(1, 1), batch.add(2, 2));
                if let Ok(mut replies) = batch.send_batch().await {
                    let _ = (replies.take(a), replies.take(b));
                }
                bounded("a batch", started.elapsed());
                let started = Instant::now();
                if let Ok(mut items) = client.ticks(3, 1).await {
                    let mut count = 0;
                    while let Some(item) = items.next().await {
                        count += 1;
                        assert!(count <= 4, "a stream goes on past its end: {answer:?}");
                        if item.is_err() {
                            assert!(items.next().await.is_none(), "an error ends the stream");
                            break;
                        }
                    }
                }
                bounded("a stream", started.elapsed());
            }
        });
    }
}

/// A call of a batch the server stopped at its deadline (`-32092`, as a
/// server a hop further, with less time left, answers) is that call's
/// `Error::Timeout`, as for a call sent alone; the other calls are answered.
#[tokio::test]
async fn a_batched_call_stopped_at_its_deadline_is_a_timeout() {
    let (url, _) = raw::serve(|request| {
        let answers: Vec<String> = sums(&request.body)
            .into_iter()
            .map(|(id, sum)| match sum {
                3 => {
                    format!(r#"{{"jsonrpc":"2.0","error":{{"code":-32092,"message":"deadline exceeded"}},"id":{id}}}"#)
                }
                _ => format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{id}}}"#),
            })
            .collect();
        json(&format!("[{}]", answers.join(",")))
    })
    .await;
    for &transport in TRANSPORTS {
        let client = over(transport, &url).timeout(Duration::from_secs(7)).build().unwrap();
        let mut batch = client.batch();
        let (late, fine) = (batch.add(1, 2), batch.add(2, 2));
        let mut replies = batch.send_batch().await.unwrap();
        match replies.take(late) {
            Err(Error::Timeout { method: "add", after }) => assert_eq!(after, Duration::from_secs(7)),
            other => panic!("{transport:?}: {other:?}"),
        }
        assert_eq!(replies.take(fine).unwrap(), 4);
    }
}

// ---- Batch answers mangled, over a real socket ----

/// What the server does with the answer to one call of a batch.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Answered,
    Dropped,
    /// Answered twice, the same way.
    Repeated,
    /// Answered twice, once with another value.
    Contradicted,
    /// Answered with its id as a string.
    StringId,
}

#[derive(Debug, Clone)]
struct Mangling {
    /// The fate of call `i` (the call adding `i` to 100).
    fates: Vec<Fate>,
    /// Answers to ids nobody asked for.
    extra: usize,
    /// How the answers are reordered: rotated by this much, then reversed or not.
    rotate: usize,
    reverse: bool,
    /// One error object instead of the array (the batch refused whole).
    refused: bool,
}

fn manglings() -> impl Strategy<Value = Mangling> {
    let fate = prop_oneof![
        4 => Just(Fate::Answered),
        1 => Just(Fate::Dropped),
        1 => Just(Fate::Repeated),
        1 => Just(Fate::Contradicted),
        1 => Just(Fate::StringId),
    ];
    (proptest::collection::vec(fate, 1..7), 0usize..3, 0usize..7, any::<bool>(), proptest::bool::weighted(0.1))
        .prop_map(|(fates, extra, rotate, reverse, refused)| Mangling { fates, extra, rotate, reverse, refused })
}

impl Mangling {
    /// The answer to a request body of `add(i, 100)` calls, one or a batch.
    fn answer(&self, body: &[u8]) -> Vec<u8> {
        if self.refused {
            return json(r#"{"jsonrpc":"2.0","error":{"code":-32600,"message":"no batches here"},"id":null}"#);
        }
        let calls = sums(body);
        if !body.starts_with(b"[") {
            // One call sent alone: one answer object, or none (a repeat or
            // a contradiction cannot be said in one object).
            let (id, sum) = calls[0];
            return match self.fates[(sum - 100) as usize] {
                Fate::Answered | Fate::Repeated => json(&format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{id}}}"#)),
                Fate::StringId => json(&format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":"{id}"}}"#)),
                Fate::Dropped | Fate::Contradicted => json("[]"),
            };
        }
        let mut answers = Vec::new();
        for &(id, sum) in &calls {
            let ok = |sum: i64| format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":{id}}}"#);
            match self.fates[(sum - 100) as usize] {
                Fate::Answered => answers.push(ok(sum)),
                Fate::Dropped => {}
                Fate::Repeated => answers.extend([ok(sum), ok(sum)]),
                Fate::Contradicted => answers.extend([ok(sum), ok(sum + 1000)]),
                Fate::StringId => answers.push(format!(r#"{{"jsonrpc":"2.0","result":{sum},"id":"{id}"}}"#)),
            }
        }
        let top = calls.iter().map(|&(id, _)| id).max().unwrap_or(0);
        answers.extend((1..=self.extra as u64).map(|k| format!(r#"{{"jsonrpc":"2.0","result":-1,"id":{}}}"#, top + k)));
        if !answers.is_empty() {
            let by = self.rotate % answers.len();
            answers.rotate_left(by);
        }
        if self.reverse {
            answers.reverse();
        }
        json(&format!("[{}]", answers.join(",")))
    }

    /// Whether call `i`'s caller must get its sum: it was answered, once or
    /// the same way twice. (A string id may or may not be taken as its own.)
    fn must_succeed(&self, i: usize) -> bool {
        !self.refused && matches!(self.fates[i], Fate::Answered | Fate::Repeated)
    }

    fn may_succeed(&self, i: usize) -> bool {
        self.must_succeed(i) || (!self.refused && self.fates[i] == Fate::StringId)
    }

    /// Checks call `i`'s outcome: its own sum or an error, as its fate says; never another's.
    fn check(&self, i: usize, outcome: &Result<i64, Error>, how: &str) {
        match outcome {
            Ok(sum) => {
                assert_eq!(*sum, 100 + i as i64, "{how}: call {i} got another call's answer: {self:?}");
                assert!(self.may_succeed(i), "{how}: call {i} succeeded, fate {:?}: {self:?}", self.fates[i]);
            }
            Err(error) => assert!(!self.must_succeed(i), "{how}: call {i} failed ({error}): {self:?}"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, failure_persistence: None, .. ProptestConfig::default() })]

    /// Batch answers out of order, with answers missing, repeated,
    /// contradicted, extra, of the wrong id type, or refused whole, from a
    /// real socket, to an explicit batch and to concurrent callers sharing
    /// automatic batches: each caller gets its own answer or an error,
    /// never another's, within its own timeout.
    #[test]
    fn mangled_batch_answers_go_to_their_own_callers(mangling in manglings()) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let server = mangling.clone();
            let (url, _) = raw::serve(move |request| server.answer(&request.body)).await;
            let timeout = Duration::from_millis(800);
            let within = timeout + Duration::from_millis(700);
            let n = mangling.fates.len();
            for &transport in TRANSPORTS {
                let client = over(transport, &url).timeout(timeout).build().unwrap();
                let started = Instant::now();
                let mut batch = client.batch();
                let pending: Vec<_> = (0..n).map(|i| batch.add(i as i64, 100)).collect();
                match batch.send_batch().await {
                    Ok(mut replies) => {
                        for (i, call) in pending.into_iter().enumerate() {
                            mangling.check(i, &replies.take(call), &format!("{transport:?} batch"));
                        }
                    }
                    Err(error) => assert!(
                        (0..n).all(|i| !mangling.must_succeed(i)),
                        "{transport:?}: the batch failed whole ({error}): {mangling:?}"
                    ),
                }
                assert!(started.elapsed() < within, "{transport:?} batch took {:?}", started.elapsed());
                let auto = over(transport, &url).timeout(timeout).auto_batch(Duration::from_millis(5)).build().unwrap();
                let calls = (0..n).map(|i| {
                    let auto = auto.clone();
                    async move {
                        let started = Instant::now();
                        let outcome = auto.add(i as i64, 100).await;
                        (outcome, started.elapsed())
                    }
                });
                for (i, (outcome, took)) in futures_util::future::join_all(calls).await.into_iter().enumerate() {
                    mangling.check(i, &outcome, &format!("{transport:?} auto-batch"));
                    assert!(took < within, "{transport:?} auto-batched call {i} took {took:?}");
                }
            }
        });
    }
}

// ---- Event streams cut anywhere, over a real socket ----

/// An event stream of `ticks(3, _)` answering request `id`: the items 1,
/// 2, 3 (each with its `id:`), then the final response, every line ended
/// with `eol`, with comments and `retry:` fields (extreme values too) and
/// events without data between.
fn ticks_events(id: u64, eol: &str, noise: bool) -> Vec<u8> {
    let mut body = String::new();
    let mut event = |lines: &[String]| {
        for line in lines {
            body.push_str(line);
            body.push_str(eol);
        }
        body.push_str(eol);
    };
    if noise {
        event(&[": a comment".into(), "retry: 18446744073709551615".into()]);
        event(&["data:".into()]);
        event(&["retry: x".into(), ": another".into()]);
    }
    for k in 1..=3 {
        let item =
            format!(r#"data: {{"jsonrpc":"2.0","method":"rpc.item","params":{{"subscription":{id},"result":{k}}}}}"#);
        event(&[format!("id: {k}"), item]);
        if noise && k == 2 {
            event(&[":".into(), "data".into()]);
        }
    }
    event(&[format!(r#"data: {{"jsonrpc":"2.0","result":{{"items":3}},"id":{id}}}"#)]);
    body.into_bytes()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, .. ProptestConfig::default() })]

    /// An event stream split at any bytes (each piece its own TCP segment),
    /// with LF, CRLF or CR line ends, comments, `id:` and `retry:` fields
    /// (at extremes), empty `data:` events: exactly its items, then its end.
    #[test]
    fn an_event_stream_cut_anywhere_over_a_real_socket_is_read_whole(
        eol in prop_oneof![Just("\n"), Just("\r\n"), Just("\r")],
        noise in any::<bool>(),
        pieces in proptest::collection::vec(1usize..40, 0..30),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async {
            let answer = move |request: &raw::Request| {
                let id = raw::ids(&request.body)[0];
                [raw::event_stream_head(), ticks_events(id, eol, noise)].concat()
            };
            let head = raw::event_stream_head().len();
            let (url, _) = raw::serve_in_pieces(answer, move |_| {
                std::iter::once(head).chain(pieces.iter().copied()).collect()
            })
            .await;
            for &transport in TRANSPORTS {
                let client = over(transport, &url).timeout(Duration::from_secs(2)).build().unwrap();
                let items: Vec<u64> =
                    client.ticks(3, 1).await.unwrap().map(|item| item.unwrap()).collect().await;
                assert_eq!(items, [1, 2, 3], "{transport:?}");
            }
        });
    }
}

/// A resumable stream cut after a `retry:` field asking for the longest
/// wait: the reconnect waits no longer than `Retry::max_retry_after` (and
/// the stream resumes), and with the default cap of a minute, longer than
/// the call's time, it gives up at once instead of sleeping.
#[tokio::test]
async fn a_servers_retry_field_cannot_stall_a_reconnect() {
    let answer = |request: &raw::Request| {
        let id = raw::ids(&request.body)[0];
        let item = |k: u64| {
            format!(
                "id: {k}\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"rpc.item\",\"params\":{{\"subscription\":{id},\"result\":{k}}}}}\n\n"
            )
        };
        let body = match request.head.contains("last-event-id: 1") {
            // The first connection: one item, then cut before the end.
            false => format!("retry: 18446744073709551615\n\n{}", item(1)),
            true => format!(
                "{}{}data: {{\"jsonrpc\":\"2.0\",\"result\":{{\"items\":2}},\"id\":{id}}}\n\n",
                item(2),
                item(3)
            ),
        };
        [raw::event_stream_head(), body.into_bytes()].concat()
    };
    let (url, requests) = raw::serve_in_pieces(answer, |_| Vec::new()).await;
    for &transport in TRANSPORTS {
        let capped = Retry::new().max_retry_after(Duration::from_millis(50));
        let client = over(transport, &url).timeout(Duration::from_secs(5)).retry(capped).build().unwrap();
        let started = Instant::now();
        let items: Vec<u64> = client.ticks(3, 1).await.unwrap().map(|item| item.unwrap()).collect().await;
        assert_eq!(items, [1, 2, 3], "{transport:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{transport:?}: {:?}", started.elapsed());
        let client = over(transport, &url).timeout(Duration::from_secs(2)).build().unwrap();
        let started = Instant::now();
        let outcome: Vec<_> = client.ticks(3, 1).await.unwrap().collect().await;
        assert!(matches!(outcome[..], [Ok(1), Err(Error::StreamBroken { .. })]), "{transport:?}: {outcome:?}");
        assert!(started.elapsed() < Duration::from_secs(1), "{transport:?}: gave up after {:?}", started.elapsed());
    }
    assert_eq!(requests.load(Ordering::SeqCst), 3 * TRANSPORTS.len());
}

/// A `retry:` field within the cap is honoured: the reconnect waits that long.
#[tokio::test]
async fn a_servers_retry_field_is_the_least_wait_before_a_reconnect() {
    let answer = |request: &raw::Request| {
        let id = raw::ids(&request.body)[0];
        let item = |k: u64| {
            format!(
                "id: {k}\ndata: {{\"jsonrpc\":\"2.0\",\"method\":\"rpc.item\",\"params\":{{\"subscription\":{id},\"result\":{k}}}}}\n\n"
            )
        };
        let body = match request.head.contains("last-event-id: 1") {
            false => format!("retry: 400\n\n{}", item(1)),
            true => format!(
                "{}{}data: {{\"jsonrpc\":\"2.0\",\"result\":{{\"items\":2}},\"id\":{id}}}\n\n",
                item(2),
                item(3)
            ),
        };
        [raw::event_stream_head(), body.into_bytes()].concat()
    };
    let (url, _) = raw::serve_in_pieces(answer, |_| Vec::new()).await;
    for &transport in TRANSPORTS {
        let client = over(transport, &url).build().unwrap();
        let mut ticks = client.ticks(3, 1).await.unwrap();
        assert_eq!(ticks.next().await.unwrap().unwrap(), 1);
        let cut = Instant::now();
        assert_eq!(ticks.next().await.unwrap().unwrap(), 2, "{transport:?}");
        assert!(cut.elapsed() >= Duration::from_millis(400), "{transport:?}: resumed after {:?}", cut.elapsed());
        assert_eq!(ticks.next().await.unwrap().unwrap(), 3);
        assert!(ticks.next().await.is_none());
    }
}
