//! What every generator needs, built once: the crate's paths, the trait's
//! names and visibility, the wire types' markers; and the names of what
//! generated code defines.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Ident, Path, Visibility};

use super::spans::respan;
use super::types;
use crate::model::{Method, RemoteTrait};

/// What every generator needs, built once.
pub struct Ctx<'a> {
    pub remote: &'a RemoteTrait,
    /// The remotipy crate (`::remotipy`, or the trait's `crate = ..`).
    pub krate: &'a Path,
    /// Its private re-exports, which generated code reaches through.
    pub private: TokenStream,
    /// The trait's visibility, given to everything generated for callers.
    pub vis: &'a Visibility,
    pub trait_ident: &'a Ident,
    /// The marker of each wire and error type.
    pub markers: types::Markers,
}

impl<'a> Ctx<'a> {
    pub fn new(remote: &'a RemoteTrait) -> Self {
        let krate = &remote.krate;
        Ctx {
            remote,
            krate,
            private: quote!(#krate::__private),
            vis: &remote.item.vis,
            trait_ident: &remote.item.ident,
            markers: types::Markers::new(remote),
        }
    }

    /// The private re-exports, spanned at `span`: a call through them that
    /// fails a bound is reported there (a path is reported at its first
    /// token).
    pub fn private_at(&self, span: Span) -> TokenStream {
        respan(self.private.clone(), span)
    }

    pub fn client_ident(&self) -> Ident {
        format_ident!("{}Client", self.trait_ident)
    }

    pub fn batch_ident(&self) -> Ident {
        format_ident!("{}Batch", self.trait_ident)
    }

    pub fn blocking_ident(&self) -> Ident {
        format_ident!("{}BlockingClient", self.trait_ident)
    }

    pub fn server_ident(&self) -> Ident {
        format_ident!("{}Server", self.trait_ident)
    }

    /// The runtime's macro that emits its input only where remotipy's
    /// feature condition `name` holds (`client`, `server`, `both`,
    /// `blocking`, `openrpc`).
    pub fn gate(&self, name: &str) -> TokenStream {
        let krate = self.krate;
        let gate = format_ident!("__remotipy_if_{name}");
        quote!(#krate::#gate)
    }

    /// A generated type `ident` whose feature is off: the type the
    /// runtime's `off` trait gives `()`, which it does not, so naming
    /// `ident` fails with a message saying which feature to turn on.
    pub fn feature_off(&self, ident: &Ident, off: &str) -> TokenStream {
        let (private, vis) = (&self.private, self.vis);
        let off = format_ident!("{off}");
        quote! {
            #[doc(hidden)]
            #[allow(dead_code)]
            #vis type #ident = <() as #private::#off>::Type;
        }
    }

    /// The lints generated impls never raise in the user's crate.
    pub fn allow_lints(&self) -> TokenStream {
        quote! {
            #[allow(
                unused_qualifications,
                deprecated,
                clippy::all,
                clippy::pedantic,
                clippy::nursery,
            )]
        }
    }
}

/// The struct holding a method's arguments (the wire shape of `params`).
pub fn params_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyParams_{}", method.ident)
}

/// The type describing a method to the runtime.
pub fn spec_ident(method: &Method) -> Ident {
    format_ident!("__RemotipyMethod_{}", method.ident)
}
