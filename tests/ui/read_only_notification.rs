// A read-only notification changes nothing and answers nothing: it does nothing.
#[remotipy::remote]
pub trait Log {
    #[remote(notification, read_only)]
    async fn write(&self, line: String);
    #[remote(read_only, read_only)]
    async fn count(&self) -> u64;
}

fn main() {}
