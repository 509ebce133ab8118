//! What the TypeScript tests share: the npm tools (`tsc`, installed from
//! `tests/node/package-lock.json` with `npm ci`), a work directory with the
//! generated modules and the test sources, servers to call (the fixture in
//! this process, the example as its own process), and the example's
//! OpenRPC document.

#![allow(dead_code)] // each test file uses its own part

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

#[path = "../../../tests/common/process.rs"]
pub mod process;

/// `remotipy-cli/`.
pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `tests/node/`, where `npm ci` installs the tools.
pub fn node_dir() -> PathBuf {
    crate_dir().join("tests/node")
}

/// The checked-in client of the example.
pub fn checked_in_client() -> PathBuf {
    crate_dir().join("../clients/typescript/example.ts")
}

/// Whether the external tools are here; when they are not, the test is
/// skipped (saying so on stderr), or fails where CI requires them.
pub fn tools_available() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let tsc = node_dir().join("node_modules/typescript/package.json").exists();
    if node && tsc {
        return true;
    }
    let why = "node, or `npm ci` in remotipy-cli/tests/node (for tsc)";
    assert!(std::env::var("REMOTIPY_REQUIRE_EXTERNAL").as_deref() != Ok("1"), "missing: {why}");
    let _ = writeln!(std::io::stderr(), "skipped: needs {why}");
    false
}

/// Runs `command`, failing the test with its output unless it succeeds.
pub fn run(command: &mut Command) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    if !output.status.success() {
        panic!(
            "{command:?} failed ({}):\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output
}

/// `tsc` from `tests/node`, run in `dir`.
pub fn tsc(dir: &Path) -> Command {
    let mut command = Command::new("node");
    command.arg(node_dir().join("node_modules/typescript/bin/tsc")).current_dir(dir);
    command
}

/// A fresh directory of this test binary's own, under the target directory.
pub fn work_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("typescript").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Copies the test sources (`tests/node/*.ts`, the tsconfigs) into `dir`.
pub fn copy_sources(dir: &Path) {
    for entry in std::fs::read_dir(node_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".ts") || name.starts_with("tsconfig") {
            std::fs::copy(&path, dir.join(&name)).unwrap();
        }
    }
    std::fs::write(dir.join("package.json"), r#"{ "type": "module" }"#).unwrap();
    // The tests' imports of `node:*` need @types/node, which tsc finds beside them.
    let link = dir.join("node_modules");
    if !link.exists() {
        std::os::unix::fs::symlink(node_dir().join("node_modules"), link).unwrap();
    }
}

/// A work directory with the test sources and every generated module (the
/// example's checked-in client, the fixture's in both integer policies, the
/// foreign document's), compiled by `tsc` into `dist/`.
pub fn compile(name: &str) -> PathBuf {
    let dir = work_dir(name);
    copy_sources(&dir);
    let checked_in = std::fs::read_to_string(checked_in_client()).expect("clients/typescript/example.ts");
    std::fs::write(dir.join("example.ts"), checked_in).unwrap();
    let document = crate::fixture::server().openrpc().clone();
    std::fs::write(dir.join("fixture.ts"), generate(&document, false, "the fixture")).unwrap();
    std::fs::write(dir.join("fixture_bigint.ts"), generate(&document, true, "the fixture")).unwrap();
    let foreign = std::fs::read_to_string(crate_dir().join("tests/fixtures/foreign-openrpc.json")).unwrap();
    let foreign = serde_json::from_str(&foreign).unwrap();
    std::fs::write(dir.join("foreign.ts"), generate(&foreign, false, "foreign-openrpc.json")).unwrap();
    run(tsc(&dir).args(["-p", "tsconfig.json"]));
    dir
}

/// The generated module of `document`.
pub fn generate(document: &Value, bigint: bool, source: &str) -> String {
    let options = remotipy_cli::typescript::Options::new().bigint(bigint).source(source);
    remotipy_cli::typescript::generate(document, &options).unwrap_or_else(|e| panic!("generating from {source}: {e}"))
}

/// Serves `server` at `/rpc` on a free loopback port, on a runtime of its
/// own that lives as long as the test process; returns the URL.
pub fn serve(server: remotipy::Server) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tx.send(addr).unwrap();
            let app = remotipy::axum::Router::new().route("/rpc", server.into_route());
            let app = app.into_make_service_with_connect_info::<SocketAddr>();
            remotipy::axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}/rpc", rx.recv().unwrap())
}

/// The example server (`examples/server.rs`) as a process, built first if
/// this test binary's profile has none (a `cargo test -p remotipy-cli`).
pub fn example_server(args: &[&str]) -> process::ExampleServer {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let exe = std::env::current_exe().unwrap();
        let profile = exe.parent().and_then(Path::parent).unwrap();
        if profile.join("examples/server").exists() {
            return;
        }
        let target = profile.parent().unwrap();
        run(Command::new(env!("CARGO"))
            .args(["build", "--example", "server", "-p", "remotipy", "--target-dir"])
            .arg(target)
            .current_dir(crate_dir().join("..")));
    });
    process::ExampleServer::start_with(args)
}

/// What `rpc.discover` answers at `url`.
pub fn discover(url: &str) -> Value {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let request = serde_json::json!({ "jsonrpc": "2.0", "id": 1, "method": "rpc.discover" });
        let client = remotipy::reqwest::Client::new();
        let request = client.post(url).header("content-type", "application/json").body(request.to_string());
        let text = request.send().await.unwrap().text().await.unwrap();
        let mut answer: Value = serde_json::from_str(&text).unwrap();
        answer["result"].take()
    })
}

/// How the example's checked-in client is generated: the same source line
/// whatever port the server had.
pub fn generate_example(document: &Value) -> String {
    generate(document, false, "the example server (`examples/server.rs`)")
}
