//! One struct per method holding its arguments: the wire shape of `params`,
//! defined once and used by both the client (encode) and the server (decode).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::params_ident;
use crate::model::{Method, RemoteTrait};

pub fn define(remote: &RemoteTrait, method: &Method) -> TokenStream {
    let krate = &remote.krate;
    let serde_path = format!("{}::__private::serde", quote!(#krate));
    let ident = params_ident(method);
    let fields = method.args.iter().map(|arg| {
        let (name, ty) = (&arg.ident, &arg.ty);
        // `Option` args may be left out: old clients and positional callers
        // omit them, and `None` is not sent, so old servers never see them.
        let optional = arg.optional.then(|| {
            quote! {
                #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
            }
        });
        quote_spanned!(ty.span()=> #optional #name: #ty)
    });
    quote! {
        #[derive(#krate::__private::serde::Serialize, #krate::__private::serde::Deserialize)]
        #[serde(crate = #serde_path, deny_unknown_fields)]
        #[allow(non_camel_case_types)]
        struct #ident {
            #(#fields,)*
        }
    }
}
