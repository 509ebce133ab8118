#[remotipy::remote]
pub trait Borrows {
    async fn name(&self, name: &str) -> String;
    async fn first(&self, items: Vec<u8>) -> &'static str;
    async fn cow(&self, text: std::borrow::Cow<'_, str>) -> u64;
}

fn main() {}
