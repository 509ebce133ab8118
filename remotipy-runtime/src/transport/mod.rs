//! The one seam every client goes through: request bytes and headers in,
//! status and response bytes out.
//!
//! remotipy ships [`ReqwestTransport`] (the default), `HyperTransport`
//! (feature `hyper`) and [`InProcess`] (no socket, for tests); implement
//! [`Transport`] to put the generated clients over another HTTP stack.

#[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
mod connections;
#[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
mod hyper;
#[cfg(feature = "server")]
mod in_process;
mod reqwest;
mod seam;

pub use crate::error::BoxError;
pub use crate::future::BoxFuture;
#[cfg(all(feature = "hyper", not(target_arch = "wasm32")))]
pub use hyper::HyperTransport;
#[cfg(feature = "server")]
pub use in_process::InProcess;
pub use reqwest::ReqwestTransport;
pub use seam::{
    BodyStream, DEFAULT_MAX_RESPONSE_SIZE, NotSent, ResponseTooLarge, StreamingResponse, StreamsUnsupported, Transport,
    TransportRequest, TransportResponse,
};
