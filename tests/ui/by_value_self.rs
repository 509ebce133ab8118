#[remotipy::remote]
pub trait Consumer {
    async fn consume(self) -> u64;
}

fn main() {}
