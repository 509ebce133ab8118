#[remotipy::remote]
pub trait Events {
    #[remote(notification)]
    async fn fire(&self, name: String) -> bool;
}

fn main() {}
