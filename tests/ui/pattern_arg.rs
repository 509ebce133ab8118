#[remotipy::remote]
pub trait Patterns {
    async fn point(&self, (x, y): (i32, i32)) -> i32;
}

fn main() {}
