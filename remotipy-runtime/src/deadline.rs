//! The deadline a call inherits from the call it is made for: the server
//! sets it around each call it runs (from the caller's
//! `Remotipy-Timeout-Ms`), and a client called from that handler reads it,
//! so the whole chain of calls ends when the first caller stops waiting.
//! Both sides use this module; neither reads the other.

#[cfg(feature = "server")]
tokio::task_local! {
    static INHERITED: Option<tokio::time::Instant>;
}

/// The deadline of the call being handled on this task, if any.
#[cfg(feature = "client")]
pub(crate) fn inherited() -> Option<crate::rt::Instant> {
    #[cfg(feature = "server")]
    return INHERITED.try_with(|deadline| *deadline).ok().flatten();
    #[cfg(not(feature = "server"))]
    None
}

/// Runs `future` with `deadline` as the inherited one.
#[cfg(feature = "server")]
pub(crate) async fn scope<F: Future>(deadline: Option<tokio::time::Instant>, future: F) -> F::Output {
    INHERITED.scope(deadline, future).await
}

/// Runs `f` with `deadline` as the inherited one (a stream's poll).
#[cfg(feature = "server")]
pub(crate) fn sync_scope<R>(deadline: Option<tokio::time::Instant>, f: impl FnOnce() -> R) -> R {
    INHERITED.sync_scope(deadline, f)
}

/// When a call's caller stops waiting, and the timeout that set it (what a
/// timeout error reports).
#[cfg(feature = "client")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline {
    pub at: crate::rt::Instant,
    pub after: std::time::Duration,
}

#[cfg(feature = "client")]
impl Deadline {
    /// `after` from now; `None` when the clock cannot represent that moment
    /// (`Duration::MAX`, say), which is no deadline at all.
    pub fn after(now: crate::rt::Instant, after: std::time::Duration) -> Option<Self> {
        Some(Deadline { at: now.checked_add(after)?, after })
    }

    /// The earlier of `own` and the inherited deadline `inherited`.
    pub fn earliest(own: Option<Self>, inherited: Option<crate::rt::Instant>, now: crate::rt::Instant) -> Option<Self> {
        match (own, inherited) {
            (Some(own), Some(at)) if at >= own.at => Some(own),
            (_, Some(at)) => Some(Deadline { at, after: at.saturating_duration_since(now) }),
            (own, None) => own,
        }
    }

    /// Whether it has passed.
    pub fn passed(&self) -> bool {
        crate::rt::Instant::now() >= self.at
    }
}
