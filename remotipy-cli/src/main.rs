//! `remotipy`: list, describe and call any JSON-RPC 2.0 server from its
//! OpenRPC document; generate a typed TypeScript client from it.

fn main() {
    std::process::exit(remotipy_cli::cli::main());
}
