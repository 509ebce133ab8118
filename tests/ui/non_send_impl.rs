use std::rc::Rc;

#[remotipy::remote]
pub trait Counter {
    async fn get(&self) -> u64;
}

struct Local;

// The server runs calls on a multi-threaded runtime: futures must be Send.
impl Counter for Local {
    async fn get(&self) -> u64 {
        let rc = Rc::new(1);
        std::future::ready(()).await;
        *rc
    }
}

fn main() {}
