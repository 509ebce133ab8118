//! The trait as the user wrote it, with each `async fn` turned into a method
//! returning `impl RemoteFuture + Send`, so the server can run calls on a
//! multi-threaded runtime. Implementors still write `async fn`; one that
//! forgets `async` is told so (`RemoteFuture`'s message), not that its
//! return type "is not a future".

use quote::{format_ident, quote};
use syn::{FnArg, ItemTrait, Pat, Path, ReturnType, TraitItem};

pub fn rewrite(item: &ItemTrait, krate: &Path) -> ItemTrait {
    let mut item = item.clone();
    for trait_item in &mut item.items {
        let TraitItem::Fn(f) = trait_item else { continue };
        if f.default.is_none() {
            name_pattern_args(&mut f.sig.inputs);
        }
        if f.sig.asyncness.take().is_none() {
            continue;
        }
        let output = match &f.sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => quote!(#ty),
        };
        f.sig.output = syn::parse_quote! {
            -> impl #krate::RemoteFuture<Output = #output> + ::core::marker::Send
        };
        if let Some(body) = f.default.take() {
            f.default = Some(syn::parse_quote!({ async move #body }));
            f.attrs.push(syn::parse_quote!(#[allow(clippy::manual_async_fn)]));
        }
    }
    item
}

/// A pattern argument was already reported; rustc would report it again
/// (patterns are not allowed without a body), so the emitted trait names it.
fn name_pattern_args(inputs: &mut syn::punctuated::Punctuated<FnArg, syn::Token![,]>) {
    for (i, input) in inputs.iter_mut().enumerate() {
        if let FnArg::Typed(typed) = input {
            if !matches!(&*typed.pat, Pat::Ident(_)) {
                let ident = format_ident!("arg{i}");
                *typed.pat = syn::parse_quote!(#ident);
            }
        }
    }
}
