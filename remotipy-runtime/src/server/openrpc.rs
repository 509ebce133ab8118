//! OpenRPC discovery (feature `openrpc`): a server describes its methods as
//! an OpenRPC 1.3 document, with JSON Schemas of the DTOs from schemars, and
//! answers the standard `rpc.discover` method with it.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value, json};

use super::service::RpcService;

/// The method every OpenRPC server answers with its own document.
pub const DISCOVER: &str = "rpc.discover";

/// The OpenRPC version of the documents served.
pub const OPENRPC_VERSION: &str = "1.3.2";

/// Where the document's DTO schemas live, and what their `$ref`s point at.
const SCHEMAS: &str = "/components/schemas";

/// Collects the methods of the services of one server; generated
/// `describe` impls fill it through [`Describer::method`].
pub struct Describer {
    generator: SchemaGenerator,
    methods: Vec<Value>,
    /// The service being described: its trait name and docs, as a tag.
    tag: Value,
}

/// One method being described; see [`Describer::method`].
#[must_use]
pub struct MethodDoc<'d> {
    describer: &'d mut Describer,
    method: Map<String, Value>,
}

impl Describer {
    fn new() -> Self {
        let settings = SchemaSettings::draft07().with(|s| {
            s.definitions_path = SCHEMAS.into();
            s.meta_schema = None;
        });
        Describer { generator: settings.into_generator(), methods: Vec::new(), tag: Value::Null }
    }

    /// Starts describing the methods of trait `name`, documented by `docs`.
    #[doc(hidden)]
    pub fn service(&mut self, name: &str, docs: &str) {
        self.tag = with_docs(json!({ "name": name }), "description", docs);
    }

    /// Describes method `name` (wire name), documented by `docs`.
    #[doc(hidden)]
    pub fn method(&mut self, name: &str, docs: &str) -> MethodDoc<'_> {
        let mut method = Map::new();
        method.insert("name".into(), name.into());
        if let Some(summary) = docs.lines().map(str::trim).find(|line| !line.is_empty()) {
            method.insert("summary".into(), summary.into());
        }
        if !docs.trim().is_empty() {
            method.insert("description".into(), docs.trim().into());
        }
        if !self.tag.is_null() {
            method.insert("tags".into(), json!([self.tag]));
        }
        method.insert("params".into(), json!([]));
        MethodDoc { describer: self, method }
    }

    fn schema<T: ?Sized + JsonSchema>(&mut self) -> Value {
        let mut schema: Schema = self.generator.subschema_for::<T>();
        // Inline schemas miss the draft-07 fix-ups that definitions get.
        for transform in self.generator.transforms_mut() {
            transform.transform(&mut schema);
        }
        schema.to_value()
    }
}

impl MethodDoc<'_> {
    /// A parameter of type `T`; `required: false` for an `Option<T>` argument.
    #[doc(hidden)]
    pub fn param<T: ?Sized + JsonSchema>(mut self, name: &str, required: bool) -> Self {
        let schema = self.describer.schema::<T>();
        let param = json!({ "name": name, "required": required, "schema": schema });
        self.method["params"].as_array_mut().expect("params is an array").push(param);
        self
    }

    /// The result, of type `T`.
    #[doc(hidden)]
    pub fn result<T: ?Sized + JsonSchema>(mut self) -> Self {
        let schema = self.describer.schema::<T>();
        self.method.insert("result".into(), json!({ "name": "result", "schema": schema }));
        self
    }

    /// The application error, of type `E` named `type_name` on the wire.
    #[doc(hidden)]
    pub fn error<E: ?Sized + JsonSchema>(mut self, type_name: &str) -> Self {
        let schema = self.describer.schema::<E>();
        let error = json!({
            "code": crate::protocol::code::APP_ERROR,
            "message": format!("{type_name}: the error's message; data.value holds the error itself \
                                (code -32000 unless the type implements remotipy::ErrorCode)"),
            "data": { "type": type_name, "schema": schema },
        });
        self.method.insert("errors".into(), json!([error]));
        self
    }

    /// A streaming method: its items go out as Server-Sent Events to a
    /// caller that accepts them (`x-remotipy-stream: true`); the result
    /// described is what any other caller gets, the items collected.
    #[doc(hidden)]
    pub fn streaming(mut self) -> Self {
        self.method.insert("x-remotipy-stream".into(), true.into());
        self
    }

    /// An idempotent method: clients may retry it (`x-remotipy-idempotent: true`).
    #[doc(hidden)]
    pub fn idempotent(mut self) -> Self {
        self.method.insert("x-remotipy-idempotent".into(), true.into());
        self
    }

    /// Done: adds the method to the document.
    #[doc(hidden)]
    pub fn finish(self) {
        // Optional params after required ones may be sent by position; otherwise by name only.
        let params = self.method["params"].as_array().expect("params is an array");
        let positional = params.windows(2).all(|w| w[0]["required"] == true || w[1]["required"] == false);
        let mut method = self.method;
        method.insert("paramStructure".into(), if positional { "either" } else { "by-name" }.into());
        self.describer.methods.push(Value::Object(method));
    }
}

/// The document `rpc.discover` answers, built on first use.
pub(crate) struct Document {
    info: Option<(String, String)>,
    document: std::sync::OnceLock<Value>,
}

impl Document {
    pub fn new(info: Option<(String, String)>) -> Self {
        Document { info, document: Default::default() }
    }

    /// The document of `services`; its title defaults to their trait names.
    pub fn get(&self, services: &[Box<dyn RpcService>]) -> &Value {
        self.document.get_or_init(|| {
            let default_title = || {
                let mut traits: Vec<_> = services.iter().flat_map(|s| s.methods()).map(|m| m.trait_name).collect();
                traits.dedup();
                (traits.join(", "), "0.0.0".to_owned())
            };
            let (title, version) = self.info.clone().unwrap_or_else(default_title);
            document(services, &title, &version)
        })
    }
}

/// The OpenRPC document of `services`.
fn document(services: &[Box<dyn RpcService>], title: &str, version: &str) -> Value {
    let mut describer = Describer::new();
    for service in services {
        service.describe(&mut describer);
    }
    let discover = json!({
        "name": DISCOVER,
        "summary": "This document: the OpenRPC description of every method of this endpoint.",
        "params": [],
        "result": {
            "name": "OpenRPC Schema",
            "schema": { "$ref": "https://raw.githubusercontent.com/open-rpc/meta-schema/master/schema.json" }
        },
    });
    describer.methods.push(discover);
    let schemas = describer.generator.take_definitions(true);
    json!({
        "openrpc": OPENRPC_VERSION,
        "info": { "title": title, "version": version },
        "methods": describer.methods,
        "components": { "schemas": schemas },
    })
}

fn with_docs(mut object: Value, key: &str, docs: &str) -> Value {
    if !docs.trim().is_empty() {
        object[key] = docs.trim().into();
    }
    object
}
