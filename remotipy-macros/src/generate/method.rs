//! One method as both sides share it: the struct of its arguments (the wire
//! shape of `params`, defined once) and the spec describing it to the
//! runtime (wire name, params, result and error types, through their
//! markers).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::LitStr;
use syn::spanned::Spanned;

use super::context::{Ctx, params_ident, spec_ident};
use crate::model::{Method, Output};

pub fn spec(cx: &Ctx, m: &Method) -> TokenStream {
    let params = params_struct(cx, m);
    let serialize = serialize_params(cx, m);
    let spec = spec_impls(cx, m);
    let alias = alias_check(cx, m);
    quote!(#params #serialize #spec #alias)
}

/// Deserialize is derived (named or positional params, `Option` arguments
/// optional, unknown names refused); each field decodes through its type's
/// marker.
fn params_struct(cx: &Ctx, m: &Method) -> TokenStream {
    let private = &cx.private;
    let private_path = private.to_string().replace(' ', "");
    let serde_path = format!("{private_path}::serde");
    let ident = params_ident(m);
    let cfgs = &m.attrs.cfgs;
    let fields = m.args.iter().map(|arg| {
        let (name, ty) = (&arg.ident, &arg.ty);
        let marker = cx.markers.wire(arg.wire_type(), cfgs);
        let (helper, default) = match &arg.optional {
            // `Option` args may be left out: old clients and positional callers
            // omit them, and `None` is not sent, so old servers never see them.
            Some(_) => ("deserialize_option", quote!(default,)),
            None => ("deserialize", quote!()),
        };
        let with = LitStr::new(&format!("{private_path}::wire::{helper}::<{marker}, _>"), marker.span());
        quote! {
            #[serde(#default deserialize_with = #with)]
            #name: #ty
        }
    });
    quote! {
        #(#cfgs)*
        #[derive(#private::serde::Deserialize)]
        #[serde(crate = #serde_path, deny_unknown_fields)]
        #[allow(non_camel_case_types)]
        struct #ident {
            #(#fields,)*
        }
    }
}

/// Serialize by hand, each field through its type's marker (the derive
/// would need the types' own serde impls); `None` arguments are skipped.
fn serialize_params(cx: &Ctx, m: &Method) -> TokenStream {
    let private = &cx.private;
    let ident = params_ident(m);
    let cfgs = &m.attrs.cfgs;
    let serde = quote!(#private::serde);
    let required = m.args.iter().filter(|a| a.optional.is_none()).count();
    let optional = m.args.iter().filter(|a| a.optional.is_some()).map(|a| {
        let name = &a.ident;
        quote!(+ ::core::option::Option::is_some(&self.#name) as usize)
    });
    let fields = m.args.iter().map(|arg| {
        let (name, key) = (&arg.ident, &arg.wire_name);
        let marker = cx.markers.wire(arg.wire_type(), cfgs);
        let value = |v: TokenStream| quote!(#private::wire::serde_of::<#marker>(#v));
        match arg.optional {
            None => {
                let value = value(quote!(&self.#name));
                quote!(#serde::ser::SerializeStruct::serialize_field(&mut state, #key, &#value)?;)
            }
            Some(_) => {
                let value = value(quote!(value));
                quote! {
                    match &self.#name {
                        ::core::option::Option::Some(value) => {
                            #serde::ser::SerializeStruct::serialize_field(&mut state, #key, &#value)?
                        }
                        ::core::option::Option::None => #serde::ser::SerializeStruct::skip_field(&mut state, #key)?,
                    }
                }
            }
        }
    });
    let name = ident.to_string();
    quote! {
        #(#cfgs)*
        #[automatically_derived]
        impl #serde::Serialize for #ident {
            fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                let len = #required #(#optional)*;
                let mut state = #serde::Serializer::serialize_struct(serializer, #name, len)?;
                #(#fields)*
                #serde::ser::SerializeStruct::end(state)
            }
        }
    }
}

/// `RemoteMethod` (and `Fallible`) for the method's spec type.
fn spec_impls(cx: &Ctx, m: &Method) -> TokenStream {
    let private = &cx.private;
    let (ident, params, cfgs) = (spec_ident(m), params_ident(m), &m.attrs.cfgs);
    let wire = &m.wire_name;
    let names = m.args.iter().map(|a| &a.wire_name);
    let ok = cx.markers.wire(m.output.ok_type(), cfgs);
    let idempotent = m.idempotent.then(|| {
        quote!(
            const IDEMPOTENT: bool = true;
        )
    });
    let resumable = m.output.tracked().map(|id| {
        // The id type's bound is checked here, spanned at it, whatever the features.
        let id_type = quote_spanned!(id.span()=> type Id = #id;);
        quote! {
            #(#cfgs)*
            #[automatically_derived]
            impl #private::Resumable for #ident {
                #id_type
            }
        }
    });
    let resumable_const = m.output.tracked().map(|_| {
        quote!(
            const RESUMABLE: bool = true;
        )
    });
    let fallible = match m.output.error_and_name() {
        Some((err, err_name)) => {
            let err = cx.markers.error(err, cfgs);
            quote! {
                #(#cfgs)*
                #[automatically_derived]
                impl #private::Fallible for #ident {
                    type Err = #err;
                    const ERR_NAME: &'static str = #err_name;
                }
            }
        }
        None => quote!(),
    };
    quote! {
        #(#cfgs)*
        #[allow(non_camel_case_types)]
        enum #ident {}

        #(#cfgs)*
        #[automatically_derived]
        impl #private::RemoteMethod for #ident {
            const NAME: &'static str = #wire;
            const PARAMS: &'static [&'static str] = &[#(#names),*];
            type Params = #params;
            type Ok = #ok;
            #idempotent
            #resumable_const
        }

        #resumable
        #fallible
    }
}

/// A return type not written `Result<T, E>` must not be a `Result` under
/// another name: the macro reads the spelling, and through an alias an
/// `Err` would travel as a success.
fn alias_check(cx: &Ctx, m: &Method) -> TokenStream {
    let Output::Value { ty, written: true } = &m.output else { return quote!() };
    let cfgs = &m.attrs.cfgs;
    let span = syn::spanned::Spanned::span(ty);
    let private = cx.private_at(span);
    let check = quote_spanned! {span=>
        #private::spelled_out((&&#private::Probe::<#ty>::new()).kind())
    };
    quote! {
        #(#cfgs)*
        const _: () = {
            #[allow(dead_code)]
            fn check() {
                #[allow(unused_imports)]
                use #private::{ProbeOther as _, ProbeResult as _};
                #check;
            }
        };
    }
}
