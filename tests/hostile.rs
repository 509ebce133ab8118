//! A client that trusts no server: whatever a server answers, over a real
//! socket, no call panics, stalls past its timeout, or gets another call's
//! answer. The servers here are raw (`common::raw`): they say exactly the
//! bytes a test chose. Run over the reqwest and the hyper transports.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::api::CalculatorClient;
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
