//! The client side: a [`Client`] encodes calls, hands them to a
//! [`Transport`](crate::transport::Transport), and decodes the answer into
//! `Result<T, Error<E>>`.
//!
//! [`Client`], [`ClientBuilder`] and [`CallOptions`] are also at the crate
//! root; this module adds what their signatures mention.

mod attempts;
mod auto_batch;
pub(crate) mod batch;
mod batch_queue;
mod build_error;
mod builder;
mod call;
#[cfg(feature = "compression")]
mod compress;
mod endpoints;
#[cfg(feature = "metrics")]
mod metrics;
mod middleware;
mod options;
pub(crate) mod response;
mod resume;
mod retry;
mod sse;
pub(crate) mod stream;
mod untyped;

pub use build_error::BuildError;
pub use builder::{BuildTarget, ClientBuilder};
#[cfg(feature = "compression")]
pub use compress::Compression;
#[cfg(feature = "metrics")]
pub use metrics::Metrics;
pub use middleware::{AttemptRequest, AttemptResponse, AttemptStack};
pub use options::CallOptions;
pub use retry::{AttemptsFailed, DEFAULT_MAX_RETRY_AFTER, DEFAULT_MAX_STREAM_RECONNECTS, Retry};
pub use untyped::{Client, DEFAULT_MAX_CONNECTIONS_PER_ENDPOINT, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT};
