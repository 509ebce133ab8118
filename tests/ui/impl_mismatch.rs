#[remotipy::remote]
pub trait Users {
    async fn find(&self, id: u64) -> String;
}

struct Directory;

// The server disagrees with the shared trait: a compile error, not a
// runtime MethodNotFound.
impl Users for Directory {
    async fn find(&self, id: String) -> String {
        id
    }
}

fn main() {}
