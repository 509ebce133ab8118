// Two methods under `#[cfg]` may share a wire name when only one is compiled
// in; when both are, the server's method list is checked as compiled.
#[remotipy::remote]
pub trait Versions {
    #[cfg(all())]
    async fn get(&self) -> u8;
    #[cfg(not(any()))]
    #[remote(name = "get")]
    async fn get_v2(&self) -> u8;
}

fn main() {}
