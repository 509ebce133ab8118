#[derive(serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only Display is missing
pub struct Opaque;

#[remotipy::remote]
pub trait Fallible {
    async fn try_it(&self) -> Result<u8, Opaque>;
}

fn main() {}
