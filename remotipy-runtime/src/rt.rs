//! What the client needs of an async runtime — a clock, timers, a way to
//! run a task — on each target: tokio's natively; on `wasm32` the browser's
//! (or Node's) own, since tokio's timers and `std::time::Instant` do not run
//! there. The rest of the client is written once against these names.

#[cfg(not(target_arch = "wasm32"))]
pub(crate) use tokio::time::{Instant, Sleep, sleep, sleep_until, timeout_at};

#[cfg(target_arch = "wasm32")]
pub(crate) use wasm::{Instant, Sleep, sleep, sleep_until, timeout_at};

/// Runs `task` in the background; natively, drops it outside a tokio
/// runtime (or in one shutting down), where nothing would run it.
pub(crate) fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    #[cfg(not(target_arch = "wasm32"))]
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(task);
    }
    #[cfg(target_arch = "wasm32")]
    wasm_bindgen_futures::spawn_local(task);
}

#[cfg(target_arch = "wasm32")]
mod wasm {
    //! Timers from `setTimeout` (gloo-timers), the clock from
    //! `performance.now()` (web-time). The JavaScript handles are not `Send`;
    //! wasm32-unknown-unknown runs one thread, and `SendWrapper` checks that
    //! they stay on it, so the client's futures keep their `Send` bounds.

    use std::pin::Pin;
    use std::task::{Context, Poll};
    use std::time::Duration;

    use futures_util::FutureExt;
    use gloo_timers::future::TimeoutFuture;
    use send_wrapper::SendWrapper;

    pub(crate) use web_time::Instant;

    /// A timer that can be moved, like tokio's `Sleep`.
    #[derive(Debug)]
    pub(crate) struct Sleep {
        at: Instant,
        timer: Option<SendWrapper<TimeoutFuture>>,
    }

    pub(crate) fn sleep_until(at: Instant) -> Sleep {
        Sleep { at, timer: None }
    }

    /// A sleep past what the clock can count lasts a century: never, for a caller.
    pub(crate) fn sleep(duration: Duration) -> Sleep {
        let now = Instant::now();
        sleep_until(now.checked_add(duration).or_else(|| now.checked_add(CENTURY)).unwrap_or(now))
    }

    const CENTURY: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

    impl Sleep {
        pub(crate) fn reset(self: Pin<&mut Self>, at: Instant) {
            let this = self.get_mut();
            this.at = at;
            this.timer = None;
        }
    }

    impl Future for Sleep {
        type Output = ();

        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            let this = self.get_mut();
            // setTimeout takes whole milliseconds and may fire a little
            // early or late: the clock decides, the timer only wakes.
            loop {
                let left = this.at.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Poll::Ready(());
                }
                let timer = this.timer.get_or_insert_with(|| {
                    let millis = u32::try_from(left.as_millis().max(1)).unwrap_or(u32::MAX);
                    SendWrapper::new(TimeoutFuture::new(millis))
                });
                match timer.poll_unpin(cx) {
                    Poll::Ready(()) => this.timer = None,
                    Poll::Pending => return Poll::Pending,
                }
            }
        }
    }

    /// The deadline passed first.
    #[derive(Debug)]
    pub(crate) struct Elapsed;

    /// `future`'s output, or `Elapsed` if `at` comes first.
    pub(crate) async fn timeout_at<F: Future>(at: Instant, future: F) -> Result<F::Output, Elapsed> {
        let future = std::pin::pin!(future);
        match futures_util::future::select(future, sleep_until(at)).await {
            futures_util::future::Either::Left((output, _)) => Ok(output),
            futures_util::future::Either::Right(((), _)) => Err(Elapsed),
        }
    }
}
