#[remotipy::remote(namespce = "typo")]
pub trait Options {
    #[remote(nmae = "x")]
    async fn a(&self) -> u8;
    #[remote(notify)]
    async fn b(&self);
}

fn main() {}
