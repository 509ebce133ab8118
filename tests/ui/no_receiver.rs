#[remotipy::remote]
pub trait Static {
    async fn make(id: u64) -> u64;
}

fn main() {}
