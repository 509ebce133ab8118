//! `remotipy call` against the example server: coercion by the schema,
//! refusals before sending, results and remote errors, the ways to give params.

use crate::support::{ExampleServer, remotipy, remotipy_with_stdin};

fn call(server: &ExampleServer, args: &[&str]) -> crate::support::Run {
    let url = server.url();
    remotipy(&[&["call", url.as_str()], args].concat())
}

#[test]
fn values_are_coerced_by_the_schema() {
    let server = ExampleServer::start();
    let add = call(&server, &["add", "a=40", "b=2"]);
    assert_eq!((add.code, add.stdout.as_str(), add.stderr.as_str()), (0, "42\n", ""));
    assert_eq!(call(&server, &["add", "a=-1", "b=1"]).stdout, "0\n");
    // Integers where the schema says `number`; fractions.
    assert_eq!(call(&server, &["divide", "a=3", "b=0.5"]).stdout, "6.0\n");
    // A struct as JSON without `:=`, because the schema wants an object.
    let greet =
        call(&server, &["greet", r#"user={"first_name":"Ada","last_name":"Lovelace","email":"ada@example.org"}"#]);
    assert_eq!(greet.stdout, "{\"message\":\"Hello, Ada Lovelace!\"}\n");
    // `:=` for raw JSON.
    let raw = call(&server, &["greet", r#"user:={"first_name":"Al","last_name":"T","email":"a@t"}"#]);
    assert_eq!(raw.stdout, "{\"message\":\"Hello, Al T!\"}\n");
    assert_eq!(server.logged(&["add", "a=40", "b=2"]), 1);
}

#[test]
fn strings_need_no_quotes() {
    let server = ExampleServer::start();
    // `audit` takes a string; `42` stays one.
    let run = call(&server, &["audit", "line=42"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(server.logged(&["audit", "line=42"]), 1);
}

#[test]
fn an_application_error_is_one_line_on_stderr_and_exit_1() {
    let server = ExampleServer::start();
    let run = call(&server, &["find", "id=7"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "find failed remotely: no user with id 7 (code -32000, UserError)\n");
    let run = call(&server, &["divide", "a=1", "b=0"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "divide failed remotely: division by zero (code -32000, MathError)\n")
    );
}

#[test]
fn wrong_or_missing_args_are_refused_before_sending_with_the_signature() {
    let server = ExampleServer::start();
    let cases: [(&[&str], &str); 6] = [
        (&["add", "a=1"], "invalid arguments for `add`: missing `b`; it takes add(a: int64, b: int64) -> int64"),
        (
            &["add", "a=x", "b=2"],
            "invalid arguments for `add`: `a` wants int64, not `x`; it takes add(a: int64, b: int64) -> int64",
        ),
        (
            &["add", "a=1.5", "b=2"],
            "invalid arguments for `add`: `a` wants int64, not `1.5`; it takes add(a: int64, b: int64) -> int64",
        ),
        (
            &["add", "a=1", "b=2", "c=3"],
            "invalid arguments for `add`: unknown param `c`; it takes add(a: int64, b: int64) -> int64",
        ),
        (
            &["find", "id=-1"],
            "invalid arguments for `find`: `id`: -1 is less than the minimum of 0; it takes find(id: uint64) -> UserInfo",
        ),
        (
            &["greet", r#"user={"first_name":"Ada"}"#],
            "invalid arguments for `greet`: `user`: \"last_name\" is a required property; `user`: \"email\" is a required property; \
             it takes greet(user: UserInfo) -> Greeting",
        ),
    ];
    for (args, message) in cases {
        let run = call(&server, args);
        assert_eq!((run.code, run.stderr.trim_end()), (2, message), "{args:?}");
    }
    let run = call(&server, &["add", "a=1", "a=2", "b=3"]);
    assert!(run.stderr.contains("`a` is given twice"), "{}", run.stderr);
    let run = call(&server, &["add", "a"]);
    assert_eq!((run.code, run.stderr.as_str()), (2, "`a`: arguments are `name=value`, or `name:=json` for raw JSON\n"));
    // None of them reached the method.
    assert_eq!(server.logged_now(&["add"]) + server.logged_now(&["find"]) + server.logged_now(&["greet"]), 0);
}

#[test]
fn an_unknown_method_is_refused_with_a_suggestion() {
    let server = ExampleServer::start();
    let run = call(&server, &["ad", "a=1"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no method `ad`; did you mean `add`?"), "{}", run.stderr);
}

#[test]
fn params_as_json_after_params_from_stdin_or_a_file() {
    let server = ExampleServer::start();
    assert_eq!(call(&server, &["add", "--params", r#"{"a": 1, "b": 2}"#]).stdout, "3\n");
    assert_eq!(call(&server, &["add", "--params", "[20, 22]"]).stdout, "42\n");
    let url = server.url();
    let stdin = remotipy_with_stdin(&["call", &url, "add", "--params", "-"], r#"{"a": 5, "b": 6}"#);
    assert_eq!((stdin.code, stdin.stdout.as_str()), (0, "11\n"));
    let file = std::env::temp_dir().join(format!("remotipy-cli-params-{}.json", std::process::id()));
    std::fs::write(&file, "[2, 3]").unwrap();
    let from_file = call(&server, &["add", "--params", &format!("@{}", file.display())]);
    std::fs::remove_file(&file).unwrap();
    assert_eq!(from_file.stdout, "5\n");
    // Checked as well, by position.
    let short = call(&server, &["add", "--params", "[1]"]);
    assert_eq!(
        (short.code, short.stderr.as_str()),
        (2, "invalid arguments for `add`: missing `b` (position 2); it takes add(a: int64, b: int64) -> int64\n")
    );
    let scalar = call(&server, &["add", "--params", "7"]);
    assert_eq!(
        (scalar.code, scalar.stderr.as_str()),
        (2, "the params in --params must be a JSON object or array, not `7`\n")
    );
}

#[test]
fn raw_prints_the_whole_response() {
    let server = ExampleServer::start();
    let run = call(&server, &["find", "id=1", "--raw"]);
    let response: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        response,
        serde_json::json!({"jsonrpc": "2.0", "id": 1,
            "result": {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.org"}})
    );
    let failed = call(&server, &["find", "id=7", "--raw"]);
    assert_eq!(failed.code, 1);
    assert!(failed.stdout.starts_with(r#"{"error":{"code":-32000"#), "{}", failed.stdout);
}

#[test]
fn a_notification_gets_no_answer() {
    let server = ExampleServer::start();
    // `audit` has no result in the document: sent without an id.
    let run = call(&server, &["audit", "line=one-way", "-v"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert!(run.stderr.contains(r#"{"jsonrpc":"2.0","method":"audit","params":{"line":"one-way"}}"#), "{}", run.stderr);
    assert!(run.stderr.contains("< HTTP/1.1 204 No Content"), "{}", run.stderr);
    assert_eq!(server.logged(&["audit", "line=one-way"]), 1);
    // Any method, with --notify.
    let run = call(&server, &["add", "a=5", "b=6", "--notify"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""));
    assert_eq!(server.logged(&["add", "a=5", "b=6"]), 1);
}

#[test]
fn verbose_shows_the_http_exchange() {
    let server = ExampleServer::start();
    let run = call(&server, &["add", "a=1", "b=2", "-v", "--timeout", "5s"]);
    assert_eq!(run.stdout, "3\n");
    for expected in [
        format!("> POST {}", server.url()),
        "> content-type: application/json".into(),
        r#"> {"id":1,"jsonrpc":"2.0","method":"rpc.discover"}"#.into(),
        r#"> {"id":1,"jsonrpc":"2.0","method":"add","params":{"a":1,"b":2}}"#.into(),
        "< HTTP/1.1 200 OK".into(),
        "< content-type: application/json".into(),
    ] {
        assert!(run.stderr.lines().any(|line| line == expected), "no `{expected}` in\n{}", run.stderr);
    }
    let deadline = run.stderr.lines().find_map(|line| line.strip_prefix("> remotipy-timeout-ms: ")).unwrap();
    assert!((1..=5000).contains(&deadline.parse::<u64>().unwrap()), "{deadline}");
}
