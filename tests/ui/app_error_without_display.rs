#[derive(serde::Serialize, serde::Deserialize)]
pub struct Opaque;

#[remotipy::remote]
pub trait Fallible {
    async fn try_it(&self) -> Result<u8, Opaque>;
}

fn main() {}
