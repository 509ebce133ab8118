//! JSON Schemas written as short types, for people: `int64`, `UserInfo`,
//! `string[]`, `{ first_name: string, email?: string | null }`,
//! `{ NotFound: uint64 } | "Gone"`; and a method's signature,
//! `find(id: uint64) -> UserInfo`. A `$ref` stays its schema's name (so
//! recursive types end), and [`referenced`] lists what those names are.

use serde_json::{Map, Value};

use crate::document::{Document, Method, ref_name};

/// `schema` as a type.
pub fn render(schema: &Value) -> String {
    let Value::Object(schema) = schema else {
        return match schema {
            Value::Bool(false) => "never".into(),
            _ => "any".into(),
        };
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.strip_prefix("#/components/schemas/");
        return name.unwrap_or(reference).to_owned();
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return union(values.iter().map(Value::to_string));
    }
    for combinator in ["oneOf", "anyOf"] {
        if let Some(Value::Array(variants)) = schema.get(combinator) {
            return union(variants.iter().map(render));
        }
    }
    if let Some(Value::Array(parts)) = schema.get("allOf") {
        return parts.iter().map(render).collect::<Vec<_>>().join(" & ");
    }
    match schema.get("type") {
        Some(Value::String(kind)) => render_type(kind, schema),
        Some(Value::Array(kinds)) => {
            union(kinds.iter().filter_map(Value::as_str).map(|kind| render_type(kind, schema)))
        }
        _ if schema.contains_key("properties") => render_type("object", schema),
        _ => "any".into(),
    }
}

/// `find(id: uint64) -> UserInfo`; optional params marked `?`; a stream
/// `-> stream of T`; a notification has no `->`.
pub fn signature(method: &Method) -> String {
    let params: Vec<String> = method
        .params
        .iter()
        .map(|param| format!("{}{}: {}", param.name, if param.required { "" } else { "?" }, render(&param.schema)))
        .collect();
    let result = match &method.result {
        None => String::new(),
        Some(result) if method.stream => {
            let items = result.schema.get("items").map_or_else(|| "any".into(), render);
            format!(" -> stream of {items}")
        }
        Some(result) => format!(" -> {}", render(&result.schema)),
    };
    format!("{}({}){result}", method.name, params.join(", "))
}

/// The named schemas `roots` refer to, directly or through each other, in
/// the order first met.
pub fn referenced<'a>(document: &'a Document, roots: &[&'a Value]) -> Vec<(&'a str, &'a Value)> {
    let mut found: Vec<(&str, &Value)> = Vec::new();
    let mut todo: Vec<&Value> = roots.iter().rev().copied().collect();
    while let Some(schema) = todo.pop() {
        let mut refs = Vec::new();
        collect_refs(schema, &mut refs);
        for name in refs {
            if found.iter().all(|(seen, _)| *seen != name) {
                if let Some(target) = document.schema(name) {
                    found.push((name, target));
                    todo.push(target);
                }
            }
        }
    }
    found
}

fn collect_refs<'a>(schema: &'a Value, refs: &mut Vec<&'a str>) {
    match schema {
        Value::Object(map) => {
            if let Some(name) = ref_name(schema) {
                refs.push(name);
            }
            map.values().for_each(|value| collect_refs(value, refs));
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

fn render_type(kind: &str, schema: &Map<String, Value>) -> String {
    let format = schema.get("format").and_then(Value::as_str);
    match kind {
        "integer" | "number" => format.unwrap_or(kind).to_owned(),
        "array" => match schema.get("items") {
            Some(Value::Array(tuple)) => format!("[{}]", tuple.iter().map(render).collect::<Vec<_>>().join(", ")),
            Some(items) => {
                let items = render(items);
                match items.contains(' ') {
                    true => format!("({items})[]"),
                    false => format!("{items}[]"),
                }
            }
            None => "any[]".into(),
        },
        "object" => render_object(schema),
        other => other.to_owned(),
    }
}

/// An object schema's properties: the required ones first, in their
/// declared order (serde's field order), then the others; `true` if required.
pub fn fields(schema: &Map<String, Value>) -> Vec<(&str, &Value, bool)> {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else { return Vec::new() };
    let required: Vec<&str> = schema.get("required").and_then(Value::as_array).map_or_else(Vec::new, |names| {
        names.iter().filter_map(Value::as_str).filter(|name| properties.contains_key(*name)).collect()
    });
    let optional = properties.keys().map(String::as_str).filter(|name| !required.contains(name));
    let mut fields: Vec<(&str, &Value, bool)> = required.iter().map(|name| (*name, &properties[*name], true)).collect();
    fields.extend(optional.map(|name| (name, &properties[name], false)));
    fields
}

/// `{ a: T, b?: T }`.
fn render_object(schema: &Map<String, Value>) -> String {
    let mut fields: Vec<String> = fields(schema)
        .into_iter()
        .map(|(name, property, required)| format!("{name}{}: {}", if required { "" } else { "?" }, render(property)))
        .collect();
    match schema.get("additionalProperties") {
        Some(Value::Bool(false)) | None => {}
        Some(Value::Bool(true)) if !fields.is_empty() => {}
        Some(values) => fields.push(format!("[key: string]: {}", render(values))),
    }
    match fields.is_empty() {
        true => "object".into(),
        false => format!("{{ {} }}", fields.join(", ")),
    }
}

fn union(parts: impl Iterator<Item = String>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for part in parts {
        if !seen.contains(&part) {
            seen.push(part);
        }
    }
    seen.join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_read_as_types() {
        let cases = [
            (json!({"type": "integer", "format": "uint64", "minimum": 0}), "uint64"),
            (json!({"type": ["string", "null"]}), "string | null"),
            (json!({"$ref": "#/components/schemas/UserInfo"}), "UserInfo"),
            (json!({"type": "array", "items": {"type": ["integer", "null"]}}), "(integer | null)[]"),
            (json!({"type": "array", "items": [{"type": "string"}, {"type": "boolean"}]}), "[string, boolean]"),
            (
                json!({"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "number"}}, "required": ["b"]}),
                "{ b: string, a?: number }",
            ),
            (json!({"type": "object", "additionalProperties": {"type": "integer"}}), "{ [key: string]: integer }"),
            (json!({"type": "object"}), "object"),
            (json!({"enum": ["A", "B"], "type": "string"}), "\"A\" | \"B\""),
            (json!({"oneOf": [{"const": 1}, {"type": "null"}]}), "1 | null"),
            (json!({}), "any"),
            (json!(true), "any"),
        ];
        for (schema, expected) in cases {
            assert_eq!(render(&schema), expected, "{schema}");
        }
    }
}
