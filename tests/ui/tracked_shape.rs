// Resumable streams: `Tracked` takes the item and, optionally, its id type,
// and the id must be one a stream can be resumed from.
use remotipy::stream::{Stream, Tracked};

#[remotipy::remote]
pub trait Log {
    // No item.
    async fn nothing(&self) -> impl Stream<Item = Tracked> + Send;
    // One argument too many.
    async fn too_many(&self) -> impl Stream<Item = Tracked<String, u64, u64>> + Send;
}

#[remotipy::remote]
pub trait Offsets {
    // A float is not ordered, so cannot be a stream's item id.
    async fn floats(&self) -> impl Stream<Item = Tracked<String, f64>> + Send;
}

fn main() {}
