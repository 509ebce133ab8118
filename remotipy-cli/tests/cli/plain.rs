//! Plain mode: a JSON-RPC server without OpenRPC (jsonrpsee), or
//! `--no-discover`: the args are sent as given.

use crate::servers::plain_server;
use crate::support::{ExampleServer, remotipy};

#[test]
fn a_server_without_rpc_discover_is_called_with_the_args_as_given() {
    let url = plain_server();
    let add = remotipy(&["call", &url, "add", "a=40", "b=2"]);
    assert_eq!((add.code, add.stdout.as_str(), add.stderr.as_str()), (0, "42\n", ""));
    // Text that reads as JSON is JSON; any other is a string; `:=` is raw JSON.
    let echo = remotipy(&["call", &url, "echo", "n=5", "s=hello world", "t=true", "q:=\"5\"", "o={\"k\":[1]}"]);
    let echoed: serde_json::Value = serde_json::from_str(&echo.stdout).unwrap();
    assert_eq!(echoed, serde_json::json!({"n": 5, "s": "hello world", "t": true, "q": "5", "o": {"k": [1]}}));
    // Nothing is checked before sending: the server refuses.
    let refused = remotipy(&["call", &url, "add", "a=x", "b=2"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.starts_with("add failed remotely: Invalid params (code -32602"), "{}", refused.stderr);
    let unknown = remotipy(&["call", &url, "sub"]);
    assert_eq!((unknown.code, unknown.stderr.as_str()), (1, "sub failed remotely: Method not found (code -32601)\n"));
}

#[test]
fn verbose_says_why_the_args_are_unchecked() {
    let url = plain_server();
    let run = remotipy(&["call", &url, "add", "a=1", "b=2", "-v"]);
    assert_eq!(run.stdout, "3\n");
    assert!(
        run.stderr.contains("* no OpenRPC document (rpc.discover failed remotely: Method not found (code -32601))"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_and_describe_need_the_document() {
    let url = plain_server();
    let run = remotipy(&["list", &url]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr,
        format!(
            "{url} serves no OpenRPC document: rpc.discover failed remotely: Method not found (code -32601) \
             (`remotipy call --no-discover` still calls it)\n"
        )
    );
}

#[test]
fn no_discover_skips_the_document_of_a_server_that_has_one() {
    let server = ExampleServer::start();
    let run = remotipy(&["call", &server.url(), "add", "a=1", "b=x", "--no-discover", "-v"]);
    assert_eq!(run.code, 1);
    assert!(!run.stderr.contains("rpc.discover"), "{}", run.stderr);
    assert!(run.stderr.contains("add failed remotely: invalid params for `add`: `b`"), "{}", run.stderr);
}
