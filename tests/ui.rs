//! Compile-time guarantees: every mistake in a `#[remote]` trait gets one
//! spanned, actionable error; client and server cannot disagree with the
//! trait; valid traits compile. Expected errors are in `tests/ui/*.stderr`
//! (regenerate with `TRYBUILD=overwrite cargo test --test ui`, then review).
//! The cases compile with this crate's features, and give the same errors
//! with or without them; `tests/ui-openrpc` holds what only `openrpc` adds.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    #[cfg(feature = "openrpc")]
    t.compile_fail("tests/ui-openrpc/*.rs");
}
