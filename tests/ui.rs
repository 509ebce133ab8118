//! Compile-time guarantees: every mistake in a `#[remote]` trait gets one
//! spanned, actionable error; client and server cannot disagree with the
//! trait; valid traits compile. Expected errors are in `tests/ui/*.stderr`
//! (regenerate with `TRYBUILD=overwrite cargo test --test ui`, then review);
//! `tests/ui-openrpc` holds what only the `openrpc` feature adds, and
//! `tests/ui-no-blocking` what a build without `blocking` says.
//!
//! The messages do not depend on the crates in the build (remotipy's own
//! diagnostics say what a type lacks, instead of rustc's lists of the types
//! that have it), so the cases run whatever the features.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    #[cfg(feature = "openrpc")]
    t.compile_fail("tests/ui-openrpc/*.rs");
    #[cfg(not(feature = "blocking"))]
    t.compile_fail("tests/ui-no-blocking/*.rs");
}
