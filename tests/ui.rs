//! Compile-time guarantees: every mistake in a `#[remote]` trait gets one
//! spanned, actionable error; client and server cannot disagree with the
//! trait; valid traits compile. Expected errors are in `tests/ui/*.stderr`
//! (regenerate with `TRYBUILD=overwrite cargo test --all-features --test ui`,
//! then review); `tests/ui-openrpc` holds what only `openrpc` adds.
//!
//! The cases compile with this crate's features. rustc's "other types
//! implement this trait" hints name paths that depend on the dependency
//! graph, so the expected output is for the README's test command (every
//! feature) and the cases run only there.
#![cfg(all(feature = "openrpc", feature = "blocking", feature = "hyper"))]

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.compile_fail("tests/ui-openrpc/*.rs");
}
