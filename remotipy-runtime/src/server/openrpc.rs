//! OpenRPC discovery (feature `openrpc`): a server describes its methods as
//! an OpenRPC 1.3 document, with JSON Schemas of the DTOs from schemars, and
//! answers the standard `rpc.discover` method with it.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

/// The method every OpenRPC server answers with its own document.
pub const DISCOVER: &str = "rpc.discover";

/// The OpenRPC version of the documents served.
pub const OPENRPC_VERSION: &str = "1.3.2";

/// Where the document's DTO schemas live, and what their `$ref`s point at.
const SCHEMAS: &str = "/components/schemas";

/// Collects the methods of the services of one server: what a service's
/// [`RpcService::describe`](super::service::RpcService::describe) is given. Generated services describe each of
/// their methods in it.
pub struct Describer {
    generator: SchemaGenerator,
    methods: Vec<Value>,
    /// The service being described: its trait name and docs, as a tag.
    tag: Value,
}

impl Describer {
    pub(crate) fn new() -> Self {
        Self::with_settings(SchemaSettings::draft07(), SCHEMAS)
    }

    /// A describer of JSON Schema 2020-12 schemas whose `$ref`s point at
    /// `#/$defs/..` (the definitions are still returned under
    /// `components.schemas`): what MCP tools carry, each schema with the
    /// `$defs` it uses.
    #[cfg(feature = "mcp")]
    pub(crate) fn draft2020_12() -> Self {
        Self::with_settings(SchemaSettings::draft2020_12(), "/$defs")
    }

    fn with_settings(settings: SchemaSettings, definitions: &'static str) -> Self {
        let settings = settings.with(|s| {
            s.definitions_path = definitions.into();
            s.meta_schema = None;
        });
        Describer { generator: settings.into_generator(), methods: Vec::new(), tag: Value::Null }
    }

    /// Starts describing the methods of trait `name`, documented by `docs`.
    pub(crate) fn service(&mut self, name: &str, docs: &str) {
        self.tag = with_docs(json!({ "name": name }), "description", docs);
    }

    /// The start of method `name` (wire name), documented by `docs`: its
    /// name, summary, description, tag and (empty) params.
    pub(crate) fn method(&self, name: &str, docs: &str) -> Map<String, Value> {
        let mut method = Map::new();
        method.insert("name".into(), name.into());
        if let Some(summary) = summary(docs) {
            method.insert("summary".into(), summary.into());
        }
        if !docs.trim().is_empty() {
            method.insert("description".into(), docs.trim().into());
        }
        if !self.tag.is_null() {
            method.insert("tags".into(), json!([self.tag]));
        }
        method.insert("params".into(), json!([]));
        method
    }

    /// Adds a described method to the document.
    pub(crate) fn add(&mut self, method: Map<String, Value>) {
        self.methods.push(Value::Object(method));
    }

    /// The schema of `T`, its named parts added to the document's schemas.
    pub(crate) fn schema<T: ?Sized + JsonSchema>(&mut self) -> Value {
        let mut schema: Schema = self.generator.subschema_for::<T>();
        // Inline schemas miss the draft-07 fix-ups that definitions get.
        for transform in self.generator.transforms_mut() {
            transform.transform(&mut schema);
        }
        schema.to_value()
    }

    /// One value of each alternative `schema` allows (each variant of an
    /// enum, say), as far as they can be made from the schema alone: what
    /// an error type's codes are read from.
    pub(crate) fn samples(&self, schema: &Value) -> Vec<Value> {
        samples(schema, self.generator.definitions(), 0)
    }
}

/// An object with a sample of each required property, if each has one.
fn object_sample(schema: &Value, samples: impl Fn(&Value) -> Vec<Value>) -> Option<Value> {
    let mut object = Map::new();
    let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
    for name in required.filter_map(Value::as_str) {
        let property = schema.pointer(&format!("/properties/{}", name.replace('~', "~0").replace('/', "~1")))?;
        object.insert(name.to_owned(), samples(property).into_iter().next()?);
    }
    Some(Value::Object(object))
}

/// How deep `samples` follows a schema (recursive types end there).
const SAMPLE_DEPTH: usize = 8;

fn samples(schema: &Value, definitions: &Map<String, Value>, depth: usize) -> Vec<Value> {
    if depth > SAMPLE_DEPTH {
        return Vec::new();
    }
    let deeper = |schema: &Value| samples(schema, definitions, depth + 1);
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return definitions.get(name).map(deeper).unwrap_or_default();
    }
    if let Some(value) = schema.get("const") {
        return vec![value.clone()];
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.clone();
    }
    for alternatives in ["oneOf", "anyOf"] {
        if let Some(list) = schema.get(alternatives).and_then(Value::as_array) {
            return list.iter().flat_map(deeper).collect();
        }
    }
    if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match deeper(part).into_iter().next() {
                Some(Value::Object(fields)) => merged.extend(fields),
                Some(other) if parts.len() == 1 => return vec![other],
                _ => return Vec::new(),
            }
        }
        return vec![Value::Object(merged)];
    }
    let ty = match schema.get("type") {
        Some(Value::Array(types)) => types.first().and_then(Value::as_str),
        Some(ty) => ty.as_str(),
        None => None,
    };
    let value = match ty {
        Some("object") => match object_sample(schema, deeper) {
            Some(object) => object,
            None => return Vec::new(),
        },
        Some("array") => match schema.get("items") {
            // A tuple: one sample of each element.
            Some(Value::Array(items)) => {
                Value::Array(items.iter().filter_map(|item| deeper(item).into_iter().next()).collect())
            }
            _ => json!([]),
        },
        Some("string") => json!(""),
        Some("integer") => json!(0),
        Some("number") => json!(0.0),
        Some("boolean") => json!(false),
        Some("null") => Value::Null,
        _ => return Vec::new(),
    };
    vec![value]
}

impl Describer {
    /// The OpenRPC document of the methods described, with `rpc.discover`
    /// itself, titled `title`, version `version`.
    pub(crate) fn finish(mut self, title: &str, version: &str) -> Value {
        let discover = json!({
            "name": DISCOVER,
            "summary": "This document: the OpenRPC description of every method of this endpoint.",
            "params": [],
            "result": {
                "name": "OpenRPC Schema",
                "schema": { "$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json" }
            },
        });
        self.methods.push(discover);
        let schemas = self.generator.take_definitions(true);
        json!({
            "openrpc": OPENRPC_VERSION,
            "info": { "title": title, "version": version },
            "methods": self.methods,
            "components": { "schemas": schemas },
        })
    }
}

/// A method's one-line summary: the first sentence of its docs' first
/// paragraph, whose lines are joined (rustdoc's rule for the summary line).
fn summary(docs: &str) -> Option<String> {
    let paragraph: Vec<&str> =
        docs.lines().map(str::trim).skip_while(|line| line.is_empty()).take_while(|line| !line.is_empty()).collect();
    let paragraph = paragraph.join(" ");
    let end = paragraph.find(". ").map_or(paragraph.len(), |at| at + 1);
    (!paragraph.is_empty()).then(|| paragraph[..end].to_owned())
}

fn with_docs(mut object: Value, key: &str, docs: &str) -> Value {
    if !docs.trim().is_empty() {
        object[key] = docs.trim().into();
    }
    object
}
