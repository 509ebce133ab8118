//! `remotipy batch`: from a file or stdin, results in request order.

use crate::support::{ExampleServer, remotipy, remotipy_with_stdin};

const BATCH: &str = r#"[
    {"id": 1, "method": "add", "params": {"a": 1, "b": 2}},
    {"id": "two", "method": "find", "params": {"id": 7}},
    {"method": "audit", "params": {"line": "in-a-batch"}},
    {"id": 3, "method": "find", "params": [1]}
]"#;

#[test]
fn results_in_order_errors_on_stderr() {
    let server = ExampleServer::start();
    let run = remotipy_with_stdin(&["batch", &server.url()], BATCH);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "3\n{\"email\":\"ada@example.org\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}\n");
    assert_eq!(
        run.stderr,
        "#2: find failed remotely: no user with id 7 (code -32000, UserError)\n1 of the batch's 3 calls failed\n"
    );
    assert_eq!(server.logged(&["audit", "line=in-a-batch"]), 1);
}

#[test]
fn from_a_file_printed_raw() {
    let server = ExampleServer::start();
    let file = std::env::temp_dir().join(format!("remotipy-cli-batch-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"[{"id": 1, "method": "add", "params": [2, 2]}, {"id": 2, "method": "add", "params": [3, 3]}]"#,
    )
    .unwrap();
    let run = remotipy(&["batch", &server.url(), file.to_str().unwrap(), "--raw"]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut answers: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    answers.sort_by_key(|answer| answer["id"].as_i64());
    assert_eq!(
        answers,
        [
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "result": 4}),
            serde_json::json!({"jsonrpc": "2.0", "id": 2, "result": 6}),
        ]
    );
}

#[test]
fn an_entry_the_document_refuses_stops_the_batch_before_sending() {
    let server = ExampleServer::start();
    let batch =
        r#"[{"id": 1, "method": "add", "params": {"a": 1, "b": 2}}, {"id": 2, "method": "add", "params": {"a": 1}}]"#;
    let run = remotipy_with_stdin(&["batch", &server.url()], batch);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "entry #2: invalid arguments for `add`: missing `b`; it takes add(a: int64, b: int64) -> int64\n"
    );
    let run = remotipy_with_stdin(&["batch", &server.url()], r#"[{"id": 1, "method": "sub"}]"#);
    assert_eq!((run.code, run.stderr.as_str()), (2, "entry #1: no method `sub`\n"));
    let run = remotipy_with_stdin(&["batch", &server.url()], "{}");
    assert_eq!((run.code, run.stderr.as_str()), (2, "the batch in stdin is not a non-empty JSON array of requests\n"));
    assert_eq!(server.logged_now(&["add"]), 0);
}
