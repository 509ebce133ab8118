//! Checks across methods: what no single signature shows.

use std::collections::HashMap;

use syn::ext::IdentExt;

use crate::errors::Errors;
use crate::model::RemoteTrait;

/// Methods a generated client, batch or blocking client already has: its
/// own, and those of the traits it implements or that every type has
/// (`client.clone()` must stay `Clone::clone`, not become a remote call).
const RESERVED: &[&str] = &[
    // inherent
    "new",
    "builder",
    "from_client",
    "in_process",
    "client",
    "with_options",
    "batch",
    "from_batch",
    "send_batch",
    // Clone, Debug, From/Into, TryFrom/TryInto, ToOwned, Borrow, Any
    "clone",
    "clone_from",
    "fmt",
    "from",
    "into",
    "try_from",
    "try_into",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "type_id",
];

pub fn remote_trait(remote: &mut RemoteTrait, errors: &mut Errors) {
    // Methods under `#[cfg]` may share a name with one compiled in their stead.
    let mut seen: HashMap<String, String> = HashMap::new();
    remote.methods.retain(|m| {
        let name = m.ident.unraw().to_string();
        if RESERVED.contains(&name.as_str()) {
            let message = format!(
                "`{name}` would clash with a method the generated client or batch already has; rename the Rust \
                 method and keep `{name}` as its wire name with #[remote(name = \"{name}\")] (reserved names: {})",
                RESERVED.join(", ")
            );
            errors.at(&m.ident, message);
            return false;
        }
        if !m.attrs.cfgs.is_empty() {
            return true;
        }
        if let Some(first) = seen.insert(m.wire_name.clone(), name) {
            let message = format!(
                "the wire name `{}` is already used by `{first}`; give one of them another with \
                 #[remote(name = \"...\")]",
                m.wire_name
            );
            errors.push(syn::Error::new(m.wire_span, message));
            return false;
        }
        true
    });
}
