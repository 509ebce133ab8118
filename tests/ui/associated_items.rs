#[remotipy::remote]
pub trait Assoc {
    type Output;
    const LIMIT: usize;
    async fn get(&self) -> u8;
}

fn main() {}
