//! `remotipy list`: the methods with their one-line summaries, grouped by
//! tag (a remotipy trait) in the order the document first names them.

use super::args::ListArgs;
use super::discover;
use super::exit::Outcome;
use super::output::Printer;
use crate::document::{Document, Method};

/// Runs `remotipy list`.
pub async fn run(args: &ListArgs, printer: &Printer) -> Outcome {
    let document = discover::load(&args.target, &args.connection).await?;
    printer.text(&listing(&document))
}

/// The text `list` prints.
pub fn listing(document: &Document) -> String {
    let width = document.methods().iter().map(|method| method.name.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (tag, methods) in groups(document) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&tag);
        out.push('\n');
        for method in methods {
            let line = format!("  {:width$}  {}{}", method.name, summary(method), marks(method));
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// The methods by tag; untagged ones last, under `Other`.
fn groups(document: &Document) -> Vec<(String, Vec<&Method>)> {
    let mut groups: Vec<(Option<&str>, String, Vec<&Method>)> = Vec::new();
    for method in document.methods() {
        let name = method.tag().map(|tag| tag.name.as_str());
        match groups.iter_mut().find(|(tag, _, _)| *tag == name) {
            Some((_, _, methods)) => methods.push(method),
            None => {
                let heading = match method.tag() {
                    Some(tag) => match &tag.description {
                        Some(description) => format!("{}: {}", tag.name, first_line(description)),
                        None => tag.name.clone(),
                    },
                    None => "Other".into(),
                };
                groups.push((name, heading, vec![method]));
            }
        }
    }
    groups.sort_by_key(|(tag, _, _)| tag.is_none());
    groups.into_iter().map(|(_, heading, methods)| (heading, methods)).collect()
}

fn summary(method: &Method) -> &str {
    method.summary.as_deref().or(method.description.as_deref()).map_or("", first_line)
}

fn marks(method: &Method) -> String {
    let marks: Vec<&str> =
        [(method.stream, "stream"), (method.is_notification(), "notification"), (method.deprecated, "deprecated")]
            .into_iter()
            .filter_map(|(on, mark)| on.then_some(mark))
            .collect();
    match marks.is_empty() {
        true => String::new(),
        false => format!("  [{}]", marks.join(", ")),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("").trim()
}
