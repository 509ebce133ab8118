//! The `#[remote(...)]` options: on the trait (`crate`, `namespace`) and on
//! methods (`name`, `notification`, `idempotent`, `read_only`, `mcp(..)`).
//! Each may be given once; a repetition is an error at the repetition.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, LitBool, LitStr, Path};

use crate::errors::Errors;

/// An option that may be set once, as serde's `Attr`.
pub struct Attr<T> {
    name: &'static str,
    value: Option<T>,
}

impl<T> Attr<T> {
    fn none(name: &'static str) -> Self {
        Attr { name, value: None }
    }

    /// Sets the value, or reports a repetition at `at`.
    fn set(&mut self, meta: &ParseNestedMeta, value: T, errors: &mut Errors) {
        match self.value {
            Some(_) => errors.at(&meta.path, format_args!("duplicate remotipy option `{}`", self.name)),
            None => self.value = Some(value),
        }
    }

    pub fn get(self) -> Option<T> {
        self.value
    }
}

/// Options given to `#[remotipy::remote(...)]` itself.
pub struct TraitOptions {
    pub krate: Option<Path>,
    pub namespace: Option<LitStr>,
}

/// Options of one method's `#[remote(...)]` attributes.
pub struct MethodOptions {
    pub name: Option<LitStr>,
    /// The span of the `notification` key, when present.
    pub notification: Option<Span>,
    /// The span of the `idempotent` key, when present.
    pub idempotent: Option<Span>,
    /// The span of the `read_only` key, when present.
    pub read_only: Option<Span>,
    /// `mcp(..)`: how the method shows as an MCP tool.
    pub mcp: Option<McpOptions>,
}

/// The keys of a method's `mcp(..)`, each with its span.
#[derive(Default)]
pub struct McpOptions {
    /// `skip`: not an MCP tool.
    pub skip: Option<Span>,
    /// `title = ".."`: the tool's display name.
    pub title: Option<LitStr>,
    /// `destructive = bool`: MCP's `destructiveHint`.
    pub destructive: Option<LitBool>,
    /// `open_world = bool`: MCP's `openWorldHint`.
    pub open_world: Option<LitBool>,
}

impl TraitOptions {
    pub fn parse(args: proc_macro2::TokenStream, errors: &mut Errors) -> Self {
        let (mut krate, mut namespace) = (Attr::none("crate"), Attr::none("namespace"));
        let parser = syn::meta::parser(|meta| {
            if meta.path.is_ident("crate") {
                let lit = meta.value()?.parse::<LitStr>()?;
                let path = lit.parse::<Path>().map_err(|_| {
                    syn::Error::new(lit.span(), "`crate` must be the path of the remotipy crate, e.g. \"::remotipy\"")
                })?;
                krate.set(&meta, path, errors);
            } else if meta.path.is_ident("namespace") {
                let lit = meta.value()?.parse()?;
                namespace.set(&meta, lit, errors);
            } else {
                unknown_key(&meta, "`crate`, `namespace`", errors)?;
            }
            Ok(())
        });
        if let Err(e) = syn::parse::Parser::parse2(parser, args) {
            errors.push(e);
        }
        TraitOptions { krate: krate.get(), namespace: namespace.get() }
    }
}

impl MethodOptions {
    /// Reads every `#[remote(..)]` among `attrs`: options may be split over
    /// several, but each is given once.
    pub fn parse(attrs: &[Attribute], errors: &mut Errors) -> Self {
        let mut name = Attr::none("name");
        let mut notification = Attr::none("notification");
        let mut idempotent = Attr::none("idempotent");
        let mut read_only = Attr::none("read_only");
        let mut mcp = Attr::none("mcp");
        for attr in attrs.iter().filter(|a| is_remote(a)) {
            let result = attr.parse_nested_meta(|meta| {
                let span = meta.path.segments[0].ident.span();
                if meta.path.is_ident("name") {
                    let lit = meta.value()?.parse()?;
                    name.set(&meta, lit, errors);
                } else if meta.path.is_ident("notification") {
                    notification.set(&meta, span, errors);
                } else if meta.path.is_ident("idempotent") {
                    idempotent.set(&meta, span, errors);
                } else if meta.path.is_ident("read_only") {
                    read_only.set(&meta, span, errors);
                } else if meta.path.is_ident("mcp") {
                    let options = McpOptions::parse(&meta, errors)?;
                    mcp.set(&meta, options, errors);
                } else {
                    unknown_key(&meta, "`name`, `notification`, `idempotent`, `read_only`, `mcp(..)`", errors)?;
                }
                Ok(())
            });
            if let Err(e) = result {
                errors.push(e);
            }
        }
        MethodOptions {
            name: name.get(),
            notification: notification.get(),
            idempotent: idempotent.get(),
            read_only: read_only.get(),
            mcp: mcp.get(),
        }
    }
}

impl McpOptions {
    /// Reads the keys inside `mcp(..)`; `mcp` alone is an error.
    fn parse(meta: &ParseNestedMeta, errors: &mut Errors) -> syn::Result<Self> {
        if !meta.input.peek(syn::token::Paren) {
            let message = "`mcp` takes options: `mcp(skip)`, or any of `mcp(title = \"..\", destructive = false, \
                           open_world = false)`";
            errors.at(&meta.path, message);
            if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            return Ok(McpOptions::default());
        }
        let (mut skip, mut title) = (Attr::none("mcp(skip)"), Attr::none("mcp(title)"));
        let (mut destructive, mut open_world) = (Attr::none("mcp(destructive)"), Attr::none("mcp(open_world)"));
        meta.parse_nested_meta(|inner| {
            if inner.path.is_ident("skip") {
                skip.set(&inner, inner.path.segments[0].ident.span(), errors);
            } else if inner.path.is_ident("title") {
                let lit = inner.value()?.parse()?;
                title.set(&inner, lit, errors);
            } else if inner.path.is_ident("destructive") {
                let lit = bool_value(&inner, "destructive")?;
                destructive.set(&inner, lit, errors);
            } else if inner.path.is_ident("open_world") {
                let lit = bool_value(&inner, "open_world")?;
                open_world.set(&inner, lit, errors);
            } else {
                unknown_key(&inner, "`skip`, `title`, `destructive`, `open_world` (inside `mcp(..)`)", errors)?;
            }
            Ok(())
        })?;
        Ok(McpOptions {
            skip: skip.get(),
            title: title.get(),
            destructive: destructive.get(),
            open_world: open_world.get(),
        })
    }
}

/// The `true` or `false` after `key =`.
fn bool_value(meta: &ParseNestedMeta, key: &str) -> syn::Result<LitBool> {
    let value = meta.value()?.parse::<syn::Expr>()?;
    match value {
        syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Bool(lit), .. }) => Ok(lit),
        other => Err(syn::Error::new_spanned(other, format_args!("`mcp({key} = ..)` takes `true` or `false`"))),
    }
}

/// `#[remote]` or `#[remotipy::remote]` on a method.
pub fn is_remote(attr: &Attribute) -> bool {
    attr.path().segments.last().is_some_and(|s| s.ident == "remote")
}

/// Reports an unknown key and skips its value, so parsing goes on and every
/// mistake is reported.
fn unknown_key(meta: &ParseNestedMeta, expected: &str, errors: &mut Errors) -> syn::Result<()> {
    let key = quote::ToTokens::to_token_stream(&meta.path).to_string().replace(' ', "");
    errors.at(&meta.path, format_args!("unknown remotipy option `{key}`; expected one of {expected}"));
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _ = meta.parse_nested_meta(|inner| {
            inner.input.parse::<proc_macro2::TokenStream>()?;
            Ok(())
        });
    }
    Ok(())
}
