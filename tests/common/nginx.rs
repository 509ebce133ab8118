//! A real nginx on loopback in front of some servers, for the tests that
//! need a reverse proxy or a load balancer. Its configuration is what
//! `examples/deploy/nginx.conf` recommends, written for a temporary
//! directory and a free port.

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    /// nginx balancing over `upstreams` (`host:port` each).
    pub fn start(upstreams: &[&str]) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("remotipy-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let servers: String =
            upstreams.iter().map(|u| format!("        server {u} max_fails=1 fail_timeout=5s;\n")).collect();
        let template = include_str!("../../examples/deploy/nginx.conf");
        let config = template
            .replace("        server 127.0.0.1:3001 max_fails=1 fail_timeout=5s;\n        server 127.0.0.1:3002 max_fails=1 fail_timeout=5s;\n        server 127.0.0.1:3003 max_fails=1 fail_timeout=5s;\n", &servers)
            .replace("listen 127.0.0.1:8080;", &format!("listen 127.0.0.1:{port};"))
            .replace("/tmp/remotipy-nginx", dir.to_str().unwrap());
        assert!(config.contains(&servers) && config.contains(&format!(":{port};")), "the template changed: {config}");
        let path = dir.join("nginx.conf");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("nginx")
            .args(["-p", dir.to_str().unwrap(), "-c", path.to_str().unwrap(), "-g", "daemon off;"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("nginx starts");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "nginx did not listen on {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Nginx { child, port, dir }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
