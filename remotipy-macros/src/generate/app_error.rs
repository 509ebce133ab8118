//! The server's reply to a method's application error.

use proc_macro2::TokenStream;
use quote::quote;

use super::context::Ctx;

/// The reply of application error `error` (an expression of type `&E`) of
/// method `spec`: through the error type's `ErrorCode` impl if it has one
/// (autoref specialization), else with the default code.
pub fn app_error_reply(cx: &Ctx, spec: &syn::Ident, error: TokenStream) -> TokenStream {
    let private = &cx.private;
    quote! {{
        // Both in scope; the error type's `ErrorCode` impl, if any, wins.
        #[allow(unused_imports)]
        use #private::{ViaDefault as _, ViaErrorCode as _};
        (&&#private::AppError::<#spec>(#error)).reply()
    }}
}
