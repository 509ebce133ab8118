//! An OpenRPC document: read from a file or asked of a server with the
//! standard `rpc.discover`. Both `remotipy gen ts` and `list`/`describe`/`call`
//! start here.
//!
//! The document is kept as JSON (what the TypeScript generator reads, and
//! where `$ref`s point) beside a typed view of its methods. Schemas stay JSON
//! Schema values; [`Document::resolve`] follows their local `$ref`s.

// Owned by the command line's helper and the TypeScript generator alike:
// keep it to loading and looking things up in the document. Asking a server
// for it (`rpc.discover`) needs the HTTP client, so it lives in the command
// line (`cli/discover.rs`) and ends in `Document::from_json`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// An OpenRPC document.
#[derive(Debug, Clone)]
pub struct Document {
    json: Value,
    methods: Vec<Method>,
    schemas: BTreeMap<String, Value>,
}

/// A method of the document (its `$ref`s to `components` inlined).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Method {
    /// The JSON-RPC method name.
    pub name: String,
    /// Its one-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Its documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Its tags; remotipy names the trait in the first.
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Its parameters, in declaration (positional) order.
    #[serde(default)]
    pub params: Vec<ContentDescriptor>,
    /// What it answers; absent for a notification.
    #[serde(default)]
    pub result: Option<ContentDescriptor>,
    /// The errors it may answer.
    #[serde(default)]
    pub errors: Vec<ErrorSpec>,
    /// `by-name`, `by-position` or `either` (the default).
    #[serde(default)]
    pub param_structure: Option<String>,
    /// Marked deprecated.
    #[serde(default)]
    pub deprecated: bool,
    /// Streams its items (`result.schema` is the array a plain caller gets).
    #[serde(rename = "x-remotipy-stream", default)]
    pub stream: bool,
    /// Safe to retry.
    #[serde(rename = "x-remotipy-idempotent", default)]
    pub idempotent: bool,
}

/// A tag of a method.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Tag {
    /// The tag (a remotipy trait's name).
    pub name: String,
    /// What it groups.
    #[serde(default)]
    pub description: Option<String>,
}

/// A parameter or result: a name and a JSON Schema.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ContentDescriptor {
    /// The parameter's name.
    pub name: String,
    /// Its one-line summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Its documentation.
    #[serde(default)]
    pub description: Option<String>,
    /// Must be given (OpenRPC's default is `false`).
    #[serde(default)]
    pub required: bool,
    /// Its JSON Schema (draft-07); may be a `$ref`.
    #[serde(default = "any_schema")]
    pub schema: Value,
    /// Marked deprecated.
    #[serde(default)]
    pub deprecated: bool,
}

/// An error a method may answer.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct ErrorSpec {
    /// The JSON-RPC error code.
    pub code: i64,
    /// What it means.
    #[serde(default)]
    pub message: String,
    /// remotipy's `data`: `{"type": <error type>, "schema": <its schema>}`.
    #[serde(default)]
    pub data: Option<Value>,
}

impl ErrorSpec {
    /// The error type remotipy names in `data.type`.
    pub fn data_type(&self) -> Option<&str> {
        self.data.as_ref()?.get("type")?.as_str()
    }

    /// The schema of `data.value`.
    pub fn data_schema(&self) -> Option<&Value> {
        self.data.as_ref()?.get("schema")
    }
}

impl Method {
    /// The trait (first tag) it belongs to.
    pub fn tag(&self) -> Option<&Tag> {
        self.tags.first()
    }

    /// A notification: nothing is answered.
    pub fn is_notification(&self) -> bool {
        self.result.is_none()
    }

    /// Only positional params are accepted.
    pub fn by_position(&self) -> bool {
        self.param_structure.as_deref() == Some("by-position")
    }

    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&ContentDescriptor> {
        self.params.iter().find(|param| param.name == name)
    }
}

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("{origin} is not JSON: {source}")]
    Json {
        /// Where it came from.
        origin: String,
        /// Why.
        source: serde_json::Error,
    },
    /// JSON, but not an OpenRPC document this crate can read.
    #[error("{origin} is not an OpenRPC document: {reason}")]
    NotOpenRpc {
        /// Where it came from.
        origin: String,
        /// What is wrong, and where.
        reason: String,
    },
}

/// A `$ref` that leads nowhere.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    /// It points outside the document (another file or a URL).
    #[error("`{0}` points outside the document")]
    External(String),
    /// Nothing is at its JSON pointer.
    #[error("`{0}` points to nothing in the document")]
    Missing(String),
    /// `$ref`s that lead back to themselves.
    #[error("`{0}` refers to itself")]
    Cycle(String),
}

impl Document {
    /// Reads the document in the file at `path`.
    pub fn read(path: &Path) -> Result<Document, LoadError> {
        let origin = path.display().to_string();
        let text = std::fs::read(path).map_err(|source| LoadError::Read { path: origin.clone(), source })?;
        let json =
            serde_json::from_slice(&text).map_err(|source| LoadError::Json { origin: origin.clone(), source })?;
        Document::from_json(json, &origin)
    }

    /// The document in `json`; `origin` (a path or URL) names it in errors.
    pub fn from_json(json: Value, origin: &str) -> Result<Document, LoadError> {
        let invalid = |reason: String| LoadError::NotOpenRpc { origin: origin.to_owned(), reason };
        if json.get("openrpc").and_then(Value::as_str).is_none() {
            return Err(invalid("it has no `openrpc` version".into()));
        }
        let listed =
            json.get("methods").and_then(Value::as_array).ok_or_else(|| invalid("no `methods` array".into()))?;
        let methods = listed
            .iter()
            .enumerate()
            .map(|(index, method)| {
                let method = inline_components(&json, method).map_err(|e| invalid(format!("methods[{index}]: {e}")))?;
                Method::deserialize(method).map_err(|e| invalid(format!("methods[{index}]: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let schemas = match json.pointer("/components/schemas") {
            None => BTreeMap::new(),
            Some(schemas) => BTreeMap::deserialize(schemas).map_err(|e| invalid(format!("components.schemas: {e}")))?,
        };
        Ok(Document { json, methods, schemas })
    }

    /// The whole document, as JSON.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// Its title (`info.title`).
    pub fn title(&self) -> Option<&str> {
        self.json.pointer("/info/title")?.as_str()
    }

    /// Its methods, in the document's order.
    pub fn methods(&self) -> &[Method] {
        &self.methods
    }

    /// The method named `name`.
    pub fn method(&self, name: &str) -> Option<&Method> {
        self.methods.iter().find(|method| method.name == name)
    }

    /// The named schemas (`components.schemas`).
    pub fn schemas(&self) -> &BTreeMap<String, Value> {
        &self.schemas
    }

    /// The schema named `name` in `components.schemas`.
    pub fn schema(&self, name: &str) -> Option<&Value> {
        self.schemas.get(name)
    }

    /// `schema` with its `$ref`s followed until one that is not a `$ref`
    /// (only references inside the document: `#/…`).
    pub fn resolve<'a>(&'a self, mut schema: &'a Value) -> Result<&'a Value, RefError> {
        let mut hops = 0;
        while let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            hops += 1;
            if hops > 32 {
                return Err(RefError::Cycle(reference.to_owned()));
            }
            schema = self.pointee(reference)?;
        }
        Ok(schema)
    }

    /// What the local reference `reference` (`#/components/schemas/Name`) points to.
    pub fn pointee(&self, reference: &str) -> Result<&Value, RefError> {
        pointee(&self.json, reference)
    }
}

/// The name a `$ref` to `components.schemas` gives its schema (`UserInfo`).
pub fn ref_name(schema: &Value) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/components/schemas/")
}

fn pointee<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, RefError> {
    let pointer = reference.strip_prefix('#').ok_or_else(|| RefError::External(reference.to_owned()))?;
    root.pointer(pointer).ok_or_else(|| RefError::Missing(reference.to_owned()))
}

/// The method with its params, result, errors and tags inlined where they
/// are `$ref`s to `components` (OpenRPC allows it; remotipy does not do it,
/// hand-written documents do).
fn inline_components(root: &Value, method: &Value) -> Result<Value, RefError> {
    let mut method = method.clone();
    let inline = |item: &mut Value| -> Result<(), RefError> {
        if let Some(reference) = item.get("$ref").and_then(Value::as_str) {
            *item = pointee(root, reference)?.clone();
        }
        Ok(())
    };
    if let Some(result) = method.get_mut("result") {
        inline(result)?;
    }
    for list in ["params", "errors", "tags"] {
        if let Some(items) = method.get_mut(list).and_then(Value::as_array_mut) {
            items.iter_mut().try_for_each(inline)?;
        }
    }
    Ok(method)
}

fn any_schema() -> Value {
    Value::Bool(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Document {
        let json = json!({
            "openrpc": "1.3.2",
            "info": {"title": "T", "version": "1"},
            "methods": [
                {"name": "find", "params": [{"$ref": "#/components/contentDescriptors/Id"}],
                 "result": {"name": "r", "schema": {"$ref": "#/components/schemas/User"}}},
                {"name": "ping", "params": []}
            ],
            "components": {
                "contentDescriptors": {"Id": {"name": "id", "required": true, "schema": {"type": "integer"}}},
                "schemas": {"User": {"$ref": "#/components/schemas/Person"}, "Person": {"type": "object"},
                            "Loop": {"$ref": "#/components/schemas/Loop"}}
            }
        });
        Document::from_json(json, "test").unwrap()
    }

    #[test]
    fn content_descriptors_by_ref_are_inlined() {
        let document = document();
        let find = document.method("find").unwrap();
        assert_eq!(find.params[0].name, "id");
        assert!(find.params[0].required);
        assert!(document.method("ping").unwrap().is_notification());
    }

    #[test]
    fn refs_are_followed_to_the_end_and_cycles_refused() {
        let document = document();
        let user = &document.method("find").unwrap().result.as_ref().unwrap().schema;
        assert_eq!(ref_name(user), Some("User"));
        assert_eq!(document.resolve(user).unwrap(), &json!({"type": "object"}));
        let cycle = json!({"$ref": "#/components/schemas/Loop"});
        assert!(matches!(document.resolve(&cycle), Err(RefError::Cycle(_))));
        let missing = json!({"$ref": "#/components/schemas/Nope"});
        assert!(matches!(document.resolve(&missing), Err(RefError::Missing(_))));
        let external = json!({"$ref": "https://example.org/schema.json"});
        assert!(matches!(document.resolve(&external), Err(RefError::External(_))));
    }

    #[test]
    fn what_is_not_openrpc_is_named() {
        let error = Document::from_json(json!({"jsonrpc": "2.0"}), "x.json").unwrap_err();
        assert_eq!(error.to_string(), "x.json is not an OpenRPC document: it has no `openrpc` version");
        let error = Document::from_json(json!({"openrpc": "1.3.2", "methods": [{"params": []}]}), "u").unwrap_err();
        assert_eq!(error.to_string(), "u is not an OpenRPC document: methods[0]: missing field `name`");
    }
}
