//! Getting the OpenRPC document: from a server (`rpc.discover`) or a file.

use std::path::Path;

use serde_json::json;

use super::answer;
use super::args::Connection;
use super::exit::{Failure, Kind};
use super::rpc::{Answer, Codec, Rpc};
use crate::document::Document;

/// What a server said to `rpc.discover`.
pub enum Discovered {
    /// Its document.
    Document(Document),
    /// An error: it serves no document (the failure says what it answered).
    Refused(Failure),
}

/// Asks the server for its document.
pub async fn discover(rpc: &Rpc) -> Result<Discovered, Failure> {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"});
    let response = match rpc.post(&request, Codec::Json, false).await? {
        Answer::Response(response) => response,
        _ => {
            return Err(Failure::transport(format!("{} answered `rpc.discover` with no JSON-RPC response", rpc.url())));
        }
    };
    let document = match answer::result("rpc.discover", &response) {
        Ok(document) => document.clone(),
        Err(refused) if refused.kind == Kind::Remote => return Ok(Discovered::Refused(refused)),
        Err(other) => return Err(other),
    };
    let document = Document::from_json(document, rpc.url().as_str())
        .map_err(|e| Failure::transport(format!("{e} (`--no-discover` calls without it)")))?;
    Ok(Discovered::Document(document))
}

/// The document of `target`: a server's URL (http:// or https://) or a file.
pub async fn load(target: &str, connection: &Connection) -> Result<Document, Failure> {
    if !(target.starts_with("http://") || target.starts_with("https://")) {
        return Document::read(Path::new(target)).map_err(|e| Failure::usage(e.to_string()));
    }
    let rpc = Rpc::new(target, connection)?;
    match discover(&rpc).await? {
        Discovered::Document(document) => Ok(document),
        Discovered::Refused(refused) => Err(Failure::remote(format!(
            "{target} serves no OpenRPC document: {} (`remotipy call --no-discover` still calls it)",
            refused.message
        ))),
    }
}
