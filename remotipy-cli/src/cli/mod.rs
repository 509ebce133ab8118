//! The `list`, `describe`, `call`, `batch`, `gen ts` and `completions`
//! subcommands: clap reads the command line (`args.rs`), each subcommand has
//! its file, and every failure is an `exit::Failure` whose kind is the exit
//! code (the table is in docs/cli.md).

mod answer;
mod args;
mod batch;
mod call;
mod coerce;
mod describe;
mod discover;
mod exit;
mod generate;
mod list;
mod output;
mod rpc;
mod sse;
mod suggest;
mod types;
mod validate;
mod verbose;

use std::io::Write;

use clap::{CommandFactory, Parser};

use args::{Cli, Command, Gen};
use exit::{Failure, Outcome};
use output::Printer;

/// Runs the command line; returns the process's exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // Help and version are "errors" that exit 0; usage errors exit 2.
            let _ = error.print();
            return error.exit_code();
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
    let outcome = match runtime {
        Ok(runtime) => runtime.block_on(run(cli)),
        Err(e) => Err(Failure::transport(format!("cannot start the async runtime: {e}"))),
    };
    match outcome {
        Ok(()) => exit::SUCCESS,
        Err(failure) => {
            if !failure.message.is_empty() {
                let _ = writeln!(std::io::stderr(), "{}", failure.message);
            }
            failure.kind.code()
        }
    }
}

async fn run(cli: Cli) -> Outcome {
    let printer = Printer::new(cli.color);
    match &cli.command {
        Command::List(args) => list::run(args, &printer).await,
        Command::Describe(args) => describe::run(args, &printer).await,
        Command::Call(args) => call::run(args, &printer).await,
        Command::Batch(args) => batch::run(args, &printer).await,
        Command::Gen(Gen::Ts(args)) => generate::ts(args, &printer).await,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "remotipy", &mut script);
            printer.text(&String::from_utf8_lossy(&script))
        }
    }
}
