//! The `#[remote]` attribute of [remotipy](https://docs.rs/remotipy).
//!
//! Parse → validate → generate, each in its own module. Mistakes are
//! collected (one spanned error each) and emitted *beside* the generated code,
//! so the IDE keeps seeing the trait, the client and the server.

mod attr;
mod errors;
mod generate;
mod model;
mod parse;
mod validate;

#[cfg(test)]
mod expand_snapshot;

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;

/// Turns a trait into a typed remote API: see the `remotipy` crate's docs.
#[proc_macro_attribute]
pub fn remote(args: TokenStream, item: TokenStream) -> TokenStream {
    expand(args.into(), item.into()).into()
}

fn expand(args: TokenStream2, item: TokenStream2) -> TokenStream2 {
    let mut errors = errors::Errors::default();
    let item = match syn::parse2::<syn::Item>(item.clone()) {
        Ok(syn::Item::Trait(item)) => item,
        Ok(other) => {
            errors.at(
                quote::ToTokens::into_token_stream(other),
                "#[remotipy::remote] goes on a trait: `#[remote] pub trait Users { async fn greet(&self, ..) -> T; }`",
            );
            let errors = errors.into_compile_errors();
            return quote!(#item #errors);
        }
        Err(e) => {
            let error = e.to_compile_error();
            return quote!(#item #error);
        }
    };
    let options = attr::TraitOptions::parse(args, &mut errors);
    let mut remote = parse::remote_trait(options, item, &mut errors);
    validate::remote_trait(&mut remote, &mut errors);
    let generated = generate::remote_trait(&remote);
    let errors = errors.into_compile_errors();
    quote!(#generated #errors)
}
