// Every mistake is reported, each at its own place; the valid method still
// gets a client and a server (used below without further errors).
#[remotipy::remote]
pub trait Many {
    async fn fine(&self, id: u64) -> u64;
    async fn mutable(&mut self);
    fn blocking(&self) -> u8;
    async fn generic<T>(&self, t: T);
    #[remote(notification)]
    async fn noisy(&self) -> u8;
}

async fn use_the_valid_part(client: ManyClient) -> Result<u64, remotipy::Error> {
    client.fine(1).await
}

fn main() {
    let _ = use_the_valid_part;
}
