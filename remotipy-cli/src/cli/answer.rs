//! Reading a JSON-RPC response: its result, or its error as one line
//! (`find failed remotely: no user with id 7 (code -32000, UserError)`).

use serde_json::Value;

use super::exit::{Failure, Kind};

/// remotipy's code for a call stopped at its deadline (`Remotipy-Timeout-Ms`).
const DEADLINE_EXCEEDED: i64 = -32092;

/// The result `response` carries for a call of `method`, or its error.
pub fn result<'a>(method: &str, response: &'a Value) -> Result<&'a Value, Failure> {
    // `"error": null` beside a result is JSON-RPC 1.0's way of saying none.
    if let Some(error) = response.get("error").filter(|error| !error.is_null()) {
        return Err(remote_error(method, error));
    }
    response
        .get("result")
        .ok_or_else(|| Failure::transport(format!("the answer to `{method}` has no result: {response}")))
}

/// The failure a JSON-RPC error object says.
pub fn remote_error(method: &str, error: &Value) -> Failure {
    let message = error.get("message").and_then(Value::as_str).unwrap_or("(no message)");
    let code = error.get("code").and_then(Value::as_i64);
    let mut details = match code {
        Some(code) => vec![format!("code {code}")],
        None => vec!["no code".to_owned()],
    };
    if let Some(data) = error.get("data") {
        details.push(match data.get("type").and_then(Value::as_str) {
            Some(kind) => kind.to_owned(),
            None => format!("data: {}", shorten(&data.to_string(), 200)),
        });
    }
    let kind = match code == Some(DEADLINE_EXCEEDED) {
        true => Kind::Timeout,
        false => Kind::Remote,
    };
    Failure::new(kind, format!("{method} failed remotely: {message} ({})", details.join(", ")))
}

fn shorten(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_application_error_is_one_line_naming_its_type() {
        let response = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32000, "message": "no user with id 7",
            "data": {"type": "UserError", "value": {"NotFound": 7}}}});
        let failure = result("find", &response).unwrap_err();
        assert_eq!(failure.message, "find failed remotely: no user with id 7 (code -32000, UserError)");
        assert_eq!(failure.kind, Kind::Remote);
    }

    #[test]
    fn other_errors_show_their_data_and_a_deadline_is_a_timeout() {
        let error = json!({"code": -32602, "message": "invalid params", "data": "b is missing"});
        assert_eq!(
            remote_error("add", &error).message,
            "add failed remotely: invalid params (code -32602, data: \"b is missing\")"
        );
        let error = json!({"code": -32092, "message": "deadline exceeded"});
        assert_eq!(remote_error("add", &error).kind, Kind::Timeout);
        assert_eq!(result("add", &json!({"result": 3})).unwrap(), &json!(3));
        assert_eq!(result("add", &json!({"result": 3, "error": null})).unwrap(), &json!(3));
    }
}
