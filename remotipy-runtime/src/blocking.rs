//! A blocking client for scripts, command-line tools and threads without an
//! async runtime (feature `blocking`): the async client's calls, driven to
//! completion on the caller's thread.

use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use crate::client::stream::Items;
use crate::client::{BuildError, CallOptions, Client, ClientBuilder};
use crate::error::Error;
use crate::method::Wire;

/// The untyped blocking client every generated `<Trait>BlockingClient`
/// wraps. Cheap to clone.
///
/// Each call is the async [`Client`]'s own (same transports, headers,
/// timeouts, codecs, errors), run to completion on the caller's thread, with
/// a runtime of its own (one thread, started with the client) driving the
/// sockets and timers. So it works from plain threads and from
/// `tokio::task::spawn_blocking`, over every transport, in-process included.
///
/// On a thread that is running async tasks (a runtime worker, or inside
/// `block_on`) a blocking call would stall every task of that thread, so
/// it fails at once with [`Error::WouldBlock`]; use the async client there.
#[derive(Clone)]
pub struct BlockingClient {
    client: Client,
    runtime: Arc<Runtime>,
}

/// The runtime behind a blocking client: a current-thread runtime, driven
/// by a thread of its own (the sockets, the timers, the connections' tasks),
/// while each call is polled on its caller's thread through the handle. It
/// takes only tokio's `rt`, which wasm32 has too, so that there remotipy's
/// own compile error explains. When the last clone goes, the driver thread
/// stops and drops the runtime itself: dropping a client never blocks (nor
/// panics, as dropping a tokio runtime inside async code would).
struct Runtime {
    handle: tokio::runtime::Handle,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Runtime {
    fn start() -> std::io::Result<Runtime> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new().name("remotipy-blocking".into()).spawn(move || {
            runtime.block_on(async {
                let _ = stopped.await;
            });
        })?;
        Ok(Runtime { handle, _stop: stop })
    }

    /// Runs `call` to completion on this thread, unless the thread runs
    /// async tasks.
    fn block_on<T, E>(
        &self,
        method: &'static str,
        call: impl Future<Output = Result<T, Error<E>>>,
    ) -> Result<T, Error<E>> {
        if polling_a_task() {
            return Err(Error::WouldBlock { method });
        }
        self.handle.block_on(call)
    }
}

/// The blocking client a builder's settings describe.
pub(crate) fn build<C>(builder: ClientBuilder<C>) -> Result<BlockingClient, BuildError> {
    BlockingClient::new(builder.into_client()?)
}

impl BlockingClient {
    fn new(client: Client) -> Result<Self, BuildError> {
        let runtime = Runtime::start().map_err(BuildError::Runtime)?;
        Ok(BlockingClient { client, runtime: Arc::new(runtime) })
    }

    /// The async client each call runs.
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// Where calls go.
    pub fn endpoint(&self) -> &str {
        self.client.endpoint()
    }

    /// A clone whose calls use `options` (see [`Client::with_options`]).
    pub fn with_options(&self, options: CallOptions) -> Result<Self, BuildError> {
        Ok(BlockingClient { client: self.client.with_options(options)?, runtime: Arc::clone(&self.runtime) })
    }

    /// Calls `method` by name (see [`Client::request`]).
    pub fn request<P, R>(&self, method: &'static str, params: &P) -> Result<R, Error>
    where
        P: serde::Serialize + ?Sized,
        R: serde::de::DeserializeOwned,
    {
        self.block_on(method, self.client.request(method, params))
    }

    /// Sends a notification by name (see [`Client::notify`]).
    pub fn notify<P: serde::Serialize + ?Sized>(&self, method: &'static str, params: &P) -> Result<(), Error> {
        self.block_on(method, self.client.notify(method, params))
    }

    /// Runs `call` to completion on this thread (see [`BlockingClient`]).
    pub(crate) fn block_on<T, E>(
        &self,
        method: &'static str,
        call: impl Future<Output = Result<T, Error<E>>>,
    ) -> Result<T, Error<E>> {
        self.runtime.block_on(method, call)
    }

    /// A stream's items, read on the caller's thread as they come.
    pub(crate) fn items<T, E>(&self, items: Items<T, E>, method: &'static str) -> BlockingItems<T, E> {
        BlockingItems { items, method, runtime: Arc::clone(&self.runtime) }
    }
}

/// The items of a streaming call made by a blocking client, as an
/// [`Iterator`]: each `next` waits for the next item (see
/// [`Items`] for how a stream ends).
pub struct BlockingItems<T, E = std::convert::Infallible> {
    items: Items<T, E>,
    method: &'static str,
    runtime: Arc<Runtime>,
}

impl<T, E> BlockingItems<T, E> {
    /// How often the stream reconnected, so far (see [`Items::reconnects`]).
    pub fn reconnects(&self) -> u32 {
        self.items.reconnects()
    }
}

impl<T: Wire, E> Iterator for BlockingItems<T, E> {
    type Item = Result<T, Error<E>>;

    fn next(&mut self) -> Option<Self::Item> {
        use futures_util::StreamExt;
        let items = &mut self.items;
        self.runtime.block_on(self.method, async { Ok(items.next().await) }).unwrap_or_else(|e| Some(Err(e)))
    }
}

impl<T, E> std::fmt::Debug for BlockingItems<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingItems").field("items", &self.items).finish()
    }
}

/// Whether this thread is polling a task of a tokio runtime (a worker, or
/// `block_on`), where blocking would stall it.
///
/// Tokio has no public question for this, but it gives every task it polls
/// a cooperative budget (128 operations per poll), while `spawn_blocking`
/// closures and plain threads run unconstrained. Taking budget until tokio
/// says no tells them apart; every unit taken is given back (the restore
/// guards, dropped last-taken first, leave the budget as it was).
fn polling_a_task() -> bool {
    let mut cx = Context::from_waker(Waker::noop());
    let mut taken = Vec::new();
    let constrained = loop {
        match tokio::task::coop::poll_proceed(&mut cx) {
            Poll::Ready(restore) => taken.push(restore),
            Poll::Pending => break true,
        }
        // No task budget is this large: unconstrained.
        if taken.len() > 1024 {
            break false;
        }
    };
    while let Some(restore) = taken.pop() {
        drop(restore);
    }
    constrained
}

impl std::fmt::Debug for BlockingClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingClient").field("client", &self.client).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::{Runtime, polling_a_task};

    /// Threads of this process named like the runtimes' drivers.
    #[cfg(target_os = "linux")]
    fn drivers() -> usize {
        let tasks = std::fs::read_dir("/proc/self/task").unwrap();
        let names = tasks.filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok());
        names.filter(|name| name.starts_with("remotipy-blocki")).count()
    }

    /// Waits up to 5 s for `done` to hold of the number of drivers, which
    /// it returns (a thread names itself once it runs).
    #[cfg(target_os = "linux")]
    fn drivers_once(done: impl Fn(usize) -> bool) -> usize {
        let started = std::time::Instant::now();
        while !done(drivers()) && started.elapsed() < std::time::Duration::from_secs(5) {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        drivers()
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_runtime_s_thread_ends_with_it() {
        let runtimes: Vec<Runtime> = (0..20).map(|_| Runtime::start().unwrap()).collect();
        assert_eq!(drivers_once(|n| n >= 20), 20, "one driver thread per runtime");
        drop(runtimes);
        assert_eq!(drivers_once(|n| n == 0), 0, "driver threads left running");
    }

    #[test]
    fn only_threads_polling_tasks_are_refused() {
        assert!(!polling_a_task(), "a plain thread");
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        assert!(runtime.block_on(async { polling_a_task() }), "inside block_on");
        assert!(runtime.block_on(async { tokio::spawn(async { polling_a_task() }).await.unwrap() }), "a worker");
        let blocking = runtime.block_on(async { tokio::task::spawn_blocking(polling_a_task).await.unwrap() });
        assert!(!blocking, "spawn_blocking");
        // The budget is given back: a task can still make progress after asking.
        runtime.block_on(async {
            assert!(polling_a_task());
            assert!(tokio::task::coop::has_budget_remaining());
        });
    }
}
