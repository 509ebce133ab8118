#[remotipy::remote]
pub struct Users {
    id: u64,
}

fn main() {}
