#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only serde is missing
pub struct NotSerde;

#[remotipy::remote]
pub trait Wire {
    async fn fetch(&self) -> NotSerde;
}

fn main() {}
