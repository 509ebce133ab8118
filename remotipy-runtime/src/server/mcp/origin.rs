//! `Origin` validation: MCP servers "MUST validate the Origin header"
//! (DNS rebinding: a page on any site, its name re-pointed at 127.0.0.1,
//! would otherwise call a local server with the user's browser). A request
//! without `Origin` (every non-browser client) passes; one with an origin
//! not allowed gets 403.

use http::HeaderMap;
use http::header::ORIGIN;

/// Which browser origins may call the endpoint.
#[derive(Debug, Clone)]
pub(crate) enum Origins {
    /// Those listed (none by default), as `scheme://host[:port]`, compared
    /// ASCII case-insensitively.
    List(Vec<String>),
    Any,
}

impl Default for Origins {
    fn default() -> Self {
        Origins::List(Vec::new())
    }
}

impl Origins {
    pub fn allow(&mut self, origin: &str) {
        if let Origins::List(list) = self {
            list.push(origin.trim_end_matches('/').to_owned());
        }
    }

    /// `Err` with the refused origin, shown as sent.
    pub fn check(&self, headers: &HeaderMap) -> Result<(), String> {
        let mut origins = headers.get_all(ORIGIN).iter();
        let Some(origin) = origins.next() else { return Ok(()) };
        let shown = || String::from_utf8_lossy(origin.as_bytes()).into_owned();
        if origins.next().is_some() {
            return Err(format!("{} (sent more than once)", shown()));
        }
        let allowed = match self {
            Origins::Any => true,
            Origins::List(list) => {
                origin.to_str().is_ok_and(|origin| list.iter().any(|allowed| allowed.eq_ignore_ascii_case(origin)))
            }
        };
        if allowed { Ok(()) } else { Err(shown()) }
    }
}
