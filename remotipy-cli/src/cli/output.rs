//! What goes to stdout: JSON pretty and coloured on a terminal, one compact
//! line per document when piped (so a stream's items are one per line), and
//! plain text for `list` and `describe`.

use std::io::{IsTerminal, Write};

use colored_json::{ColorMode, ColoredFormatter};
use serde::Serialize;
use serde_json::Value;
use serde_json::ser::{CompactFormatter, PrettyFormatter};

use super::args::Color;
use super::exit::{Failure, Outcome};

/// Writes the command's output to stdout.
#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pretty: bool,
    color: bool,
}

impl Printer {
    /// Pretty on a terminal; coloured as `color` says.
    pub fn new(color: Color) -> Printer {
        let terminal = std::io::stdout().is_terminal();
        let color = match color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => ColorMode::Auto(colored_json::Output::StdOut).use_color(),
        };
        Printer { pretty: terminal, color }
    }

    /// One JSON document, then a newline; flushed, so that a stream's items
    /// show as they come.
    pub fn json(&self, value: &Value) -> Outcome {
        let mut out = Vec::new();
        let written = match (self.pretty, self.color) {
            (true, true) => serialize(value, &mut out, ColoredFormatter::new(PrettyFormatter::new())),
            (true, false) => serialize(value, &mut out, PrettyFormatter::new()),
            (false, true) => serialize(value, &mut out, ColoredFormatter::new(CompactFormatter)),
            (false, false) => serialize(value, &mut out, CompactFormatter),
        };
        written.expect("JSON values serialize");
        out.push(b'\n');
        self.write(&out)
    }

    /// Text as it is.
    pub fn text(&self, text: &str) -> Outcome {
        self.write(text.as_bytes())
    }

    fn write(&self, bytes: &[u8]) -> Outcome {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(bytes).and_then(|()| stdout.flush()).map_err(Failure::output)
    }
}

fn serialize<F: serde_json::ser::Formatter>(value: &Value, out: &mut Vec<u8>, formatter: F) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(out, formatter))
}

/// A line for stderr.
pub fn warn(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}
