//! TypeScript type expressions, and how they are printed: short ones on
//! one line, longer ones (and any with documentation) over several, the way
//! a person formats them.

use super::names;
use super::tsdoc;

/// The width a type is kept within before it is broken over lines.
const WIDTH: usize = 100;

/// A TypeScript type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// A keyword or a declared name: `string`, `unknown`, `UserInfo`.
    Name(String),
    /// A literal type, as JSON writes it: `"red"`, `3`, `true`.
    Literal(String),
    /// `T[]`.
    Array(Box<Type>),
    /// `[A, B]`, and `...R[]` after them when the tuple is open.
    Tuple(Vec<Type>, Option<Box<Type>>),
    /// `{ [key: string]: V }`: a map (not `Record`, which a schema of that name would hide).
    Record(Box<Type>),
    /// `{ a: A; b?: B }`.
    Object(Vec<Property>),
    /// `A | B`; each member may carry documentation (an enum's variant).
    Union(Vec<Member>),
    /// `A & B`.
    Intersection(Vec<Type>),
}

/// One property of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    /// The name on the wire.
    pub name: String,
    /// Written `name?:`: it may be left out.
    pub optional: bool,
    pub ty: Type,
    /// Its TSDoc text.
    pub docs: Option<String>,
}

/// One member of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub ty: Type,
    pub docs: Option<String>,
}

impl Type {
    pub fn name(name: impl Into<String>) -> Type {
        Type::Name(name.into())
    }

    /// A union of `types`, without repeats; one type stays itself.
    pub fn union(types: Vec<Type>) -> Type {
        Type::documented_union(types.into_iter().map(|ty| Member { ty, docs: None }).collect())
    }

    /// A union of documented members, without repeats (nested unions flattened).
    pub fn documented_union(members: Vec<Member>) -> Type {
        let mut flat: Vec<Member> = Vec::new();
        for member in members {
            let inner = match member.ty {
                Type::Union(inner) if member.docs.is_none() => inner,
                ty => vec![Member { ty, docs: member.docs }],
            };
            for member in inner {
                if !flat.iter().any(|known| known.ty == member.ty) {
                    flat.push(member);
                }
            }
        }
        match flat.len() {
            0 => Type::name("never"),
            1 if flat[0].docs.is_none() => flat.remove(0).ty,
            _ => Type::Union(flat),
        }
    }

    /// An intersection of `types`; `unknown` parts drop out, one type stays itself.
    pub fn intersection(types: Vec<Type>) -> Type {
        let mut parts: Vec<Type> = Vec::new();
        for ty in types {
            match ty {
                Type::Intersection(inner) => parts.extend(inner),
                Type::Name(name) if name == "unknown" => {}
                ty if !parts.contains(&ty) => parts.push(ty),
                _ => {}
            }
        }
        match parts.len() {
            0 => Type::name("unknown"),
            1 => parts.remove(0),
            _ => Type::Intersection(parts),
        }
    }

    /// Whether any part carries documentation (which forces several lines).
    fn documented(&self) -> bool {
        match self {
            Type::Name(_) | Type::Literal(_) => false,
            Type::Array(inner) | Type::Record(inner) => inner.documented(),
            Type::Tuple(items, rest) => items.iter().chain(rest.as_deref()).any(Type::documented),
            Type::Object(properties) => properties.iter().any(|p| p.docs.is_some() || p.ty.documented()),
            Type::Union(members) => members.iter().any(|m| m.docs.is_some() || m.ty.documented()),
            Type::Intersection(parts) => parts.iter().any(Type::documented),
        }
    }

    /// The type on one line, if it has no documentation.
    pub fn inline(&self) -> Option<String> {
        if self.documented() {
            return None;
        }
        Some(self.one_line())
    }

    fn one_line(&self) -> String {
        match self {
            Type::Name(name) | Type::Literal(name) => name.clone(),
            Type::Array(inner) => format!("{}[]", inner.operand()),
            Type::Tuple(items, rest) => {
                let mut parts: Vec<String> = items.iter().map(Type::one_line).collect();
                parts.extend(rest.iter().map(|rest| format!("...{}[]", rest.operand())));
                format!("[{}]", parts.join(", "))
            }
            Type::Record(value) => format!("{{ [key: string]: {} }}", value.one_line()),
            Type::Object(properties) if properties.is_empty() => "{ [key: string]: never }".into(),
            Type::Object(properties) => {
                let fields: Vec<String> = properties.iter().map(|p| p.one_line()).collect();
                format!("{{ {} }}", fields.join("; "))
            }
            Type::Union(members) => members.iter().map(|m| m.ty.union_member()).collect::<Vec<_>>().join(" | "),
            Type::Intersection(parts) => parts.iter().map(Type::intersection_part).collect::<Vec<_>>().join(" & "),
        }
    }

    /// As the element of an array: unions and intersections in parentheses.
    fn operand(&self) -> String {
        match self {
            Type::Union(_) | Type::Intersection(_) => format!("({})", self.one_line()),
            _ => self.one_line(),
        }
    }

    fn union_member(&self) -> String {
        match self {
            // `&` binds tighter, but the parentheses read more easily.
            Type::Intersection(_) => format!("({})", self.one_line()),
            _ => self.one_line(),
        }
    }

    fn intersection_part(&self) -> String {
        match self {
            Type::Union(_) => format!("({})", self.one_line()),
            _ => self.one_line(),
        }
    }

    /// The type printed at `indent` (in levels of two spaces), on one line
    /// when it fits in `room` columns and has no documentation, else over
    /// several lines, each continuation line indented.
    pub fn render(&self, indent: usize, room: usize) -> String {
        if let Some(line) = self.inline() {
            if line.len() <= room {
                return line;
            }
        }
        let pad = "  ".repeat(indent);
        match self {
            Type::Object(properties) if !properties.is_empty() => {
                let mut out = String::from("{\n");
                for property in properties {
                    out.push_str(&property.render(indent + 1));
                }
                out.push_str(&pad);
                out.push('}');
                out
            }
            Type::Union(members) => {
                let mut out = String::new();
                for member in members {
                    out.push('\n');
                    if let Some(docs) = &member.docs {
                        out.push_str(&tsdoc::comment(docs, indent + 1));
                    }
                    out.push_str(&format!("{pad}  | {}", member.ty.render_member(indent + 2)));
                }
                out
            }
            Type::Intersection(parts) => {
                let parts: Vec<String> = parts.iter().map(|p| p.render_part(indent)).collect();
                parts.join(" & ")
            }
            Type::Array(inner) if matches!(**inner, Type::Union(_) | Type::Intersection(_)) => {
                format!("({})[]", inner.render(indent + 1, WIDTH))
            }
            Type::Array(inner) => format!("{}[]", inner.render(indent, WIDTH)),
            Type::Record(value) => format!("{{ [key: string]: {} }}", value.render(indent, WIDTH)),
            Type::Tuple(items, rest) => {
                let mut parts: Vec<String> = items.iter().map(|item| item.render(indent, WIDTH)).collect();
                parts.extend(rest.iter().map(|rest| format!("...{}[]", rest.operand())));
                format!("[{}]", parts.join(", "))
            }
            _ => self.one_line(),
        }
    }

    fn render_member(&self, indent: usize) -> String {
        match self {
            Type::Intersection(_) => format!("({})", self.render(indent, WIDTH)),
            _ => self.render(indent, WIDTH),
        }
    }

    fn render_part(&self, indent: usize) -> String {
        match self {
            Type::Union(_) => format!("({})", self.render(indent + 1, WIDTH).trim_start()),
            _ => self.render(indent, WIDTH),
        }
    }
}

impl Property {
    fn key(&self) -> String {
        format!("{}{}", names::property_key(&self.name), if self.optional { "?" } else { "" })
    }

    fn one_line(&self) -> String {
        format!("{}: {}", self.key(), self.ty.one_line())
    }

    /// The property on its own line(s) at `indent`, its docs above it.
    pub fn render(&self, indent: usize) -> String {
        let pad = "  ".repeat(indent);
        let docs = self.docs.as_deref().map(|docs| tsdoc::comment(docs, indent)).unwrap_or_default();
        let key = self.key();
        let room = WIDTH.saturating_sub(pad.len() + key.len() + 3);
        format!("{docs}{pad}{key}:{};\n", spaced(&self.ty.render(indent, room)))
    }
}

/// A rendered type after a `:` or `=`: a space before it, unless it starts
/// on the next line (a union broken over lines).
pub fn spaced(rendered: &str) -> String {
    match rendered.starts_with('\n') {
        true => rendered.to_owned(),
        false => format!(" {rendered}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(fields: &[(&str, Type)]) -> Type {
        Type::Object(
            fields
                .iter()
                .map(|(name, ty)| Property { name: (*name).into(), optional: false, ty: ty.clone(), docs: None })
                .collect(),
        )
    }

    #[test]
    fn short_types_stay_on_one_line() {
        let ty = Type::union(vec![object(&[("NotFound", Type::name("number"))]), Type::Literal("\"Gone\"".into())]);
        assert_eq!(ty.render(0, 80), r#"{ NotFound: number } | "Gone""#);
        let array = Type::Array(Box::new(Type::union(vec![Type::name("string"), Type::name("null")])));
        assert_eq!(array.render(0, 80), "(string | null)[]");
    }

    #[test]
    fn unions_and_intersections_flatten_without_repeats() {
        let ty = Type::union(vec![Type::name("A"), Type::union(vec![Type::name("B"), Type::name("A")])]);
        assert_eq!(ty.one_line(), "A | B");
        assert_eq!(Type::union(vec![Type::name("A")]), Type::name("A"));
        let both = Type::intersection(vec![Type::name("unknown"), Type::name("A"), Type::name("B")]);
        assert_eq!(both.one_line(), "A & B");
        let member = Type::union(vec![both, Type::name("C")]);
        assert_eq!(member.one_line(), "(A & B) | C");
    }

    #[test]
    fn documented_members_break_over_lines() {
        let ty = Type::documented_union(vec![
            Member { ty: Type::Literal("\"Empty\"".into()), docs: Some("Nothing.".into()) },
            Member { ty: object(&[("Circle", Type::name("number"))]), docs: None },
        ]);
        assert_eq!(ty.render(0, 80), "\n  /** Nothing. */\n  | \"Empty\"\n  | { Circle: number }");
    }

    #[test]
    fn keys_that_are_not_identifiers_are_quoted() {
        let ty = object(&[("display-name", Type::name("string")), ("ok", Type::name("boolean"))]);
        assert_eq!(ty.one_line(), r#"{ "display-name": string; ok: boolean }"#);
        assert_eq!(Type::Object(vec![]).one_line(), "{ [key: string]: never }");
    }
}
