//! The trait as the user wrote it, with each `async fn` turned into a method
//! returning `impl Future + Send`, so the server can run calls on a
//! multi-threaded runtime. Implementors still write `async fn`.

use quote::quote;
use syn::{ItemTrait, ReturnType, TraitItem};

pub fn rewrite(item: &ItemTrait) -> ItemTrait {
    let mut item = item.clone();
    for trait_item in &mut item.items {
        let TraitItem::Fn(f) = trait_item else { continue };
        if f.sig.asyncness.take().is_none() {
            continue;
        }
        let output = match &f.sig.output {
            ReturnType::Default => quote!(()),
            ReturnType::Type(_, ty) => quote!(#ty),
        };
        f.sig.output = syn::parse_quote! {
            -> impl ::core::future::Future<Output = #output> + ::core::marker::Send
        };
        if let Some(body) = f.default.take() {
            f.default = Some(syn::parse_quote!({ async move #body }));
        }
    }
    item
}
