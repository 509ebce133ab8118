//! `remotipy call`: the params read from the command line, checked against
//! the document (unless there is none), sent; the result printed, a
//! stream's items one per line as they arrive.

use std::io::Read;

use serde_json::{Map, Value, json};

use super::answer;
use super::args::CallArgs;
use super::coerce::Arg;
use super::discover::{Discovered, discover};
use super::exit::{Failure, Outcome};
use super::output::{Printer, warn};
use super::rpc::{Answer, Codec, Events, Rpc};
use super::suggest::suggestion;
use super::validate;
use crate::document::{Document, Method};

/// The params as the command line gives them.
enum Input {
    /// `name=value` and `name:=json` arguments (perhaps none).
    Args(Vec<Arg>),
    /// `--params`: a JSON object or array.
    Json(Value),
}

/// What to send, and how.
struct Call {
    params: Option<Value>,
    stream: bool,
    notify: bool,
}

/// Runs `remotipy call`.
pub async fn run(args: &CallArgs, printer: &Printer) -> Outcome {
    let rpc = Rpc::new(&args.url, &args.connection)?;
    let input = input(args)?;
    let document = match args.no_discover {
        true => None,
        false => match discover(&rpc).await? {
            Discovered::Document(document) => Some(document),
            Discovered::Refused(refused) => {
                if args.connection.verbose {
                    warn(&format!("* no OpenRPC document ({}): sending the params as given", refused.message));
                }
                None
            }
        },
    };
    let call = plan(document.as_ref(), args, input)?;
    let mut request = json!({"jsonrpc": "2.0", "method": args.method});
    if let Some(params) = call.params {
        request["params"] = params;
    }
    if !call.notify {
        request["id"] = json!(1);
    }
    // Events are text: a stream is asked for in JSON, as remotipy's client does.
    let codec = if args.msgpack && !call.stream { Codec::MsgPack } else { Codec::Json };
    match rpc.post(&request, codec, call.stream).await? {
        Answer::Nothing => Ok(()),
        Answer::Response(response) => print_response(&args.method, &response, args.raw, call.stream, printer),
        Answer::Events(events) => print_events(&args.method, *events, args.raw, printer).await,
    }
}

fn input(args: &CallArgs) -> Result<Input, Failure> {
    let Some(text) = &args.params else {
        let parsed: Result<Vec<Arg>, String> = args.args.iter().map(|arg| Arg::parse(arg)).collect();
        return parsed.map(Input::Args).map_err(Failure::usage);
    };
    let (origin, text) = match text.as_str() {
        "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
            ("stdin".to_owned(), text)
        }
        _ => match text.strip_prefix('@') {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| Failure::usage(format!("cannot read {path}: {e}")))?;
                (path.to_owned(), text)
            }
            None => ("--params".to_owned(), text.clone()),
        },
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(params @ (Value::Object(_) | Value::Array(_))) => Ok(Input::Json(params)),
        Ok(other) => {
            Err(Failure::usage(format!("the params in {origin} must be a JSON object or array, not `{other}`")))
        }
        Err(e) => Err(Failure::usage(format!("the params in {origin} are not JSON: {e}"))),
    }
}

/// The params coerced and checked against the document's method, if there is one.
fn plan(document: Option<&Document>, args: &CallArgs, input: Input) -> Result<Call, Failure> {
    let method = match document {
        Some(document) => Some(document.method(&args.method).ok_or_else(|| unknown_method(document, args))?),
        None => None,
    };
    let params = match input {
        Input::Json(params) => Some(params),
        Input::Args(list) if list.is_empty() => None,
        Input::Args(list) => Some(Value::Object(coerce(document, method, &list)?)),
    };
    if let (Some(document), Some(method)) = (document, method) {
        validate::check(document, method, params.as_ref().unwrap_or(&Value::Null))?;
    }
    let params = match (method, params) {
        (Some(method), Some(Value::Object(named))) if method.by_position() => Some(positional(method, named)),
        (_, params) => params,
    };
    Ok(Call {
        params,
        stream: args.stream || method.is_some_and(|method| method.stream),
        notify: args.notify || method.is_some_and(Method::is_notification),
    })
}

fn coerce(document: Option<&Document>, method: Option<&Method>, args: &[Arg]) -> Result<Map<String, Value>, Failure> {
    let mut params = Map::new();
    let mut problems = Vec::new();
    for arg in args {
        let schema = method.and_then(|method| method.param(&arg.name)).map(|param| &param.schema);
        match arg.coerce(document, schema) {
            _ if params.contains_key(&arg.name) => problems.push(format!("`{}` is given twice", arg.name)),
            Ok(value) => {
                params.insert(arg.name.clone(), value);
            }
            Err(problem) => problems.push(problem),
        }
    }
    match (problems.is_empty(), method) {
        (true, _) => Ok(params),
        (false, Some(method)) => Err(validate::refusal(method, &problems)),
        (false, None) => Err(Failure::usage(problems.join("; "))),
    }
}

/// Named params in the method's order, for a method that takes them only by position.
fn positional(method: &Method, mut named: Map<String, Value>) -> Value {
    let mut values: Vec<Value> =
        method.params.iter().map(|param| named.remove(&param.name).unwrap_or(Value::Null)).collect();
    while values.last() == Some(&Value::Null) && values.len() > required(method) {
        values.pop();
    }
    Value::Array(values)
}

fn required(method: &Method) -> usize {
    method.params.iter().rposition(|param| param.required).map_or(0, |last| last + 1)
}

fn unknown_method(document: &Document, args: &CallArgs) -> Failure {
    let names = document.methods().iter().map(|method| method.name.as_str());
    Failure::usage(format!(
        "{} has no method `{}`{} (`remotipy list` shows them; `--no-discover` sends it anyway)",
        args.url,
        args.method,
        suggestion(&args.method, names)
    ))
}

fn print_response(method: &str, response: &Value, raw: bool, stream: bool, printer: &Printer) -> Outcome {
    if raw {
        printer.json(response)?;
    }
    if response.is_array() {
        return Err(Failure::transport(format!("the server answered the call of `{method}` with a batch: {response}")));
    }
    let result = answer::result(method, response)?;
    match (raw, stream, result) {
        (true, _, _) => Ok(()),
        // A stream collected by a server that does not send events.
        (false, true, Value::Array(items)) => items.iter().try_for_each(|item| printer.json(item)),
        (false, _, result) => printer.json(result),
    }
}

async fn print_events(method: &str, mut events: Events, raw: bool, printer: &Printer) -> Outcome {
    while let Some(data) = events.next().await? {
        let message: Value = serde_json::from_str(&data)
            .map_err(|e| Failure::transport(format!("an event from {} is not JSON ({e}): {data}", events.url())))?;
        if raw {
            printer.json(&message)?;
        }
        if message.get("method").and_then(Value::as_str) == Some("rpc.item") {
            let item = message.pointer("/params/result");
            let item =
                item.ok_or_else(|| Failure::transport(format!("an item from {} has no result: {data}", events.url())))?;
            if !raw {
                printer.json(item)?;
            }
        } else if message.get("result").is_some() || message.get("error").is_some() {
            return answer::result(method, &message).map(|_| ());
        }
    }
    Err(Failure::transport(format!("the stream from {} ended before its last event", events.url())))
}
