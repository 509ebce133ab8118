//! `remotipy describe`: a method (signature, params, result, errors, docs
//! and the types they use) or a named schema, as text or as the document's
//! JSON with its `$ref`s inlined.

use std::fmt::Write;

use serde_json::Value;

use super::args::DescribeArgs;
use super::discover;
use super::exit::{Failure, Outcome};
use super::output::Printer;
use super::suggest::suggestion;
use super::types::{fields, referenced, render, signature};
use crate::document::{Document, Method};

/// Runs `remotipy describe`.
pub async fn run(args: &DescribeArgs, printer: &Printer) -> Outcome {
    let document = discover::load(&args.target, &args.connection).await?;
    if let Some(method) = document.method(&args.name) {
        return match args.json {
            true => printer.json(&inline(&document, &method_json(&document, &method.name), &mut Vec::new())),
            false => printer.text(&describe_method(&document, method)),
        };
    }
    if let Some(schema) = document.schema(&args.name) {
        return match args.json {
            true => printer.json(&inline(&document, schema, &mut vec![format!("#/components/schemas/{}", args.name)])),
            false => printer.text(&describe_type(&document, &args.name, schema)),
        };
    }
    let names = document.methods().iter().map(|method| method.name.as_str());
    let names = names.chain(document.schemas().keys().map(String::as_str));
    Err(Failure::usage(format!(
        "{} has no method or type `{}`{}",
        args.target,
        args.name,
        suggestion(&args.name, names)
    )))
}

/// The text describing `method`.
pub fn describe_method(document: &Document, method: &Method) -> String {
    let mut out = format!("{}\n", signature(method));
    let mut marks: Vec<&str> = method.tag().map(|tag| tag.name.as_str()).into_iter().collect();
    marks.extend(
        [(method.stream, "stream"), (method.is_notification(), "notification"), (method.idempotent, "idempotent")]
            .into_iter()
            .chain([(method.deprecated, "deprecated")])
            .filter_map(|(on, mark)| on.then_some(mark)),
    );
    if !marks.is_empty() {
        let _ = writeln!(out, "[{}]", marks.join(", "));
    }
    if let Some(docs) = method.description.as_ref().or(method.summary.as_ref()) {
        let _ = writeln!(out, "\n{}", docs.trim_end());
    }
    if !method.params.is_empty() {
        out.push_str("\nParams:\n");
        for param in &method.params {
            let optional = if param.required { "" } else { " (optional)" };
            let _ = writeln!(out, "  {}: {}{optional}", param.name, render(&param.schema));
            documentation(&mut out, param.description.as_deref().or(param.summary.as_deref()));
        }
    }
    if let Some(result) = &method.result {
        let shown = match method.stream {
            true => format!("stream of {}", result.schema.get("items").map_or_else(|| "any".into(), render)),
            false => render(&result.schema),
        };
        let _ = writeln!(out, "\nResult: {shown}");
    }
    if !method.errors.is_empty() {
        out.push_str("\nErrors:\n");
        for error in &method.errors {
            let name = match error.data_type() {
                Some(kind) if error.message.starts_with(kind) => error.message.split(':').next().unwrap_or(kind),
                Some(kind) => kind,
                None => &error.message,
            };
            let _ = writeln!(out, "  {}  {name}", error.code);
        }
    }
    let mut roots: Vec<&Value> = method.params.iter().map(|param| &param.schema).collect();
    roots.extend(method.result.iter().map(|result| &result.schema));
    roots.extend(method.errors.iter().filter_map(|error| error.data_schema()));
    types_section(&mut out, document, &roots, None);
    out
}

/// The text describing the schema `name`.
pub fn describe_type(document: &Document, name: &str, schema: &Value) -> String {
    let mut out = format!("{name} = {}\n", render(schema));
    if let Some(docs) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "\n{}", docs.trim_end());
    }
    let fields = schema.as_object().map(fields).unwrap_or_default();
    if !fields.is_empty() {
        out.push_str("\nFields:\n");
        for (field, property, required) in fields {
            let optional = if required { "" } else { " (optional)" };
            let _ = writeln!(out, "  {field}: {}{optional}", render(property));
            documentation(&mut out, property.get("description").and_then(Value::as_str));
        }
    }
    types_section(&mut out, document, &[schema], Some(name));
    out
}

/// `Types:` with each named schema the roots use, but `skip`.
fn types_section(out: &mut String, document: &Document, roots: &[&Value], skip: Option<&str>) {
    let types: Vec<_> = referenced(document, roots).into_iter().filter(|(name, _)| Some(*name) != skip).collect();
    if types.is_empty() {
        return;
    }
    out.push_str("\nTypes:\n");
    for (name, schema) in types {
        let _ = writeln!(out, "  {name} = {}", render(schema));
        documentation(out, schema.get("description").and_then(Value::as_str));
    }
}

fn documentation(out: &mut String, docs: Option<&str>) {
    for line in docs.into_iter().flat_map(|docs| docs.lines()) {
        let _ = writeln!(out, "      {line}");
    }
}

/// The method's JSON as the document has it.
fn method_json(document: &Document, name: &str) -> Value {
    let methods = document.json().get("methods").and_then(Value::as_array);
    let found =
        methods.and_then(|methods| methods.iter().find(|method| method.get("name") == Some(&Value::from(name))));
    found.cloned().unwrap_or(Value::Null)
}

/// `value` with each `$ref` replaced by what it points to, except one that
/// would recurse (those in `open`, being inlined) or leads nowhere.
fn inline(document: &Document, value: &Value, open: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
                if let (false, Ok(target)) = (open.iter().any(|seen| seen == reference), document.pointee(reference)) {
                    open.push(reference.to_owned());
                    let inlined = inline(document, target, open);
                    open.pop();
                    return inlined;
                }
            }
            Value::Object(map.iter().map(|(key, value)| (key.clone(), inline(document, value, open))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| inline(document, item, open)).collect()),
        other => other.clone(),
    }
}
