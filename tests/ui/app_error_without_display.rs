#[derive(serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only Display is missing
pub struct Opaque;

// One error for the type, at its first use, however often it is used.
#[remotipy::remote]
pub trait Fallible {
    async fn try_it(&self) -> Result<u8, Opaque>;
    async fn try_again(&self) -> Result<u16, Opaque>;
}

struct Impl;
impl Fallible for Impl {
    async fn try_it(&self) -> Result<u8, Opaque> {
        Err(Opaque)
    }
    async fn try_again(&self) -> Result<u16, Opaque> {
        Ok(1)
    }
}

async fn use_both_sides() -> Result<(), Box<dyn std::error::Error>> {
    let client = FallibleClient::new("http://127.0.0.1:1/rpc")?;
    let _ = client.try_it().await;
    let _ = client.try_again().await;
    let _router = FallibleServer::new(Impl).into_router();
    Ok(())
}

fn main() {
    let _ = use_both_sides;
}
