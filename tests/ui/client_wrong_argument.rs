#[remotipy::remote]
pub trait Users {
    async fn find(&self, id: u64) -> String;
}

async fn call(client: UsersClient) {
    // The client disagrees with the shared trait: a compile error.
    let _ = client.find("seven").await;
    let _: Result<u64, remotipy::Error> = client.find(7).await;
}

fn main() {
    let _ = call;
}
