//! The tools: every described method of the server, from its OpenRPC
//! description (made again with JSON Schema 2020-12 settings), but those
//! marked `#[remote(mcp(skip))]`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::schema::{self, Shape};
use crate::protocol::ErrorObject;
use crate::server::Server;
use crate::server::openrpc::{DISCOVER, Describer};
use crate::server::service::MethodInfo;

/// The server's tools, in the order its services declare them.
pub(crate) struct Tools {
    tools: Vec<Tool>,
    index: HashMap<String, usize>,
}

/// One tool: a method, and what it is to MCP.
pub(crate) struct Tool {
    pub info: &'static MethodInfo,
    /// How a result becomes `structuredContent`.
    pub shape: Shape,
    /// `data.type` of the method's application errors, if it has any.
    error_type: Option<String>,
    /// The `Tool` object `tools/list` shows.
    pub json: Value,
}

impl Tools {
    pub fn new(server: &Server) -> Self {
        let mut describer = Describer::draft2020_12();
        for service in &server.inner.services {
            service.describe(&mut describer);
        }
        let mut document = describer.finish("", "");
        let defs = match document.pointer_mut("/components/schemas").map(Value::take) {
            Some(Value::Object(defs)) => defs,
            _ => Map::new(),
        };
        let methods = match document.get_mut("methods").map(Value::take) {
            Some(Value::Array(methods)) => methods,
            _ => Vec::new(),
        };
        let tools: Vec<Tool> = methods.iter().filter_map(|method| Tool::new(server, method, &defs)).collect();
        let index = tools.iter().enumerate().map(|(i, tool)| (tool.info.name.to_owned(), i)).collect();
        Tools { tools, index }
    }

    /// The tool named `name`, and its place.
    pub fn find(&self, name: &str) -> Option<(usize, &Tool)> {
        self.index.get(name).map(|&i| (i, &self.tools[i]))
    }

    /// The tool at `index`, as [`Tools::find`] gave it.
    pub fn at(&self, index: usize) -> &Tool {
        &self.tools[index]
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tool> {
        self.tools.iter()
    }
}

impl Tool {
    /// The tool of one described method, unless it is left out of MCP (or
    /// the server does not answer it).
    fn new(server: &Server, method: &Value, defs: &Map<String, Value>) -> Option<Tool> {
        let name = method["name"].as_str().filter(|name| *name != DISCOVER)?;
        let info = server.info_of(name)?;
        let mcp = &method["x-remotipy-mcp"];
        if mcp["skip"] == true {
            return None;
        }
        if !is_recommended_name(name) {
            tracing::warn!(tool = name, "MCP recommends tool names of 1 to 128 of A-Z, a-z, 0-9, `_`, `-` and `.`");
        }
        let params = method["params"].as_array().map_or(&[][..], Vec::as_slice);
        let (output, shape) = schema::output(method.pointer("/result/schema"), defs);
        let mut tool = Map::new();
        tool.insert("name".into(), name.into());
        if let Some(title) = mcp.get("title") {
            tool.insert("title".into(), title.clone());
        }
        if let Some(description) = method.get("description") {
            tool.insert("description".into(), description.clone());
        }
        tool.insert("inputSchema".into(), schema::input(params, defs));
        if let Some(output) = output {
            tool.insert("outputSchema".into(), output);
        }
        if let Some(annotations) = annotations(info, mcp) {
            tool.insert("annotations".into(), annotations);
        }
        let error_type = method.pointer("/errors/0/data/type").and_then(Value::as_str).map(str::to_owned);
        Some(Tool { info, shape, error_type, json: Value::Object(tool) })
    }

    /// Whether `error` is the method's own application error (`Err(e)` of
    /// its `Result`): a tool execution error, which the model should see.
    pub fn is_app_error(&self, error: &ErrorObject) -> bool {
        self.error_type.is_some() && error.class() == self.error_type.as_deref()
    }
}

/// The hints the trait gives: `readOnlyHint` from `read_only`,
/// `idempotentHint` from `idempotent`, the rest from `mcp(..)`. Only what
/// the trait says: MCP's defaults stand for the rest.
fn annotations(info: &MethodInfo, mcp: &Value) -> Option<Value> {
    let mut hints = Map::new();
    if info.read_only {
        hints.insert("readOnlyHint".into(), true.into());
    }
    if info.idempotent {
        hints.insert("idempotentHint".into(), true.into());
    }
    for key in ["destructiveHint", "openWorldHint"] {
        if let Some(hint) = mcp.get(key) {
            hints.insert(key.into(), hint.clone());
        }
    }
    (!hints.is_empty()).then(|| json!(hints))
}

/// MCP's recommended tool names (a SHOULD): wire names outside it still work.
fn is_recommended_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b))
}
