//! Names in TypeScript: which strings are identifiers, and the identifiers
//! made from the document's names (schemas, tags, parameters).

/// Words a parameter or a type may not be called (JavaScript's reserved
/// words, strict mode's, and TypeScript's built-in type names).
const RESERVED: &[&str] = &[
    "any",
    "arguments",
    "await",
    "bigint",
    "boolean",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "eval",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "implements",
    "import",
    "in",
    "instanceof",
    "interface",
    "let",
    "never",
    "new",
    "null",
    "number",
    "object",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "static",
    "string",
    "super",
    "switch",
    "symbol",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "undefined",
    "unknown",
    "var",
    "void",
    "while",
    "with",
    "yield",
];

/// An ASCII JavaScript identifier: `[A-Za-z_$][A-Za-z0-9_$]*`.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// A property key as written in a type or an object: bare when it is an
/// identifier (reserved words are fine there), else a quoted string.
pub fn property_key(name: &str) -> String {
    match is_identifier(name) {
        true => name.to_owned(),
        false => serde_json::Value::from(name).to_string(),
    }
}

/// An identifier for `name`: other characters become `_`, a leading digit
/// gets `_` before it, a reserved word `_` after it.
pub fn identifier(name: &str) -> String {
    let mut out: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '$' { c } else { '_' }).collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == '$') {
        out.insert(0, '_');
    }
    if RESERVED.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `UpperCamelCase` for a client's name: words split at anything that is
/// not a letter or digit, each word's first letter raised, the rest kept
/// (`"Users"` stays, `"pet store"` is `PetStore`, `"OpenRPC demo"` is `OpenRPCDemo`).
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|word| !word.is_empty()) {
        let mut chars = word.chars();
        out.extend(chars.next().map(|c| c.to_ascii_uppercase()));
        out.push_str(chars.as_str());
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "Api");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(is_identifier("interval_ms") && is_identifier("$x") && is_identifier("default"));
        assert!(!is_identifier("dark-blue") && !is_identifier("1st") && !is_identifier(""));
        assert_eq!(property_key("dark-blue"), "\"dark-blue\"");
        assert_eq!(property_key("default"), "default");
        assert_eq!(identifier("pet-id"), "pet_id");
        assert_eq!(identifier("1st"), "_1st");
        assert_eq!(identifier("default"), "default_");
        assert_eq!(identifier("Page<User>"), "Page_User_");
    }

    #[test]
    fn client_names() {
        assert_eq!(pascal("Users"), "Users");
        assert_eq!(pascal("pets"), "Pets");
        assert_eq!(pascal("OpenRPC Petstore Expanded"), "OpenRPCPetstoreExpanded");
        assert_eq!(pascal("Users, Calculator"), "UsersCalculator");
        assert_eq!(pascal("3d"), "Api3d");
        assert_eq!(pascal(""), "Api");
    }
}
