#![deny(deprecated)]

// Callers of a deprecated method are warned (here: denied), through every
// generated client; the declaration and its implementation are not.
#[remotipy::remote]
pub trait Legacy {
    #[deprecated = "use `current`"]
    async fn old(&self) -> u8;
    async fn current(&self) -> u8;
}

struct Impl;
impl Legacy for Impl {
    async fn old(&self) -> u8 {
        1
    }
    async fn current(&self) -> u8 {
        2
    }
}

async fn call(client: LegacyClient) {
    let _ = client.current().await;
    let _ = client.old().await;
    let mut batch = client.batch();
    let _ = batch.old();
}

fn main() {
    let _ = call;
    let _ = LegacyServer::new(Impl).into_router();
}
