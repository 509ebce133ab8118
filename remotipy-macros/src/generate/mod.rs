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

mod batch;
mod blocking;
mod client;
mod method;
mod openrpc;
mod server;
mod stream;
mod trait_def;
mod types;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Path, Visibility};

use crate::model::{Method, RemoteTrait};

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

/// What every generator needs, built once.
pub struct Ctx<'a> {
    pub remote: &'a RemoteTrait,
    /// The remotipy crate (`::remotipy`, or the trait's `crate = ..`).
    pub krate: &'a Path,
    /// Its private re-exports, which generated code reaches through.
    pub private: TokenStream,
    /// The trait's visibility, given to everything generated for callers.
    pub vis: &'a Visibility,
    pub trait_ident: &'a Ident,
    /// The marker of each wire and error type.
    pub markers: types::Markers,
}

impl<'a> Ctx<'a> {
    fn new(remote: &'a RemoteTrait) -> Self {
        let krate = &remote.krate;
        Ctx {
            remote,
            krate,
            private: quote!(#krate::__private),
            vis: &remote.item.vis,
            trait_ident: &remote.item.ident,
            markers: types::Markers::new(remote),
        }
    }

    /// The private re-exports, spanned at `span`: a call through them that
    /// fails a bound is reported there (a path is reported at its first
    /// token).
    pub fn private_at(&self, span: Span) -> TokenStream {
        respan(self.private.clone(), span)
    }

    pub fn client_ident(&self) -> Ident {
        format_ident!("{}Client", self.trait_ident)
    }

    pub fn batch_ident(&self) -> Ident {
        format_ident!("{}Batch", self.trait_ident)
    }

    pub fn blocking_ident(&self) -> Ident {
        format_ident!("{}BlockingClient", self.trait_ident)
    }

    pub fn server_ident(&self) -> Ident {
        format_ident!("{}Server", self.trait_ident)
    }

    /// The runtime's macro that emits its input only where remotipy's
    /// feature condition `name` holds (`client`, `server`, `both`,
    /// `blocking`, `openrpc`).
    pub fn gate(&self, name: &str) -> TokenStream {
        let krate = self.krate;
        let gate = format_ident!("__remotipy_if_{name}");
        quote!(#krate::#gate)
    }

    /// A generated type `ident` whose feature is off: an alias of the
    /// runtime's `off` marker, which fails with a message saying which
    /// feature to turn on wherever `ident` is used.
    pub fn feature_off(&self, ident: &Ident, off: &str) -> TokenStream {
        let (private, vis) = (&self.private, self.vis);
        let off = format_ident!("{off}");
        quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis type #ident = #private::#off<()>;
        }
    }

    /// The lints generated impls never raise in the user's crate.
    pub fn allow_lints(&self) -> TokenStream {
        quote! {
            #[allow(
                unused_qualifications,
                deprecated,
                clippy::all,
                clippy::pedantic,
                clippy::nursery,
            )]
        }
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner = proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = inner.into();
            }
            token.set_span(span);
            token
        })
        .collect()
}

/// The struct holding a method's arguments (the wire shape of `params`).
pub fn params_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyParams_{}", method.ident)
}

/// The type describing a method to the runtime.
pub fn spec_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyMethod_{}", method.ident)
}
