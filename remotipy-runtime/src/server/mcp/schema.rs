//! A tool's JSON Schemas (2020-12, MCP's default dialect), each standing
//! alone: the definitions it refers to (`#/$defs/..`) copied into its own
//! `$defs`, so that a client validates with nothing but the schema.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

/// How a tool's result becomes its `structuredContent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// The result is an object: it is the structured content.
    Object,
    /// Anything else is `{"result": <value>}`: 2025-11-25 wants an object
    /// at the root of `outputSchema` and `structuredContent`.
    Wrapped,
    /// No result (`()`, a notification): no structured content.
    Nothing,
}

/// The input schema of a method's `params` (OpenRPC content descriptors):
/// an object of the named parameters, no others (the generated decoder
/// refuses unknown names).
pub(crate) fn input(params: &[Value], defs: &Map<String, Value>) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for param in params {
        let Some(name) = param["name"].as_str() else { continue };
        properties.insert(name.to_owned(), param["schema"].clone());
        if param["required"] == true {
            required.push(Value::from(name));
        }
    }
    let schema =
        json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false });
    with_defs(schema, defs)
}

/// The output schema of a method whose result has `result` as its schema
/// (`None`: no result), and how its values are shaped to fit it.
pub(crate) fn output(result: Option<&Value>, defs: &Map<String, Value>) -> (Option<Value>, Shape) {
    let Some(schema) = result.filter(|schema| !is_null(schema)) else { return (None, Shape::Nothing) };
    let root = resolve(schema, defs);
    let (schema, shape) = match root.get("type").and_then(Value::as_str) {
        // The definition itself at the root: `type: object` must be there.
        Some("object") => (root.clone(), Shape::Object),
        _ => (json!({ "type": "object", "properties": { "result": schema }, "required": ["result"] }), Shape::Wrapped),
    };
    (Some(with_defs(schema, defs)), shape)
}

/// `schema`, or the definition it names when it is a bare `$ref`.
fn resolve<'a>(schema: &'a Value, defs: &'a Map<String, Value>) -> &'a Value {
    match schema.as_object() {
        Some(object) if object.len() == 1 => {
            object.get("$ref").and_then(Value::as_str).and_then(|r| definition(r, defs)).unwrap_or(schema)
        }
        _ => schema,
    }
}

/// `()`'s schema.
fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null") && schema.get("const").is_none()
}

/// The definition a `#/$defs/<name>` reference points at.
fn definition<'a>(reference: &str, defs: &'a Map<String, Value>) -> Option<&'a Value> {
    let name = reference.strip_prefix("#/$defs/")?;
    defs.get(&name.replace("~1", "/").replace("~0", "~"))
}

/// The range of each integer format schemars writes: added to the schema
/// (where it gives none), so that a client (or a model) knows that an `i64`
/// stops at 2^63 - 1 before the server refuses 2^63.
fn range(format: &str) -> Option<(Value, Value)> {
    Some(match format {
        "int8" => (i8::MIN.into(), i8::MAX.into()),
        "int16" => (i16::MIN.into(), i16::MAX.into()),
        "int32" => (i32::MIN.into(), i32::MAX.into()),
        "int64" => (i64::MIN.into(), i64::MAX.into()),
        "int" => ((isize::MIN as i64).into(), (isize::MAX as i64).into()),
        "uint8" => (0.into(), u8::MAX.into()),
        "uint16" => (0.into(), u16::MAX.into()),
        "uint32" => (0.into(), u32::MAX.into()),
        "uint64" => (0.into(), u64::MAX.into()),
        "uint" => (0.into(), (usize::MAX as u64).into()),
        _ => return None,
    })
}

/// Bounds every integer schema inside `schema` by its format's range.
fn bound_integers(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            let integer = object.get("type").and_then(Value::as_str) == Some("integer");
            let format = object.get("format").and_then(Value::as_str).filter(|_| integer);
            if let Some((min, max)) = format.and_then(range) {
                object.entry("minimum").or_insert(min);
                object.entry("maximum").or_insert(max);
            }
            for (key, value) in object.iter_mut() {
                if !matches!(key.as_str(), "const" | "enum" | "default" | "examples") {
                    bound_integers(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

/// `schema` with a `$defs` of every definition it reaches, if any.
fn with_defs(mut schema: Value, defs: &Map<String, Value>) -> Value {
    let mut reached = BTreeSet::new();
    let mut todo = vec![schema.clone()];
    while let Some(next) = todo.pop() {
        let mut found = Vec::new();
        references(&next, &mut found);
        for reference in found {
            let Some(name) = reference.strip_prefix("#/$defs/") else { continue };
            let name = name.replace("~1", "/").replace("~0", "~");
            if let Some(definition) = defs.get(&name) {
                if reached.insert(name) {
                    todo.push(definition.clone());
                }
            }
        }
    }
    if !reached.is_empty() {
        let own: Map<String, Value> =
            reached.into_iter().filter_map(|n| Some((n.clone(), defs.get(&n)?.clone()))).collect();
        schema["$defs"] = Value::Object(own);
    }
    bound_integers(&mut schema);
    schema
}

/// Every `$ref` string inside `value`.
fn references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            for (key, value) in object {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    // Instance data, not schemas.
                    ("const" | "enum" | "default" | "examples", _) => {}
                    _ => references(value, found),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> Map<String, Value> {
        json!({
            "User": { "type": "object", "properties": { "best": { "$ref": "#/$defs/Friend" } } },
            "Friend": { "type": "object", "properties": { "of": { "$ref": "#/$defs/User" } } },
            "Unused": { "type": "string" },
            "Kind": { "enum": ["a", "b"] },
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn an_input_schema_carries_the_definitions_it_reaches_and_no_others() {
        let params = [json!({ "name": "user", "required": true, "schema": { "$ref": "#/$defs/User" } })];
        let schema = input(&params, &defs());
        assert_eq!(schema["required"], json!(["user"]));
        assert_eq!(schema["additionalProperties"], false);
        let names: Vec<&String> = schema["$defs"].as_object().unwrap().keys().collect();
        assert_eq!(names, ["Friend", "User"], "recursive definitions once each, `Unused` left out");
    }

    #[test]
    fn objects_are_their_own_output_and_anything_else_is_wrapped() {
        let (schema, shape) = output(Some(&json!({ "$ref": "#/$defs/User" })), &defs());
        assert_eq!(shape, Shape::Object);
        assert_eq!(schema.unwrap()["type"], "object");
        let (schema, shape) = output(Some(&json!({ "$ref": "#/$defs/Kind" })), &defs());
        assert_eq!(shape, Shape::Wrapped);
        assert_eq!(schema.unwrap()["properties"]["result"], json!({ "$ref": "#/$defs/Kind" }));
        assert_eq!(output(Some(&json!({ "type": "null" })), &defs()).1, Shape::Nothing);
        assert_eq!(output(None, &defs()).1, Shape::Nothing);
    }

    #[test]
    fn integers_are_bounded_by_their_format() {
        let params = [
            json!({ "name": "n", "required": true, "schema": { "type": "integer", "format": "uint64", "minimum": 0 } }),
            json!({ "name": "k", "required": false, "schema": { "type": "integer", "format": "int8", "maximum": 9 } }),
        ];
        let schema = input(&params, &Map::new());
        assert_eq!(schema["properties"]["n"]["maximum"], json!(u64::MAX));
        assert_eq!(schema["properties"]["k"]["minimum"], json!(-128));
        assert_eq!(schema["properties"]["k"]["maximum"], json!(9), "a bound the type gives is kept");
    }
}
