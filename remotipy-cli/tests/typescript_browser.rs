//! The example's generated client in headless Chromium, against the example
//! server with `--allow-origin` for the test page: every method, typed
//! errors, streams left and aborted, batches, timeouts, failover
//! (`tests/node/browser.test.ts`, driven by `tests/browser/check.py` over
//! WebDriver). Needs node and `npm ci` in `tests/node`, python3, chromium
//! and chromedriver.

mod fixture;
mod support;

use std::io::Write as _;
use std::net::TcpListener;
use std::process::Command;

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Chromium, chromedriver and python3 are here; otherwise skipped (or, in CI, failed).
fn browser_available() -> bool {
    let found = ["/usr/bin/chromium", "/usr/bin/chromedriver"].iter().all(|p| std::path::Path::new(p).exists())
        && Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        let why = "chromium, chromedriver (Debian's chromium and chromium-driver) and python3";
        assert!(std::env::var("REMOTIPY_REQUIRE_EXTERNAL").as_deref() != Ok("1"), "missing: {why}");
        let _ = writeln!(std::io::stderr(), "skipped: needs {why}");
    }
    found
}

#[test]
fn the_example_client_in_chromium() {
    if !support::tools_available() || !browser_available() {
        return;
    }
    let dir = support::compile("browser");
    let page_port = free_port();
    let origin = format!("http://127.0.0.1:{page_port}");
    let server = support::example_server(&["--allow-origin", &origin]);
    // Accepts and never answers: calls to it time out.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}/rpc", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().collect();
        drop(held);
    });
    let dead = format!("http://127.0.0.1:{}/rpc", free_port());
    let output = support::run(
        Command::new("python3")
            .arg(support::crate_dir().join("tests/browser/check.py"))
            .arg("--dist")
            .arg(dir.join("dist"))
            .args(["--page-port", &page_port.to_string(), "--server", &server.url(), "--dead", &dead])
            .args(["--silent", &silent_url]),
    );
    println!("{}", String::from_utf8_lossy(&output.stdout));
}
