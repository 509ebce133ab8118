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

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::model::{Method, RemoteTrait};

pub fn remote_trait(remote: &RemoteTrait) -> TokenStream {
    let trait_def = trait_def::rewrite(&remote.item);
    // A generic trait (already reported) gets no client or server: they
    // would only add errors about its missing type arguments.
    if !remote.item.generics.params.is_empty() {
        return quote!(#trait_def);
    }
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

/// `T: Wire` for every argument and result type, `E: WireError` for every
/// application error type, each spanned at the type. Every impl that touches
/// user types carries these where-clauses, so a type lacking serde impls gets
/// one error at its own span (identical diagnostics are reported once)
/// instead of one per generated use.
fn wire_bounds(remote: &RemoteTrait) -> TokenStream {
    let bound = |ty: &syn::Type, trait_name: &str| {
        // Every token of the predicate at the type's span: a predicate whose
        // tokens come from two places is reported at the attribute instead.
        let span = ty.span();
        let krate = respan(remote.krate.to_token_stream(), span);
        let trait_ident = Ident::new(trait_name, span);
        quote_spanned!(span=> #ty: #krate::__private::#trait_ident,)
    };
    let wire = unique(remote.wire_types()).into_iter().map(|ty| bound(ty, "Wire"));
    let errors = unique(remote.error_types()).into_iter().map(|ty| bound(ty, "WireError"));
    quote!(#(#wire)* #(#errors)*)
}

/// Each type once, in first-seen order.
fn unique<'a>(types: impl Iterator<Item = &'a syn::Type>) -> Vec<&'a syn::Type> {
    let mut seen = std::collections::HashSet::new();
    types.filter(|ty| seen.insert(ty.to_token_stream().to_string())).collect()
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

/// The name of a method's params struct.
fn params_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyParams_{}", method.ident)
}

fn client_ident(remote: &RemoteTrait) -> Ident {
    format_ident!("{}Client", remote.item.ident)
}

fn batch_ident(remote: &RemoteTrait) -> Ident {
    format_ident!("{}Batch", remote.item.ident)
}

fn server_ident(remote: &RemoteTrait) -> Ident {
    format_ident!("{}Server", remote.item.ident)
}
