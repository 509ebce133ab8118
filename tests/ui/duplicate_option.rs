#[remotipy::remote(namespace = "a", namespace = "b")]
pub trait Options {
    #[remote(name = "a")]
    #[remote(name = "b")]
    async fn renamed(&self) -> u8;
    #[remote(notification, notification)]
    async fn told(&self);
    #[remote(idempotent)]
    #[remote(idempotent)]
    async fn read(&self) -> u8;
}

fn main() {}
