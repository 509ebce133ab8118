//! The command line, as clap reads it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use reqwest::header::{HeaderName, HeaderValue};

const EXAMPLES: &str = "\
Examples:
  remotipy list http://127.0.0.1:3000/rpc
  remotipy describe http://127.0.0.1:3000/rpc find
  remotipy call http://127.0.0.1:3000/rpc add a=1 b=2
  remotipy call http://127.0.0.1:3000/rpc ticks n=3 interval_ms=200
  remotipy gen ts --url http://127.0.0.1:3000/rpc -o api.ts

Exit codes: 0 success, 1 the server answered an error, 2 usage (arguments refused),
3 transport (no usable answer), 4 timeout.";

const CALL_EXAMPLES: &str = "\
Params:
  name=value    coerced by the method's schema: numbers, booleans, strings without
                quotes, JSON objects and arrays where the schema wants them; without a
                schema, a value that reads as JSON is sent as such, any other as a string
  name:=json    raw JSON, sent as written

Examples:
  remotipy call http://127.0.0.1:3000/rpc add a=1 b=2
  remotipy call http://127.0.0.1:3000/rpc find id=7
  remotipy call http://127.0.0.1:3000/rpc greet 'user:={\"first_name\":\"Ada\",\"last_name\":\"Lovelace\",\"email\":\"ada@example.org\"}'
  remotipy call http://127.0.0.1:3000/rpc divide --params '[1, 4]'
  echo '{\"a\": 1, \"b\": 2}' | remotipy call http://127.0.0.1:3000/rpc add --params -
  remotipy call http://127.0.0.1:3000/rpc ticks n=3 interval_ms=200     # one item per line
  remotipy call http://127.0.0.1:3000/rpc audit line=hello               # a notification
  remotipy call --no-discover -H 'authorization: Bearer t' https://example.org/rpc ping";

const BATCH_EXAMPLES: &str = "\
The input is a JSON array of JSON-RPC requests (`jsonrpc` may be left out; an entry
without `id` is a notification):
  [{\"id\": 1, \"method\": \"add\", \"params\": {\"a\": 1, \"b\": 2}},
   {\"id\": 2, \"method\": \"find\", \"params\": {\"id\": 7}}]

Each result is printed in request order; each error is one line on stderr.

Examples:
  remotipy batch http://127.0.0.1:3000/rpc calls.json
  remotipy batch http://127.0.0.1:3000/rpc < calls.json";

const DESCRIBE_EXAMPLES: &str = "\
Examples:
  remotipy describe http://127.0.0.1:3000/rpc greet
  remotipy describe http://127.0.0.1:3000/rpc UserInfo
  remotipy describe openrpc.json find --json";

const GEN_TS_EXAMPLES: &str = "\
Examples:
  remotipy gen ts openrpc.json -o api.ts
  remotipy gen ts --url http://127.0.0.1:3000/rpc -o api.ts --bigint";

/// List, describe and call any JSON-RPC 2.0 server from its OpenRPC
/// document; generate a typed TypeScript client from it.
#[derive(Debug, Parser)]
#[command(name = "remotipy", version, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to colour JSON output (`auto`: on a terminal, unless NO_COLOR is set).
    #[arg(long, global = true, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
}

/// When to colour JSON output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The methods of a server (or of an OpenRPC file) with their summaries, grouped by tag.
    #[command(after_help = "Example:\n  remotipy list http://127.0.0.1:3000/rpc")]
    List(ListArgs),
    /// A method (params, result, errors, docs) or a type of the document.
    #[command(after_help = DESCRIBE_EXAMPLES)]
    Describe(DescribeArgs),
    /// Call a method; print its result (a stream's items one per line).
    #[command(after_help = CALL_EXAMPLES)]
    Call(CallArgs),
    /// Send a batch of calls from a file or stdin.
    #[command(after_help = BATCH_EXAMPLES)]
    Batch(BatchArgs),
    /// Generate code from an OpenRPC document.
    #[command(subcommand)]
    Gen(Gen),
    /// Print a shell's completion script.
    #[command(
        after_help = "Example:\n  remotipy completions bash > ~/.local/share/bash-completion/completions/remotipy"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

/// How to reach a server.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// Send this HTTP header (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", value_parser = parse_header)]
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Give up after this long (`500ms`, `2s`, `1m`; a bare number is seconds); the server is
    /// told with `Remotipy-Timeout-Ms`.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Show the HTTP exchange on stderr.
    #[arg(short, long)]
    pub verbose: bool,
}

/// `remotipy list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// The server's JSON-RPC URL (http:// or https://), or an OpenRPC document's file.
    #[arg(value_name = "URL|FILE")]
    pub target: String,
    #[command(flatten)]
    pub connection: Connection,
}

/// `remotipy describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The server's JSON-RPC URL (http:// or https://), or an OpenRPC document's file.
    #[arg(value_name = "URL|FILE")]
    pub target: String,
    /// A method, or a schema of `components.schemas`.
    #[arg(value_name = "METHOD|TYPE")]
    pub name: String,
    /// Print the document's JSON for it, `$ref`s inlined, instead of the summary.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// `remotipy call`.
#[derive(Debug, Args)]
pub struct CallArgs {
    /// The server's JSON-RPC URL.
    pub url: String,
    /// The method.
    pub method: String,
    /// The params: `name=value` (coerced by the schema) or `name:=json` (raw JSON).
    #[arg(value_name = "NAME=VALUE")]
    pub args: Vec<String>,
    /// The params as one JSON object or array; `-` reads them from stdin, `@FILE` from a file.
    #[arg(long, value_name = "JSON", conflicts_with = "args")]
    pub params: Option<String>,
    /// Do not ask the server for its OpenRPC document: send the params as given.
    #[arg(long)]
    pub no_discover: bool,
    /// Send a notification (no id): nothing is answered.
    #[arg(long)]
    pub notify: bool,
    /// Ask for a stream of items (`Accept: text/event-stream`) even where the document does
    /// not say the method streams.
    #[arg(long)]
    pub stream: bool,
    /// Send the call as MessagePack (streams are always JSON).
    #[arg(long)]
    pub msgpack: bool,
    /// Print the whole JSON-RPC response (every event of a stream).
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// `remotipy batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// The server's JSON-RPC URL.
    pub url: String,
    /// The file holding the JSON array of requests; stdin when absent or `-`.
    pub file: Option<PathBuf>,
    /// Do not ask the server for its OpenRPC document: send the calls unchecked.
    #[arg(long)]
    pub no_discover: bool,
    /// Send the batch as MessagePack.
    #[arg(long)]
    pub msgpack: bool,
    /// Print the whole JSON-RPC response array.
    #[arg(long)]
    pub raw: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// `remotipy gen`.
#[derive(Debug, Subcommand)]
pub enum Gen {
    /// One self-contained TypeScript module: the document's types and a typed client.
    #[command(after_help = GEN_TS_EXAMPLES)]
    Ts(GenTsArgs),
}

/// `remotipy gen ts`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["file", "url"]))]
pub struct GenTsArgs {
    /// The OpenRPC document's file.
    pub file: Option<PathBuf>,
    /// Ask this server for its document (`rpc.discover`) instead.
    #[arg(long)]
    pub url: Option<String>,
    /// Where to write the module; stdout when absent.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Type 64-bit integers as `number | bigint`, keeping their exact values beyond 2^53.
    #[arg(long)]
    pub bigint: bool,
    #[command(flatten)]
    pub connection: Connection,
}

fn parse_header(text: &str) -> Result<(HeaderName, HeaderValue), String> {
    let (name, value) = text.split_once(':').ok_or("expected `name: value`")?;
    let name = HeaderName::try_from(name.trim()).map_err(|_| format!("`{}` is not a header name", name.trim()))?;
    let value = HeaderValue::try_from(value.trim()).map_err(|_| format!("`{}` is not a header value", value.trim()))?;
    Ok((name, value))
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    match text.parse::<f64>() {
        Ok(seconds) => Duration::try_from_secs_f64(seconds).map_err(|e| e.to_string()),
        Err(_) => humantime::parse_duration(text).map_err(|e| format!("{e} (e.g. `500ms`, `2s`, `1m`)")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_tree_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn headers_and_durations() {
        let (name, value) = parse_header("X-Trace:  abc ").unwrap();
        assert_eq!((name.as_str(), value.to_str().unwrap()), ("x-trace", "abc"));
        assert!(parse_header("no colon").is_err());
        assert!(parse_header("bad name: x").is_err());
        assert_eq!(parse_duration("1.5").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("-1").is_err());
    }
}
