//! The server side: one or several [`Service`]s behind one HTTP endpoint.

mod context;
mod dispatch;
mod envelope;
mod http;
#[cfg(feature = "openrpc")]
mod openrpc;
mod service;

use std::collections::HashMap;
use std::sync::Arc;

use crate::codec::Codec;

pub use context::Context;
pub use dispatch::DispatchOptions;
#[cfg(feature = "openrpc")]
pub use openrpc::{DISCOVER, Describer, MethodDoc, OPENRPC_VERSION};
#[doc(hidden)]
pub use service::{AppResult, ViaDefault, ViaErrorCode};
pub use service::{BoxFuture, Call, ErrorCode, MethodInfo, Reply, Service};

/// Why a [`Server`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Two services on one endpoint answer the same wire name.
    #[error(
        "method `{method}` is declared by both `{first}` and `{second}`; one endpoint cannot serve both \
         (rename one with #[remote(name = \"...\")] or a trait-level #[remote(namespace = \"...\")])"
    )]
    DuplicateMethod {
        /// The wire name both declare.
        method: &'static str,
        /// The trait added first.
        first: &'static str,
        /// The trait added second.
        second: &'static str,
    },
}

/// A JSON-RPC endpoint: one or several services, the dispatcher's limits, and
/// the HTTP glue (axum router, hand-mounted dispatch). Cheap to clone.
///
/// ```no_run
/// # fn demo<A: remotipy::Service, B: remotipy::Service>(users: A, calc: B) -> Result<(), remotipy::ServerError> {
/// let app = axum::Router::new().nest(
///     "/rpc",
///     remotipy::Server::builder().service(users).service(calc).build()?.into_router(),
/// );
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Server {
    inner: Arc<Inner>,
}

struct Inner {
    services: Vec<Box<dyn Service>>,
    /// Wire name → index in `services`; empty when there is only one service.
    index: HashMap<&'static str, usize>,
    dispatch: DispatchOptions,
    body_limit: usize,
    #[cfg(feature = "openrpc")]
    openrpc: OpenRpc,
}

/// The document `rpc.discover` answers, built on first use.
#[cfg(feature = "openrpc")]
#[derive(Default)]
struct OpenRpc {
    info: Option<(String, String)>,
    document: std::sync::OnceLock<serde_json::Value>,
}

impl Server {
    /// A server for one service, with default limits.
    pub fn new(service: impl Service) -> Self {
        Server::builder().service(service).build().expect("a single service cannot collide with itself")
    }

    /// Starts a server with several services or non-default limits.
    pub fn builder() -> ServerBuilder {
        ServerBuilder {
            services: Vec::new(),
            dispatch: DispatchOptions::default(),
            body_limit: DEFAULT_BODY_LIMIT,
            #[cfg(feature = "openrpc")]
            openrpc_info: None,
        }
    }

    /// Every method this server answers.
    pub fn methods(&self) -> impl Iterator<Item = &MethodInfo> {
        self.inner.services.iter().flat_map(|s| s.methods())
    }

    /// Answers one JSON body: `None` when no response is due
    /// (notifications). This is the transport-free core that the HTTP glue and
    /// the in-process client share.
    pub async fn dispatch_bytes(&self, body: &[u8]) -> Option<Vec<u8>> {
        self.dispatch_encoded(Codec::Json, body).await
    }

    /// Answers one body in `codec`, in the same codec.
    pub async fn dispatch_encoded(&self, codec: Codec, body: &[u8]) -> Option<Vec<u8>> {
        self.answer(codec, body).await.body
    }

    async fn answer(&self, codec: Codec, body: &[u8]) -> dispatch::Answer {
        dispatch::dispatch(self, &self.inner.dispatch, codec, body).await
    }

    /// The OpenRPC document describing this endpoint (feature `openrpc`), as
    /// `rpc.discover` answers it.
    #[cfg(feature = "openrpc")]
    pub fn openrpc(&self) -> &serde_json::Value {
        let openrpc = &self.inner.openrpc;
        openrpc.document.get_or_init(|| {
            let services = &self.inner.services;
            let default_title = || {
                let mut traits: Vec<_> = self.methods().map(|m| m.trait_name).collect();
                traits.dedup();
                (traits.join(", "), "0.0.0".to_owned())
            };
            let (title, version) = openrpc.info.clone().unwrap_or_else(default_title);
            openrpc::document(services, &title, &version)
        })
    }
}

/// The default request body limit: 2 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Builds a [`Server`]; see [`Server::builder`].
pub struct ServerBuilder {
    services: Vec<Box<dyn Service>>,
    dispatch: DispatchOptions,
    body_limit: usize,
    #[cfg(feature = "openrpc")]
    openrpc_info: Option<(String, String)>,
}

impl ServerBuilder {
    /// The title and version in the OpenRPC document (feature `openrpc`;
    /// default: the trait names, and `0.0.0`).
    #[cfg(feature = "openrpc")]
    pub fn openrpc_info(mut self, title: impl Into<String>, version: impl Into<String>) -> Self {
        self.openrpc_info = Some((title.into(), version.into()));
        self
    }

    /// Adds a service; its methods share the endpoint with the others.
    pub fn service(mut self, service: impl Service) -> Self {
        self.services.push(Box::new(service));
        self
    }

    /// Largest request body accepted, in bytes (default 2 MiB); larger
    /// bodies get HTTP 413 before they are read whole.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Longest batch answered (default 1024 calls).
    pub fn max_batch_len(mut self, calls: usize) -> Self {
        self.dispatch.max_batch_len = calls;
        self
    }

    /// Sends a panicking handler's panic message to the caller in the
    /// `-32603` error (default: off, the message is only logged).
    pub fn expose_panic_messages(mut self, expose: bool) -> Self {
        self.dispatch.expose_panic_messages = expose;
        self
    }

    /// Checks that no two services answer the same method name.
    pub fn build(self) -> Result<Server, ServerError> {
        let mut index = HashMap::new();
        let mut owner: HashMap<&'static str, &'static str> = HashMap::new();
        for (i, service) in self.services.iter().enumerate() {
            for m in service.methods() {
                if let Some(first) = owner.insert(m.name, m.trait_name) {
                    return Err(ServerError::DuplicateMethod { method: m.name, first, second: m.trait_name });
                }
                index.insert(m.name, i);
            }
        }
        if self.services.len() <= 1 {
            index.clear();
        }
        let inner = Inner {
            services: self.services,
            index,
            dispatch: self.dispatch,
            body_limit: self.body_limit,
            #[cfg(feature = "openrpc")]
            openrpc: OpenRpc { info: self.openrpc_info, document: Default::default() },
        };
        Ok(Server { inner: Arc::new(inner) })
    }
}

impl Server {
    /// Routes one call to the service that declares its method.
    fn call<'a>(&'a self, call: Call<'a>) -> Option<BoxFuture<'a, Reply>> {
        let services = &self.inner.services;
        let found = match &services[..] {
            [one] => one.call(call),
            _ => self.inner.index.get(call.method()).and_then(|&i| services[i].call(call)),
        };
        #[cfg(feature = "openrpc")]
        if found.is_none() && call.method() == DISCOVER {
            let document = self.openrpc();
            return Some(Box::pin(async move { call.ok(document) }));
        }
        found
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("methods", &self.methods().map(|m| m.name).collect::<Vec<_>>())
            .field("dispatch", &self.inner.dispatch)
            .field("body_limit", &self.inner.body_limit)
            .finish()
    }
}
