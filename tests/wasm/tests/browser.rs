//! The generated client in headless Chromium, against the example server on
//! another origin: the browser's CORS checks and fetch semantics apply.

#![cfg(target_arch = "wasm32")]

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

remotipy_wasm_tests::tests!("Chromium");
