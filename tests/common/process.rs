//! The example server as a real process (`target/<profile>/examples/server`,
//! which `cargo test` builds beside the tests), its log captured: what the
//! load-balancing tests start three of, and kill one of.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct ExampleServer {
    child: Child,
    /// `host:port` it listens on.
    pub addr: String,
    /// Each line of its log, and when it was read.
    log: Arc<Mutex<Vec<(Instant, String)>>>,
    alive: bool,
}

impl ExampleServer {
    /// Starts one on a free loopback port and waits until it serves.
    pub fn start() -> ExampleServer {
        Self::start_with(&[])
    }

    /// The same, with more command-line arguments.
    pub fn start_with(args: &[&str]) -> ExampleServer {
        let binary = binary();
        let mut child = Command::new(&binary)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e} (run `cargo test`, which builds the examples)", binary.display()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Some(rest) = line.split("http://").nth(1) {
                    let _ = addr_tx.send(rest.trim_end_matches("/rpc").to_owned());
                }
                sink.lock().unwrap().push((Instant::now(), line));
            }
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).expect("the example server says where it listens");
        ExampleServer { child, addr, log, alive: true }
    }

    /// Its resident memory, from /proc.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let line = status.lines().find(|line| line.starts_with("VmRSS:")).unwrap_or("VmRSS: 0 kB");
        line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).unwrap_or(0)
    }

    pub fn url(&self) -> String {
        format!("http://{}/rpc", self.addr)
    }

    /// SIGKILL: the process dies at once, its connections reset.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.alive = false;
    }

    /// Not killed.
    pub fn is_alive(&self) -> bool {
        self.alive
    }

    /// When the last line with `token` as a word was logged: comparable
    /// across servers (a line's place in its own log is not).
    pub fn latest_line_with(&self, token: &str) -> Option<Instant> {
        let log = self.log.lock().unwrap();
        log.iter().rev().find(|(_, line)| line.split_whitespace().any(|word| word == token)).map(|(at, _)| *at)
    }

    /// Log lines with `token` as one of their words (`first_name=u17`).
    pub fn lines_with(&self, token: &str) -> usize {
        self.log.lock().unwrap().iter().filter(|(_, line)| line.split_whitespace().any(|word| word == token)).count()
    }

    /// Waits until the log has stopped growing (a killed server's last lines).
    pub fn settle(&self) {
        let mut last = usize::MAX;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(2) {
            let now = self.log.lock().unwrap().len();
            if now == last {
                return;
            }
            last = now;
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ExampleServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The example server binary of this test's profile.
fn binary() -> PathBuf {
    example("server")
}

/// An example's binary of this test's profile (`cargo test` builds them).
pub fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}
