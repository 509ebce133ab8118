//! One TypeScript declaration per named schema (`components.schemas`):
//! an interface for a struct, a type alias for anything else, with the
//! schema's description (the Rust doc comment) as TSDoc.

use serde_json::{Map, Value};

use super::Error;
use super::schema::{At, Mapper};
use super::ts::{self, Type};
use super::tsdoc;

/// The declarations of `schemas`, in the order of `names` (each schema's
/// key and TypeScript name).
pub fn declarations(
    schemas: &Map<String, Value>,
    names: &[(String, String)],
    mapper: &Mapper<'_>,
) -> Result<String, Error> {
    let mut out = String::new();
    for (key, name) in names {
        let schema = &schemas[key];
        let owner = format!("schema `{key}`");
        let ty = mapper.map(schema, &At::root(&owner))?;
        out.push('\n');
        if let Some(docs) = docs_of(schema) {
            out.push_str(&tsdoc::comment(&docs, 0));
        }
        out.push_str(&declaration(name, &ty));
    }
    Ok(out)
}

/// `export interface Name { .. }` for an object type, else `export type Name = ..;`.
pub fn declaration(name: &str, ty: &Type) -> String {
    match ty {
        Type::Object(properties) if !properties.is_empty() => {
            let body: String = properties.iter().map(|property| property.render(1)).collect();
            format!("export interface {name} {{\n{body}}}\n")
        }
        _ => {
            let room = 100usize.saturating_sub(name.len() + 15);
            format!("export type {name} ={};\n", ts::spaced(&ty.render(0, room)))
        }
    }
}

/// A schema's description, and `@deprecated` when it is marked so.
fn docs_of(schema: &Value) -> Option<String> {
    let description = schema.get("description").and_then(Value::as_str).map(str::to_owned);
    let deprecated = schema.get("deprecated").and_then(Value::as_bool).unwrap_or(false);
    tsdoc::join([description, deprecated.then(|| "@deprecated".to_owned())])
}
