#[remotipy::remote]
pub trait Blocking {
    fn get(&self, id: u64) -> u64;
}

fn main() {}
