#[remotipy::remote]
pub trait Catalogue {
    async fn count(&self) -> u64;
}

fn main() {
    // Without remotipy's `blocking` feature there is no blocking client to build.
    let client = CatalogueBlockingClient::new("http://127.0.0.1:3000/rpc");
    let _ = client;
}
