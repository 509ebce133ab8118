#[remotipy::remote]
pub trait Factory {
    async fn new(&self) -> u8;
}

fn main() {}
