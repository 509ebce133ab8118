//! What the benches share: child processes pinned to a core, CPU and memory
//! read from /proc, and medians.

#![allow(dead_code)] // each bench uses its own subset

pub mod hand;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// USER_HZ on Linux: /proc reports CPU time in these ticks.
pub const TICKS_PER_SEC: f64 = 100.0;

/// This binary again with `args`, pinned to `core` when `taskset` exists;
/// stdin and stdout piped (a child exits when its stdin closes).
pub fn spawn_self(core: usize, args: &[&str]) -> Child {
    let exe = std::env::current_exe().unwrap();
    let mut command = match Command::new("taskset").arg("--version").output().is_ok() {
        true => {
            let mut c = Command::new("taskset");
            c.args(["-c", &core.to_string()]).arg(exe);
            c
        }
        false => Command::new(exe),
    };
    command.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap()
}

/// Pins this process (every thread it has or starts) to `core`, so a load
/// generator does not share the measured server's core.
pub fn pin_self(core: usize) {
    // SAFETY: `set` is a zeroed, then filled, cpu_set_t that outlives the call.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(core, &mut set);
        if libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) != 0 {
            eprintln!("could not pin to core {core}: {}", std::io::Error::last_os_error());
        }
    }
}

/// Median of per-round ratios `ours[i] / base[i]`: robust against a machine
/// whose speed drifts between rounds, since each ratio compares runs made
/// side by side.
pub fn paired_ratio(ours: &[f64], base: &[f64]) -> (f64, f64, f64) {
    median(ours.iter().zip(base).map(|(o, b)| o / b).collect())
}

/// The next line the child prints.
pub fn read_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    line.trim().to_owned()
}

/// Closes the child's stdin and waits for it to exit.
pub fn stop(mut child: Child) {
    drop(child.stdin.take());
    let _ = child.wait();
}

/// utime + stime of `pid` ("self" for this process), in clock ticks.
pub fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// CPU time this process has used so far, in nanoseconds (user + system,
/// every thread).
pub fn self_cpu_ns() -> u64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid, writable timespec.
    let result = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) };
    assert_eq!(result, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
}

/// A `/proc/<pid>/status` field in KiB (e.g. `VmRSS`).
pub fn status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(key)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Median, min and max.
pub fn median(mut values: Vec<f64>) -> (f64, f64, f64) {
    values.sort_by(f64::total_cmp);
    (values[values.len() / 2], values[0], values[values.len() - 1])
}

/// Waits until the parent closes stdin (or dies).
pub async fn parent_gone() {
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().lines().count()).await;
}

/// An integer from the environment, or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Whether this is a measurement (`cargo bench` passes `--bench`) rather
/// than the smoke `cargo test --benches` runs.
pub fn is_full() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// Setting `name` from the environment, else its default for a measurement
/// (`full`) or for the smoke (`smoke`).
pub fn setting(name: &str, full: usize, smoke: usize) -> usize {
    env(name, if is_full() { full } else { smoke })
}

/// The body `server` answers `body` (in `codec`) with, through the one
/// entry point a request takes: `Server::handle`.
pub async fn answer(server: &remotipy::Server, codec: remotipy::Codec, body: &[u8]) -> Vec<u8> {
    use http_body_util::BodyExt;
    let mut request = http::Request::new(axum::body::Body::from(body.to_vec()));
    *request.method_mut() = http::Method::POST;
    request.headers_mut().insert(http::header::CONTENT_TYPE, codec.content_type());
    let response = server.handle(request).await;
    response.into_body().collect().await.unwrap().to_bytes().to_vec()
}

/// `calls` POSTs over `connections` concurrent tasks, each call's body made
/// by `body` from its number and its answer checked by `check`; returns how
/// many were wrong or lost. Bounded: every call has a 10 s timeout.
pub async fn closed_loop<B, C>(
    client: &reqwest::Client,
    url: &str,
    headers: &'static [(&'static str, &'static str)],
    (calls, connections): (usize, usize),
    body: B,
    check: C,
) -> usize
where
    B: Fn(usize) -> String + Copy + Send + 'static,
    C: Fn(usize, &[u8]) -> bool + Copy + Send + 'static,
{
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let (next, wrong) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let (client, url, next, wrong) = (client.clone(), url.to_owned(), next.clone(), wrong.clone());
            tokio::spawn(async move {
                loop {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    if id >= calls {
                        break;
                    }
                    let mut request = client.post(&url).timeout(std::time::Duration::from_secs(10));
                    for &(name, value) in headers {
                        request = request.header(name, value);
                    }
                    let ok = match request.body(body(id)).send().await {
                        Ok(response) => response.bytes().await.is_ok_and(|b| check(id, &b)),
                        Err(_) => false,
                    };
                    if !ok {
                        wrong.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    wrong.load(Ordering::Relaxed)
}
