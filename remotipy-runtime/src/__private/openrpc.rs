//! What generated `describe` impls call (feature `openrpc`): one method's
//! OpenRPC description, built field by field.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::Described;
use crate::error_code::ErrorCode;
use crate::protocol::code;
use crate::server::openrpc::Describer;

/// Starts describing the methods of trait `name`, documented by `docs`.
pub fn service(describer: &mut Describer, name: &str, docs: &str) {
    describer.service(name, docs);
}

/// Starts describing method `name` (wire name), documented by `docs`.
pub fn method<'d>(describer: &'d mut Describer, name: &str, docs: &str) -> MethodDoc<'d> {
    let method = describer.method(name, docs);
    MethodDoc { describer, method }
}

/// One method being described.
#[must_use]
pub struct MethodDoc<'d> {
    describer: &'d mut Describer,
    method: Map<String, Value>,
}

impl MethodDoc<'_> {
    /// A parameter of type `T`; `required: false` for an `Option<T>` argument.
    pub fn param<T: ?Sized + Described>(mut self, name: &str, required: bool) -> Self {
        let schema = self.describer.schema::<T>();
        let param = json!({ "name": name, "required": required, "schema": schema });
        self.method["params"].as_array_mut().expect("params is an array").push(param);
        self
    }

    /// The result, of type `T`.
    pub fn result<T: ?Sized + Described>(mut self) -> Self {
        let schema = self.describer.schema::<T>();
        self.method.insert("result".into(), json!({ "name": "result", "schema": schema }));
        self
    }

    /// The application error, of type `E` named `type_name` on the wire;
    /// `codes` reads the code of a value of it (from the error type's
    /// [`ErrorCode`] impl; `None`: every value has code `-32000`). Each code
    /// the type uses is an entry, found by building one value of each of
    /// its variants from its schema and asking it; a variant that cannot be
    /// built so (one holding a type with checks of its own) is missed, and
    /// when none can be, the default code is listed.
    pub fn error<E: ?Sized + Described>(mut self, type_name: &str, codes: Option<fn(&Value) -> Option<i64>>) -> Self {
        let schema = self.describer.schema::<E>();
        let mut by_code: Vec<(i64, Vec<String>)> = Vec::new();
        let samples = match codes {
            Some(_) => self.describer.samples(&schema),
            None => Vec::new(),
        };
        for sample in &samples {
            let code = codes.and_then(|code_of| code_of(sample)).unwrap_or(code::APP_ERROR);
            let variant = variant_name(sample);
            match by_code.iter_mut().find(|(c, _)| *c == code) {
                Some((_, variants)) => variants.extend(variant),
                None => by_code.push((code, variant.into_iter().collect())),
            }
        }
        if by_code.is_empty() {
            by_code.push((code::APP_ERROR, Vec::new()));
        }
        let errors: Vec<Value> = by_code
            .into_iter()
            .map(|(code, variants)| {
                let message = match variants.is_empty() {
                    true => format!("{type_name}: the error's message; data.value holds the error itself"),
                    false => format!(
                        "{type_name} ({}): the error's message; data.value holds the error itself",
                        variants.join(", ")
                    ),
                };
                json!({ "code": code, "message": message, "data": { "type": type_name, "schema": schema } })
            })
            .collect();
        self.method.insert("errors".into(), Value::Array(errors));
        self
    }

    /// A streaming method: its items go out as Server-Sent Events to a
    /// caller that accepts them (`x-remotipy-stream: true`); the result
    /// described is what any other caller gets, the items collected.
    pub fn streaming(mut self) -> Self {
        self.method.insert("x-remotipy-stream".into(), true.into());
        self
    }

    /// A resumable stream: each item event carries an SSE `id:`, and the
    /// request sent again with `Last-Event-ID` continues after it
    /// (`x-remotipy-resumable: true`).
    pub fn resumable(mut self) -> Self {
        self.method.insert("x-remotipy-resumable".into(), true.into());
        self
    }

    /// An idempotent method: clients may retry it (`x-remotipy-idempotent: true`).
    pub fn idempotent(mut self) -> Self {
        self.method.insert("x-remotipy-idempotent".into(), true.into());
        self
    }

    /// A read-only method: it changes nothing (`x-remotipy-read-only: true`).
    pub fn read_only(mut self) -> Self {
        self.method.insert("x-remotipy-read-only".into(), true.into());
        self
    }

    /// What `#[remote(mcp(..))]` says of the method as an MCP tool
    /// (`x-remotipy-mcp`): left out (`skip`), its display title, and the
    /// hints MCP has beyond read-only and idempotent.
    pub fn mcp(mut self, skip: bool, title: Option<&str>, destructive: Option<bool>, open_world: Option<bool>) -> Self {
        let mut mcp = Map::new();
        if skip {
            mcp.insert("skip".into(), true.into());
        }
        if let Some(title) = title {
            mcp.insert("title".into(), title.into());
        }
        if let Some(destructive) = destructive {
            mcp.insert("destructiveHint".into(), destructive.into());
        }
        if let Some(open_world) = open_world {
            mcp.insert("openWorldHint".into(), open_world.into());
        }
        self.method.insert("x-remotipy-mcp".into(), Value::Object(mcp));
        self
    }

    /// Done: adds the method to the document.
    pub fn finish(self) {
        // Optional params after required ones may be sent by position; otherwise by name only.
        let params = self.method["params"].as_array().expect("params is an array");
        let positional = params.windows(2).all(|w| w[0]["required"] == true || w[1]["required"] == false);
        let mut method = self.method;
        method.insert("paramStructure".into(), if positional { "either" } else { "by-name" }.into());
        self.describer.add(method);
    }
}

/// The variant a sample value of an externally tagged enum is: its string,
/// or its one key.
fn variant_name(sample: &Value) -> Option<String> {
    match sample {
        Value::String(name) => Some(name.clone()),
        Value::Object(fields) if fields.len() == 1 => fields.keys().next().cloned(),
        _ => None,
    }
}

/// Chooses at compile time how an error type's codes are read: through its
/// [`ErrorCode`] impl, or not at all (autoref specialization: generated
/// code calls `(&&Codes::<E>::new()).get()`).
pub struct Codes<E: ?Sized>(core::marker::PhantomData<E>);

impl<E: ?Sized> Codes<E> {
    #[allow(clippy::new_without_default)] // only generated code makes one
    pub const fn new() -> Self {
        Codes(core::marker::PhantomData)
    }
}

pub trait CodesViaErrorCode {
    fn get(&self) -> Option<fn(&Value) -> Option<i64>>;
}

impl<E: ErrorCode + DeserializeOwned> CodesViaErrorCode for &Codes<E> {
    fn get(&self) -> Option<fn(&Value) -> Option<i64>> {
        Some(|value| E::deserialize(value).ok().map(|e| e.code()))
    }
}

pub trait CodesViaDefault {
    fn get(&self) -> Option<fn(&Value) -> Option<i64>>;
}

impl<E: ?Sized> CodesViaDefault for Codes<E> {
    fn get(&self) -> Option<fn(&Value) -> Option<i64>> {
        None
    }
}
