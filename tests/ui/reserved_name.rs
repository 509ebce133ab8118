#[remotipy::remote]
pub trait Factory {
    async fn new(&self) -> u8;
    async fn batch(&self) -> u8;
    async fn send_batch(&self, message: String);
}

fn main() {}
