//! The items of a resumable stream: each carries the id a broken stream
//! resumes after. Shared by both sides: the server writes the id as the
//! event's SSE `id:` line, the client sends the last one back as
//! `Last-Event-ID` when it reconnects.

use std::fmt::Display;
use std::str::FromStr;

/// An item of a resumable stream, and its id.
///
/// A streaming method whose items are `Tracked` resumes where it broke off:
/// the client reconnects by itself, sending the last id it received, and
/// the method continues after it. Ids are the application's (a sequence
/// number, a log offset), so any server process can resume a stream another
/// started, with no replay buffer. They must increase within a stream; the
/// server checks it, and refuses a stream that does not continue after the
/// id it resumes from.
///
/// ```
/// use remotipy::stream::{Stream, Tracked};
///
/// # #[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
/// # #[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
/// # #[error("gone")] pub struct Gone;
/// #[remotipy::remote]
/// pub trait Log {
///     /// The lines from the start, then as they are written.
///     async fn tail(&self) -> Result<impl Stream<Item = Tracked<String>> + Send, Gone>;
/// }
///
/// struct Lines(Vec<String>);
///
/// # #[cfg(feature = "server")]
/// impl Log for Lines {
///     async fn tail(&self) -> Result<impl Stream<Item = Tracked<String>> + Send, Gone> {
///         // Where a reconnecting client left off: the line after the last it got.
///         let from = remotipy::stream::resume_after::<u64>().map_or(0, |last| last + 1);
///         let lines = self.0.clone().into_iter().enumerate().skip(from as usize);
///         Ok(futures_util::stream::iter(lines.map(|(n, line)| Tracked::new(n as u64, line))))
///     }
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tracked<T, I = u64> {
    /// Its id: what a stream resumes after.
    pub id: I,
    /// The item itself: what callers receive.
    pub item: T,
}

impl<T, I> Tracked<T, I> {
    /// `item`, with the id a stream broken after it resumes from.
    pub fn new(id: I, item: T) -> Self {
        Tracked { id, item }
    }
}

/// What an item's id can be: written as the event's SSE `id:` line, read
/// back from `Last-Event-ID` with `FromStr`, and ordered (a stream's ids
/// increase). The integer types and `String` are; a `String` id must hold
/// no line break or NUL (the server refuses it).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the id of a stream's items",
    label = "the id of `Tracked` items",
    note = "an id is written as the SSE `id:` line, read back from `Last-Event-ID` and ordered: use an integer \
            type or `String`"
)]
pub trait EventId: Display + FromStr + Ord + Clone + Send + Sync + 'static {}

macro_rules! event_ids {
    ($($ty:ty),*) => { $(impl EventId for $ty {})* };
}
event_ids!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, String);
