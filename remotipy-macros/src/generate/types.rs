//! One marker per type that crosses the wire, and per application error
//! type: everything generated names the type through its marker, so the
//! marker's impl is the one place where what the type lacks (serde,
//! `Display`) is checked, and reported: once, at the type's first use.

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::spanned::Spanned;
use syn::{Attribute, Ident, Type};

use crate::model::RemoteTrait;

/// The markers of one trait.
pub struct Markers {
    /// By `(cfgs, type)`: a type used only under `#[cfg]` is named only there.
    idents: HashMap<(String, String), Ident>,
    /// Where each type first occurs, by its tokens.
    first_spans: HashMap<String, Span>,
    /// What to emit: marker, the type, the cfgs, whether it is an error type.
    defs: Vec<(Ident, Type, Vec<Attribute>, bool)>,
}

impl Markers {
    pub fn new(remote: &RemoteTrait) -> Self {
        let mut markers = Markers { idents: HashMap::new(), first_spans: HashMap::new(), defs: Vec::new() };
        for m in &remote.methods {
            for ty in m.wire_types() {
                markers.add(ty, &m.attrs.cfgs, false);
            }
            if let Some(err) = m.error_type() {
                markers.add(err, &m.attrs.cfgs, true);
            }
        }
        markers
    }

    fn add(&mut self, ty: &Type, cfgs: &[Attribute], error: bool) {
        self.first_spans.entry(key(ty)).or_insert_with(|| ty.span());
        let id = (cfg_key(cfgs), format!("{}{}", if error { "error:" } else { "" }, key(ty)));
        if !self.idents.contains_key(&id) {
            let ident = match error {
                true => format_ident!("__RemotipyError{}", self.defs.len()),
                false => format_ident!("__RemotipyType{}", self.defs.len()),
            };
            self.idents.insert(id, ident.clone());
            self.defs.push((ident, ty.clone(), cfgs.to_vec(), error));
        }
    }

    /// The marker of wire type `ty` in a method under `cfgs`.
    pub fn wire(&self, ty: &Type, cfgs: &[Attribute]) -> &Ident {
        &self.idents[&(cfg_key(cfgs), key(ty))]
    }

    /// The marker of error type `ty` in a method under `cfgs`.
    pub fn error(&self, ty: &Type, cfgs: &[Attribute]) -> &Ident {
        &self.idents[&(cfg_key(cfgs), format!("error:{}", key(ty)))]
    }

    /// Where `ty` first occurs in the trait.
    pub fn first_span(&self, ty: &Type) -> Span {
        self.first_spans.get(&key(ty)).copied().unwrap_or_else(|| ty.span())
    }

    /// The markers and their impls, the types spanned at their first
    /// occurrence: identical reports at one place are shown once.
    pub fn define(&self, private: &TokenStream) -> TokenStream {
        let defs = self.defs.iter().map(|(ident, ty, cfgs, error)| {
            let ty = super::spans::respan(ty.to_token_stream(), self.first_span(ty));
            let trait_ = if *error { quote!(ErrorType) } else { quote!(WireType) };
            quote! {
                #(#cfgs)*
                #[allow(non_camel_case_types)]
                enum #ident {}

                #(#cfgs)*
                #[automatically_derived]
                impl #private::#trait_ for #ident {
                    type T = #ty;
                }
            }
        });
        quote!(#(#defs)*)
    }
}

fn key(ty: &Type) -> String {
    ty.to_token_stream().to_string()
}

fn cfg_key(cfgs: &[Attribute]) -> String {
    cfgs.iter().map(|a| a.to_token_stream().to_string()).collect()
}
