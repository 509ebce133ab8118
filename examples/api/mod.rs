//! The crate shared by client and server: DTOs and the remote traits.
//! (In a real project this is its own crate, depended on by both sides.)

use remotipy::stream::{Stream, Tracked};
use serde::{Deserialize, Serialize};

/// A user of the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct UserInfo {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

/// What `greet` answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Greeting {
    pub message: String,
}

/// Why `find` failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub enum UserError {
    #[error("no user with id {0}")]
    NotFound(u64),
}

/// Why `divide` failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub enum MathError {
    #[error("division by zero")]
    DivisionByZero,
}

/// Why `ticks` refused to start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub enum TickError {
    #[error("interval_ms must be at most 60000, not {0}")]
    IntervalTooLong(u64),
    /// Asked to resume after an item the stream never has.
    #[error("cannot resume after tick {after}: the stream ends at {n}")]
    CannotResume { after: u64, n: u64 },
}

/// Refusing to resume is JSON-RPC's `-32093`, as a runtime that cannot resume says.
impl remotipy::ErrorCode for TickError {
    fn code(&self) -> i64 {
        match self {
            TickError::IntervalTooLong(_) => remotipy::protocol::code::APP_ERROR,
            TickError::CannotResume { .. } => remotipy::protocol::code::CANNOT_RESUME,
        }
    }
}

/// The user directory.
#[remotipy::remote]
pub trait Users {
    /// Says hello to `user`.
    async fn greet(&self, user: UserInfo) -> Greeting;
    /// Finds the user with this id.
    #[remote(idempotent)]
    async fn find(&self, id: u64) -> Result<UserInfo, UserError>;
    /// Records an audit line; one-way, no reply awaited.
    #[remote(notification)]
    async fn audit(&self, line: String);
}

/// Arithmetic, served on the same endpoint as [`Users`].
#[remotipy::remote]
pub trait Calculator {
    /// `a + b`.
    #[remote(idempotent)]
    async fn add(&self, a: i64, b: i64) -> i64;
    /// `a / b`, refusing `b == 0`.
    async fn divide(&self, a: f64, b: f64) -> Result<f64, MathError>;
    /// The numbers `1..=n`, one every `interval_ms` milliseconds (the first at
    /// once), streamed as they come; refuses `interval_ms > 60000` before
    /// any item. Resumable: tick `k` has id `k`, and a stream resumed after
    /// `k` continues at once with `k + 1`.
    async fn ticks(&self, n: u64, interval_ms: u64) -> Result<impl Stream<Item = Tracked<u64>> + Send, TickError>;
}
