//! The MCP protocol revisions served, and which one a request speaks.
//!
//! One endpoint serves both eras. A request whose `MCP-Protocol-Version`
//! header is absent or names a legacy revision follows 2025-11-25's rules
//! (`initialize`, no per-request envelope); one naming 2026-07-28 follows
//! that revision's (stateless: `server/discover`, `_meta` on every request,
//! the `Mcp-Method`/`Mcp-Name` headers checked against the body). Any other
//! value is refused with 400, whatever the body.

use http::HeaderMap;
use serde_json::json;

use crate::protocol::ErrorObject;

/// The stateless revision.
pub(crate) const MODERN: &str = "2026-07-28";

/// The handshake revisions served, newest first: `initialize` echoes one of
/// these when the client asks for it, else offers the first. For a server
/// of tools only they differ in nothing this server sends (2025-03-26
/// clients ignore `structuredContent`, `outputSchema` and `title`).
pub(crate) const LEGACY: [&str; 3] = ["2025-11-25", "2025-06-18", "2025-03-26"];

/// The request header that names the revision.
pub(crate) const VERSION_HEADER: &str = "mcp-protocol-version";

/// 2026-07-28's code for a protocol version the server does not speak.
pub(crate) const UNSUPPORTED_VERSION: i64 = -32022;

/// Which rules a request follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revision {
    /// 2025-11-25 (or an earlier handshake revision).
    Legacy,
    /// 2026-07-28.
    Modern,
}

/// The revision `headers` ask for, or the `-32022` error (HTTP 400) for a
/// version this server does not speak (2025-11-25: "an invalid or
/// unsupported MCP-Protocol-Version" is a 400). A missing header is the
/// legacy era: 2025-11-25 says to assume 2025-03-26 then.
pub(crate) fn of(headers: &HeaderMap) -> Result<Revision, ErrorObject> {
    let mut values = headers.get_all(VERSION_HEADER).iter();
    let Some(value) = values.next() else { return Ok(Revision::Legacy) };
    if values.next().is_some() {
        return Err(ErrorObject::new(
            crate::protocol::code::INVALID_REQUEST,
            "invalid request: `MCP-Protocol-Version` sent more than once",
        ));
    }
    match value.to_str().unwrap_or("") {
        MODERN => Ok(Revision::Modern),
        legacy if LEGACY.contains(&legacy) => Ok(Revision::Legacy),
        _ => Err(unsupported(&String::from_utf8_lossy(value.as_bytes()))),
    }
}

/// The `-32022` error for `requested`, listing the versions served.
pub(crate) fn unsupported(requested: &str) -> ErrorObject {
    ErrorObject::new(
        UNSUPPORTED_VERSION,
        format!("Unsupported protocol version `{requested}`: this server speaks {MODERN} and {}", LEGACY.join(", ")),
    )
    .with_data(json!({ "supported": supported(), "requested": requested }))
}

/// Every version served, newest first.
pub(crate) fn supported() -> Vec<&'static str> {
    std::iter::once(MODERN).chain(LEGACY).collect()
}

/// The revision `initialize` answers a client asking for `requested`:
/// the same when served, else the newest legacy one (the client then
/// decides whether it speaks it).
pub(crate) fn negotiate(requested: Option<&str>) -> &'static str {
    LEGACY.iter().copied().find(|version| Some(*version) == requested).unwrap_or(LEGACY[0])
}
