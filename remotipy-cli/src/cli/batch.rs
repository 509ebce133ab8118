//! `remotipy batch`: a JSON array of requests from a file or stdin, checked
//! against the document, sent as one batch; each result printed in request
//! order, each error one line on stderr.

use std::io::Read;
use std::path::Path;

use serde_json::{Value, json};

use super::answer;
use super::args::BatchArgs;
use super::discover::{Discovered, discover};
use super::exit::{Failure, Kind, Outcome};
use super::output::{Printer, warn};
use super::rpc::{Answer, Codec, Rpc};
use super::suggest::suggestion;
use super::validate;
use crate::document::Document;

/// Runs `remotipy batch`.
pub async fn run(args: &BatchArgs, printer: &Printer) -> Outcome {
    let rpc = Rpc::new(&args.url, &args.connection)?;
    let requests = read(args.file.as_deref())?;
    if !args.no_discover {
        if let Discovered::Document(document) = discover(&rpc).await? {
            check(&document, &requests)?;
        }
    }
    let codec = if args.msgpack { Codec::MsgPack } else { Codec::Json };
    match rpc.post(&Value::Array(requests.clone()), codec, false).await? {
        Answer::Nothing => Ok(()),
        Answer::Response(response) => report(&requests, &response, args.raw, printer),
        Answer::Events(_) => Err(Failure::transport(format!("{} answered a batch with an event stream", args.url))),
    }
}

/// The requests in `file` (stdin for `None` or `-`), `jsonrpc` filled in.
fn read(file: Option<&Path>) -> Result<Vec<Value>, Failure> {
    let (origin, text) = match file.filter(|file| *file != Path::new("-")) {
        Some(file) => {
            let text = std::fs::read_to_string(file);
            (
                file.display().to_string(),
                text.map_err(|e| Failure::usage(format!("cannot read {}: {e}", file.display())))?,
            )
        }
        None => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
            ("stdin".to_owned(), text)
        }
    };
    let refuse = |why: String| Failure::usage(format!("the batch in {origin} {why}"));
    let requests = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Array(requests)) if !requests.is_empty() => requests,
        Ok(_) => return Err(refuse("is not a non-empty JSON array of requests".into())),
        Err(e) => return Err(refuse(format!("is not JSON: {e}"))),
    };
    requests
        .into_iter()
        .enumerate()
        .map(|(index, mut request)| {
            if request.get("method").and_then(Value::as_str).is_none() {
                return Err(refuse(format!("has an entry #{} without a `method`: {request}", index + 1)));
            }
            if request.get("jsonrpc").is_none() {
                request["jsonrpc"] = json!("2.0");
            }
            Ok(request)
        })
        .collect()
}

/// Refuses the batch if an entry would be refused.
fn check(document: &Document, requests: &[Value]) -> Result<(), Failure> {
    for (index, request) in requests.iter().enumerate() {
        let name = request["method"].as_str().unwrap_or_default();
        let entry = |failure: Failure| Failure::usage(format!("entry #{}: {}", index + 1, failure.message));
        let Some(method) = document.method(name) else {
            let names = document.methods().iter().map(|method| method.name.as_str());
            return Err(entry(Failure::usage(format!("no method `{name}`{}", suggestion(name, names)))));
        };
        validate::check(document, method, request.get("params").unwrap_or(&Value::Null)).map_err(entry)?;
    }
    Ok(())
}

fn report(requests: &[Value], response: &Value, raw: bool, printer: &Printer) -> Outcome {
    if raw {
        printer.json(response)?;
    }
    let Value::Array(responses) = response else {
        // The whole batch refused (`-32600`), in one error.
        return answer::result("the batch", response).map(|_| ());
    };
    let (mut failed, mut kind) = (0, Kind::Remote);
    let calls: Vec<(usize, &Value)> =
        requests.iter().enumerate().filter(|(_, request)| request.get("id").is_some()).collect();
    for &(index, request) in &calls {
        let method = request["method"].as_str().unwrap_or_default();
        let answered = responses.iter().find(|response| response.get("id") == request.get("id"));
        let outcome = match answered {
            Some(response) => answer::result(method, response),
            None => Err(Failure::transport(format!("{method} got no answer"))),
        };
        match outcome {
            Ok(result) if !raw => printer.json(result)?,
            Ok(_) => {}
            Err(failure) => {
                warn(&format!("#{}: {}", index + 1, failure.message));
                failed += 1;
                kind = if failure.kind == Kind::Remote { kind } else { failure.kind };
            }
        }
    }
    match failed {
        0 => Ok(()),
        _ => Err(Failure::new(kind, format!("{failed} of the batch's {} calls failed", calls.len()))),
    }
}
