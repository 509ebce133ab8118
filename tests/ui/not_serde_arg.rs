#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only serde is missing
pub struct NotSerde;

#[remotipy::remote]
pub trait Wire {
    async fn send(&self, value: NotSerde) -> u64;
}

fn main() {}
