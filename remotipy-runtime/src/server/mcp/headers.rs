//! 2026-07-28's routing headers: `MCP-Protocol-Version`, `Mcp-Method` and
//! (for `tools/call`) `Mcp-Name` repeat the body, so that proxies route
//! without reading it; the server refuses a request whose headers and body
//! disagree (`-32020`, HTTP 400), so that nothing routes on a lie.

use base64::Engine;
use http::HeaderMap;

use super::revision::VERSION_HEADER;
use crate::protocol::ErrorObject;

/// 2026-07-28's code for headers that disagree with the body.
pub(crate) const HEADER_MISMATCH: i64 = -32020;

const METHOD_HEADER: &str = "mcp-method";
const NAME_HEADER: &str = "mcp-name";

/// What the body of a request says that its headers must repeat.
pub(crate) struct Said<'a> {
    /// `params._meta["io.modelcontextprotocol/protocolVersion"]`.
    pub version: &'a str,
    pub method: &'a str,
    /// `params.name`, for `tools/call`.
    pub name: Option<&'a str>,
}

/// Checks that the headers repeat what the body says.
pub(crate) fn check(headers: &HeaderMap, said: &Said<'_>) -> Result<(), ErrorObject> {
    expect(headers, "MCP-Protocol-Version", VERSION_HEADER, said.version, "params._meta's protocol version")?;
    expect(headers, "Mcp-Method", METHOD_HEADER, said.method, "the body's `method`")?;
    match said.name {
        Some(name) => expect(headers, "Mcp-Name", NAME_HEADER, name, "the body's `params.name`"),
        None => Ok(()),
    }
}

/// Header `key` (shown as `shown`) is sent once and decodes to `body`.
fn expect(headers: &HeaderMap, shown: &str, key: &str, body: &str, what: &str) -> Result<(), ErrorObject> {
    let mut values = headers.get_all(key).iter();
    let value = match (values.next(), values.next()) {
        (None, _) => return Err(mismatch(format_args!("the {shown} header is missing; it must repeat {what}"))),
        (Some(_), Some(_)) => return Err(mismatch(format_args!("the {shown} header is sent more than once"))),
        (Some(value), None) => value,
    };
    let Some(decoded) = value.to_str().ok().and_then(decode) else {
        return Err(mismatch(format_args!(
            "the {shown} header is not plain visible ASCII nor a valid `=?base64?..?=` value"
        )));
    };
    match decoded == body {
        true => Ok(()),
        false => Err(mismatch(format_args!(
            "Header mismatch: {shown} header value {decoded:?} does not match {what}, {body:?}"
        ))),
    }
}

/// A header value as sent: plain, or base64 of UTF-8 between `=?base64?`
/// and `?=` (how clients send values that are not plain ASCII). A value
/// that does not decode is `None`, never a match by accident.
fn decode(value: &str) -> Option<String> {
    let Some(payload) = value.strip_prefix("=?base64?").and_then(|rest| rest.strip_suffix("?=")) else {
        return Some(value.to_owned());
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(payload).ok()?;
    String::from_utf8(bytes).ok()
}

fn mismatch(detail: std::fmt::Arguments<'_>) -> ErrorObject {
    ErrorObject::new(HEADER_MISMATCH, detail.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_values_decode_and_bad_ones_never_match() {
        assert_eq!(decode("add").as_deref(), Some("add"));
        assert_eq!(decode("=?base64?w6lsYW4=?=").as_deref(), Some("élan"));
        assert_eq!(decode("=?base64?not base64?="), None);
        assert_eq!(decode("=?base64?/w==?="), None, "not UTF-8");
    }
}
