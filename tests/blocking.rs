//! The blocking client (feature `blocking`): the same calls without
//! `.await`, against a real server on a loopback socket, over every
//! transport; it works from plain threads and `spawn_blocking`, and refuses
//! clearly on a thread that runs async tasks.
#![cfg(feature = "blocking")]

mod common;

use std::time::{Duration, Instant};

use common::{ProbeBlockingClient, ProbeError, sample_record};
use remotipy::{CallOptions, Error};

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
    let tagged = c.with_options(CallOptions::new().header("x-request-tag", "once")).unwrap();
    assert_eq!(tagged.header("x-request-tag".into()).unwrap().as_deref(), Some("once"));
}

/// Clones of one client, called from many threads at once, share its
/// runtime (and connections); dropping them all ends its thread.
#[test]
fn many_threads_call_at_once() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::new(url).unwrap();
    std::thread::scope(|scope| {
        for thread in 0..8 {
            let c = c.clone();
            scope.spawn(move || {
                for call in 0..50 {
                    let text = format!("{thread}-{call}");
                    assert_eq!(c.echo(text.clone()).unwrap(), text);
                }
            });
        }
    });
    drop(c);
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
    let patient = c.with_options(CallOptions::new().timeout(Duration::from_secs(5))).unwrap();
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
fn on_a_thread_running_async_tasks_it_refuses_clearly() {
    let (runtime, url) = server();
    // Built (and later dropped) inside async code: neither blocks nor panics.
    let client = runtime.block_on(async { ProbeBlockingClient::new(&url) }).unwrap();
    let refusals = [
        runtime.block_on(async { client.echo("x".into()) }).unwrap_err(),
        runtime
            .block_on({
                let client = client.clone();
                async move { tokio::spawn(async move { client.echo("x".into()) }).await.unwrap() }
            })
            .unwrap_err(),
    ];
    for error in refusals {
        assert!(matches!(&error, Error::WouldBlock { method: "echo" }), "{error:?}");
        assert!(error.to_string().contains("use the async client there"), "{error}");
    }
    // Where blocking is allowed, it works: spawn_blocking, and a plain thread.
    let in_pool = runtime.block_on({
        let client = client.clone();
        async move { tokio::task::spawn_blocking(move || client.echo("pool".into())).await.unwrap() }
    });
    assert_eq!(in_pool.unwrap(), "pool");
    let answer = std::thread::spawn({
        let client = client.clone();
        move || client.echo("ok".into())
    });
    assert_eq!(answer.join().unwrap().unwrap(), "ok");
    runtime.block_on(async move { drop(client) });
}

#[test]
fn every_transport_works() {
    let (_runtime, url) = server();
    let server = common::ProbeServer::new(common::ProbeImpl::default()).into_server();
    let mut clients = vec![
        remotipy::ClientBuilder::<ProbeBlockingClient>::in_process(server.clone()).build().unwrap(),
        remotipy::ClientBuilder::<ProbeBlockingClient>::with_transport(remotipy::transport::InProcess::new(server))
            .build()
            .unwrap(),
        ProbeBlockingClient::builder(&url).reqwest_client(reqwest::Client::new()).build().unwrap(),
    ];
    #[cfg(feature = "hyper")]
    clients.push(ProbeBlockingClient::builder(&url).hyper().build().unwrap());
    for client in clients {
        assert_eq!(client.sum(40, 2).unwrap(), 42, "{client:?}");
        let tagged = client.with_options(CallOptions::new().header("x-tag", "t")).unwrap();
        assert_eq!(tagged.header("x-tag".into()).unwrap().as_deref(), Some("t"), "{client:?}");
    }
    let error = ProbeBlockingClient::new("ftp://host/rpc").unwrap_err();
    assert!(error.to_string().contains("invalid endpoint URL"), "{error}");
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

#[test]
fn streams_are_iterators() {
    let (_runtime, url) = server();
    let c = ProbeBlockingClient::new(&url).unwrap();
    let items: Vec<_> = c.count(4, 0, 10, None, None).unwrap().collect();
    assert_eq!(items.into_iter().map(Result::unwrap).collect::<Vec<_>>(), [0, 1, 2, 3]);
    let mut failing = c.count(4, 0, 0, Some(1), None).unwrap();
    assert_eq!(failing.next().unwrap().unwrap(), 0);
    assert!(matches!(failing.next().unwrap().unwrap_err(), Error::App(ProbeError::Refused { .. })));
    assert!(failing.next().is_none());
    assert!(matches!(c.count(2_000_000, 0, 0, None, None).unwrap_err(), Error::App(ProbeError::Refused { .. })));
}
