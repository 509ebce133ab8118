#[remotipy::remote]
pub trait Generic {
    async fn any<T>(&self, value: T) -> u64;
    async fn borrowed<'a>(&self, value: u64) -> u64;
}

fn main() {}
