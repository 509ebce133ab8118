//! MCP (Model Context Protocol, feature `mcp`): the methods of a [`Server`]
//! as MCP tools for AI agents, over Streamable HTTP, with no second
//! definition. Each described method is a tool named by its wire name,
//! described by its docs, its `inputSchema` the object of its named
//! parameters and its `outputSchema` its result (JSON Schema 2020-12, from
//! the same schemars derives as the OpenRPC document), its annotations
//! from `#[remote(read_only)]`, `#[remote(idempotent)]` and
//! `#[remote(mcp(..))]`. A call runs exactly as the JSON-RPC call of the
//! same name: the same decoding and errors, the server's layers, the
//! request as [`Context`](crate::Context), its deadline.
//!
//! Both protocol revisions on one endpoint: 2025-11-25 (`initialize`,
//! stateless: no `Mcp-Session-Id`) and 2026-07-28 (`server/discover`, the
//! per-request `_meta` and `Mcp-Method`/`Mcp-Name` headers). See
//! `docs/mcp.md` for how each part of a trait maps.
//!
//! ```
//! # #[remotipy::remote] pub trait Calculator {
//! #     /// `a + b`.
//! #     #[remote(idempotent, read_only)]
//! #     async fn add(&self, a: i64, b: i64) -> i64;
//! # }
//! # struct Calc; impl Calculator for Calc { async fn add(&self, a: i64, b: i64) -> i64 { a + b } }
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let rpc = remotipy::Server::builder().service(CalculatorServer::new(Calc)).build()?;
//! let mcp = rpc.mcp().server_info("calculator", "1.0.0").build();
//! let app: axum::Router = axum::Router::new()
//!     .route("/rpc", rpc.into_route())
//!     .route("/mcp", mcp.into_route());
//! # drop(app); Ok(()) }
//! ```

mod call;
mod headers;
mod http;
mod lifecycle;
mod message;
mod origin;
mod reply;
mod result;
mod revision;
mod schema;
mod tools;

use std::sync::Arc;

use serde_json::json;

use super::Server;
use lifecycle::{Answers, Identity};
use origin::Origins;
use tools::Tools;

/// The MCP endpoint of a [`Server`]: its methods as tools. Cheap to clone.
/// Made by [`Server::mcp`]; mount it with [`Mcp::into_route`].
#[derive(Clone)]
pub struct Mcp {
    inner: Arc<Inner>,
}

struct Inner {
    server: Server,
    tools: Tools,
    answers: Answers,
    origins: Origins,
}

/// Builds an [`Mcp`] endpoint; see [`Server::mcp`].
#[must_use = "a builder does nothing until `.build()`"]
pub struct McpBuilder {
    server: Server,
    info: Option<(String, String)>,
    instructions: Option<String>,
    origins: Origins,
}

impl Server {
    /// This server's methods as MCP tools (feature `mcp`), behind the same
    /// layers: configure the endpoint, then [`McpBuilder::build`] it and
    /// mount it beside (or instead of) the JSON-RPC one.
    pub fn mcp(&self) -> McpBuilder {
        McpBuilder { server: self.clone(), info: None, instructions: None, origins: Origins::default() }
    }
}

impl McpBuilder {
    /// The `serverInfo` clients see (default: the OpenRPC title and
    /// version, see [`ServerBuilder::openrpc_info`](crate::ServerBuilder::openrpc_info)).
    pub fn server_info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.info = Some((name.into(), version.into()));
        self
    }

    /// What the server tells agents about itself as a whole (MCP's
    /// `instructions`, e.g. for a system prompt).
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Lets web pages of `origin` (`scheme://host[:port]`, e.g.
    /// `http://localhost:6274`) call the endpoint. A request with an
    /// `Origin` header that is not allowed gets 403: MCP requires the
    /// check, against DNS rebinding. Requests without `Origin` (every
    /// client that is not a browser page) always pass. Default: none.
    pub fn allow_origin(mut self, origin: impl AsRef<str>) -> Self {
        self.origins.allow(origin.as_ref());
        self
    }

    /// Lets pages of any origin call the endpoint: for a server that
    /// authenticates every request itself, never for one that trusts its
    /// network (a local server).
    pub fn allow_any_origin(mut self) -> Self {
        self.origins = Origins::Any;
        self
    }

    /// The endpoint: its tools are described now, once.
    pub fn build(self) -> Mcp {
        let tools = Tools::new(&self.server);
        let (name, version) = self.info.unwrap_or_else(|| {
            let info = &self.server.openrpc()["info"];
            let text = |key: &str| info[key].as_str().unwrap_or_default().to_owned();
            (text("title"), text("version"))
        });
        let identity = Identity { info: json!({ "name": name, "version": version }), instructions: self.instructions };
        let answers = Answers::new(&tools, identity);
        Mcp { inner: Arc::new(Inner { server: self.server, tools, answers, origins: self.origins }) }
    }
}

impl Mcp {
    /// The `Tool` objects `tools/list` answers, in the order the services
    /// declare their methods.
    pub fn tools(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.inner.tools.iter().map(|tool| &tool.json)
    }
}

impl std::fmt::Debug for Mcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tools: Vec<&str> = self.inner.tools.iter().map(|tool| tool.info.name).collect();
        f.debug_struct("Mcp").field("tools", &tools).field("origins", &self.inner.origins).finish()
    }
}

impl std::fmt::Debug for McpBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpBuilder").field("info", &self.info).field("origins", &self.origins).finish_non_exhaustive()
    }
}
