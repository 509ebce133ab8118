//! The generated clients run in Node against real servers: the example
//! server as a process (`example.test.ts`: every method, errors, streams,
//! batches, timeouts, failover), the schema-coverage fixture served here
//! (`fixture.test.ts`), and a client of a document remotipy did not write
//! against a plain JSON-RPC server (`foreign.test.ts`).
//!
//! The tests' TypeScript (`tests/node/*.ts`) and the generated modules are
//! compiled once by `tsc` (`tests/node/tsconfig.json`, strict), then each
//! suite runs with `node --test`. Needs node and `npm ci` in `tests/node`.

mod fixture;
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The compiled tests, made once for every suite of this binary.
fn compiled() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| support::compile("node"))
}

/// Runs one suite (`dist/<name>.test.js`) with `env`, failing with its report.
fn node_test(name: &str, env: &[(&str, &str)]) {
    let dir = compiled();
    let output = support::run(
        Command::new("node")
            .args(["--test", "--test-reporter=spec", &format!("dist/{name}.test.js")])
            .envs(env.iter().copied())
            .current_dir(dir),
    );
    // The report, for `--nocapture`.
    println!("{}", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn the_example_client_in_node() {
    if !support::tools_available() {
        return;
    }
    let server = support::example_server(&[]);
    node_test("example", &[("REMOTIPY_EXAMPLE_URL", &server.url())]);
}

#[test]
fn every_serde_shape_round_trips_through_rust() {
    if !support::tools_available() {
        return;
    }
    let url = support::serve(fixture::server());
    node_test("fixture", &[("REMOTIPY_FIXTURE_URL", &url)]);
}

#[test]
fn a_foreign_document_makes_a_working_client() {
    if !support::tools_available() {
        return;
    }
    node_test("foreign", &[]);
}
