//! Per-call options, and the one rule for headers every transport follows:
//! builder calls accumulate; a per-call header replaces the client's headers
//! of that name; an invalid name or value is an error, never a panic.

use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use super::build_error::BuildError;

/// Headers and a timeout for some calls only: `client.with_options(options)?`
/// gives a clone of the client whose calls use them.
///
/// ```no_run
/// # #[remotipy::remote] pub trait Users { async fn count(&self) -> u64; }
/// # async fn demo(users: UsersClient) -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use remotipy::CallOptions;
///
/// let traced = users.with_options(CallOptions::new().header("x-request-id", "4bf92f35").timeout(Duration::from_secs(2)))?;
/// let count = traced.count().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    headers: HeaderMap,
    timeout: Option<Option<Duration>>,
    stream_idle: Option<Option<Duration>>,
    /// The first invalid header, reported by `with_options`.
    invalid: Option<(String, String)>,
}

impl CallOptions {
    /// No overrides yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `name: value`, replacing any header of that name the client
    /// sends by default (several calls with one name send every value). An
    /// invalid name or value is reported by `with_options`.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match parse_header(name, value) {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(error) => {
                self.invalid.get_or_insert(error);
            }
        }
        self
    }

    /// Sends these headers too, as [`CallOptions::header`] would each.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        append(&mut self.headers, &headers);
        self
    }

    /// Gives up after `timeout` instead of the client's timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(Some(timeout));
        self
    }

    /// Never times out.
    pub fn no_timeout(mut self) -> Self {
        self.timeout = Some(None);
        self
    }

    /// Gives up on a stream silent for `idle` (see
    /// [`ClientBuilder::stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)).
    pub fn stream_idle_timeout(mut self, idle: Duration) -> Self {
        self.stream_idle = Some(Some(idle));
        self
    }

    /// These options applied over a client's `headers`, `timeout` and
    /// stream idle timeout.
    pub(crate) fn over(
        self,
        headers: &HeaderMap,
        timeout: Option<Duration>,
        stream_idle: Option<Duration>,
    ) -> Result<(HeaderMap, Option<Duration>, Option<Duration>), BuildError> {
        if let Some((name, reason)) = self.invalid {
            return Err(BuildError::Header { name, reason });
        }
        let headers = replace(headers, &self.headers);
        Ok((headers, self.timeout.unwrap_or(timeout), self.stream_idle.unwrap_or(stream_idle)))
    }
}

/// A header from text, or what is wrong with it: `(name, reason)`.
pub(crate) fn parse_header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), (String, String)> {
    let invalid = |reason: String| (name.to_owned(), reason);
    let parsed = HeaderName::try_from(name).map_err(|e| invalid(e.to_string()))?;
    let value = HeaderValue::try_from(value).map_err(|e| invalid(format!("invalid value: {e}")))?;
    Ok((parsed, value))
}

/// Adds every value of `extra`, keeping what `headers` had.
pub(crate) fn append(headers: &mut HeaderMap, extra: &HeaderMap) {
    for (name, value) in extra {
        headers.append(name.clone(), value.clone());
    }
}

/// `base` with every name `overrides` sets replaced by its values there.
fn replace(base: &HeaderMap, overrides: &HeaderMap) -> HeaderMap {
    let mut merged = base.clone();
    for name in overrides.keys() {
        merged.remove(name);
    }
    append(&mut merged, overrides);
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn a_per_call_header_replaces_the_default_of_its_name_and_keeps_the_others() {
        let defaults = map(&[("x-token", "default"), ("x-tag", "a"), ("x-tag", "b")]);
        let options = CallOptions::new().header("x-token", "call").header("x-tag", "c").header("x-tag", "d");
        let (merged, timeout, _) = options.over(&defaults, None, None).unwrap();
        assert_eq!(merged.get_all("x-token").iter().collect::<Vec<_>>(), ["call"]);
        assert_eq!(merged.get_all("x-tag").iter().collect::<Vec<_>>(), ["c", "d"]);
        assert_eq!(timeout, None);
        let (merged, _, _) = CallOptions::new().header("x-other", "1").over(&defaults, None, None).unwrap();
        assert_eq!(merged.len(), 4);
    }

    #[test]
    fn invalid_headers_are_errors_not_panics() {
        let error = CallOptions::new().header("bad name", "x").header("x-ok", "1").over(&HeaderMap::new(), None, None);
        assert!(matches!(error, Err(BuildError::Header { name, .. }) if name == "bad name"));
        let error = CallOptions::new().header("x-ok", "bad\nvalue").over(&HeaderMap::new(), None, None).unwrap_err();
        assert!(error.to_string().contains("x-ok"), "{error}");
    }
}
