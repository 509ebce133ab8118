//! The shell side: usage errors, `--help`, completions, output on a
//! terminal (pretty, coloured) and through a pipe (compact).

use std::process::Command;

use crate::support::{ExampleServer, remotipy, skip_or_fail};

#[test]
fn usage_errors_exit_2() {
    assert_eq!(remotipy(&["call"]).code, 2);
    assert_eq!(remotipy(&["call", "http://x/rpc", "m", "--no-such-flag"]).code, 2);
    assert_eq!(remotipy(&["frobnicate"]).code, 2);
    let run = remotipy(&["call", "not a url", "add"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("`not a url` is not a URL"), "{}", run.stderr);
    let run = remotipy(&["call", "http://127.0.0.1:1/rpc", "add", "--timeout", "soon"]);
    assert_eq!(run.code, 2);
}

#[test]
fn help_has_examples_and_the_exit_codes() {
    let run = remotipy(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("remotipy call http://127.0.0.1:3000/rpc add a=1 b=2"), "{}", run.stdout);
    assert!(run.stdout.contains("Exit codes: 0 success, 1 the server answered an error"), "{}", run.stdout);
    let call = remotipy(&["call", "--help"]);
    assert!(call.stdout.contains("name:=json"), "{}", call.stdout);
    for subcommand in ["list", "describe", "batch", "completions"] {
        assert!(remotipy(&[subcommand, "--help"]).stdout.contains("Example"), "{subcommand}");
    }
    assert!(remotipy(&["gen", "ts", "--help"]).stdout.contains("remotipy gen ts"));
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in [("bash", "_remotipy()"), ("zsh", "#compdef remotipy"), ("fish", "complete -c remotipy")] {
        let run = remotipy(&["completions", shell]);
        assert_eq!(run.code, 0, "{shell}");
        assert!(run.stdout.contains(marker), "{shell}: {}", &run.stdout[..200]);
        for subcommand in ["list", "describe", "call", "batch", "gen"] {
            assert!(run.stdout.contains(subcommand), "{shell} completes {subcommand}");
        }
    }
    // The bash script is valid bash.
    let script = remotipy(&["completions", "bash"]).stdout;
    let checked = Command::new("bash").args(["-n", "-c", &script]).status().unwrap();
    assert!(checked.success());
}

#[test]
fn piped_output_is_compact_a_terminal_gets_it_pretty_and_coloured() {
    let server = ExampleServer::start();
    let piped = remotipy(&["call", &server.url(), "find", "id=1"]);
    assert_eq!(piped.stdout, "{\"email\":\"ada@example.org\",\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}\n");
    let forced = remotipy(&["call", &server.url(), "find", "id=1", "--color", "always"]);
    assert!(forced.stdout.contains("\u{1b}["), "{:?}", forced.stdout);
    // A terminal: `script` (util-linux) runs it on a pseudo-terminal.
    let remotipy = env!("CARGO_BIN_EXE_remotipy");
    let on_tty = |env: &str| {
        let line = format!("{env} {remotipy} call {} find id=1", server.url());
        let output = Command::new("script").args(["-qec", &line, "/dev/null"]).output();
        output.map(|output| String::from_utf8(output.stdout).unwrap().replace("\r\n", "\n"))
    };
    let Ok(coloured) = on_tty("") else {
        skip_or_fail("`script` (util-linux) is not installed: a terminal cannot be tested");
        return;
    };
    assert!(coloured.contains("\u{1b}["), "{coloured:?}");
    assert!(coloured.contains('\n') && coloured.lines().count() == 5, "{coloured:?}");
    let plain = on_tty("NO_COLOR=1").unwrap();
    assert_eq!(
        plain,
        "{\n  \"email\": \"ada@example.org\",\n  \"first_name\": \"Ada\",\n  \"last_name\": \"Lovelace\"\n}\n"
    );
}
