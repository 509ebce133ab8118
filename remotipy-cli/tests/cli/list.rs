//! `remotipy list`, from a server and from a file.

use crate::support::{ExampleServer, remotipy};

#[test]
fn lists_the_methods_by_trait_with_their_summaries() {
    let server = ExampleServer::start();
    let run = remotipy(&["list", &server.url()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn lists_a_document_saved_to_a_file_the_same() {
    let server = ExampleServer::start();
    let discovered = remotipy(&["call", &server.url(), "rpc.discover"]);
    assert_eq!(discovered.code, 0, "{}", discovered.stderr);
    let file = std::env::temp_dir().join(format!("remotipy-cli-list-{}.json", std::process::id()));
    std::fs::write(&file, &discovered.stdout).unwrap();
    let from_file = remotipy(&["list", file.to_str().unwrap()]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(from_file.stdout, remotipy(&["list", &server.url()]).stdout);
}

#[test]
fn a_file_that_is_not_a_document_is_a_usage_error() {
    let run = remotipy(&["list", "/nonexistent/openrpc.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("cannot read /nonexistent/openrpc.json: "), "{}", run.stderr);
    let file = std::env::temp_dir().join(format!("remotipy-cli-not-openrpc-{}.json", std::process::id()));
    std::fs::write(&file, r#"{"jsonrpc": "2.0"}"#).unwrap();
    let run = remotipy(&["list", file.to_str().unwrap()]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(run.code, 2);
    assert!(run.stderr.ends_with("is not an OpenRPC document: it has no `openrpc` version\n"), "{}", run.stderr);
}
