//! Params checked against the method before they are sent: unknown and
//! missing names, positions, and each value against its JSON Schema
//! (`jsonschema`, draft-07, `$ref`s into the document's `components`). A
//! refusal names every problem and the method's signature.

use jsonschema::paths::LocationSegment;
use serde_json::{Value, json};

use super::exit::Failure;
use super::output::warn;
use super::types::signature;
use crate::document::{ContentDescriptor, Document, Method};

/// Refuses `params` (an object, an array or `null`) that `method` would refuse.
pub fn check(document: &Document, method: &Method, params: &Value) -> Result<(), Failure> {
    let problems = match params {
        Value::Null => by_name(document, method, &serde_json::Map::new()),
        Value::Object(named) => by_name(document, method, named),
        Value::Array(positional) => by_position(document, method, positional),
        other => vec![format!("params must be an object or an array, not `{other}`")],
    };
    match problems.is_empty() {
        true => Ok(()),
        false => Err(refusal(method, &problems)),
    }
}

/// The usage failure naming `problems` and the method's signature.
pub fn refusal(method: &Method, problems: &[String]) -> Failure {
    Failure::usage(format!(
        "invalid arguments for `{}`: {}; it takes {}",
        method.name,
        problems.join("; "),
        signature(method)
    ))
}

fn by_name(document: &Document, method: &Method, named: &serde_json::Map<String, Value>) -> Vec<String> {
    let mut problems: Vec<String> = named
        .keys()
        .filter(|name| method.param(name).is_none())
        .map(|name| format!("unknown param `{name}`"))
        .collect();
    for param in &method.params {
        match named.get(&param.name) {
            None if param.required => problems.push(format!("missing `{}`", param.name)),
            None => {}
            Some(value) => problems.extend(against_schema(document, param, value)),
        }
    }
    problems
}

fn by_position(document: &Document, method: &Method, positional: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    if positional.len() > method.params.len() {
        problems.push(format!("{} params given, it takes {}", positional.len(), method.params.len()));
    }
    for (position, param) in method.params.iter().enumerate() {
        match positional.get(position) {
            None if param.required => problems.push(format!("missing `{}` (position {})", param.name, position + 1)),
            None => {}
            Some(value) => problems.extend(against_schema(document, param, value)),
        }
    }
    problems
}

/// What is wrong with `value` for `param`, at most three things.
fn against_schema(document: &Document, param: &ContentDescriptor, value: &Value) -> Vec<String> {
    // The schema's `$ref`s point into the document's components: give it them.
    let components = document.json().get("components").cloned().unwrap_or(Value::Null);
    let schema = json!({"allOf": [param.schema], "components": components});
    let validator = match jsonschema::draft7::options().build(&schema) {
        Ok(validator) => validator,
        Err(e) => {
            warn(&format!("warning: cannot check `{}` against its schema ({e}); sending it unchecked", param.name));
            return Vec::new();
        }
    };
    validator
        .iter_errors(value)
        .take(3)
        .map(|error| format!("`{}{}`: {error}", param.name, path(error.instance_path())))
        .collect()
}

/// `.user.email`, `[0]`: where in the value.
fn path(location: &jsonschema::paths::Location) -> String {
    location
        .into_iter()
        .map(|segment| match segment {
            LocationSegment::Property(name) => format!(".{name}"),
            LocationSegment::Index(index) => format!("[{index}]"),
        })
        .collect()
}
