//! The blocking client (feature `blocking`): the same calls without
//! `.await`, against a real server on a loopback socket, and a clear refusal
//! inside an async runtime.
#![cfg(feature = "blocking")]

mod common;

use std::time::{Duration, Instant};

use common::{ProbeBlockingClient, ProbeError, sample_record};
use remotipy::{BuildError, CallOptions, Error};

/// A probe server running on its own runtime; the test thread stays outside it.
fn server() -> (tokio::runtime::Runtime, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let url = runtime.block_on(common::serve_probe());
    (runtime, url)
}

#[test]
fn calls_answer_like_the_async_client() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::builder(url).header("x-authentication-token", "t0k3n").build().unwrap();
    assert_eq!(c.echo("hi".into()).unwrap(), "hi");
    assert_eq!(c.record(sample_record()).unwrap(), sample_record());
    assert_eq!(c.optional(1, None).unwrap(), 101);
    let error = c.refuse("no".into()).unwrap_err();
    assert!(matches!(&error, Error::App(ProbeError::Refused { reason }) if reason == "no"), "{error:?}");
    let error = c.boom("secret".into()).unwrap_err();
    assert!(matches!(&error, Error::Remote { method: "boom", code: -32603, .. }), "{error:?}");
    c.log("one-way".into()).unwrap();
    assert_eq!(c.logged().unwrap(), ["one-way"]);
    assert_eq!(c.header("x-authentication-token".into()).unwrap().as_deref(), Some("t0k3n"));
    let tagged = c.with_options(CallOptions::new().header("x-request-tag", "once"));
    assert_eq!(tagged.header("x-request-tag".into()).unwrap().as_deref(), Some("once"));
}

/// The blocking client speaks MessagePack too.
#[cfg(feature = "msgpack")]
#[test]
fn calls_answer_over_msgpack() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::builder(url).codec(remotipy::Codec::MsgPack).build().unwrap();
    assert_eq!(c.record(sample_record()).unwrap(), sample_record());
    let error = c.refuse("no".into()).unwrap_err();
    assert!(matches!(&error, Error::App(ProbeError::Refused { reason }) if reason == "no"), "{error:?}");
    c.log("one-way".into()).unwrap();
    assert_eq!(c.logged().unwrap(), ["one-way"]);
}

#[test]
fn timeouts_fire_and_per_call_timeouts_override() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::builder(url).timeout(Duration::from_millis(100)).build().unwrap();
    let started = Instant::now();
    let error = c.sleep(5_000).unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    let patient = c.with_options(CallOptions::new().timeout(Duration::from_secs(5)));
    assert_eq!(patient.sleep(200).unwrap(), 200);
}

#[test]
fn a_server_that_is_down_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/rpc", listener.local_addr().unwrap());
    drop(listener);
    let error = ProbeBlockingClient::new(url).unwrap().echo("x".into()).unwrap_err();
    assert!(matches!(error, Error::Transport { method: "echo", .. }), "{error:?}");
}

#[test]
fn inside_an_async_runtime_it_refuses_clearly() {
    let (runtime, url) = server();
    let client = ProbeBlockingClient::new(&url).unwrap();
    let error = runtime.block_on(async { client.echo("x".into()) }).unwrap_err();
    assert!(matches!(&error, Error::Transport { .. }), "{error:?}");
    let source = std::error::Error::source(&error).unwrap();
    assert!(source.is::<remotipy::InsideAsyncRuntime>(), "{source:?}");
    assert!(error.to_string().contains("called inside an async runtime"), "{error}");
    assert!(error.to_string().contains("use the async client there"), "{error}");
    // Building one there is refused too (reqwest's blocking client would panic when dropped there).
    let built = runtime.block_on(async { ProbeBlockingClient::new(&url) });
    assert!(matches!(&built, Err(BuildError::Unsupported(why)) if why.contains("inside an async runtime")));
    // From a plain thread, beside the runtime, it works.
    let answer = std::thread::spawn(move || client.echo("ok".into())).join().unwrap();
    assert_eq!(answer.unwrap(), "ok");
}

#[test]
fn settings_it_cannot_honour_are_build_errors() {
    let server = common::ProbeServer::new(common::ProbeImpl::default()).into_server();
    let error = remotipy::ClientBuilder::<ProbeBlockingClient>::in_process(server.clone()).build().unwrap_err();
    assert!(error.to_string().contains("cannot call in-process"), "{error}");
    let custom = remotipy::ClientBuilder::<ProbeBlockingClient>::with_transport(remotipy::InProcess::new(server));
    let error = custom.build().unwrap_err();
    assert!(error.to_string().contains("not a custom transport"), "{error}");
    let error = ProbeBlockingClient::new("ftp://host/rpc").unwrap_err();
    assert!(error.to_string().contains("invalid endpoint URL"), "{error}");
    let own = ProbeBlockingClient::builder("http://127.0.0.1:1/rpc").reqwest_client(reqwest::Client::new()).build();
    assert!(matches!(&own, Err(BuildError::Unsupported(why)) if why.contains("reqwest::blocking client")));
    #[cfg(feature = "hyper")]
    {
        let hyper = ProbeBlockingClient::builder("http://127.0.0.1:1/rpc").hyper().build();
        assert!(matches!(&hyper, Err(BuildError::Unsupported(why)) if why.contains("not hyper")));
    }
}

#[test]
fn oversized_responses_are_refused() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::builder(url).max_response_size(1024).build().unwrap();
    let error = c.echo("x".repeat(4096)).unwrap_err();
    assert!(matches!(error, Error::Decode { method: "echo", .. }), "{error:?}");
    assert!(error.to_string().contains("exceeds the limit of 1024 bytes"), "{error}");
    assert_eq!(c.echo("small".into()).unwrap(), "small");
}
