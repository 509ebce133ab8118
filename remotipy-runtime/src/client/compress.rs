//! Compressed request bodies (feature `compression`): a call's request
//! above a size is sent gzip or zstd, with `Content-Encoding`, compressed
//! once however often it is attempted. (Answers: the reqwest transport asks
//! for gzip and zstd with `Accept-Encoding` and decompresses what comes,
//! the response limit counting the decompressed bytes.)

use std::io::Write;

/// How request bodies are compressed; see
/// [`ClientBuilder::compress_requests`](super::ClientBuilder::compress_requests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Compression {
    /// gzip (`flate2`, fast level): what every server reads.
    Gzip,
    /// zstd (level 1): less CPU and fewer bytes than gzip, where the server reads it.
    Zstd,
}

impl Compression {
    /// Its `Content-Encoding`.
    pub(crate) fn content_encoding(self) -> http::HeaderValue {
        http::HeaderValue::from_static(match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        })
    }

    /// `body`, compressed; `None` if that fails (it is then sent as it is).
    pub(crate) fn compress(self, body: &[u8]) -> Option<Vec<u8>> {
        match self {
            Compression::Gzip => {
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                encoder.write_all(body).ok()?;
                encoder.finish().ok()
            }
            Compression::Zstd => zstd::bulk::compress(body, 1).ok(),
        }
    }
}
