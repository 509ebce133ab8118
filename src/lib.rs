//! One shared trait becomes a typed remote API over HTTP.
//!
//! See the README for the guide; the rustdoc of [`remote`] lists what the
//! attribute generates and every option.

pub use remotipy_macros::remote;
pub use remotipy_runtime::*;
