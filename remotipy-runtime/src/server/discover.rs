//! The document `rpc.discover` answers: every service's description,
//! made once, on first use.

use serde_json::Value;

use super::openrpc::Describer;
use super::service::RpcService;

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
            let mut describer = Describer::new();
            for service in services {
                service.describe(&mut describer);
            }
            describer.finish(&title, &version)
        })
    }
}
