//! How a command fails: a kind (which is the exit code, see the table in
//! docs/cli.md) and one line for stderr.

use std::fmt;

/// The exit code of a command that succeeded.
pub const SUCCESS: i32 = 0;

/// What kind of failure ended the command; each has its exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The server answered with a JSON-RPC error (the application's, or the
    /// protocol's: unknown method, invalid params). Exit 1.
    Remote,
    /// The command line, its arguments or its input are refused: by clap,
    /// by the method's schema, or because a file cannot be read. Exit 2.
    Usage,
    /// No usable answer: cannot connect, TLS, an HTTP error status, an
    /// answer that is not JSON-RPC, a stream cut short. Exit 3.
    Transport,
    /// `--timeout` passed, or the server said the deadline passed. Exit 4.
    Timeout,
    /// stdout was closed by its reader (`| head`): stop quietly. Exit 0.
    Closed,
}

impl Kind {
    /// The process's exit code for this kind of failure.
    pub fn code(self) -> i32 {
        match self {
            Kind::Remote => 1,
            Kind::Usage => 2,
            Kind::Transport => 3,
            Kind::Timeout => 4,
            Kind::Closed => SUCCESS,
        }
    }
}

/// A failed command: its kind and what to print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What kind of failure (the exit code).
    pub kind: Kind,
    /// One line, without the program's name.
    pub message: String,
}

impl Failure {
    /// A failure of `kind` saying `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure { kind, message: message.into() }
    }

    /// The server answered an error.
    pub fn remote(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Remote, message)
    }

    /// The command line or its input is refused.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Usage, message)
    }

    /// No usable answer came.
    pub fn transport(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Transport, message)
    }

    /// The deadline passed.
    pub fn timeout(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Timeout, message)
    }

    /// Writing to stdout failed: quietly if its reader went away.
    pub fn output(error: std::io::Error) -> Failure {
        match error.kind() {
            std::io::ErrorKind::BrokenPipe => Failure::new(Kind::Closed, ""),
            _ => Failure::transport(format!("cannot write the output: {error}")),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a command returns.
pub type Outcome = Result<(), Failure>;
