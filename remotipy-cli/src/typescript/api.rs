//! What an OpenRPC document says a client needs: services (one per tag,
//! i.e. per Rust trait), their methods, params, results and errors, and
//! remotipy's marks (`x-remotipy-stream`, `-resumable`, `-idempotent`).
//! Reference objects (`$ref` to `#/components/contentDescriptors/...` or
//! `#/components/errors/...`) are followed.

use serde_json::{Map, Value};

use super::Error;

/// The methods of one service: one `create<Name>Client`.
pub struct Service {
    /// The tag's name (a remotipy trait's name), or the document's title.
    pub name: String,
    pub docs: Option<String>,
    pub methods: Vec<Method>,
}

/// One method.
pub struct Method {
    /// The name on the wire (`geo.distance`).
    pub wire: String,
    pub docs: Option<String>,
    pub deprecated: bool,
    pub params: Vec<Param>,
    /// The result's schema (`true` when it has none); `None`: a notification.
    pub result: Option<Value>,
    pub result_docs: Option<String>,
    pub errors: Vec<ErrorSpec>,
    pub stream: bool,
    pub resumable: bool,
    pub idempotent: bool,
    /// Params go as an array (`paramStructure: by-position`); else by name.
    pub by_position: bool,
}

/// One parameter.
pub struct Param {
    pub name: String,
    pub required: bool,
    pub schema: Value,
    pub docs: Option<String>,
}

/// One application error a method declares.
pub struct ErrorSpec {
    pub code: i64,
    /// remotipy's `data.type`: the Rust type, whose value is `data.value`.
    pub type_name: Option<String>,
    /// The schema of the error's value, where the document gives one.
    pub schema: Option<Value>,
}

/// The services of `document`, in the order their first methods appear.
/// Methods in JSON-RPC's reserved `rpc.` namespace (`rpc.discover`) are
/// the server's own and left out.
pub fn services(document: &Value) -> Result<Vec<Service>, Error> {
    let methods = document
        .get("methods")
        .and_then(Value::as_array)
        .ok_or_else(|| Error("the document has no `methods` array: is it an OpenRPC document?".into()))?;
    let title = document.pointer("/info/title").and_then(Value::as_str).unwrap_or("Api");
    let mut services: Vec<Service> = Vec::new();
    for (i, method) in methods.iter().enumerate() {
        let method = resolve(document, method).map_err(|e| Error(format!("method {i}: {e}")))?;
        let wire =
            method.get("name").and_then(Value::as_str).ok_or_else(|| Error(format!("method {i} has no name")))?;
        if wire.starts_with("rpc.") {
            continue;
        }
        let read = read_method(document, method, wire).map_err(|e| Error(format!("method `{wire}`: {e}")))?;
        let tag = method.get("tags").and_then(|tags| tags.get(0)).map(|tag| resolve(document, tag)).transpose();
        let tag = tag.map_err(|e| Error(format!("method `{wire}`: its tag: {e}")))?;
        let name = tag.and_then(|tag| tag.get("name")).and_then(Value::as_str).unwrap_or(title);
        match services.iter_mut().find(|service| service.name == name) {
            Some(service) => service.methods.push(read),
            None => {
                let docs = tag.and_then(|tag| text(tag, "description"));
                services.push(Service { name: name.to_owned(), docs, methods: vec![read] });
            }
        }
    }
    Ok(services)
}

fn read_method(document: &Value, method: &Map<String, Value>, wire: &str) -> Result<Method, String> {
    let mut params = Vec::new();
    for param in method.get("params").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        let param = resolve(document, param)?;
        let name = param.get("name").and_then(Value::as_str).ok_or("a param has no name")?;
        params.push(Param {
            name: name.to_owned(),
            required: param.get("required").and_then(Value::as_bool).unwrap_or(false),
            schema: param.get("schema").cloned().unwrap_or(Value::Bool(true)),
            docs: text(param, "description").or_else(|| text(param, "summary")),
        });
    }
    let result = method.get("result").map(|result| resolve(document, result)).transpose()?;
    let mut errors = Vec::new();
    for error in method.get("errors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default() {
        errors.push(read_error(resolve(document, error)?)?);
    }
    let flag = |name: &str| method.get(name).and_then(Value::as_bool).unwrap_or(false);
    Ok(Method {
        wire: wire.to_owned(),
        docs: text(method, "description").or_else(|| text(method, "summary")),
        deprecated: flag("deprecated"),
        params,
        result: result.map(|result| result.get("schema").cloned().unwrap_or(Value::Bool(true))),
        result_docs: result.and_then(|result| text(result, "description")),
        errors,
        stream: flag("x-remotipy-stream"),
        resumable: flag("x-remotipy-resumable"),
        idempotent: flag("x-remotipy-idempotent"),
        by_position: method.get("paramStructure").and_then(Value::as_str) == Some("by-position"),
    })
}

fn read_error(error: &Map<String, Value>) -> Result<ErrorSpec, String> {
    let code = error.get("code").and_then(Value::as_i64).ok_or("an error has no integer code")?;
    let data = error.get("data");
    // remotipy's convention: `data` describes `{"type": .., "value": ..}`.
    let type_name = data.and_then(|data| data.get("type")).and_then(Value::as_str).map(str::to_owned);
    let schema = data.and_then(|data| data.get("schema")).filter(|_| type_name.is_some()).cloned();
    Ok(ErrorSpec { code, type_name, schema })
}

/// `value` itself, or what its `$ref` (a JSON Pointer into the document) points at.
fn resolve<'d>(document: &'d Value, value: &'d Value) -> Result<&'d Map<String, Value>, String> {
    let value = match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let pointer =
                reference.strip_prefix('#').ok_or_else(|| format!("`$ref` `{reference}` is not in the document"))?;
            document.pointer(pointer).ok_or_else(|| format!("`$ref` `{reference}` points at nothing"))?
        }
        None => value,
    };
    value.as_object().ok_or_else(|| format!("`{value}` is not an object"))
}

fn text(object: &Map<String, Value>, key: &str) -> Option<String> {
    object.get(key).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty()).map(str::to_owned)
}
