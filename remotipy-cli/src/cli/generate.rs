//! `remotipy gen ts`: the document (a file, or a server's `rpc.discover`)
//! through the TypeScript generator, into a file or stdout.

use super::args::GenTsArgs;
use super::discover;
use super::exit::{Failure, Outcome};
use super::output::Printer;
use crate::typescript;

/// Runs `remotipy gen ts`.
pub async fn ts(args: &GenTsArgs, printer: &Printer) -> Outcome {
    let source = match (&args.url, &args.file) {
        (Some(url), _) => url.clone(),
        (None, Some(file)) => file.display().to_string(),
        (None, None) => return Err(Failure::usage("give the document's FILE or --url")),
    };
    if args.url.is_some() && !(source.starts_with("http://") || source.starts_with("https://")) {
        return Err(Failure::usage(format!("--url `{source}` is not an http:// or https:// URL")));
    }
    let document = discover::load(&source, &args.connection).await?;
    let options = typescript::Options { bigint: args.bigint, source: Some(source.clone()) };
    let module = typescript::generate(document.json(), &options)
        .map_err(|e| Failure::usage(format!("cannot generate TypeScript from {source}: {e}")))?;
    match &args.output {
        None => printer.text(&module),
        Some(path) => {
            std::fs::write(path, module).map_err(|e| Failure::usage(format!("cannot write {}: {e}", path.display())))
        }
    }
}
