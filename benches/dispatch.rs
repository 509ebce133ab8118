//! In-process dispatch cost: bytes in → bytes out through the generated
//! dispatcher (`Server::handle`, request to response, no socket) vs hand-written serde doing the same
//! call (parse the request struct, compute, serialize the response), for a
//! small call (`add`) and a ~1 KiB DTO call (`greet`); plus a batch of 100
//! `add` calls vs 100 single ones. Reports nanoseconds and heap allocations
//! per call (a counting global allocator), medians over samples. With the
//! `msgpack` feature, a second table puts the same cases in MessagePack
//! beside JSON, both through the generated dispatcher: bytes in and out,
//! time and allocations.
//!
//! ```text
//! cargo bench --bench dispatch --features msgpack   # 31 interleaved samples × 20 000 calls per case
//! CASE=add perf record -g target/release/deps/dispatch-* --bench   # one case, for a profile
//! cargo test --benches                      # smoke: a few calls per case, answers checked
//! ```

mod common;

#[path = "../examples/api/mod.rs"]
mod api;
#[path = "../examples/app/mod.rs"]
#[allow(dead_code)] // the bench does not log
mod app;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use api::{CalculatorServer, Greeting, UserInfo, UsersServer};

/// Counts every allocation (and reallocation) the process makes.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn main() {
    let samples = common::setting("SAMPLES", 31, 1);
    let calls = common::setting("CALLS", 20_000, 3);
    println!("dispatch bench: {samples} samples × {calls} calls per case");
    let server = remotipy::Server::builder()
        .service(UsersServer::new(app::Directory))
        .service(CalculatorServer::new(app::Calc))
        .build()
        .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // CASE=add (a substring of a case name) runs only that case, for profiling.
    let only = std::env::var("CASE").unwrap_or_default();
    let cases: Vec<Case> = cases().into_iter().filter(|c| c.name.contains(&only)).collect();
    check(&runtime, &server, &cases);
    println!("| case | way | ns/call | allocations/call | ratio (ns) |");
    println!("|---|---|---|---|---|");
    for case in &cases {
        let ours = || {
            runtime.block_on(async {
                for _ in 0..calls {
                    black_box(common::answer(&server, remotipy::Codec::Json, black_box(&case.body)).await);
                }
            })
        };
        let hand = || {
            for _ in 0..calls {
                black_box((case.hand)(black_box(&case.body)));
            }
        };
        let [ours, hand, ratio] = measure(samples, calls * case.calls, ours, hand);
        println!("| {} | generated | {:.0} | {:.2} | {:.2} |", case.name, ours.0, ours.1, ratio.0);
        println!("| {} | hand serde | {:.0} | {:.2} | 1.00 |", case.name, hand.0, hand.1);
    }
    #[cfg(feature = "msgpack")]
    codecs(&runtime, &server, &cases, samples, calls);
}

/// The same cases in MessagePack and in JSON, both through the generated
/// dispatcher: bytes on the wire, ns and allocations per call.
#[cfg(feature = "msgpack")]
fn codecs(runtime: &tokio::runtime::Runtime, server: &remotipy::Server, cases: &[Case], samples: usize, calls: usize) {
    use remotipy::Codec;
    println!("\n| case | codec | request bytes | response bytes | ns/call | allocations/call | ratio (ns) |");
    println!("|---|---|---|---|---|---|---|");
    for case in cases {
        let value: serde_json::Value = serde_json::from_slice(&case.body).unwrap();
        let mut msgpack = Vec::new();
        serde::Serialize::serialize(&value, &mut rmp_serde::Serializer::new(&mut msgpack).with_struct_map()).unwrap();
        let answer = |codec, body: &[u8]| runtime.block_on(common::answer(server, codec, body));
        let (json_answer, msgpack_answer) = (answer(Codec::Json, &case.body), answer(Codec::MsgPack, &msgpack));
        let decoded: serde_json::Value = rmp_serde::from_slice(&msgpack_answer).unwrap();
        assert_eq!(decoded, serde_json::from_slice::<serde_json::Value>(&json_answer).unwrap(), "{}", case.name);
        let run = |codec, body: &[u8]| {
            runtime.block_on(async {
                for _ in 0..calls {
                    black_box(common::answer(server, codec, black_box(body)).await);
                }
            })
        };
        let [ours, json, ratio] =
            measure(samples, calls * case.calls, || run(Codec::MsgPack, &msgpack), || run(Codec::Json, &case.body));
        let (name, (mp_in, mp_out), (js_in, js_out)) =
            (case.name, (msgpack.len(), msgpack_answer.len()), (case.body.len(), json_answer.len()));
        println!("| {name} | MessagePack | {mp_in} | {mp_out} | {:.0} | {:.2} | {:.2} |", ours.0, ours.1, ratio.0);
        println!("| {name} | JSON | {js_in} | {js_out} | {:.0} | {:.2} | 1.00 |", json.0, json.1);
    }
}

/// One request body and its hand-written equivalent.
struct Case {
    name: &'static str,
    body: Vec<u8>,
    /// Calls in the body (100 for a batch).
    calls: usize,
    hand: fn(&[u8]) -> Vec<u8>,
}

fn cases() -> Vec<Case> {
    let user = serde_json::json!({ "first_name": "Ada", "last_name": "L".repeat(500), "email": "e".repeat(480) });
    let add =
        |id: usize| serde_json::json!({ "jsonrpc": "2.0", "method": "add", "params": { "a": id, "b": 2 }, "id": id });
    let batch: Vec<_> = (0..100).map(add).collect();
    vec![
        Case { name: "add", body: add(7).to_string().into_bytes(), calls: 1, hand: hand::add },
        Case {
            name: "greet(1KiB)",
            body: serde_json::json!({ "jsonrpc": "2.0", "method": "greet", "params": { "user": user }, "id": 7 })
                .to_string()
                .into_bytes(),
            calls: 1,
            hand: hand::greet,
        },
        Case { name: "batch of 100 add", body: serde_json::to_vec(&batch).unwrap(), calls: 100, hand: hand::batch },
    ]
}

/// Both ways answer each case alike (same JSON value).
fn check(runtime: &tokio::runtime::Runtime, server: &remotipy::Server, cases: &[Case]) {
    for case in cases {
        let ours = runtime.block_on(common::answer(server, remotipy::Codec::Json, &case.body));
        let ours: serde_json::Value = serde_json::from_slice(&ours).unwrap();
        let hand: serde_json::Value = serde_json::from_slice(&(case.hand)(&case.body)).unwrap();
        assert_eq!(ours, hand, "{}: the two ways disagree", case.name);
    }
}

/// (ns, allocations) per call of one run.
type Sample = (f64, f64);

/// Runs `ours` and `hand` alternately, `samples` times each (each run makes
/// `calls` calls): median (ns, allocations) per call of each, and the median
/// of the per-sample time ratios (robust against a noisy machine).
fn measure(samples: usize, calls: usize, mut ours: impl FnMut(), mut hand: impl FnMut()) -> [Sample; 3] {
    let sample = |run: &mut dyn FnMut()| {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let started = Instant::now();
        run();
        let ns = started.elapsed().as_nanos() as f64 / calls as f64;
        (ns, (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / calls as f64)
    };
    sample(&mut ours); // warm up
    sample(&mut hand);
    let pairs: Vec<_> = (0..samples).map(|_| (sample(&mut ours), sample(&mut hand))).collect();
    let median = |f: fn(&(Sample, Sample)) -> f64| common::median(pairs.iter().map(f).collect()).0;
    [(median(|p| p.0.0), median(|p| p.0.1)), (median(|p| p.1.0), median(|p| p.1.1)), (median(|p| p.0.0 / p.1.0), 0.0)]
}

/// The same calls written by hand with serde: the floor the dispatcher is
/// measured against.
mod hand {
    use serde_json::value::RawValue;

    use super::{Greeting, UserInfo};
    use crate::common::hand::{Add, Greet, Request, Response};

    pub fn add(body: &[u8]) -> Vec<u8> {
        let request: Request<Add, &RawValue> = serde_json::from_slice(body).unwrap();
        let result = request.params.a + request.params.b;
        serde_json::to_vec(&Response::new(result, request.id)).unwrap()
    }

    pub fn greet(body: &[u8]) -> Vec<u8> {
        let request: Request<Greet<UserInfo>, &RawValue> = serde_json::from_slice(body).unwrap();
        let user = &request.params.user;
        let result = Greeting { message: format!("Hello, {} {}!", user.first_name, user.last_name) };
        serde_json::to_vec(&Response::new(result, request.id)).unwrap()
    }

    pub fn batch(body: &[u8]) -> Vec<u8> {
        let items: Vec<&RawValue> = serde_json::from_slice(body).unwrap();
        let mut out = b"[".to_vec();
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(&add(item.get().as_bytes()));
        }
        out.push(b']');
        out
    }
}
