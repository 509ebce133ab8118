//! The expansion of a representative trait, pretty-printed and snapshotted,
//! so every change to generated code shows up in review
//! (`cargo insta review`, or `INSTA_UPDATE=always cargo test -p remotipy-macros`).

use quote::quote;

fn expand_pretty(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let expanded = crate::expand(args, item);
    let mut file = syn::parse2::<syn::File>(expanded).expect("the expansion parses as a file");
    open_gates(&mut file.items);
    prettyplease::unparse(&file)
}

/// Replaces each `::remotipy::__remotipy_if_*! { items }` by its items,
/// marked `#[gate(if_*)]` (and the `else` items of `{ .. } else { .. }`,
/// marked `#[gate(not(if_*))]`), so the snapshot shows the gated code
/// formatted like the rest (prettyplease leaves a macro's tokens on a few
/// long lines).
fn open_gates(items: &mut Vec<syn::Item>) {
    let mut opened = Vec::with_capacity(items.len());
    for mut item in items.drain(..) {
        match &mut item {
            syn::Item::Macro(gated) if is_gate(&gated.mac) => {
                let name = gated.mac.path.segments.last().unwrap().ident.to_string();
                let gate = quote::format_ident!("{}", name.trim_start_matches("__remotipy_"));
                let (then, otherwise) = gate_branches(gated.mac.tokens.clone());
                for (tokens, mark) in [(then, quote!(#[gate(#gate)])), (otherwise, quote!(#[gate(not(#gate))]))] {
                    let mut inner: syn::File = syn::parse2(tokens).expect("a gate holds items");
                    open_gates(&mut inner.items);
                    for mut item in inner.items {
                        if let Some(attrs) = attrs_mut(&mut item) {
                            attrs.insert(0, syn::parse_quote!(#mark));
                        }
                        opened.push(item);
                    }
                }
                continue;
            }
            syn::Item::Const(konst) => {
                if let syn::Expr::Block(block) = &mut *konst.expr {
                    open_gates_in_block(&mut block.block);
                }
            }
            _ => {}
        }
        opened.push(item);
    }
    *items = opened;
}

fn open_gates_in_block(block: &mut syn::Block) {
    let mut items = Vec::new();
    let mut rest = Vec::new();
    for stmt in block.stmts.drain(..) {
        match stmt {
            syn::Stmt::Item(item) => items.push(item),
            syn::Stmt::Macro(m) if is_gate(&m.mac) => items.push(syn::Item::Macro(syn::ItemMacro {
                attrs: m.attrs,
                ident: None,
                mac: m.mac,
                semi_token: m.semi_token,
            })),
            other => rest.push(other),
        }
    }
    open_gates(&mut items);
    block.stmts = items.into_iter().map(syn::Stmt::Item).chain(rest).collect();
}

fn is_gate(mac: &syn::Macro) -> bool {
    mac.path.segments.last().is_some_and(|s| s.ident.to_string().starts_with("__remotipy_if_"))
}

/// A gate's input: `{ then } else { otherwise }`, or just `then`.
fn gate_branches(tokens: proc_macro2::TokenStream) -> (proc_macro2::TokenStream, proc_macro2::TokenStream) {
    use proc_macro2::{Delimiter, TokenTree};
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    match &trees[..] {
        [TokenTree::Group(then), TokenTree::Ident(kw), TokenTree::Group(otherwise)]
            if kw == "else" && then.delimiter() == Delimiter::Brace && otherwise.delimiter() == Delimiter::Brace =>
        {
            (then.stream(), otherwise.stream())
        }
        _ => (tokens, proc_macro2::TokenStream::new()),
    }
}

fn attrs_mut(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    match item {
        syn::Item::Struct(i) => Some(&mut i.attrs),
        syn::Item::Impl(i) => Some(&mut i.attrs),
        syn::Item::Const(i) => Some(&mut i.attrs),
        syn::Item::Fn(i) => Some(&mut i.attrs),
        syn::Item::Enum(i) => Some(&mut i.attrs),
        syn::Item::Type(i) => Some(&mut i.attrs),
        syn::Item::Static(i) => Some(&mut i.attrs),
        syn::Item::Trait(i) => Some(&mut i.attrs),
        syn::Item::Mod(i) => Some(&mut i.attrs),
        syn::Item::Use(i) => Some(&mut i.attrs),
        syn::Item::Macro(i) => Some(&mut i.attrs),
        _ => None,
    }
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
                #[remote(read_only)]
                async fn find(&self, id: u64) -> Result<UserInfo, UserError>;
                #[remote(mcp(title = "Search users", open_world = false))]
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
                /// Sign-ups from the start, resumed after the last one seen.
                async fn signups(&self) -> impl Stream<Item = Tracked<UserInfo>> + Send;
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
