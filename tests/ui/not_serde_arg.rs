#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))] // only serde is missing
pub struct NotSerde;

// One error for the type, at its first use, however often the trait, its
// client and its server use it.
#[remotipy::remote]
pub trait Wire {
    async fn send(&self, value: NotSerde) -> u64;
    async fn send_maybe(&self, value: Option<NotSerde>) -> u64;
    async fn echo(&self, value: NotSerde) -> NotSerde;
}

struct Impl;
impl Wire for Impl {
    async fn send(&self, _: NotSerde) -> u64 {
        1
    }
    async fn send_maybe(&self, _: Option<NotSerde>) -> u64 {
        2
    }
    async fn echo(&self, value: NotSerde) -> NotSerde {
        value
    }
}

async fn use_both_sides() -> Result<(), Box<dyn std::error::Error>> {
    let client = WireClient::new("http://127.0.0.1:1/rpc")?;
    client.send(NotSerde).await?;
    client.echo(NotSerde).await?;
    let _server = remotipy::Server::builder().service(WireServer::new(Impl)).build()?;
    let _router = WireServer::new(Impl).into_router();
    Ok(())
}

fn main() {
    let _ = use_both_sides;
}
