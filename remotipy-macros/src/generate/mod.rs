//! From the model to Rust: the trait itself, the params structs both sides
//! share, the client and the server.
//!
//! Every path is absolute (`::core`, `::std`, or the remotipy crate's
//! `__private` re-exports), so the output compiles under
//! `#![no_implicit_prelude]`, beside user types named `Result` or `Option`,
//! and without a direct dependency on serde, axum or reqwest.

mod client;
mod params;
mod server;
mod trait_def;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

use crate::model::{Method, RemoteTrait};

pub fn remote_trait(remote: &RemoteTrait) -> TokenStream {
    let trait_def = trait_def::rewrite(&remote.item);
    let params = remote.methods.iter().map(|m| params::define(remote, m));
    let client = client::generate(remote);
    let server = server::generate(remote);
    let (client_def, client_impl) = client;
    let (server_def, server_impl) = server;
    quote! {
        #trait_def
        #client_def
        #server_def
        // Private to this expansion: the params structs and the impls that use them.
        const _: () = {
            #(#params)*
            #client_impl
            #server_impl
        };
    }
}

/// The name of a method's params struct.
fn params_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyParams_{}", method.ident)
}

fn client_ident(remote: &RemoteTrait) -> Ident {
    format_ident!("{}Client", remote.item.ident)
}

fn server_ident(remote: &RemoteTrait) -> Ident {
    format_ident!("{}Server", remote.item.ident)
}
