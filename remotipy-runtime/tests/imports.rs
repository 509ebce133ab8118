//! The runtime's modules import one way: read from the source, the graph of
//! `crate::` paths between its top-level modules has no cycle, nothing but
//! the crate root imports `__private` (generated code's layer), and no code
//! reaches an item through a crate-root re-export instead of its home
//! module. Test modules may import anything and are not read.
//!
//! `cargo test -p remotipy-runtime --test imports -- --nocapture` prints the graph.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`""` for the crate root).
fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).unwrap();
    let first = relative.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
    match first.strip_suffix(".rs") {
        Some("lib") => String::new(),
        Some(name) => name.to_owned(),
        None => first,
    }
}

/// The file's code without comments and without its test module.
fn code(text: &str) -> String {
    let mut kept = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(")
            && trimmed.contains("test")
            && lines.peek().is_some_and(|l| l.contains("mod tests"))
        {
            break;
        }
        let without_comment = match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        };
        kept.push_str(without_comment);
        kept.push('\n');
    }
    kept
}

/// The first segment of every `crate::` path in `code` (both of
/// `crate::{a, b::c}`).
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::`, `remotipy_runtime::crate::`…
        }
        let rest = &code[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                found.extend(group.split(',').map(|part| ident(part.trim())).filter(|s| !s.is_empty()));
            }
            None => found.push(ident(rest)),
        }
    }
    found
}

#[test]
fn imports_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut through_root = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let code = code(&std::fs::read_to_string(file).unwrap());
        for target in crate_paths(&code) {
            if target.starts_with(char::is_uppercase) && !module.is_empty() {
                through_root.push(format!("{}: crate::{target}", file.display()));
            }
            if target != module && !target.starts_with(char::is_uppercase) && target != "__private_gates" {
                graph.entry(module.clone()).or_default().insert(target);
            }
        }
    }
    for (module, targets) in &graph {
        println!(
            "{:>12} -> {}",
            if module.is_empty() { "(root)" } else { module },
            Vec::from_iter(targets.iter().cloned()).join(", ")
        );
    }
    assert!(
        through_root.is_empty(),
        "paths through crate-root re-exports instead of home modules:\n{}",
        through_root.join("\n")
    );
    let importers: Vec<&String> = graph
        .iter()
        .filter(|(m, targets)| !m.is_empty() && targets.contains("__private") && *m != "__private")
        .map(|(m, _)| m)
        .collect();
    assert!(importers.is_empty(), "only generated-code support imports __private, not {importers:?}");
    // The root re-exports and `__private` adapts: both may import anything.
    // Among the other modules, a depth-first search finds any cycle.
    let inner: BTreeMap<&str, Vec<&str>> = graph
        .iter()
        .filter(|(m, _)| !m.is_empty() && *m != "__private")
        .map(|(m, targets)| (m.as_str(), targets.iter().map(String::as_str).filter(|t| *t != "__private").collect()))
        .collect();
    fn visit<'a>(
        m: &'a str,
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|p| *p == m) {
            panic!("an import cycle: {} -> {m}", path[start..].join(" -> "));
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for next in graph.get(m).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for module in inner.keys() {
        visit(module, &inner, &mut Vec::new(), &mut done);
    }
}
