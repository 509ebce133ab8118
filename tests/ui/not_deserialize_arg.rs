#[derive(serde::Serialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only Deserialize is missing
pub struct OnlySerialize {
    pub name: String,
}

#[remotipy::remote]
pub trait Store {
    async fn put(&self, value: OnlySerialize) -> u64;
}

fn main() {}
