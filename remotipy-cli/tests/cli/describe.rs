//! `remotipy describe`: methods and types, as text and as JSON.

use crate::support::{ExampleServer, redact, remotipy};

fn describe(server: &ExampleServer, args: &[&str]) -> String {
    let url = server.url();
    let run = remotipy(&[&["describe", url.as_str()], args].concat());
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "describe {args:?}");
    run.stdout
}

#[test]
fn a_method_with_an_application_error() {
    let server = ExampleServer::start();
    insta::assert_snapshot!(describe(&server, &["find"]));
}

#[test]
fn a_method_taking_a_struct() {
    let server = ExampleServer::start();
    insta::assert_snapshot!(describe(&server, &["greet"]));
}

#[test]
fn a_streaming_method() {
    let server = ExampleServer::start();
    insta::assert_snapshot!(describe(&server, &["ticks"]));
}

#[test]
fn a_notification() {
    let server = ExampleServer::start();
    insta::assert_snapshot!(describe(&server, &["audit"]));
}

#[test]
fn a_type() {
    let server = ExampleServer::start();
    insta::assert_snapshot!(describe(&server, &["UserInfo"]));
    insta::assert_snapshot!(describe(&server, &["TickError"]));
}

#[test]
fn a_method_as_json_with_its_refs_inlined() {
    let server = ExampleServer::start();
    let json: serde_json::Value = serde_json::from_str(&describe(&server, &["find", "--json"])).unwrap();
    insta::assert_snapshot!(serde_json::to_string_pretty(&json).unwrap());
}

#[test]
fn an_unknown_name_suggests_the_nearest() {
    let server = ExampleServer::start();
    let run = remotipy(&["describe", &server.url(), "UserInf"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        redact(&run.stderr, &server.addr),
        "http://SERVER/rpc has no method or type `UserInf`; did you mean `UserInfo`?\n"
    );
}
