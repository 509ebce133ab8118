//! The calls waiting for an automatic batch, and the batcher's settings:
//! what a client holds; [`auto_batch`](super::auto_batch) sends them.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use http::HeaderMap;
use tokio::sync::oneshot;

use crate::deadline::Deadline;
use crate::error::BoxError;
use crate::transport::TransportResponse;

/// The default limits of one batch: a remotipy server's (its
/// `DEFAULT_MAX_BATCH_LEN` and `DEFAULT_BODY_LIMIT`, which a test checks),
/// so that its batches are never refused as too large.
pub(crate) const DEFAULT_MAX_CALLS: usize = 1024;
pub(crate) const DEFAULT_MAX_BYTES: usize = 2 * 1024 * 1024;

/// The client's batcher: its settings and the calls waiting to go.
pub(crate) struct AutoBatch {
    pub(super) window: Duration,
    pub(super) max_calls: usize,
    pub(super) max_bytes: usize,
    /// The builder's headers: what a batch of calls without headers of
    /// their own sends, whichever clone led it.
    pub(super) defaults: HeaderMap,
    pub(super) queue: Mutex<Queue>,
    /// Calls submitted and not yet answered (or given up).
    pub(super) in_flight: AtomicUsize,
}

#[derive(Default)]
pub(super) struct Queue {
    pub(super) waiting: Vec<Entry>,
    /// A leader is waiting out the window: later calls just queue.
    pub(super) led: bool,
}

/// One call waiting for its batch.
pub(super) struct Entry {
    pub(super) method: &'static str,
    /// The encoded request object (a notification has no id).
    pub(super) body: Vec<u8>,
    pub(super) id: Option<u64>,
    pub(super) idempotent: bool,
    /// The caller's headers, when they are not the client's defaults.
    pub(super) headers: Option<HeaderMap>,
    pub(super) deadline: Option<Deadline>,
    pub(super) reply: oneshot::Sender<Delivery>,
}

/// What a caller is handed: the answer to its call as if it had been sent
/// alone (its own response object, or the whole answer when the batch was
/// answered as a whole), or the failure of the exchange.
pub(super) type Delivery = Result<TransportResponse, Failure>;

/// A failed exchange, shared by every call in it.
#[derive(Clone)]
pub(super) enum Failure {
    Transport(Arc<BoxError>),
    Timeout(Duration),
    Decode(String),
}

/// How automatic batching is set up (`ClientBuilder::auto_batch` and the
/// limits beside it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub window: Duration,
    pub max_calls: usize,
    pub max_bytes: usize,
}

impl AutoBatch {
    pub fn new(settings: Settings, defaults: HeaderMap) -> Self {
        AutoBatch {
            window: settings.window,
            max_calls: settings.max_calls.max(1),
            max_bytes: settings.max_bytes,
            defaults,
            queue: Mutex::new(Queue::default()),
            in_flight: AtomicUsize::new(0),
        }
    }
}
