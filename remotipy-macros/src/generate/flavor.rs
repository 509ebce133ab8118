//! The three ways a generated client method hands its call to the runtime.

use proc_macro2::TokenStream;
use quote::quote;

/// How a generated method hands its call to the runtime.
#[derive(Clone, Copy)]
pub enum Flavor {
    Async,
    Batch,
    Blocking,
}

impl Flavor {
    /// The runtime module (under `__private`) this flavor calls into.
    pub fn module(self) -> TokenStream {
        match self {
            Flavor::Async => quote!(client),
            Flavor::Batch => quote!(batch),
            Flavor::Blocking => quote!(blocking),
        }
    }
}
