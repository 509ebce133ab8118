//! The generated client in Node (20 has `fetch`), against the example server.

#![cfg(target_arch = "wasm32")]

remotipy_wasm_tests::tests!("Node");
