//! The OpenRPC description of every method, emitted through the runtime's
//! `if_openrpc!` (remotipy's `openrpc` feature), which requires
//! `JsonSchema` of every wire type, at the type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::Ctx;
use crate::model::Output;

pub fn describe(cx: &Ctx) -> TokenStream {
    let (krate, private) = (cx.krate, &cx.private);
    let trait_name = cx.trait_ident.to_string();
    let trait_docs = doc_string(&cx.remote.item.attrs);
    let methods = cx.remote.methods.iter().map(|m| {
        let (wire, docs, cfgs) = (&m.wire_name, doc_string(&m.attrs.docs), &m.attrs.cfgs);
        let params = m.args.iter().map(|a| {
            let (name, required) = (&a.wire_name, a.optional.is_none());
            let ty = a.optional.as_ref().unwrap_or(&a.ty);
            quote_spanned!(ty.span()=> .param::<#ty>(#name, #required))
        });
        let result = match (&m.output, m.notification) {
            (_, true) => quote!(),
            (output, false) => {
                let ok = output.ok_type();
                quote_spanned!(ok.span()=> .result::<#ok>())
            }
        };
        let error = match &m.output {
            Output::Fallible { err, err_name, .. } => quote_spanned!(err.span()=> .error::<#err>(#err_name)),
            Output::Value { .. } => quote!(),
        };
        quote!(#(#cfgs)* describer.method(#wire, #docs) #(#params)* #result #error .finish();)
    });
    quote! {
        #private::if_openrpc! {
            fn describe(&self, describer: &mut #krate::openrpc::Describer) {
                describer.service(#trait_name, #trait_docs);
                #(#methods)*
            }
        }
    }
}

/// The text of `#[doc = ".."]` attributes (doc comments), one line each.
fn doc_string(attrs: &[syn::Attribute]) -> String {
    let lines = attrs.iter().filter(|a| a.path().is_ident("doc")).filter_map(|a| match &a.meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
            ..
        }) => Some(text.value()),
        _ => None,
    });
    lines.map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line)).collect::<Vec<_>>().join("\n")
}
