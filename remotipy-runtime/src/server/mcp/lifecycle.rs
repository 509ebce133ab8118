//! The answers that do not run a method: `initialize` and `ping`
//! (2025-11-25), `server/discover` (2026-07-28), and `tools/list`. Each is
//! made once, when the endpoint is built.

use serde_json::{Value, json};

use super::revision::{self, Revision};
use super::tools::Tools;

/// How long a 2026-07-28 client may cache `tools/list` and
/// `server/discover`: the tools are fixed for the life of the process, but
/// a deployment may change them.
const TTL_MS: u64 = 5 * 60 * 1000;

/// What the endpoint says of itself.
pub(crate) struct Identity {
    /// `serverInfo`: name and version.
    pub info: Value,
    pub instructions: Option<String>,
}

/// The prepared answers.
pub(crate) struct Answers {
    /// `tools/list`, per revision.
    list: [Vec<u8>; 2],
    /// `server/discover`.
    discover: Vec<u8>,
    /// What ends every 2026-07-28 result object: `,"resultType":...}`.
    pub modern_end: Vec<u8>,
    identity: Identity,
}

impl Answers {
    pub fn new(tools: &Tools, identity: Identity) -> Self {
        let tools: Vec<&Value> = tools.iter().map(|tool| &tool.json).collect();
        let meta = json!({ "io.modelcontextprotocol/serverInfo": identity.info });
        let mut modern_end = br#","resultType":"complete","_meta":"#.to_vec();
        modern_end.extend_from_slice(meta.to_string().as_bytes());
        modern_end.push(b'}');
        let legacy_list = json!({ "tools": tools });
        let mut modern_list = legacy_list.clone();
        modern_list["ttlMs"] = TTL_MS.into();
        modern_list["cacheScope"] = "public".into();
        let mut discover = json!({
            "supportedVersions": revision::supported(),
            "capabilities": capabilities(),
            "ttlMs": TTL_MS,
            "cacheScope": "public",
        });
        if let Some(instructions) = &identity.instructions {
            discover["instructions"] = instructions.as_str().into();
        }
        Answers {
            list: [bytes(&legacy_list, None), bytes(&modern_list, Some(&modern_end))],
            discover: bytes(&discover, Some(&modern_end)),
            modern_end,
            identity,
        }
    }

    /// The result of `tools/list`.
    pub fn list(&self, revision: Revision) -> &[u8] {
        &self.list[(revision == Revision::Modern) as usize]
    }

    /// The result of `server/discover`.
    pub fn discover(&self) -> &[u8] {
        &self.discover
    }

    /// The result of `initialize` for a client asking for `requested`.
    pub fn initialize(&self, requested: Option<&str>) -> Vec<u8> {
        let mut result = json!({
            "protocolVersion": revision::negotiate(requested),
            "capabilities": capabilities(),
            "serverInfo": self.identity.info,
        });
        if let Some(instructions) = &self.identity.instructions {
            result["instructions"] = instructions.as_str().into();
        }
        bytes(&result, None)
    }
}

/// Tools only, and their list never changes while the server runs.
fn capabilities() -> Value {
    json!({ "tools": { "listChanged": false } })
}

/// `object` as JSON, its closing brace replaced by `end` if given.
fn bytes(object: &Value, end: Option<&[u8]>) -> Vec<u8> {
    let mut bytes = object.to_string().into_bytes();
    if let Some(end) = end {
        bytes.pop();
        bytes.extend_from_slice(end);
    }
    bytes
}

/// `ping`'s result (2025-11-25; 2026-07-28 has no ping).
pub(crate) const EMPTY: &[u8] = b"{}";
