//! The expansion of a representative trait, pretty-printed and snapshotted,
//! so every change to generated code shows up in review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test -p remotipy-macros`).

use quote::quote;

fn expand_pretty(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let expanded = crate::expand(args, item);
    let file = syn::parse2::<syn::File>(expanded).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn users_trait() {
    let expanded = expand_pretty(
        quote!(),
        quote! {
            /// The user directory.
            pub trait Users {
                /// Says hello.
                async fn greet(&self, user: UserInfo) -> Greeting;
                async fn find(&self, id: u64) -> Result<UserInfo, UserError>;
                async fn search(&self, name: String, limit: Option<u32>) -> Vec<UserInfo>;
                #[remote(notification)]
                async fn audit(&self, line: String);
                #[remote(name = "users.count", idempotent)]
                async fn count(&self) -> u64;
                #[cfg(feature = "admin")]
                #[deprecated = "use `count`"]
                async fn r#match(&self, r#type: String) -> bool;
                /// Changes, as they happen.
                async fn watch(&self, id: u64) -> Result<impl Stream<Item = Result<UserInfo, UserError>> + Send, UserError>;
            }
        },
    );
    insta::assert_snapshot!(expanded);
}

#[test]
fn renamed_crate_and_namespace() {
    let expanded = expand_pretty(
        quote!(crate = "::rp", namespace = "calc"),
        quote! {
            trait Calculator {
                async fn add(&self, a: i64, b: i64) -> i64;
            }
        },
    );
    insta::assert_snapshot!(expanded);
}
