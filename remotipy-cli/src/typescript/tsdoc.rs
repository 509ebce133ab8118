//! TSDoc comments from the document's descriptions (the Rust doc comments).

/// `text` as a TSDoc comment at `indent` (levels of two spaces), ending in a
/// newline: one line when it is one short line, else a block. A `*/` in the
/// text is broken so that it cannot end the comment.
pub fn comment(text: &str, indent: usize) -> String {
    let pad = "  ".repeat(indent);
    let text = text.trim().replace("*/", "*\u{200b}/");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let [line] = lines.as_slice() {
        if pad.len() + line.len() + 7 <= 100 {
            return format!("{pad}/** {line} */\n");
        }
    }
    let mut out = format!("{pad}/**\n");
    for line in lines {
        match line.is_empty() {
            true => out.push_str(&format!("{pad} *\n")),
            false => out.push_str(&format!("{pad} * {line}\n")),
        }
    }
    out.push_str(&format!("{pad} */\n"));
    out
}

/// The parts of a declaration's documentation, joined by blank lines;
/// `None` when there are none.
pub fn join(parts: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> =
        parts.into_iter().flatten().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_or_a_block() {
        assert_eq!(comment("Says hello.", 1), "  /** Says hello. */\n");
        assert_eq!(comment("First.\n\nThen.", 0), "/**\n * First.\n *\n * Then.\n */\n");
        assert_eq!(comment("a */ b", 0), "/** a *\u{200b}/ b */\n");
    }

    #[test]
    fn joins_what_there_is() {
        assert_eq!(join([Some("A.".into()), None, Some(" ".into()), Some("B.".into())]), Some("A.\n\nB.".into()));
        assert_eq!(join([None]), None);
    }
}
