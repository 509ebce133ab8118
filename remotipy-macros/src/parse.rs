//! From the trait as written to the model, one precise error per mistake.
//!
//! Every check records its error and moves on; a method with a mistake is
//! left out of the generated client and server (it stays in the trait), so
//! one mistake yields one error and not a cascade.

use proc_macro2::{TokenStream, TokenTree};
use quote::ToTokens;
use syn::ext::IdentExt;
use syn::{
    Attribute, FnArg, GenericArgument, ItemTrait, Pat, PathArguments, ReturnType, Signature, TraitItem, TraitItemFn,
    Type,
};

use crate::attr::{McpOptions, MethodOptions, TraitOptions, is_remote};
use crate::errors::Errors;
use crate::model::{Arg, Forwarded, McpHints, Method, Output, RemoteTrait};

pub fn remote_trait(options: TraitOptions, mut item: ItemTrait, errors: &mut Errors) -> RemoteTrait {
    check_trait_header(&item, errors);
    let namespace = options.namespace.as_ref().map(syn::LitStr::value);
    let mut methods = Vec::new();
    for trait_item in &mut item.items {
        match trait_item {
            TraitItem::Fn(f) => {
                let options = MethodOptions::parse(&f.attrs, errors);
                f.attrs.retain(|a| !is_remote(a));
                if let Some(method) = method(f, options, namespace.as_deref(), errors) {
                    methods.push(method);
                }
            }
            TraitItem::Type(t) => errors.at(
                t,
                "remote traits cannot have associated types: client and server must agree on every type; \
                 use a concrete type",
            ),
            TraitItem::Const(c) => {
                errors.at(c, "remote traits cannot have associated consts: only methods cross the wire")
            }
            other => errors.at(other, "remote traits can only contain `async fn` methods"),
        }
    }
    let krate = options.krate.unwrap_or_else(|| syn::parse_quote!(::remotipy));
    RemoteTrait { item, krate, methods }
}

fn check_trait_header(item: &ItemTrait, errors: &mut Errors) {
    if !item.generics.params.is_empty() {
        errors.at(&item.generics, "remote traits cannot be generic: the wire needs one concrete type per argument");
    }
    if let Some(unsafety) = item.unsafety {
        errors.at(unsafety, "remote traits cannot be `unsafe`");
    }
    if let Some(auto) = item.auto_token {
        errors.at(auto, "remote traits cannot be `auto` traits");
    }
}

fn method(f: &TraitItemFn, options: MethodOptions, namespace: Option<&str>, errors: &mut Errors) -> Option<Method> {
    let mut ok = check_signature(&f.sig, errors);
    let typed = f.sig.inputs.iter().filter(|input| matches!(input, FnArg::Typed(_))).count();
    let args = f.sig.inputs.iter().filter_map(|input| arg(input, errors)).collect::<Vec<_>>();
    ok &= args.len() == typed;
    let output = output(&f.sig.output, errors);
    if let (Some(span), Some(output)) = (options.notification, &output) {
        if !is_unit(output.ok_type()) || matches!(output, Output::Fallible { .. }) {
            let ret = &f.sig.output;
            errors.push(syn::Error::new(
                span,
                format_args!(
                    "a notification has no reply, so `{}` must return `()`, not `{}`",
                    f.sig.ident,
                    ret.to_token_stream().to_string().trim_start_matches("-> ")
                ),
            ));
            ok = false;
        }
    }
    ok &= check_hints(&f.sig, &options, errors);
    let output = output?;
    if !ok {
        return None;
    }
    let base = options.name.as_ref().map_or_else(|| f.sig.ident.unraw().to_string(), syn::LitStr::value);
    let wire_span = options.name.as_ref().map_or_else(|| f.sig.ident.span(), syn::LitStr::span);
    let wire_name = match namespace {
        Some(ns) => format!("{ns}.{base}"),
        None => base,
    };
    Some(Method {
        ident: f.sig.ident.clone(),
        wire_name,
        wire_span,
        attrs: forwarded(&f.attrs),
        args,
        output,
        notification: options.notification.is_some(),
        idempotent: options.idempotent.is_some(),
        read_only: options.read_only.is_some(),
        mcp: options.mcp.map(mcp_hints).unwrap_or_default(),
    })
}

fn mcp_hints(options: McpOptions) -> McpHints {
    McpHints {
        skip: options.skip.is_some(),
        title: options.title.as_ref().map(syn::LitStr::value),
        destructive: options.destructive.as_ref().map(|b| b.value),
        open_world: options.open_world.as_ref().map(|b| b.value),
    }
}

/// Checks the hints that contradict each other or the signature: a
/// read-only notification (it would do nothing), hints on a method left
/// out of MCP, and `destructive` on a read-only method.
fn check_hints(sig: &Signature, options: &MethodOptions, errors: &mut Errors) -> bool {
    let mut ok = true;
    if let (Some(read_only), Some(_)) = (options.read_only, options.notification) {
        let message = format!(
            "`{}` cannot be both `read_only` and a `notification`: a method that changes nothing and answers \
             nothing does nothing",
            sig.ident
        );
        errors.push(syn::Error::new(read_only, message));
        ok = false;
    }
    let Some(mcp) = &options.mcp else { return ok };
    if mcp.skip.is_some() {
        let said = [
            mcp.title.as_ref().map(|t| (t.span(), "title")),
            mcp.destructive.as_ref().map(|b| (b.span, "destructive")),
            mcp.open_world.as_ref().map(|b| (b.span, "open_world")),
        ];
        for (span, key) in said.into_iter().flatten() {
            let message = format!("`mcp({key} = ..)` has no use: `mcp(skip)` leaves `{}` out of MCP", sig.ident);
            errors.push(syn::Error::new(span, message));
            ok = false;
        }
    }
    if let (Some(destructive), Some(_)) = (&mcp.destructive, options.read_only) {
        let message = format!(
            "`mcp(destructive = ..)` has no use on `read_only` `{}`: a read-only tool destroys nothing (MCP \
             ignores `destructiveHint` when `readOnlyHint` is true)",
            sig.ident
        );
        errors.push(syn::Error::new(destructive.span, message));
        ok = false;
    }
    ok
}

/// Sorts the attributes the generated items of a method carry too.
fn forwarded(attrs: &[Attribute]) -> Forwarded {
    let mut forwarded = Forwarded::default();
    for attr in attrs {
        let path = attr.path();
        if path.is_ident("doc") {
            forwarded.docs.push(attr.clone());
        } else if path.is_ident("cfg") {
            forwarded.cfgs.push(attr.clone());
        } else if path.is_ident("cfg_attr") || path.is_ident("deprecated") {
            forwarded.callers.push(attr.clone());
        }
    }
    forwarded
}

/// Checks everything about the signature but its arguments and return type.
fn check_signature(sig: &Signature, errors: &mut Errors) -> bool {
    let mut ok = true;
    let mut fail = |tokens: &dyn ToTokens, message: String| {
        errors.at(tokens, message);
        ok = false;
    };
    let name = &sig.ident;
    if sig.asyncness.is_none() {
        fail(&sig.fn_token, format!("remote methods must be `async fn`: write `async fn {name}`"));
    }
    if let Some(c) = &sig.constness {
        fail(c, "remote methods cannot be `const`".into());
    }
    if let Some(u) = &sig.unsafety {
        fail(u, "remote methods cannot be `unsafe`".into());
    }
    if let Some(abi) = &sig.abi {
        fail(abi, "remote methods cannot declare an ABI".into());
    }
    if let Some(v) = &sig.variadic {
        fail(v, "remote methods cannot be variadic".into());
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        fail(
            &sig.generics,
            format!(
                "remote method `{name}` cannot have generic or lifetime parameters: the server must know the \
                 concrete types it decodes"
            ),
        );
    }
    match sig.inputs.first() {
        Some(FnArg::Receiver(r)) if r.reference.is_some() && r.mutability.is_none() && r.colon_token.is_none() => {}
        Some(FnArg::Receiver(r)) if r.mutability.is_some() && r.reference.is_some() => fail(
            r,
            "remote methods take `&self`, not `&mut self`: the server runs calls concurrently; keep mutable state \
             behind a Mutex or an atomic"
                .into(),
        ),
        Some(FnArg::Receiver(r)) => {
            fail(r, "remote methods take `&self`: the server keeps one shared implementation for every call".into())
        }
        _ => fail(name, format!("remote method `{name}` needs a `&self` receiver: write `{name}(&self, ..)`")),
    }
    ok
}

fn arg(input: &FnArg, errors: &mut Errors) -> Option<Arg> {
    let FnArg::Typed(typed) = input else { return None };
    let ident = match &*typed.pat {
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(p.ident.clone()),
        pat => {
            errors.at(pat, "remote method arguments must be plain names (they are the parameter names on the wire)");
            None
        }
    };
    let ty_ok = wire_type(&typed.ty, "argument", errors);
    let ident = ident?;
    let optional = generic_args(&typed.ty, "Option").and_then(|args| <[Type; 1]>::try_from(args).ok());
    let wire_name = ident.unraw().to_string();
    ty_ok.then(|| Arg { optional: optional.map(|[inner]| inner), ident, wire_name, ty: (*typed.ty).clone() })
}

fn output(ret: &ReturnType, errors: &mut Errors) -> Option<Output> {
    let ReturnType::Type(_, ty) = ret else { return Some(Output::Value { ty: syn::parse_quote!(()), written: false }) };
    if let Some(stream) = stream_output(ty, errors) {
        return stream;
    }
    if !wire_type(ty, "result", errors) {
        return None;
    }
    match generic_args(ty, "Result").as_deref() {
        Some([ok, err]) => {
            let err_name = type_name(err);
            Some(Output::Fallible { ok: ok.clone(), err: err.clone(), err_name })
        }
        _ => Some(Output::Value { ty: (**ty).clone(), written: true }),
    }
}

/// A streaming method's output, when `ty` is one of the stream shapes:
/// `impl Stream<Item = I> + Send`, or `Result` of it, where `I` is `T` or
/// `Result<T, E>` (one `E` for the setup and the items).
fn stream_output(ty: &Type, errors: &mut Errors) -> Option<Option<Output>> {
    let (stream, setup_err) = match generic_args(ty, "Result").as_deref() {
        Some([inner, err]) if stream_item(inner).is_some() => (inner.clone(), Some(err.clone())),
        _ => (ty.clone(), None),
    };
    let (item, send) = stream_item(&stream)?;
    let mut ok = true;
    if !send {
        errors.at(
            &stream,
            "a stream is read while the response goes out, from any thread: it must be `Send`; write \
             `impl Stream<Item = ..> + Send`",
        );
        ok = false;
    }
    let (item, item_err) = match generic_args(&item, "Result").as_deref() {
        Some([t, e]) => (t.clone(), Some(e.clone())),
        _ => (item, None),
    };
    let (item, tracked) = match tracked_item(&item) {
        Some(Ok((inner, id))) => (inner, Some(id)),
        Some(Err(())) => {
            ok = false;
            (item, None)
        }
        None => (item, None),
    };
    if let (Some(setup), Some(items)) = (&setup_err, &item_err) {
        if setup.to_token_stream().to_string() != items.to_token_stream().to_string() {
            let message = format!(
                "the items of a stream fail with the method's own error type: write `{}` here",
                setup.to_token_stream()
            );
            errors.at(items, message);
            ok = false;
        }
    }
    ok &= wire_type(&item, "stream item", errors);
    let err = setup_err.clone().or(item_err.clone());
    if let Some(err) = &err {
        ok &= wire_type(err, "error", errors);
    }
    Some(ok.then(|| Output::Stream {
        item,
        err: err.map(|err| {
            let name = type_name(&err);
            (err, name)
        }),
        setup_fallible: setup_err.is_some(),
        items_fallible: item_err.is_some(),
        tracked,
    }))
}

/// `T` and the id type of a `Tracked<T>` or `Tracked<T, I>` item (`u64`
/// unless given); `Err` when `Tracked` has the wrong arguments. That is not
/// reported here: rustc says it (E0107) at the trait as written, which the
/// expansion keeps, and a second error for one mistake would be a cascade.
fn tracked_item(item: &Type) -> Option<Result<(Type, Type), ()>> {
    let Type::Path(path) = item else { return None };
    path.path.segments.last().filter(|s| s.ident == "Tracked")?;
    Some(match generic_args(item, "Tracked").as_deref() {
        Some([inner]) => Ok((inner.clone(), syn::parse_quote!(::core::primitive::u64))),
        Some([inner, id]) => Ok((inner.clone(), id.clone())),
        _ => Err(()),
    })
}

/// `X` of `impl .. Stream<Item = X> ..`, and whether the bounds include `Send`.
fn stream_item(ty: &Type) -> Option<(Type, bool)> {
    let Type::ImplTrait(bounds) = ty else { return None };
    let traits = bounds.bounds.iter().filter_map(|bound| match bound {
        syn::TypeParamBound::Trait(t) => t.path.segments.last(),
        _ => None,
    });
    let (mut item, mut send) = (None, false);
    for segment in traits {
        send |= segment.ident == "Send";
        if segment.ident != "Stream" {
            continue;
        }
        let PathArguments::AngleBracketed(args) = &segment.arguments else { continue };
        item = args.args.iter().find_map(|arg| match arg {
            GenericArgument::AssocType(binding) if binding.ident == "Item" => Some(binding.ty.clone()),
            _ => None,
        });
    }
    item.map(|item| (item, send))
}

/// A type can cross the wire only if it is owned and concrete; serde bounds
/// are checked by the generated code, at the type's span.
fn wire_type(ty: &Type, what: &str, errors: &mut Errors) -> bool {
    let problem = match ty {
        Type::Reference(_) => Some(format!(
            "remote {what}s are sent by value and decoded into owned values: use an owned type instead of a \
             reference (e.g. `String` for `&str`, `Vec<T>` for `&[T]`)"
        )),
        Type::ImplTrait(_) => {
            Some(format!("`impl Trait` cannot be a remote {what}: the other side needs a concrete type to decode"))
        }
        Type::Infer(_) => Some(format!("a remote {what} needs a concrete type")),
        _ if contains_impl(ty.to_token_stream()) => {
            Some(format!("`impl Trait` cannot appear in a remote {what}: the other side needs a concrete type"))
        }
        _ if contains_lifetime(ty.to_token_stream()) => {
            Some(format!("a remote {what} cannot borrow (it is decoded into an owned value): remove the lifetime"))
        }
        _ => None,
    };
    if let Some(message) = &problem {
        errors.at(ty, message);
    }
    problem.is_none()
}

fn contains_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "impl",
        TokenTree::Group(g) => contains_impl(g.stream()),
        _ => false,
    })
}

/// Any lifetime but `'static`.
fn contains_lifetime(tokens: TokenStream) -> bool {
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        match t {
            TokenTree::Punct(p)
                if p.as_char() == '\'' && !matches!(tokens.peek(), Some(TokenTree::Ident(i)) if i == "static") =>
            {
                return true;
            }
            TokenTree::Group(g) if contains_lifetime(g.stream()) => return true,
            _ => {}
        }
    }
    false
}

/// The type arguments of `ty` when it is a path ending in `name<..>`
/// (`Result<T, E>`, `std::result::Result<T, E>`, `Option<T>`).
fn generic_args(ty: &Type, name: &str) -> Option<Vec<Type>> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last().filter(|s| s.ident == name)?;
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    args.args
        .iter()
        .map(|a| match a {
            GenericArgument::Type(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

/// The error type's name as remote callers see it (`data.type`): its last
/// path segment, like a Python class name.
fn type_name(ty: &Type) -> String {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
    .unwrap_or_else(|| ty.to_token_stream().to_string().replace(' ', ""))
}

fn is_unit(ty: &Type) -> bool {
    matches!(ty, Type::Tuple(t) if t.elems.is_empty())
}
