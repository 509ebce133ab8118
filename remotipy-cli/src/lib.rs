//! The library behind the `remotipy` command: reading an OpenRPC document
//! ([`document`]), generating a TypeScript client from it ([`typescript`]),
//! and the command line's own subcommands ([`cli`]).
//!
//! A build script or test regenerates TypeScript bindings without the binary:
//!
//! ```no_run
//! let document: serde_json::Value = serde_json::from_str(&std::fs::read_to_string("openrpc.json")?)?;
//! let source = remotipy_cli::typescript::generate(&document, &remotipy_cli::typescript::Options::default())?;
//! std::fs::write("api.ts", source)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cli;
pub mod document;
pub mod typescript;
