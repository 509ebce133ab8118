//! One typed client per service: the `<Name>Client` interface (a method per
//! RPC method, nested under its wire name's dotted prefix, the Rust
//! arguments in order) and `create<Name>Client`, which hands the runtime a
//! table of the methods (wire name, marks, param names, error types).

use std::fmt::Write as _;

use serde_json::Value;

use super::Error;
use super::api::{Method, Service};
use super::names;
use super::schema::{At, Mapper};
use super::ts::Type;
use super::tsdoc;

/// Members every client has beside its methods.
const OWN_MEMBERS: &[&str] = &["withOptions", "batch"];

/// The client's interface name (`UsersClient`) for a service name.
pub fn interface_name(service: &str) -> String {
    format!("{}Client", names::pascal(service))
}

/// The interface and the factory of `service`.
pub fn client(service: &Service, mapper: &Mapper<'_>) -> Result<String, Error> {
    let interface = interface_name(&service.name);
    let mut tree = Namespace::default();
    let mut table = String::new();
    for method in &service.methods {
        let (path, key) = key_path(&method.wire)?;
        tree.insert(&path, key, signature(method, mapper)?, &method.wire, true)?;
        let _ = writeln!(table, "    {},", spec(method));
    }
    let mut out = String::new();
    out.push('\n');
    let docs = tsdoc::join([service.docs.clone(), Some(format!("The methods of `{}`.", service.name))]);
    out.push_str(&tsdoc::comment(&docs.unwrap_or_default(), 0));
    let _ = writeln!(out, "export interface {interface} {{");
    out.push_str(&tree.render(1));
    out.push_str("  /** This client, its calls sent with `options` (headers, timeout, signal) over its own. */\n");
    let _ = writeln!(out, "  withOptions(options: CallOptions): {interface};");
    out.push_str(
        "  /** Sends the calls `build` makes on its client as one JSON-RPC batch; returns what `build` returns. */\n",
    );
    let _ = writeln!(out, "  batch<const T>(build: (client: {interface}) => T): T;");
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/**\n * A client of `{}` at `url` (or at several, to fail over between).\n * `options`: headers, timeout, signal, automatic batching, retries.\n */",
        service.name
    );
    let _ = writeln!(
        out,
        "export function create{interface}(url: string | readonly string[], options?: ClientOptions): {interface} {{"
    );
    let _ = write!(out, "  return client<{interface}>(url, options, [\n{table}  ]);\n}}\n");
    Ok(out)
}

/// A wire name's dotted prefix (the nesting) and its last segment (the method).
fn key_path(wire: &str) -> Result<(Vec<&str>, &str), Error> {
    let mut segments: Vec<&str> = wire.split('.').collect();
    if segments.iter().any(|segment| segment.is_empty()) {
        return Err(Error(format!("method `{wire}`: an empty segment in its dotted name")));
    }
    let key = segments.pop().unwrap_or(wire);
    Ok((segments, key))
}

/// The method's declaration in the interface: docs and signature.
fn signature(method: &Method, mapper: &Mapper<'_>) -> Result<Signature, Error> {
    let wire = &method.wire;
    let mut params = Vec::new();
    let mut docs = vec![method.docs.clone()];
    let mut seen: Vec<String> = Vec::new();
    for (i, param) in method.params.iter().enumerate() {
        let name = names::identifier(&param.name);
        if seen.contains(&name) {
            return Err(Error(format!("method `{wire}`: two params would be the argument `{name}`")));
        }
        let owner = format!("method `{wire}`'s param `{}`", param.name);
        let ty = mapper.map(&param.schema, &At::root(&owner))?;
        let trailing = method.params[i..].iter().all(|p| !p.required);
        params.push(match (param.required, trailing) {
            (true, _) => format!("{name}: {}", ty.render(2, 60)),
            (false, true) => format!("{name}?: {}", ty.render(2, 60)),
            (false, false) => format!("{name}: {}", Type::union(vec![ty, Type::name("undefined")]).render(2, 60)),
        });
        docs.push(param.docs.as_ref().map(|text| format!("@param {name} - {text}")));
        seen.push(name);
    }
    docs.push(method.result_docs.as_ref().map(|text| format!("@returns {text}")));
    docs.push(method.deprecated.then(|| "@deprecated".to_owned()));
    let returns = returns(method, mapper)?;
    Ok(Signature { docs: tsdoc::join(docs), text: format!("({}): {returns};", params.join(", ")) })
}

/// `Remote<R, E>`, or `RemoteStream<T, E>` for a streaming method.
fn returns(method: &Method, mapper: &Mapper<'_>) -> Result<String, Error> {
    let wire = &method.wire;
    let error = error_type(method, mapper)?;
    let error = match error {
        Some(error) => format!(", {}", error.render(2, 60)),
        None => String::new(),
    };
    let Some(result) = &method.result else {
        return Ok(format!("Remote<void{error}>"));
    };
    let owner = format!("method `{wire}`'s result");
    if !method.stream {
        return Ok(format!("Remote<{}{error}>", mapper.map(result, &At::root(&owner))?.render(2, 60)));
    }
    let items = match result.get("type").and_then(Value::as_str) {
        Some("array") => result.get("items").cloned().unwrap_or(Value::Bool(true)),
        _ => return Err(Error(format!("streaming method `{wire}`: its result is not an array of items"))),
    };
    Ok(format!("RemoteStream<{}{error}>", mapper.map(&items, &At::root(&owner))?.render(2, 60)))
}

/// The union of the method's application error types; `None` when it declares none.
fn error_type(method: &Method, mapper: &Mapper<'_>) -> Result<Option<Type>, Error> {
    let mut types = Vec::new();
    for error in &method.errors {
        let owner = format!("method `{}`'s error {}", method.wire, error.code);
        types.push(match &error.schema {
            Some(schema) => mapper.map(schema, &At::root(&owner))?,
            None => Type::name("unknown"),
        });
    }
    Ok((!types.is_empty()).then(|| Type::union(types)))
}

/// The method's row of the runtime's table: `[wire, marks, param names, error types]`.
fn spec(method: &Method) -> String {
    let marks: Vec<&str> = [
        (method.result.is_none(), "NOTIFICATION"),
        (method.stream, "STREAM"),
        (method.resumable, "RESUMABLE"),
        (method.idempotent, "IDEMPOTENT"),
        (method.by_position, "POSITIONAL"),
    ]
    .into_iter()
    .filter_map(|(set, mark)| set.then_some(mark))
    .collect();
    let marks = if marks.is_empty() { "0".to_owned() } else { marks.join(" | ") };
    let params: Vec<String> = method.params.iter().map(|p| Value::from(p.name.as_str()).to_string()).collect();
    let mut row = format!("[{}, {marks}, [{}]", Value::from(method.wire.as_str()), params.join(", "));
    // An error is told by its Rust type's name (remotipy) or else by its code.
    let mut errors: Vec<String> = Vec::new();
    for error in &method.errors {
        let key = match &error.type_name {
            Some(name) => Value::from(name.as_str()).to_string(),
            None => error.code.to_string(),
        };
        if !errors.contains(&key) {
            errors.push(key);
        }
    }
    if !errors.is_empty() {
        let _ = write!(row, ", [{}]", errors.join(", "));
    }
    row.push(']');
    row
}

/// The client's members: methods, and namespaces holding more.
#[derive(Default)]
struct Namespace {
    members: Vec<(String, Member)>,
}

enum Member {
    Method(Signature),
    Namespace(Namespace),
}

/// A method's docs, and its signature after its name.
struct Signature {
    docs: Option<String>,
    text: String,
}

impl Namespace {
    /// Adds the method `key` under the namespaces `path`; `top`: this is the
    /// client itself, where `withOptions` and `batch` are taken.
    fn insert(&mut self, path: &[&str], key: &str, signature: Signature, wire: &str, top: bool) -> Result<(), Error> {
        let clash =
            || Error(format!("method `{wire}`: its name is taken by another method or namespace of the client"));
        let Some((first, rest)) = path.split_first() else {
            if self.members.iter().any(|(name, _)| name == key) || (top && OWN_MEMBERS.contains(&key)) {
                return Err(clash());
            }
            self.members.push((key.to_owned(), Member::Method(signature)));
            return Ok(());
        };
        if top && OWN_MEMBERS.contains(first) {
            return Err(clash());
        }
        if !self.members.iter().any(|(name, _)| name == first) {
            self.members.push(((*first).to_owned(), Member::Namespace(Namespace::default())));
        }
        match self.members.iter_mut().find(|(name, _)| name == first) {
            Some((_, Member::Namespace(inner))) => inner.insert(rest, key, signature, wire, false),
            _ => Err(clash()),
        }
    }

    fn render(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent);
        let mut out = String::new();
        for (name, member) in &self.members {
            let key = names::property_key(name);
            match member {
                Member::Method(signature) => {
                    if let Some(docs) = &signature.docs {
                        out.push_str(&tsdoc::comment(docs, indent));
                    }
                    let _ = writeln!(out, "{pad}{key}{}", signature.text);
                }
                Member::Namespace(inner) => {
                    let _ = writeln!(out, "{pad}{key}: {{\n{}{pad}}};", inner.render(indent + 1));
                }
            }
        }
        out
    }
}
