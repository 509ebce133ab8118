//! `name=value` and `name:=json` arguments, and the coercion of a `value`
//! by the param's schema: the JSON types the schema accepts decide what the
//! text means (`1` is a number for an integer param and a string for a string
//! one). Without a schema, text that reads as JSON is sent as such.

use std::collections::BTreeSet;

use serde_json::Value;

use super::types;
use crate::document::Document;

/// One argument of the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The param's name.
    pub name: String,
    /// What was written after `=` or `:=`.
    pub value: Given,
}

/// An argument's value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// `name=text`: coerced by the schema.
    Text(String),
    /// `name:=json`: sent as it is.
    Json(Value),
}

impl Arg {
    /// Reads `name=value` or `name:=json`.
    pub fn parse(arg: &str) -> Result<Arg, String> {
        let Some((name, text)) = arg.split_once('=') else {
            return Err(format!("`{arg}`: arguments are `name=value`, or `name:=json` for raw JSON"));
        };
        let (name, value) = match name.strip_suffix(':') {
            Some(name) => {
                let json = serde_json::from_str(text).map_err(|e| format!("`{arg}`: `{text}` is not JSON ({e})"))?;
                (name, Given::Json(json))
            }
            None => (name, Given::Text(text.to_owned())),
        };
        match name.is_empty() {
            true => Err(format!("`{arg}`: the param's name is missing before `=`")),
            false => Ok(Arg { name: name.to_owned(), value }),
        }
    }

    /// The JSON value to send for the param whose schema is `schema`
    /// (`None`: no schema, or none for this name).
    pub fn coerce(&self, document: Option<&Document>, schema: Option<&Value>) -> Result<Value, String> {
        let text = match &self.value {
            Given::Json(json) => return Ok(json.clone()),
            Given::Text(text) => text,
        };
        let accepted = match (document, schema) {
            (Some(document), Some(schema)) => accepted(document, schema, 0),
            _ => None,
        };
        let Some(accepted) = accepted else {
            return Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone())));
        };
        // A JSON string would lose the quotes the user wrote: where strings
        // are accepted, the text itself is the string.
        match serde_json::from_str::<Value>(text) {
            Ok(json) if !json.is_string() && accepted.contains(json_type(&json)) => Ok(json),
            _ if accepted.contains("string") => Ok(Value::String(text.clone())),
            _ => Err(format!("`{}` wants {}, not `{text}`", self.name, types::render(schema.expect("checked")))),
        }
    }
}

/// The JSON types `schema` accepts; `None` for any.
fn accepted(document: &Document, schema: &Value, depth: usize) -> Option<BTreeSet<&'static str>> {
    let schema = document.resolve(schema).ok()?;
    let object = schema.as_object()?;
    if depth > 16 {
        return None;
    }
    if let Some(value) = object.get("const") {
        return Some(BTreeSet::from([json_type(value)]));
    }
    if let Some(Value::Array(values)) = object.get("enum") {
        return Some(values.iter().map(json_type).collect());
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = object.get(combinator) {
            let mut union = BTreeSet::new();
            for variant in variants {
                union.extend(accepted(document, variant, depth + 1)?);
            }
            return Some(union);
        }
    }
    if let Some(Value::Array(parts)) = object.get("allOf") {
        return parts.iter().find_map(|part| accepted(document, part, depth + 1));
    }
    match object.get("type") {
        Some(Value::String(kind)) => Some(type_names([kind.as_str()])),
        Some(Value::Array(kinds)) => Some(type_names(kinds.iter().filter_map(Value::as_str))),
        _ if object.contains_key("properties") => Some(BTreeSet::from(["object"])),
        _ => None,
    }
}

/// JSON Schema's type names; an integer is a number too.
fn type_names<'a>(kinds: impl IntoIterator<Item = &'a str>) -> BTreeSet<&'static str> {
    let mut names = BTreeSet::new();
    for kind in kinds {
        match kind {
            "number" => names.extend(["number", "integer"]),
            other => names.extend(json_type_name(other)),
        }
    }
    names
}

fn json_type_name(kind: &str) -> Option<&'static str> {
    ["null", "boolean", "integer", "number", "string", "array", "object"].into_iter().find(|name| *name == kind)
}

/// The JSON Schema type of `value`; a number with a fraction or exponent is
/// a `number` (a Rust integer param refuses `1.0`).
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(number) if number.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Document {
        let json = json!({"openrpc": "1.3.2", "methods": [], "components": {"schemas": {
            "User": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Shade": {"type": "string", "enum": ["Light", "Dark"]},
            "Error": {"oneOf": [{"type": "object"}, {"type": "string", "enum": ["Gone"]}]}
        }}});
        Document::from_json(json, "test").unwrap()
    }

    fn coerce(text: &str, schema: Value) -> Result<Value, String> {
        let document = document();
        Arg { name: "x".into(), value: Given::Text(text.into()) }.coerce(Some(&document), Some(&schema))
    }

    #[test]
    fn the_schema_decides_what_text_means() {
        assert_eq!(coerce("42", json!({"type": "integer"})), Ok(json!(42)));
        assert_eq!(coerce("-1.5", json!({"type": "number"})), Ok(json!(-1.5)));
        assert_eq!(coerce("3", json!({"type": "number"})), Ok(json!(3)));
        assert_eq!(coerce("true", json!({"type": "boolean"})), Ok(json!(true)));
        assert_eq!(coerce("42", json!({"type": "string"})), Ok(json!("42")));
        assert_eq!(coerce("\"q\"", json!({"type": "string"})), Ok(json!("\"q\"")));
        assert_eq!(coerce("null", json!({"type": ["string", "null"]})), Ok(json!(null)));
        assert_eq!(coerce("Dark", json!({"$ref": "#/components/schemas/Shade"})), Ok(json!("Dark")));
        assert_eq!(coerce("{\"name\":\"a\"}", json!({"$ref": "#/components/schemas/User"})), Ok(json!({"name": "a"})));
        assert_eq!(coerce("[1,2]", json!({"type": "array"})), Ok(json!([1, 2])));
        assert_eq!(coerce("Gone", json!({"$ref": "#/components/schemas/Error"})), Ok(json!("Gone")));
    }

    #[test]
    fn text_the_schema_cannot_take_is_refused() {
        assert_eq!(coerce("x", json!({"type": "integer", "format": "int64"})), Err("`x` wants int64, not `x`".into()));
        assert_eq!(coerce("1.5", json!({"type": "integer"})), Err("`x` wants integer, not `1.5`".into()));
        let refused = coerce("{", json!({"$ref": "#/components/schemas/User"}));
        assert_eq!(refused, Err("`x` wants User, not `{`".into()));
    }

    #[test]
    fn without_a_schema_json_is_json_and_the_rest_text() {
        let arg = |text: &str| Arg { name: "x".into(), value: Given::Text(text.into()) }.coerce(None, None);
        assert_eq!(arg("7"), Ok(json!(7)));
        assert_eq!(arg("[1]"), Ok(json!([1])));
        assert_eq!(arg("hello world"), Ok(json!("hello world")));
        assert_eq!(arg("007"), Ok(json!("007")));
    }

    #[test]
    fn arguments_are_read() {
        assert_eq!(Arg::parse("a=b=c").unwrap().value, Given::Text("b=c".into()));
        assert_eq!(Arg::parse("a:=[1]").unwrap().value, Given::Json(json!([1])));
        assert!(Arg::parse("a:=nope").unwrap_err().contains("is not JSON"));
        assert!(Arg::parse("=1").is_err());
        assert!(Arg::parse("alone").is_err());
    }
}
