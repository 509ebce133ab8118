//! Servers other than the example: a jsonrpsee server without OpenRPC (plain
//! mode), and a raw HTTP/1.1 listener that records each request and answers
//! whatever bytes the test says (headers, MessagePack, garbage, silence).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use jsonrpsee::RpcModule;
use serde::Deserialize;
use serde_json::Value;

/// A jsonrpsee server (no `rpc.discover`) with `add {a, b}` and `echo`
/// (answers its params); its URL.
pub fn plain_server() -> String {
    #[derive(Deserialize)]
    struct Add {
        a: i64,
        b: i64,
    }
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            let mut module = RpcModule::new(());
            module.register_method("add", |params, _, _| params.parse::<Add>().map(|p| p.a + p.b)).unwrap();
            module.register_method("echo", |params, _, _| params.parse::<Value>()).unwrap();
            let server = jsonrpsee::server::Server::builder().build("127.0.0.1:0").await.unwrap();
            url_tx.send(format!("http://{}/", server.local_addr().unwrap())).unwrap();
            server.start(module).stopped().await;
        });
    });
    url_rx.recv().unwrap()
}

/// A request as the raw server read it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Lower-cased names, values as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, value)| value.as_str())
    }
}

/// A listener answering each request with the bytes `answer` makes of it
/// (a whole HTTP response, or anything else), then closing the connection.
pub struct RawServer {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl RawServer {
    pub fn start(answer: impl Fn(&Recorded) -> Vec<u8> + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/rpc", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (sink, answer) = (requests.clone(), Arc::new(answer));
        std::thread::spawn(move || {
            for stream in listener.incoming().map_while(Result::ok) {
                let (sink, answer) = (sink.clone(), answer.clone());
                std::thread::spawn(move || serve(stream, &sink, &*answer));
            }
        });
        RawServer { url, requests }
    }

    /// Every request read so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, sink: &Mutex<Vec<Recorded>>, answer: &dyn Fn(&Recorded) -> Vec<u8>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = Vec::new();
    let mut line = String::new();
    reader.read_line(&mut line).unwrap(); // the request line
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 || line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
    }
    let length = headers.iter().find(|(name, _)| name == "content-length").map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let request = Recorded { headers, body };
    sink.lock().unwrap().push(request.clone());
    let _ = (&stream).write_all(&answer(&request));
}

/// An HTTP/1.1 response with this status, content type and body.
pub fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

/// The JSON-RPC answer of a server that has no `rpc.discover` and answers
/// every other call with `result`.
pub fn json_rpc(request: &Recorded, result: Value) -> Vec<u8> {
    let call: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let answer = match call["method"].as_str() {
        Some("rpc.discover") => serde_json::json!({"jsonrpc": "2.0", "id": call["id"],
            "error": {"code": -32601, "message": "Method not found"}}),
        _ => serde_json::json!({"jsonrpc": "2.0", "id": call["id"], "result": result}),
    };
    http("200 OK", "application/json", answer.to_string().as_bytes())
}
