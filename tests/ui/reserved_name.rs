#[remotipy::remote]
pub trait Factory {
    async fn new(&self) -> u8;
    async fn batch(&self) -> u8;
    async fn send_batch(&self, message: String);
    // The generated batch's own constructor.
    async fn from_batch(&self) -> u8;
    // `client.clone()` must stay `Clone::clone`, not become a remote call.
    async fn clone(&self) -> u8;
    // The way to keep such a wire name:
    #[remote(name = "into")]
    async fn convert(&self) -> u8;
}

fn main() {}
