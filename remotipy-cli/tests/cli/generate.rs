//! `remotipy gen ts`: the wiring (the document from a file or a server, the
//! module to stdout or a file); the TypeScript itself is tested in
//! `tests/typescript*`.

use crate::support::{ExampleServer, remotipy};

#[test]
fn gen_ts_reads_a_file_or_a_server_and_writes_stdout_or_a_file() {
    let server = ExampleServer::start();
    let dir = std::env::temp_dir().join(format!("remotipy-cli-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let document = dir.join("openrpc.json");
    std::fs::write(&document, remotipy(&["call", &server.url(), "rpc.discover"]).stdout).unwrap();
    let document = document.to_str().unwrap();

    let from_file = remotipy(&["gen", "ts", document]);
    let from_url = remotipy(&["gen", "ts", "--url", &server.url(), "--bigint"]);
    assert_eq!(from_file.code, from_url.code, "{}\n{}", from_file.stderr, from_url.stderr);
    let output = dir.join("api.ts");
    let written = remotipy(&["gen", "ts", document, "-o", output.to_str().unwrap()]);
    match written.code {
        0 => {
            assert_eq!(std::fs::read_to_string(&output).unwrap(), from_file.stdout);
            assert_eq!(written.stdout, "");
        }
        _ => {
            assert_eq!(written.code, 2);
            assert!(
                written.stderr.starts_with(&format!("cannot generate TypeScript from {document}: ")),
                "{}",
                written.stderr
            );
            assert!(!output.exists());
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(remotipy(&["gen", "ts"]).code, 2, "a FILE or --url is required");
    assert_eq!(remotipy(&["gen", "ts", "/nonexistent.json"]).code, 2);
}
