//! How an application error chooses its JSON-RPC code and HTTP status.
//! Apart from the server, because the shared API crate implements it for its
//! error types whether it is built for clients, servers or both.

use http::StatusCode;

use crate::protocol::code;

/// Lets an application error choose its JSON-RPC code and, for a call that
/// is not part of a batch, the HTTP status of the response (e.g. 401).
///
/// Without an impl, an `Err(e)` travels as code `-32000` with HTTP 200.
/// Either way the message is `e`'s `Display` and `data` is
/// `{"type": <type name>, "value": e}`, so a remotipy client gets `Error::App(e)`.
///
/// ```
/// #[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
/// #[error("not authenticated")]
/// pub struct Unauthenticated;
///
/// impl remotipy::ErrorCode for Unauthenticated {
///     fn code(&self) -> i64 { -32001 }
///     fn http_status(&self) -> Option<remotipy::http::StatusCode> {
///         Some(remotipy::http::StatusCode::UNAUTHORIZED)
///     }
/// }
/// ```
pub trait ErrorCode {
    /// The JSON-RPC error code (default `-32000`).
    fn code(&self) -> i64 {
        code::APP_ERROR
    }

    /// The HTTP status of a single call's response (default: 200, like every
    /// JSON-RPC response). Ignored inside batches.
    fn http_status(&self) -> Option<StatusCode> {
        None
    }
}
