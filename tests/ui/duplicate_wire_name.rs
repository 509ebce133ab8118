#[remotipy::remote]
pub trait Twice {
    async fn ping(&self) -> u8;
    #[remote(name = "ping")]
    async fn pong(&self) -> u8;
}

fn main() {}
