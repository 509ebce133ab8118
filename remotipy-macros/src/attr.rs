//! The `#[remote(...)]` options: on the trait (`crate`, `namespace`) and on
//! methods (`name`, `notification`).

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitStr, Path};

use crate::errors::Errors;

/// Options given to `#[remotipy::remote(...)]` itself.
pub struct TraitOptions {
    pub krate: Option<Path>,
    pub namespace: Option<LitStr>,
}

/// Options of one method's `#[remote(...)]`.
#[derive(Default)]
pub struct MethodOptions {
    pub name: Option<LitStr>,
    /// The span of the `notification` key, when present.
    pub notification: Option<Span>,
}

impl TraitOptions {
    pub fn parse(args: proc_macro2::TokenStream, errors: &mut Errors) -> Self {
        let mut options = TraitOptions { krate: None, namespace: None };
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                let lit = meta.value()?.parse::<LitStr>()?;
                let path = lit.parse::<Path>().map_err(|_| {
                    syn::Error::new(lit.span(), "`crate` must be the path of the remotipy crate, e.g. \"::remotipy\"")
                })?;
                options.krate = Some(path);
            } else if meta.path.is_ident("namespace") {
                options.namespace = Some(meta.value()?.parse()?);
            } else {
                unknown_key(&meta, "`crate`, `namespace`", errors)?;
            }
            Ok(())
        });
        if let Err(e) = syn::parse::Parser::parse2(parser, args) {
            errors.push(e);
        }
        options
    }
}

impl MethodOptions {
    /// Reads every `#[remote(..)]` among `attrs`.
    pub fn parse(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut options = MethodOptions::default();
        for attr in attrs.iter().filter(|a| is_remote(a)) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("name") {
                    options.name = Some(meta.value()?.parse()?);
                } else if meta.path.is_ident("notification") {
                    options.notification = Some(meta.path.segments[0].ident.span());
                } else {
                    unknown_key(&meta, "`name`, `notification`", errors)?;
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        options
    }
}

/// `#[remote]` or `#[remotipy::remote]` on a method.
pub fn is_remote(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "remote")
}

/// Reports an unknown key and skips its value, so parsing goes on and every
/// mistake is reported.
fn unknown_key(meta: &ParseNestedMeta, expected: &str, errors: &mut Errors) -> syn::Result<()> {
    let key = quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "");
    errors.at(&meta.path, format_args!("unknown remotipy option `{key}`; expected one of {expected}"));
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            inner.input.parse::<proc_macro2::TokenStream>()?;
            Ok(())
        });
    }
    Ok(())
}
