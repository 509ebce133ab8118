//! One struct per method holding its arguments: the wire shape of `params`,
//! defined once and used by both the client (encode) and the server (decode).
//!
//! The struct is generic over its field types, so its serde impls carry no
//! bounds on user types: the only serde bounds on user types are the
//! where-clauses of [`super::wire_bounds`], and a type that is not
//! serde-compatible is reported once, at its span.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::params_ident;
use crate::model::{Method, RemoteTrait};

pub fn define(remote: &RemoteTrait, method: &Method) -> TokenStream {
    let krate = &remote.krate;
    let serde_path = format!("{}::__private::serde", quote!(#krate));
    let ident = params_ident(method);
    let generics: Vec<_> = (0..method.args.len()).map(|i| format_ident!("A{i}")).collect();
    let fields = method.args.iter().zip(&generics).map(|(arg, generic)| {
        let name = &arg.ident;
        match arg.optional {
            // `Option` args may be left out: old clients and positional callers
            // omit them, and `None` is not sent, so old servers never see them.
            Some(_) => quote! {
                #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
                #name: ::core::option::Option<#generic>
            },
            None => quote!(#name: #generic),
        }
    });
    let concrete = method.args.iter().map(|arg| arg.optional.as_ref().unwrap_or(&arg.ty));
    let alias = concrete_ident(method);
    quote! {
        #[derive(#krate::__private::serde::Serialize, #krate::__private::serde::Deserialize)]
        #[serde(crate = #serde_path, deny_unknown_fields)]
        #[allow(non_camel_case_types)]
        struct #ident<#(#generics),*> {
            #(#fields,)*
        }
        #[allow(non_camel_case_types)]
        type #alias = #ident<#(#concrete),*>;
    }
}

/// The params struct at the method's argument types.
pub fn concrete_ident(method: &Method) -> syn::Ident {
    format_ident!("{}_", params_ident(method))
}
