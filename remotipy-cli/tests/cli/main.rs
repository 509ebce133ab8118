//! The `remotipy` binary against real servers: the example server (with its
//! OpenRPC document), a jsonrpsee server without one, and raw listeners
//! for headers, MessagePack, garbage and silence. Stable outputs are insta
//! snapshots (`tests/cli/snapshots/`).

mod servers;
mod support;

mod batch;
mod call;
mod describe;
mod failures;
mod generate;
mod list;
mod plain;
mod shell;
mod stream;
