#[derive(Debug, serde::Serialize, serde::Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
#[error("bad")]
pub struct GeoError;

pub type GeoResult<T> = Result<T, GeoError>;

mod api {
    pub type Result<T> = std::result::Result<T, super::GeoError>;
}

// The macro reads `Result<T, E>` by its spelling; through an alias an `Err`
// would travel as a success, so an alias is refused at the return type.
#[remotipy::remote]
pub trait Geo {
    async fn count(&self) -> GeoResult<u64>;
    async fn area(&self) -> api::Result<f64>;
    // Spelled out: fine.
    async fn name(&self) -> Result<String, GeoError>;
}

fn main() {}
