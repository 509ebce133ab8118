//! Why a client, or per-call options, could not be built.

/// Why a client (or per-call options) could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The endpoint is not an absolute `http://` or `https://` URL.
    #[error("invalid endpoint URL {url:?}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An `https://` endpoint, but remotipy was built without TLS.
    #[error(
        "endpoint {url:?} is https, but remotipy was built without TLS: enable its `rustls` feature \
         (or give `ClientBuilder::reqwest_client` a reqwest client with TLS)"
    )]
    TlsNotEnabled {
        /// The URL as given.
        url: String,
    },
    /// A header has an invalid name or value.
    #[error("invalid header {name:?}: {reason}")]
    Header {
        /// The header name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Several endpoints were given to a client that does not send over the
    /// network (in-process, or a transport of your own).
    #[error("several endpoints need a network transport (reqwest or hyper), not {transport}")]
    EndpointsNeedNetwork {
        /// The transport given.
        transport: String,
    },
    /// reqwest could not build its client (e.g. its TLS backend failed to
    /// initialise).
    #[error("cannot build the HTTP client")]
    Http(#[source] reqwest::Error),
    /// The blocking client could not start its runtime thread.
    #[cfg(feature = "blocking")]
    #[error("cannot start the blocking client's runtime")]
    Runtime(#[source] std::io::Error),
}
