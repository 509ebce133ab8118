pub struct NotSerde;

#[remotipy::remote]
pub trait Wire {
    async fn send(&self, value: NotSerde) -> u64;
}

fn main() {}
