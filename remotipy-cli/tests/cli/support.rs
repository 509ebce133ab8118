//! Running `remotipy` as a process, and the example server it talks to.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What a run of `remotipy` left.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// `remotipy ARGS`, stdin empty.
pub fn remotipy(args: &[&str]) -> Run {
    remotipy_with_stdin(args, "")
}

/// `remotipy ARGS`, `stdin` written to it.
pub fn remotipy_with_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child =
        command().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().expect("remotipy exits, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The binary, with the environment a test expects (no colour unless asked).
pub fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_remotipy"));
    command.env_remove("NO_COLOR");
    command
}

/// The example server (`examples/server.rs` of the root crate) as a process,
/// its log captured.
pub struct ExampleServer {
    child: Child,
    pub addr: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl ExampleServer {
    pub fn start() -> ExampleServer {
        let mut child = Command::new(example_server())
            .args(["--listen", "127.0.0.1:0"])
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Some(rest) = line.split("http://").nth(1) {
                    let _ = addr_tx.send(rest.trim_end_matches("/rpc").to_owned());
                }
                sink.lock().unwrap().push(line);
            }
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).expect("the example server says where it listens");
        ExampleServer { child, addr, log }
    }

    pub fn url(&self) -> String {
        format!("http://{}/rpc", self.addr)
    }

    /// Log lines with all of `words` among their words (`add`, `a=1`), waiting
    /// up to two seconds for one to come.
    pub fn logged(&self, words: &[&str]) -> usize {
        let started = Instant::now();
        loop {
            let count = self.log.lock().unwrap().iter().filter(|line| words_in(line, words)).count();
            if count > 0 || started.elapsed() > Duration::from_secs(2) {
                return count;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The same, without waiting: for what must not have happened.
    pub fn logged_now(&self, words: &[&str]) -> usize {
        self.log.lock().unwrap().iter().filter(|line| words_in(line, words)).count()
    }
}

fn words_in(line: &str, words: &[&str]) -> bool {
    words.iter().all(|word| line.split_whitespace().any(|w| w == *word))
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `target/<profile>/examples/server`, built beside this binary by the root
/// package's `cargo test`; built here when missing (`cargo test -p remotipy-cli`).
fn example_server() -> &'static Path {
    static SERVER: OnceLock<PathBuf> = OnceLock::new();
    SERVER.get_or_init(|| {
        let profile_dir = Path::new(env!("CARGO_BIN_EXE_remotipy")).parent().unwrap();
        let server = profile_dir.join("examples").join(format!("server{}", std::env::consts::EXE_SUFFIX));
        if !server.exists() {
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
            let mut build = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            build.current_dir(workspace).args(["build", "--example", "server"]);
            build.env("CARGO_TARGET_DIR", profile_dir.parent().unwrap());
            if profile_dir.file_name() == Some("release".as_ref()) {
                build.arg("--release");
            }
            let status = build.status().expect("cargo builds the example server");
            assert!(status.success(), "`cargo build --example server` failed");
        }
        server
    })
}

/// A loopback port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// `text` with the server's address as `SERVER`, for snapshots.
pub fn redact(text: &str, addr: &str) -> String {
    text.replace(addr, "SERVER")
}

/// A test that needs a program that is missing: fails where CI says every
/// program must be there (`REMOTIPY_REQUIRE_EXTERNAL=1`), skips otherwise.
pub fn skip_or_fail(why: &str) {
    if std::env::var_os("REMOTIPY_REQUIRE_EXTERNAL").is_some_and(|v| v == "1") {
        panic!("{why}");
    }
    let _ = writeln!(std::io::stderr(), "skipped: {why}");
}
