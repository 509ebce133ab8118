//! Checks across methods: what no single signature shows.

use std::collections::HashMap;

use crate::errors::Errors;
use crate::model::RemoteTrait;

/// Inherent methods of the generated client; a remote method of the same
/// name would clash with them.
const CLIENT_METHODS: &[&str] = &["new", "builder", "from_client", "in_process", "client", "with_options"];

pub fn remote_trait(remote: &mut RemoteTrait, errors: &mut Errors) {
    let mut seen: HashMap<String, String> = HashMap::new();
    remote.methods.retain(|m| {
        if let Some(first) = seen.insert(m.wire_name.clone(), m.ident.to_string()) {
            let message = format!(
                "the wire name `{}` is already used by `{first}`; give one of them another with \
                 #[remote(name = \"...\")]",
                m.wire_name
            );
            errors.push(syn::Error::new(m.wire_span, message));
            return false;
        }
        if CLIENT_METHODS.contains(&m.ident.to_string().as_str()) {
            let message = format!(
                "`{0}` is taken by the generated client's own `{0}`; rename the method and keep its wire name \
                 with #[remote(name = \"{0}\")]",
                m.ident
            );
            errors.at(&m.ident, message);
            return false;
        }
        true
    });
}
