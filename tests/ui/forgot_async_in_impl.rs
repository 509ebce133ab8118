#[remotipy::remote]
pub trait Counter {
    async fn get(&self) -> u32;
}

struct Fixed;

impl Counter for Fixed {
    fn get(&self) -> u32 {
        7
    }
}

fn main() {}
