//! Streaming methods on both sides: what a client method returns for one,
//! and the server arm that starts it and hands its items to the runtime.

use proc_macro2::TokenStream;
use quote::quote;

use super::app_error::app_error_reply;
use super::context::{Ctx, spec_ident};
use super::flavor::Flavor;
use crate::model::{Method, Output};

/// What a streaming method's generated client method returns on success,
/// and the runtime function that calls it: the items as they come, or
/// (in a batch) collected by the server.
pub fn forwarded(cx: &Ctx, m: &Method, flavor: Flavor) -> (TokenStream, TokenStream) {
    let krate = cx.krate;
    let item = m.output.ok_type();
    let err = m.output.error();
    let with_err = err.map(|err| quote!(, #err));
    let fallible = err.is_some();
    match flavor {
        Flavor::Async => {
            let call = if fallible { quote!(open_fallible) } else { quote!(open) };
            (quote!(#krate::stream::Items<#item #with_err>), call)
        }
        Flavor::Blocking => {
            let call = if fallible { quote!(open_fallible) } else { quote!(open) };
            (quote!(#krate::blocking::BlockingItems<#item #with_err>), call)
        }
        Flavor::Batch => {
            let call = if fallible { quote!(collect_fallible) } else { quote!(collect) };
            (quote!(::std::vec::Vec<#item>), call)
        }
    }
}

/// The server's match arm of a streaming method: decodes the params, then
/// runs the method in a future that owns the service (the stream may borrow
/// it) and hands its items to the runtime's sink.
pub fn arm(cx: &Ctx, m: &Method) -> TokenStream {
    let Output::Stream { setup_fallible, items_fallible, err, tracked, .. } = &m.output else {
        unreachable!("only streaming methods have a stream arm")
    };
    let (private, trait_ident) = (&cx.private, cx.trait_ident);
    let (ident, wire, spec, cfgs) = (&m.ident, &m.wire_name, spec_ident(m), &m.attrs.cfgs);
    let fields = m.args.iter().map(|a| &a.ident);
    let binding = if m.args.is_empty() { quote!(_) } else { quote!(params) };
    let error = match err {
        Some(_) => {
            let reply = app_error_reply(cx, &spec, quote!(error));
            quote!(|error| #reply)
        }
        None => quote!(#private::stream::never),
    };
    let forward = match items_fallible {
        true => quote!(sink.items(items, #error).await),
        false => quote!(sink.infallible_items(items).await),
    };
    // Items with ids resume (their id type is the spec's `Resumable::Id`).
    let serve = match tracked {
        Some(_) => quote!(#private::stream::serve_tracked::<#spec, _, _>),
        None => quote!(#private::stream::serve::<#spec, _, _>),
    };
    let start = match setup_fallible {
        true => quote! {
            match setup {
                ::core::result::Result::Ok(items) => #forward,
                ::core::result::Result::Err(error) => sink.refuse((#error)(&error)),
            }
        },
        false => quote! {
            let items = setup;
            #forward
        },
    };
    quote! {
        #(#cfgs)*
        #wire => match #private::decode_params::<#spec>(&call) {
            ::core::result::Result::Ok(#binding) => {
                let service = ::core::clone::Clone::clone(&self.service);
                #private::boxed(async move {
                    #serve(&call, move |sink| async move {
                        let service: &S = &service;
                        let setup = <S as #trait_ident>::#ident(service, #(params.#fields),*).await;
                        #start
                    })
                    .await
                })
            }
            ::core::result::Result::Err(error) => #private::boxed(async move { #private::Reply::error(error) }),
        },
    }
}
