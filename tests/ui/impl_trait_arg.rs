#[remotipy::remote]
pub trait Opaque {
    async fn show(&self, value: impl std::fmt::Display) -> String;
    async fn many(&self, values: Vec<impl Clone>) -> u64;
}

fn main() {}
