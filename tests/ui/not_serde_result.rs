pub struct NotSerde;

#[remotipy::remote]
pub trait Wire {
    async fn fetch(&self) -> NotSerde;
}

fn main() {}
