use remotipy::stream::Stream;

#[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
#[error("a")]
pub struct A;

#[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
#[error("b")]
pub struct B;

#[remotipy::remote]
pub trait Streams {
    // The stream is read from any thread: it must be `Send`.
    async fn not_send(&self) -> impl Stream<Item = u8>;
    // One error type for the setup and the items.
    async fn two_errors(&self) -> Result<impl Stream<Item = Result<u8, B>> + Send, A>;
    // Items are owned values.
    async fn borrowed(&self) -> impl Stream<Item = &'static str> + Send;
    // A notification has no reply, let alone a stream.
    #[remote(notification)]
    async fn told(&self) -> impl Stream<Item = u8> + Send;
}

fn main() {}
