// With the `openrpc` feature every wire type needs `JsonSchema`: the error
// names the type, at each place it crosses the wire.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Undescribed;

#[remotipy::remote]
pub trait Catalog {
    async fn put(&self, item: Undescribed) -> u64;
    async fn get(&self, id: u64) -> Undescribed;
}

fn main() {}
