//! Checks across methods: what no single signature shows.

use std::collections::HashMap;

use crate::errors::Errors;
use crate::model::RemoteTrait;

/// Inherent methods of the generated client and batch; a remote method of
/// the same name would clash with them.
const RESERVED: &[(&str, &str)] = &[
    ("new", "client"),
    ("builder", "client"),
    ("from_client", "client"),
    ("in_process", "client"),
    ("client", "client"),
    ("with_options", "client"),
    ("batch", "client"),
    ("send_batch", "batch"),
];

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
        if let Some((name, owner)) = RESERVED.iter().find(|(name, _)| m.ident == name) {
            let message = format!(
                "`{name}` is taken by the generated {owner}'s own `{name}`; rename the method and keep its wire \
                 name with #[remote(name = \"{name}\")]"
            );
            errors.at(&m.ident, message);
            return false;
        }
        true
    });
}
