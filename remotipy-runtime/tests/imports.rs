//! Imports point one way, file by file, in the runtime and in the macro.
//!
//! Each source file is a module (`client/stream.rs` is `client::stream`,
//! `client/mod.rs` is `client`, `lib.rs` the root). Every path in a file's
//! code (`use` trees, types, expressions, macro names; `#[cfg(test)]`
//! modules left out) that starts with `crate::`, `super::`, `self::` or a
//! child module is resolved to the deepest module file it names; that is an
//! import of that file. Read with `syn`, so nothing is missed by formatting.
//!
//! Asserted:
//! - the graph has no cycle: no module imports one that imports it back
//!   (a parent `mod.rs` that re-exports its children never hears from them);
//! - nothing imports the crate root, so no path goes through a root
//!   re-export (`crate::Codec`, `crate::batch::Batch`) instead of the item's
//!   home module;
//! - only the root imports `__private`, the layer generated code calls.
//!
//! `cargo test -p remotipy-runtime --test imports -- --nocapture` prints the graphs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// A module: its path segments (`["client", "stream"]`; the root is empty).
type Module = Vec<String>;

/// Every `.rs` file under `dir`, as the module it is.
fn modules(src: &Path) -> BTreeMap<Module, PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    files
        .into_iter()
        .map(|file| {
            let relative = file.strip_prefix(src).unwrap().with_extension("");
            let mut module: Module =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            (module, file)
        })
        .collect()
}

fn is_test_module(module: &syn::ItemMod) -> bool {
    module.attrs.iter().any(|attr| {
        attr.path().is_ident("cfg")
            && attr.meta.require_list().is_ok_and(|list| list.tokens.to_string().contains("test"))
    })
}

/// The paths a file's code names, as segment lists, each with how many
/// inline modules (`mod code { .. }`) deep in the file it is: there
/// `super::` means the file's own module.
#[derive(Default)]
struct Paths {
    found: Vec<(usize, Vec<String>)>,
    depth: usize,
}

impl Paths {
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.push(prefix, &name.ident),
            syn::UseTree::Rename(rename) => self.push(prefix, &rename.ident),
            syn::UseTree::Glob(_) => self.found.push((self.depth, prefix.clone())),
            syn::UseTree::Group(group) => group.items.iter().for_each(|tree| self.use_tree(prefix, tree)),
        }
    }

    fn push(&mut self, prefix: &[String], last: &syn::Ident) {
        let mut path = prefix.to_vec();
        path.push(last.to_string());
        self.found.push((self.depth, path));
    }
}

impl<'ast> Visit<'ast> for Paths {
    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        if !is_test_module(module) {
            self.depth += 1;
            syn::visit::visit_item_mod(self, module);
            self.depth -= 1;
        }
    }

    /// `pub(crate)` names who may see an item, not an import.
    fn visit_visibility(&mut self, _: &'ast syn::Visibility) {}

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&mut Vec::new(), &item.tree);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.found.push((self.depth, path.segments.iter().map(|s| s.ident.to_string()).collect()));
        syn::visit::visit_path(self, path);
    }
}

/// The module files `file` (module `current`) imports.
fn imports(current: &Module, file: &Path, known: &BTreeMap<Module, PathBuf>) -> BTreeSet<Module> {
    let syntax =
        syn::parse_file(&std::fs::read_to_string(file).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut paths = Paths::default();
    paths.visit_file(&syntax);
    let child = |name: &str| {
        let mut module = current.clone();
        module.push(name.to_owned());
        known.contains_key(&module).then_some(module)
    };
    let mut found = BTreeSet::new();
    for (depth, path) in paths.found {
        let (mut base, rest): (Module, &[String]) = match path.first().map(String::as_str) {
            Some("crate") => (Vec::new(), &path[1..]),
            Some("self") => (current.clone(), &path[1..]),
            Some("super") => {
                let supers = path.iter().take_while(|s| *s == "super").count();
                let up = supers.saturating_sub(depth); // the first `depth` stay in this file
                (current[..current.len().saturating_sub(up)].to_vec(), &path[supers..])
            }
            Some(first) if child(first).is_some() => (current.clone(), &path[..]),
            _ => continue, // another crate, or an item of this file
        };
        for segment in rest {
            base.push(segment.clone());
            if !known.contains_key(&base) {
                base.pop();
                break;
            }
        }
        if &base != current {
            found.insert(base);
        }
    }
    found
}

fn name(module: &Module) -> String {
    if module.is_empty() { "(root)".to_owned() } else { module.join("::") }
}

/// The modules declared `#[cfg(test)] mod name;` in their parent's file:
/// tests, which may import anything.
fn test_modules(known: &BTreeMap<Module, PathBuf>) -> BTreeSet<Module> {
    let mut tests = BTreeSet::new();
    for (module, file) in known {
        let syntax = syn::parse_file(&std::fs::read_to_string(file).unwrap()).unwrap();
        for item in syntax.items {
            if let syn::Item::Mod(declared) = item {
                if declared.content.is_none() && is_test_module(&declared) {
                    tests.insert(module.iter().cloned().chain([declared.ident.to_string()]).collect());
                }
            }
        }
    }
    tests
}

/// Prints one crate's graph and checks it.
fn check(src: &Path) {
    let mut known = modules(src);
    let tests = test_modules(&known);
    known.retain(|module, _| !tests.iter().any(|test| module.starts_with(test)));
    let graph: BTreeMap<Module, BTreeSet<Module>> =
        known.iter().map(|(module, file)| (module.clone(), imports(module, file, &known))).collect();
    let private = vec!["__private".to_owned()];
    let mut problems = Vec::new();
    for (module, targets) in &graph {
        if targets.contains(&Vec::new()) {
            problems.push(format!("{} goes through the crate root (a re-export)", name(module)));
        }
        if !module.is_empty() && !module.starts_with(&private) && targets.contains(&private) {
            problems.push(format!("{} imports __private: only generated code's layer may", name(module)));
        }
    }
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        cycles(module, &graph, &mut Vec::new(), &mut done, &mut problems);
    }
    print(&graph);
    assert!(problems.is_empty(), "imports that do not point one way:\n{}", problems.join("\n"));
}

/// A depth-first walk from `module`, every cycle it closes added to `problems`.
fn cycles<'a>(
    module: &'a Module,
    graph: &'a BTreeMap<Module, BTreeSet<Module>>,
    path: &mut Vec<&'a Module>,
    done: &mut BTreeSet<&'a Module>,
    problems: &mut Vec<String>,
) {
    if let Some(start) = path.iter().position(|m| *m == module) {
        let cycle: Vec<String> = path[start..].iter().chain([&module]).map(|m| name(m)).collect();
        problems.push(format!("an import cycle: {}", cycle.join(" -> ")));
        return;
    }
    if !done.insert(module) {
        return;
    }
    path.push(module);
    for next in graph.get(module).into_iter().flatten() {
        cycles(next, graph, path, done, problems);
    }
    path.pop();
}

fn print(graph: &BTreeMap<Module, BTreeSet<Module>>) {
    for (module, targets) in graph {
        let targets: Vec<String> = targets.iter().map(name).collect();
        println!("{:>24} -> {}", name(module), targets.join(", "));
    }
}

#[test]
fn the_runtime_imports_point_one_way() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
}

#[test]
fn the_macro_imports_point_one_way() {
    check(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../remotipy-macros/src"));
}
