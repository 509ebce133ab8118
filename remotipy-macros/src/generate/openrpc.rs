//! The OpenRPC description of every method, emitted through the runtime's
//! `__remotipy_if_openrpc!` (remotipy's `openrpc` feature), which requires
//! `JsonSchema` of every wire type, at the type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::context::Ctx;
use crate::model::{McpHints, Output};

pub fn describe(cx: &Ctx) -> TokenStream {
    let (krate, private) = (cx.krate, &cx.private);
    let trait_name = cx.trait_ident.to_string();
    let trait_docs = doc_string(&cx.remote.item.attrs);
    let methods = cx.remote.methods.iter().map(|m| {
        let docs = m.attrs.docs.iter().chain(&m.attrs.callers).cloned().collect::<Vec<_>>();
        let (wire, docs, cfgs) = (&m.wire_name, doc_string(&docs), &m.attrs.cfgs);
        let params = m.args.iter().map(|a| {
            let (name, required) = (&a.wire_name, a.optional.is_none());
            let ty = a.optional.as_ref().unwrap_or(&a.ty);
            quote_spanned!(ty.span()=> .param::<#ty>(#name, #required))
        });
        let result = match (&m.output, m.notification) {
            (_, true) => quote!(),
            // A plain caller gets the items collected into an array.
            (Output::Stream { item, .. }, false) => {
                quote_spanned!(item.span()=> .result::<::std::vec::Vec<#item>>().streaming())
            }
            (output, false) => {
                let ok = output.ok_type();
                quote_spanned!(ok.span()=> .result::<#ok>())
            }
        };
        let error = match m.output.error_and_name() {
            Some((err, err_name)) => {
                let codes = quote! {{
                    #[allow(unused_imports)]
                    use #private::openrpc::{CodesViaDefault as _, CodesViaErrorCode as _};
                    (&&#private::openrpc::Codes::<#err>::new()).get()
                }};
                quote_spanned!(err.span()=> .error::<#err>(#err_name, #codes))
            }
            None => quote!(),
        };
        let idempotent = m.idempotent.then(|| quote!(.idempotent()));
        let resumable = m.output.tracked().map(|_| quote!(.resumable()));
        let read_only = m.read_only.then(|| quote!(.read_only()));
        let mcp = mcp_hints(&m.mcp);
        quote! {
            #(#cfgs)*
            #private::openrpc::method(describer, #wire, #docs) #(#params)* #result #error #idempotent #resumable
                #read_only #mcp .finish();
        }
    });
    let if_openrpc = cx.gate("openrpc");
    quote! {
        #if_openrpc! {
            fn describe(&self, describer: &mut #krate::openrpc::Describer) {
                #private::openrpc::service(describer, #trait_name, #trait_docs);
                #(#methods)*
            }
        }
    }
}

/// `.mcp(skip, title, destructive, open_world)`, when `#[remote(mcp(..))]` said anything.
fn mcp_hints(hints: &McpHints) -> TokenStream {
    if hints.is_empty() {
        return quote!();
    }
    let option = |value: Option<TokenStream>| match value {
        Some(value) => quote!(::core::option::Option::Some(#value)),
        None => quote!(::core::option::Option::None),
    };
    let skip = hints.skip;
    let title = option(hints.title.as_ref().map(|t| quote!(#t)));
    let destructive = option(hints.destructive.map(|b| quote!(#b)));
    let open_world = option(hints.open_world.map(|b| quote!(#b)));
    quote!(.mcp(#skip, #title, #destructive, #open_world))
}

/// The text of the doc comments among `attrs`, one line each: a literal,
/// unless a line is `#[cfg_attr(pred, doc = "..")]`, which is then there
/// only `if cfg!(pred)` (evaluated in the user's crate).
fn doc_string(attrs: &[syn::Attribute]) -> TokenStream {
    let lines: Vec<(Option<syn::Meta>, String)> = attrs
        .iter()
        .filter_map(|attr| match attr.path().is_ident("doc") {
            true => Some((None, doc_line(&attr.meta)?)),
            false => conditional_doc(attr).map(|(predicate, line)| (Some(predicate), line)),
        })
        .collect();
    if lines.iter().all(|(predicate, _)| predicate.is_none()) {
        let text = lines.into_iter().map(|(_, line)| line).collect::<Vec<_>>().join("\n");
        return quote!(#text);
    }
    let count = lines.len();
    let lines = lines.into_iter().map(|(predicate, line)| match predicate {
        None => quote!(::core::option::Option::Some(#line)),
        Some(predicate) => quote! {
            if ::core::cfg!(#predicate) { ::core::option::Option::Some(#line) } else { ::core::option::Option::None }
        },
    });
    // Fully qualified: the user's module may have no prelude.
    quote! {&{
        let lines: [::core::option::Option<&'static str>; #count] = [#(#lines),*];
        let present = ::core::iter::Iterator::flatten(::core::iter::IntoIterator::into_iter(lines));
        ::core::iter::Iterator::collect::<::std::vec::Vec<&str>>(present).join("\n")
    }}
}

/// `#[cfg_attr(pred, doc = "..")]`: the predicate and the line.
fn conditional_doc(attr: &syn::Attribute) -> Option<(syn::Meta, String)> {
    let list = attr.meta.require_list().ok().filter(|_| attr.path().is_ident("cfg_attr"))?;
    let (predicate, doc) = list
        .parse_args_with(|input: syn::parse::ParseStream| {
            let predicate: syn::Meta = input.parse()?;
            input.parse::<syn::Token![,]>()?;
            Ok((predicate, input.parse::<syn::Meta>()?))
        })
        .ok()?;
    let line = doc.path().is_ident("doc").then(|| doc_line(&doc)).flatten()?;
    Some((predicate, line))
}

/// One doc line, without the space a `///` comment leaves.
fn doc_line(meta: &syn::Meta) -> Option<String> {
    match meta {
        syn::Meta::NameValue(syn::MetaNameValue {
            value: syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }),
            ..
        }) => {
            let line = text.value();
            Some(line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        }
        _ => None,
    }
}
