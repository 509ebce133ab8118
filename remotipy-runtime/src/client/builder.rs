//! Building a client: URL, default headers, timeout, and the transport.

use std::marker::PhantomData;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;

use super::transport::DEFAULT_MAX_RESPONSE_SIZE;
use super::{Client, DEFAULT_TIMEOUT, InProcess, ReqwestTransport, Transport};
use crate::codec::Codec;

/// Why a client could not be built.
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
    /// A default header has an invalid name or value.
    #[error("invalid default header {name:?}: {reason}")]
    Header {
        /// The header name as given.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// reqwest could not build its client (e.g. TLS backend initialisation).
    #[error("cannot build the HTTP client: {0}")]
    Reqwest(#[from] reqwest::Error),
    /// The settings do not fit the kind of client being built (e.g. an
    /// in-process blocking client), or a blocking client was built inside an
    /// async runtime.
    #[error("cannot build this client: {0}")]
    Unsupported(String),
}

/// What a [`ClientBuilder`] builds: [`Client`], every generated
/// `<Trait>Client`, and with the `blocking` feature the blocking clients.
pub trait BuildTarget: Sized {
    /// Builds `Self` from the builder's settings.
    #[doc(hidden)]
    fn build(builder: ClientBuilder<Self>) -> Result<Self, BuildError>;
}

impl BuildTarget for Client {
    fn build(builder: ClientBuilder<Self>) -> Result<Self, BuildError> {
        builder.into_client()
    }
}

/// Which transport `build` makes.
enum Choice {
    Reqwest(Option<reqwest::Client>),
    #[cfg(feature = "hyper")]
    Hyper,
    InProcess(InProcess),
    Custom(Box<dyn Transport>),
}

/// Configures a client before the first call; `C` is the generated
/// `<Trait>Client` it builds (or [`Client`] itself).
///
/// ```no_run
/// # use std::time::Duration;
/// let client = remotipy::Client::builder("http://127.0.0.1:3000/rpc")
///     .header("x-authentication-token", "secret")
///     .timeout(Duration::from_secs(5))
///     .build()?;
/// # Ok::<_, remotipy::BuildError>(())
/// ```
#[must_use = "a builder does nothing until `.build()`"]
pub struct ClientBuilder<C = Client> {
    url: String,
    headers: HeaderMap,
    timeout: Option<Duration>,
    transport: Choice,
    codec: Codec,
    max_response_size: usize,
    error: Option<BuildError>,
    built: PhantomData<fn() -> C>,
}

impl<C> ClientBuilder<C> {
    /// Starts a client for the endpoint at `url` (e.g. `http://host:3000/rpc`).
    pub fn new(url: impl Into<String>) -> Self {
        ClientBuilder {
            url: url.into(),
            headers: HeaderMap::new(),
            timeout: Some(DEFAULT_TIMEOUT),
            transport: Choice::Reqwest(None),
            codec: Codec::Json,
            max_response_size: DEFAULT_MAX_RESPONSE_SIZE,
            error: None,
            built: PhantomData,
        }
    }

    /// Sends `name: value` with every call (remotipy's `headers=`). An
    /// invalid name or value is reported by [`build`](Self::build).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let header = HeaderName::try_from(name)
            .map_err(|e| e.to_string())
            .and_then(|n| HeaderValue::try_from(value).map(|v| (n, v)).map_err(|e| e.to_string()));
        match header {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(reason) => self.error = self.error.or(Some(BuildError::Header { name: name.into(), reason })),
        }
        self
    }

    /// Sends these headers with every call.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Gives up on a call after `timeout` (default 60 s), connection and
    /// response body included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Never times out (not recommended against servers you do not control).
    pub fn no_timeout(mut self) -> Self {
        self.timeout = None;
        self
    }

    /// Sends calls through this reqwest client (your TLS, proxy and pool
    /// settings) instead of a new one.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.transport = Choice::Reqwest(Some(client));
        self
    }

    /// Sends calls through hyper-util's pooled HTTP/1.1 client instead of
    /// reqwest: less CPU per call, plain `http://` only (feature `hyper`;
    /// for TLS, give [`HyperTransport::with_client`](super::HyperTransport::with_client)
    /// a TLS connector and use `Client::from_transport`).
    #[cfg(feature = "hyper")]
    pub fn hyper(mut self) -> Self {
        self.transport = Choice::Hyper;
        self
    }

    /// Encodes calls with `codec` (default [`Codec::Json`]); the server
    /// answers in kind. `Codec::MsgPack` needs the `msgpack` feature on
    /// both sides.
    pub fn codec(mut self, codec: Codec) -> Self {
        self.codec = codec;
        self
    }

    /// Refuses response bodies over `bytes` (default 16 MiB) with
    /// `Error::Decode`, before reading them whole.
    pub fn max_response_size(mut self, bytes: usize) -> Self {
        self.max_response_size = bytes;
        self
    }

    /// The untyped async client these settings describe; what generated
    /// clients wrap.
    #[doc(hidden)]
    pub fn into_client(self) -> Result<Client, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let limit = self.max_response_size;
        let transport: Box<dyn Transport> = match self.transport {
            Choice::InProcess(target) => Box::new(target.with_default_headers(self.headers)),
            // A transport of the user's has no notion of default headers: they
            // travel as the client's, with every call.
            Choice::Custom(_) if self.max_response_size != DEFAULT_MAX_RESPONSE_SIZE => {
                let why = "a custom transport applies its own response size limit; set it on the transport";
                return Err(BuildError::Unsupported(why.into()));
            }
            Choice::Custom(transport) => {
                let mut client = Client::with_parts(transport, self.codec, self.timeout);
                client.headers = self.headers;
                return Ok(client);
            }
            Choice::Reqwest(client) => {
                let url = parse_url(&self.url)?;
                let transport = match client {
                    Some(client) => ReqwestTransport::new(client, url).with_default_headers(self.headers),
                    // Our own client carries the defaults itself: nothing to merge per call.
                    None => {
                        ReqwestTransport::new(reqwest::Client::builder().default_headers(self.headers).build()?, url)
                    }
                };
                Box::new(transport.with_max_response_size(limit))
            }
            #[cfg(feature = "hyper")]
            Choice::Hyper => {
                let uri = parse_uri(&self.url)?;
                let error = |e: crate::BoxError| BuildError::Url { url: self.url.clone(), reason: e.to_string() };
                let transport = super::HyperTransport::new(uri).map_err(error)?;
                Box::new(transport.with_default_headers(self.headers).with_max_response_size(limit))
            }
        };
        Ok(Client::with_parts(transport, self.codec, self.timeout))
    }

    /// The blocking client these settings describe (reqwest's blocking
    /// transport only).
    #[doc(hidden)]
    #[cfg(feature = "blocking")]
    pub fn into_blocking(self) -> Result<super::BlockingClient, BuildError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let unsupported = |what: &str| Err(BuildError::Unsupported(format!("a blocking client {what}")));
        match self.transport {
            Choice::Reqwest(None) => {}
            Choice::Reqwest(Some(_)) => return unsupported("uses its own reqwest::blocking client"),
            Choice::InProcess(_) => return unsupported("cannot call in-process; use the async client in tests"),
            Choice::Custom(_) => return unsupported("sends through reqwest::blocking, not a custom transport"),
            #[cfg(feature = "hyper")]
            Choice::Hyper => return unsupported("sends through reqwest::blocking, not hyper"),
        }
        let url = parse_url(&self.url)?;
        super::BlockingClient::new(url, self.codec, self.headers, self.timeout, self.max_response_size)
    }
}

impl<C: BuildTarget> ClientBuilder<C> {
    /// Builds the client.
    pub fn build(self) -> Result<C, BuildError> {
        C::build(self)
    }
}

impl<C> ClientBuilder<C> {
    /// A builder whose client calls `target` in this process: a
    /// [`Server`](crate::Server), or an axum `Router` (its layers included).
    pub fn in_process(target: impl Into<InProcess>) -> Self {
        let mut builder = Self::new("in-process");
        builder.transport = Choice::InProcess(target.into());
        builder
    }

    /// A builder whose client sends through `transport`: your own HTTP
    /// stack, or a `HyperTransport` over a TLS connector. Headers, timeout
    /// and codec are set here as for any client; the response size limit is
    /// the transport's own.
    pub fn with_transport(transport: impl Transport) -> Self {
        let mut builder = Self::new(transport.endpoint().to_owned());
        builder.transport = Choice::Custom(Box::new(transport));
        builder
    }
}

impl Client {
    /// A client for the endpoint at `url`, with default settings.
    pub fn new(url: impl Into<String>) -> Result<Self, BuildError> {
        Self::builder(url).build()
    }

    /// Configures a client for the endpoint at `url`.
    pub fn builder(url: impl Into<String>) -> ClientBuilder<Client> {
        ClientBuilder::new(url)
    }
}

fn parse_url(url: &str) -> Result<Url, BuildError> {
    let error = |reason: String| BuildError::Url { url: url.to_owned(), reason };
    let parsed = Url::parse(url).map_err(|e| error(e.to_string()))?;
    match parsed.scheme() {
        "http" | "https" if parsed.has_host() => Ok(parsed),
        "http" | "https" => Err(error("it has no host".into())),
        other => Err(error(format!("the scheme must be http or https, not `{other}`"))),
    }
}

/// hyper speaks plain HTTP only: the same checks as for reqwest, then `http`.
#[cfg(feature = "hyper")]
fn parse_uri(url: &str) -> Result<http::Uri, BuildError> {
    let parsed = parse_url(url)?;
    let error = |reason: String| BuildError::Url { url: url.to_owned(), reason };
    if parsed.scheme() != "http" {
        return Err(error("the hyper transport speaks plain http; use reqwest (feature `rustls`) for https".into()));
    }
    parsed.as_str().parse().map_err(|e: http::uri::InvalidUri| error(e.to_string()))
}
