//! What a client call can fail with.

use std::convert::Infallible;
use std::time::Duration;

use http::StatusCode;

/// The error of a generated client method: `Error<E>` for a method declared
/// `-> Result<T, E>`, plain `Error` (no application variant can occur) for one
/// declared `-> T`.
///
/// ```
/// # #[derive(Debug)] enum UserError { NotFound(u64) }
/// # impl std::fmt::Display for UserError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
/// # }
/// # fn show(r: Result<String, remotipy::Error<UserError>>) {
/// match r {
///     Ok(name) => println!("{name}"),
///     Err(remotipy::Error::App(UserError::NotFound(id))) => println!("no user {id}"),
///     Err(other) => eprintln!("call failed: {other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The handler returned `Err(e)`; this is `e`, decoded.
    #[error("{0}")]
    App(E),

    /// The server answered with a JSON-RPC error (remotipy's
    /// `RemoteException`): unknown method, bad params, a handler panic, or an
    /// application error this client could not decode as `E`.
    #[error("`{method}` failed remotely: {message} (code {code}{})", class.as_deref().map(|c| format!(", {c}")).unwrap_or_default())]
    Remote {
        /// The method called.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i64,
        /// The server's message (for application errors, the error's `Display`).
        message: String,
        /// The remote error's type name (`data.type`), when the server sent one.
        class: Option<String>,
        /// The error's `data`, as sent.
        data: Option<serde_json::Value>,
    },

    /// The request never got an HTTP response: connection refused or reset,
    /// DNS, TLS, or the transport's own failure. After several attempts the
    /// source is a [`client::AttemptsFailed`](crate::client::AttemptsFailed)
    /// saying how many, whose own source is the last one's failure.
    #[error("`{method}` could not reach the server")]
    Transport {
        /// The method called.
        method: &'static str,
        /// What the transport reported.
        #[source]
        source: BoxError,
    },

    /// A stream that had started broke off before the server said it had
    /// ended: its connection failed or closed early. A resumable stream
    /// reconnects first; this is what it ends with when its reconnects are
    /// used up (`reconnects` of them), the last failure as the source.
    #[error(
        "`{method}`'s stream broke off after {received} item{}{}",
        if *received == 1 { "" } else { "s" },
        if *reconnects == 0 { String::new() } else { format!(" and {reconnects} reconnects") }
    )]
    StreamBroken {
        /// The method called.
        method: &'static str,
        /// The items that arrived.
        received: u64,
        /// The reconnects made before giving up.
        reconnects: u32,
        /// Why the last connection ended.
        #[source]
        source: BoxError,
    },

    /// The call was dropped unsent: the automatic batch it waited in could
    /// not go, because the async runtime it was to run on was shutting down.
    #[error("`{method}` was dropped unsent: the runtime of its automatic batch shut down")]
    Abandoned {
        /// The method called.
        method: &'static str,
    },

    /// A blocking client was called on a thread that runs async tasks (a
    /// runtime worker, or inside `block_on`), where waiting would stall them;
    /// nothing was sent.
    #[error(
        "`{method}` was called through a blocking client on a thread that runs async tasks, where it would stall \
         them: use the async client there, or call from `tokio::task::spawn_blocking`"
    )]
    WouldBlock {
        /// The method called.
        method: &'static str,
    },

    /// No complete response within the timeout.
    #[error("`{method}` timed out after {after:?}")]
    Timeout {
        /// The method called.
        method: &'static str,
        /// The timeout that expired.
        after: Duration,
    },

    /// The server answered with an HTTP status that carries no JSON-RPC
    /// response (401 from an auth layer, 404 for a wrong path, 5xx …).
    #[error("`{method}` got HTTP {status}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        /// The method called.
        method: &'static str,
        /// The HTTP status.
        status: StatusCode,
        /// The start of the response body, for the log.
        body: String,
    },

    /// The response was not a JSON-RPC response for this call, or its
    /// result does not have the declared type.
    #[error("`{method}` got a response it cannot read: {detail}")]
    Decode {
        /// The method called.
        method: &'static str,
        /// What was wrong with it.
        detail: String,
    },

    /// The arguments could not be encoded (a `Serialize` impl failed).
    #[error("`{method}` could not encode its arguments")]
    Encode {
        /// The method called.
        method: &'static str,
        /// The codec's error.
        #[source]
        source: BoxError,
    },
}

/// A boxed error: what a transport fails with, and the source of
/// [`Error::Transport`] and [`Error::Encode`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

impl<E> Error<E> {
    /// The JSON-RPC error code, for `Remote` errors.
    pub fn code(&self) -> Option<i64> {
        match self {
            Error::Remote { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// The application error, if that is what this is.
    pub fn app(&self) -> Option<&E> {
        match self {
            Error::App(e) => Some(e),
            _ => None,
        }
    }

    /// Changes the application error type; `f` maps `App`, every other
    /// variant is carried over.
    pub fn map_app<F>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::App(e) => Error::App(f(e)),
            Error::Remote { method, code, message, class, data } => {
                Error::Remote { method, code, message, class, data }
            }
            Error::Transport { method, source } => Error::Transport { method, source },
            Error::StreamBroken { method, received, reconnects, source } => {
                Error::StreamBroken { method, received, reconnects, source }
            }
            Error::Abandoned { method } => Error::Abandoned { method },
            Error::WouldBlock { method } => Error::WouldBlock { method },
            Error::Timeout { method, after } => Error::Timeout { method, after },
            Error::Status { method, status, body } => Error::Status { method, status, body },
            Error::Decode { method, detail } => Error::Decode { method, detail },
            Error::Encode { method, source } => Error::Encode { method, source },
        }
    }
}
