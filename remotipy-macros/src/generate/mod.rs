//! From the model to Rust: the trait itself, one method spec per method
//! (its params struct and types, shared by both sides), the clients and the
//! server.
//!
//! Every path is absolute (`::core`, `::std`, or the remotipy crate's
//! `__private` re-exports), so the output compiles under
//! `#![no_implicit_prelude]`, beside user types named `Result` or `Option`,
//! and without a direct dependency on serde, axum or reqwest.
//!
//! No generated impl has bounds on the user's types: each type's
//! requirements (serde, `Display` for errors) are checked once, in the
//! method specs, at the type's first occurrence in the trait. A type that
//! lacks them is one error there, not one per use of the client or server.

mod app_error;
mod batch;
mod blocking;
mod client;
mod context;
mod flavor;
mod method;
mod openrpc;
mod server;
mod spans;
mod stream;
mod trait_def;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::RemoteTrait;
use context::Ctx;

pub fn remote_trait(remote: &RemoteTrait) -> TokenStream {
    let trait_def = trait_def::rewrite(&remote.item, &remote.krate);
    // A generic trait (already reported) gets no client or server: they
    // would only add errors about its missing type arguments.
    if !remote.item.generics.params.is_empty() {
        return quote!(#trait_def);
    }
    let cx = Ctx::new(remote);
    let markers = cx.markers.define(&cx.private);
    let specs = remote.methods.iter().map(|m| method::spec(&cx, m));
    let (client_def, client_impl) = client::generate(&cx);
    let (batch_def, batch_impl) = batch::generate(&cx);
    let (blocking_def, blocking_impl) = blocking::generate(&cx);
    let (server_def, server_impl) = server::generate(&cx);
    let (if_client, if_server) = (cx.gate("client"), cx.gate("server"));
    let (client_off, server_off) =
        (cx.feature_off(&cx.client_ident(), "ClientOff"), cx.feature_off(&cx.server_ident(), "ServerOff"));
    let batch_off = cx.feature_off(&cx.batch_ident(), "ClientOff");
    // Each side exists only where remotipy's `client` or `server` feature is
    // on: the runtime's macros decide, so the user's crate needs no features.
    // Where it is off, its types name what is missing.
    quote! {
        #trait_def
        #if_client! {
            {
                #client_def
                #batch_def
            } else {
                #client_off
                #batch_off
            }
        }
        #blocking_def
        #if_server! {
            { #server_def } else { #server_off }
        }
        // Private to this expansion: the method specs and the impls that use them.
        const _: () = {
            #markers
            #(#specs)*
            #if_client! {
                #client_impl
                #batch_impl
            }
            #blocking_impl
            #if_server! {
                #server_impl
            }
        };
    }
}
