#[remotipy::remote]
pub trait Catalogue {
    async fn count(&self) -> u64;
}

fn main() {
    // Without remotipy's `blocking` feature there is no blocking client.
    let client: CatalogueBlockingClient = todo!();
    let _ = client;
}
