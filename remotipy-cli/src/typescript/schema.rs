//! JSON Schema (draft-07, as schemars writes it; the 2020-12 tuple keyword
//! too) to TypeScript types that describe the same JSON.
//!
//! No representation of serde's is special-cased: each is a shape JSON
//! Schema states (an externally tagged variant is an object with one
//! required property, an internally tagged one an object whose tag is a
//! `const`, an untagged enum an `anyOf`), and the same shape in TypeScript
//! is the discriminated union serde's JSON is. Keywords that only validate
//! (`minimum`, `pattern`, `format` beyond integers' widths) are not types
//! and are left to the server; keywords whose shape TypeScript cannot state
//! (`not`, `if`, `patternProperties`, ...) are an error naming the schema.

use serde_json::{Map, Value};

use super::Error;
use super::names;
use super::ts::{Member, Property, Type};

/// Keywords whose meaning no TypeScript type states.
const INEXPRESSIBLE: &[&str] = &[
    "not",
    "if",
    "then",
    "else",
    "patternProperties",
    "dependencies",
    "dependentSchemas",
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "$recursiveRef",
];

/// Integer formats wider than a JavaScript number holds exactly (schemars:
/// `u64`/`i64`, `usize`/`isize`, `u128`/`i128`).
const WIDE_INTEGERS: &[&str] = &["int64", "uint64", "int", "uint", "int128", "uint128"];

/// Where the named schemas are, as `$ref`s write it.
pub const SCHEMAS_PREFIX: &str = "#/components/schemas/";

/// Maps schemas to types, resolving `$ref`s to the named types declared.
pub struct Mapper<'a> {
    /// Each named schema's key in the document, and its TypeScript name.
    names: &'a [(String, String)],
    /// Wide integers are `number | bigint`.
    bigint: bool,
}

/// Where a schema is, for errors: what it belongs to, and the path inside.
#[derive(Clone)]
pub struct At<'a> {
    owner: &'a str,
    path: String,
}

impl<'a> At<'a> {
    /// The root of the schema of `owner` ("schema `Profile`", "`find`'s param `id`").
    pub fn root(owner: &'a str) -> Self {
        At { owner, path: String::new() }
    }

    fn join(&self, segment: impl std::fmt::Display) -> Self {
        At { owner: self.owner, path: format!("{}/{segment}", self.path) }
    }

    fn error(&self, what: impl std::fmt::Display) -> Error {
        let place = match self.path.is_empty() {
            true => String::new(),
            false => format!(" at `{}`", self.path),
        };
        Error(format!("{}{place}: {what}", self.owner))
    }
}

impl<'a> Mapper<'a> {
    pub fn new(names: &'a [(String, String)], bigint: bool) -> Self {
        Mapper { names, bigint }
    }

    /// The type of the JSON that `schema` describes.
    pub fn map(&self, schema: &Value, at: &At<'_>) -> Result<Type, Error> {
        match schema {
            Value::Bool(true) => Ok(Type::name("unknown")),
            Value::Bool(false) => Ok(Type::name("never")),
            Value::Object(schema) => self.map_object(schema, at),
            other => Err(at.error(format!("`{other}` is not a schema"))),
        }
    }

    fn map_object(&self, schema: &Map<String, Value>, at: &At<'_>) -> Result<Type, Error> {
        if let Some(keyword) = INEXPRESSIBLE.iter().find(|k| schema.contains_key(**k)) {
            return Err(at.error(format!("`{keyword}` has no TypeScript type")));
        }
        if let Some(value) = schema.get("const") {
            return literal(value).map_err(|what| at.join("const").error(what));
        }
        if let Some(values) = schema.get("enum") {
            return self.enumeration(values, &at.join("enum"));
        }
        let mut parts = Vec::new();
        if let Some(reference) = schema.get("$ref") {
            parts.push(self.reference(reference, &at.join("$ref"))?);
        }
        parts.extend(self.by_type(schema, at)?);
        for (i, part) in array(schema, "allOf", at)?.iter().enumerate() {
            parts.push(self.map(part, &at.join("allOf").join(i))?);
        }
        for keyword in ["oneOf", "anyOf"] {
            if schema.contains_key(keyword) {
                parts.push(self.alternatives(array(schema, keyword, at)?, &at.join(keyword))?);
            }
        }
        Ok(Type::intersection(parts))
    }

    /// `oneOf`/`anyOf`: a union, each member with its description.
    fn alternatives(&self, schemas: &[Value], at: &At<'_>) -> Result<Type, Error> {
        let mut members = Vec::new();
        for (i, schema) in schemas.iter().enumerate() {
            let docs = schema.get("description").and_then(Value::as_str).map(str::to_owned);
            members.push(Member { ty: self.map(schema, &at.join(i))?, docs });
        }
        Ok(Type::documented_union(members))
    }

    fn enumeration(&self, values: &Value, at: &At<'_>) -> Result<Type, Error> {
        let values = values.as_array().ok_or_else(|| at.error("`enum` is not an array"))?;
        let literals: Result<Vec<Type>, String> = values.iter().map(literal).collect();
        literals.map(Type::union).map_err(|what| at.error(what))
    }

    /// A `$ref` to a named schema: its declared type.
    fn reference(&self, reference: &Value, at: &At<'_>) -> Result<Type, Error> {
        let reference = reference.as_str().ok_or_else(|| at.error("`$ref` is not a string"))?;
        let key = reference.strip_prefix(SCHEMAS_PREFIX).filter(|key| !key.contains('/')).map(unescape_pointer);
        let Some(key) = key else {
            return Err(at.error(format!("`$ref` `{reference}` is not a schema of `{SCHEMAS_PREFIX}`")));
        };
        match self.names.iter().find(|(known, _)| *known == key) {
            Some((_, name)) => Ok(Type::name(name)),
            None => Err(at.error(format!("`$ref` `{reference}`: no such schema in the document"))),
        }
    }

    /// The types `type` names (or that `properties`/`items` imply), as a union.
    fn by_type(&self, schema: &Map<String, Value>, at: &At<'_>) -> Result<Option<Type>, Error> {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(ty)) => vec![ty.as_str()],
            Some(Value::Array(types)) => {
                let names: Option<Vec<&str>> = types.iter().map(Value::as_str).collect();
                names.ok_or_else(|| at.join("type").error("`type` lists something other than names"))?
            }
            Some(other) => return Err(at.join("type").error(format!("`type` is `{other}`"))),
            None if ["properties", "additionalProperties", "required"].iter().any(|k| schema.contains_key(*k)) => {
                vec!["object"]
            }
            None if ["items", "prefixItems"].iter().any(|k| schema.contains_key(*k)) => vec!["array"],
            None => return Ok(None),
        };
        let mut union = Vec::new();
        for ty in types {
            union.push(match ty {
                "null" | "boolean" | "string" | "number" => Type::name(ty),
                "integer" => self.integer(schema),
                "array" => self.array(schema, at)?,
                "object" => self.object(schema, at)?,
                other => return Err(at.join("type").error(format!("unknown type `{other}`"))),
            });
        }
        Ok(Some(Type::union(union)))
    }

    fn integer(&self, schema: &Map<String, Value>) -> Type {
        let wide = schema.get("format").and_then(Value::as_str).is_some_and(|f| WIDE_INTEGERS.contains(&f));
        match self.bigint && wide {
            true => Type::union(vec![Type::name("number"), Type::name("bigint")]),
            false => Type::name("number"),
        }
    }

    /// `items` (one schema: `T[]`; a list: a tuple, as draft-07 writes
    /// one) or `prefixItems` (2020-12's tuple).
    fn array(&self, schema: &Map<String, Value>, at: &At<'_>) -> Result<Type, Error> {
        let (tuple, rest_keyword) = match (schema.get("prefixItems"), schema.get("items")) {
            (Some(Value::Array(items)), _) => (Some((items, "prefixItems")), "items"),
            (None, Some(Value::Array(items))) => (Some((items, "items")), "additionalItems"),
            _ => (None, ""),
        };
        let Some((items, keyword)) = tuple else {
            return match schema.get("items") {
                None => Ok(Type::Array(Box::new(Type::name("unknown")))),
                Some(items) => Ok(Type::Array(Box::new(self.map(items, &at.join("items"))?))),
            };
        };
        let mut types = Vec::new();
        for (i, item) in items.iter().enumerate() {
            types.push(self.map(item, &at.join(keyword).join(i))?);
        }
        let closed = schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| max as usize <= items.len());
        let rest = match (closed, schema.get(rest_keyword)) {
            (true, _) | (false, Some(Value::Bool(false))) => None,
            (false, None) => Some(Box::new(Type::name("unknown"))),
            (false, Some(rest)) => Some(Box::new(self.map(rest, &at.join(rest_keyword))?)),
        };
        Ok(Type::Tuple(types, rest))
    }

    /// `properties` or, without them, `additionalProperties`: a map.
    fn object(&self, schema: &Map<String, Value>, at: &At<'_>) -> Result<Type, Error> {
        let empty = Map::new();
        let properties = match schema.get("properties") {
            Some(Value::Object(properties)) => properties,
            Some(_) => return Err(at.join("properties").error("`properties` is not an object")),
            None => &empty,
        };
        let additional = schema.get("additionalProperties");
        if properties.is_empty() {
            return match additional {
                Some(Value::Bool(false)) => Ok(Type::Object(Vec::new())),
                None | Some(Value::Bool(true)) => Ok(Type::Record(Box::new(Type::name("unknown")))),
                Some(values) => Ok(Type::Record(Box::new(self.map(values, &at.join("additionalProperties"))?))),
            };
        }
        if matches!(additional, Some(Value::Object(_))) {
            return Err(
                at.error("`properties` beside a typed `additionalProperties` (a flattened map) has no TypeScript type")
            );
        }
        let required: Vec<&str> = match schema.get("required") {
            Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        // Required ones in `required`'s order (a struct's), then the others by name.
        let mut order: Vec<&String> =
            required.iter().filter_map(|name| properties.get_key_value(*name)).map(|(k, _)| k).collect();
        let mut optional: Vec<&String> = properties.keys().filter(|name| !required.contains(&name.as_str())).collect();
        optional.sort();
        order.extend(optional);
        let mut fields = Vec::new();
        for name in order {
            let property = &properties[name];
            let docs = property.get("description").and_then(Value::as_str).map(str::to_owned);
            let ty = self.map(property, &at.join("properties").join(name))?;
            fields.push(Property { name: name.clone(), optional: !required.contains(&name.as_str()), ty, docs });
        }
        Ok(Type::Object(fields))
    }
}

/// A JSON value as a literal type.
fn literal(value: &Value) -> Result<Type, String> {
    match value {
        Value::Null => Ok(Type::name("null")),
        Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(Type::Literal(value.to_string())),
        other => Err(format!("the constant `{other}` has no TypeScript literal type")),
    }
}

fn array<'s>(schema: &'s Map<String, Value>, keyword: &str, at: &At<'_>) -> Result<&'s [Value], Error> {
    match schema.get(keyword) {
        None => Ok(&[]),
        Some(Value::Array(schemas)) => Ok(schemas),
        Some(_) => Err(at.join(keyword).error(format!("`{keyword}` is not an array"))),
    }
}

/// A JSON Pointer segment as its key (`~1` is `/`, `~0` is `~`).
fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The TypeScript name of each named schema, in the order they are
/// declared (by name); an error when two would be the same.
pub fn declared_names(schemas: &Map<String, Value>) -> Result<Vec<(String, String)>, Error> {
    let mut names: Vec<(String, String)> = schemas.keys().map(|key| (key.clone(), names::identifier(key))).collect();
    names.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    if let Some(pair) = names.windows(2).find(|pair| pair[0].1 == pair[1].1) {
        return Err(Error(format!(
            "schemas `{}` and `{}` would both be the TypeScript type `{}`",
            pair[0].0, pair[1].0, pair[0].1
        )));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names() -> Vec<(String, String)> {
        vec![("Point".into(), "Point".into()), ("a/b".into(), "a_b".into())]
    }

    /// The type of `schema` on one line (documentation dropped), or the error.
    fn ts(schema: Value) -> String {
        ts_with(schema, false)
    }

    fn ts_with(schema: Value, bigint: bool) -> String {
        let names = names();
        match Mapper::new(&names, bigint).map(&schema, &At::root("schema `T`")) {
            Ok(ty) => strip_docs(ty).inline().unwrap(),
            Err(error) => format!("error: {error}"),
        }
    }

    fn strip_docs(ty: Type) -> Type {
        match ty {
            Type::Union(members) => {
                Type::Union(members.into_iter().map(|m| Member { ty: strip_docs(m.ty), docs: None }).collect())
            }
            Type::Object(properties) => Type::Object(
                properties.into_iter().map(|p| Property { docs: None, ty: strip_docs(p.ty), ..p }).collect(),
            ),
            other => other,
        }
    }

    #[test]
    fn scalars_and_any() {
        insta::assert_snapshot!(ts(json!({"type": "string"})), @"string");
        insta::assert_snapshot!(ts(json!({"type": "number", "format": "double"})), @"number");
        insta::assert_snapshot!(ts(json!({"type": "integer", "format": "int32"})), @"number");
        insta::assert_snapshot!(ts(json!({"type": "boolean"})), @"boolean");
        insta::assert_snapshot!(ts(json!({"type": "null"})), @"null");
        insta::assert_snapshot!(ts(json!({"type": ["string", "null"]})), @"string | null");
        insta::assert_snapshot!(ts(json!(true)), @"unknown");
        insta::assert_snapshot!(ts(json!({"description": "any JSON"})), @"unknown");
        insta::assert_snapshot!(ts(json!(false)), @"never");
    }

    #[test]
    fn wide_integers_are_number_or_with_bigint_number_or_bigint() {
        for format in ["int64", "uint64", "uint", "int128"] {
            let schema = json!({"type": "integer", "format": format});
            assert_eq!(ts(schema.clone()), "number");
            assert_eq!(ts_with(schema, true), "number | bigint");
        }
        assert_eq!(ts_with(json!({"type": "integer", "format": "uint32"}), true), "number");
    }

    #[test]
    fn structs_are_objects_with_optional_fields_where_serde_may_leave_them_out() {
        let schema = json!({
            "type": "object",
            "properties": {
                "z_default": {"type": "integer", "default": 0},
                "name": {"type": "string"},
                "nick": {"type": ["string", "null"]},
                "at": {"$ref": "#/components/schemas/Point"},
                "dark-blue": {"type": "boolean"}
            },
            "required": ["name", "at", "dark-blue"]
        });
        insta::assert_snapshot!(ts(schema), @r#"{ name: string; at: Point; "dark-blue": boolean; nick?: string | null; z_default?: number }"#);
    }

    #[test]
    fn maps_tuples_and_arrays() {
        insta::assert_snapshot!(ts(json!({"type": "object", "additionalProperties": {"type": "integer"}})), @"{ [key: string]: number }");
        insta::assert_snapshot!(ts(json!({"type": "object"})), @"{ [key: string]: unknown }");
        insta::assert_snapshot!(ts(json!({"type": "object", "additionalProperties": false})), @"{ [key: string]: never }");
        let tuple =
            json!({"type": "array", "items": [{"type": "number"}, {"type": "string"}], "minItems": 2, "maxItems": 2});
        insta::assert_snapshot!(ts(tuple), @"[number, string]");
        let open = json!({"type": "array", "items": [{"type": "number"}]});
        insta::assert_snapshot!(ts(open), @"[number, ...unknown[]]");
        let prefix = json!({"type": "array", "prefixItems": [{"type": "number"}], "items": false});
        insta::assert_snapshot!(ts(prefix), @"[number]");
        insta::assert_snapshot!(ts(json!({"type": "array", "items": {"type": ["string", "null"]}})), @"(string | null)[]");
        insta::assert_snapshot!(ts(json!({"type": "array", "uniqueItems": true, "items": {"$ref": "#/components/schemas/a~1b"}})), @"a_b[]");
    }

    /// Each of serde's enum representations, as schemars writes it.
    #[test]
    fn enums_in_each_representation_are_discriminated_unions() {
        let unit_only = json!({"type": "string", "enum": ["Red", "DarkBlue"]});
        insta::assert_snapshot!(ts(unit_only), @r#""Red" | "DarkBlue""#);
        let external = json!({"oneOf": [
            {"type": "string", "const": "Empty"},
            {"type": "object", "properties": {"Circle": {"type": "number"}}, "required": ["Circle"], "additionalProperties": false},
            {"type": "object", "properties": {"Rect": {"type": "object", "properties": {"w": {"type": "number"}}, "required": ["w"]}}, "required": ["Rect"], "additionalProperties": false}
        ]});
        insta::assert_snapshot!(ts(external), @r#""Empty" | { Circle: number } | { Rect: { w: number } }"#);
        let internal = json!({"oneOf": [
            {"type": "object", "properties": {"kind": {"type": "string", "const": "started"}, "at": {"type": "integer"}}, "required": ["kind", "at"]},
            {"type": "object", "allOf": [{"$ref": "#/components/schemas/Point"}], "properties": {"kind": {"type": "string", "const": "moved"}}, "required": ["kind"]}
        ]});
        insta::assert_snapshot!(ts(internal), @r#"{ kind: "started"; at: number } | ({ kind: "moved" } & Point)"#);
        let adjacent = json!({"oneOf": [
            {"type": "object", "properties": {"t": {"type": "string", "const": "Pair"}, "c": {"type": "array", "items": [{"type": "integer"}, {"type": "integer"}], "maxItems": 2}}, "required": ["t", "c"]},
            {"type": "object", "properties": {"t": {"type": "string", "const": "Ping"}}, "required": ["t"]}
        ]});
        insta::assert_snapshot!(ts(adjacent), @r#"{ t: "Pair"; c: [number, number] } | { t: "Ping" }"#);
        let untagged =
            json!({"anyOf": [{"type": "number"}, {"type": "array", "items": {"$ref": "#/components/schemas/Point"}}]});
        insta::assert_snapshot!(ts(untagged), @"number | Point[]");
    }

    #[test]
    fn a_struct_with_a_flattened_enum_is_an_intersection() {
        let schema = json!({
            "type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"],
            "oneOf": [{"type": "object", "properties": {"A": {"type": "string"}}, "required": ["A"]}, {"type": "object", "properties": {"B": {"type": "null"}}, "required": ["B"]}]
        });
        insta::assert_snapshot!(ts(schema), @"{ id: number } & ({ A: string } | { B: null })");
    }

    #[test]
    fn what_typescript_cannot_state_is_an_error_naming_the_schema() {
        insta::assert_snapshot!(ts(json!({"not": {"type": "string"}})), @"error: schema `T`: `not` has no TypeScript type");
        let pattern = json!({"type": "object", "properties": {"m": {"type": "object", "patternProperties": {"^x": {"type": "string"}}}}});
        insta::assert_snapshot!(ts(pattern), @"error: schema `T` at `/properties/m`: `patternProperties` has no TypeScript type");
        insta::assert_snapshot!(ts(json!({"$ref": "#/components/schemas/Nope"})), @"error: schema `T` at `/$ref`: `$ref` `#/components/schemas/Nope`: no such schema in the document");
        insta::assert_snapshot!(ts(json!({"$ref": "#/definitions/Point"})), @"error: schema `T` at `/$ref`: `$ref` `#/definitions/Point` is not a schema of `#/components/schemas/`");
        insta::assert_snapshot!(ts(json!({"const": {"a": 1}})), @r#"error: schema `T` at `/const`: the constant `{"a":1}` has no TypeScript literal type"#);
        insta::assert_snapshot!(ts(json!({"type": "date"})), @"error: schema `T` at `/type`: unknown type `date`");
        let flattened_map = json!({"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "integer"}});
        insta::assert_snapshot!(ts(flattened_map), @"error: schema `T`: `properties` beside a typed `additionalProperties` (a flattened map) has no TypeScript type");
    }

    #[test]
    fn names_that_collide_are_an_error() {
        let schemas = json!({"a-b": {}, "a_b": {}});
        let error = declared_names(schemas.as_object().unwrap()).unwrap_err();
        assert_eq!(error.0, "schemas `a-b` and `a_b` would both be the TypeScript type `a_b`");
    }
}
