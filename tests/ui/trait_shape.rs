// What the trait itself may not be, and receivers and qualifiers a method may not have.
#[remotipy::remote]
pub trait Generic<T> {
    async fn get(&self) -> u8;
}

#[remotipy::remote]
pub unsafe trait Unsafe {
    async fn get(&self) -> u8;
}

#[remotipy::remote]
pub trait Odd {
    async unsafe fn danger(&self) -> u8;
    async fn boxed(self: Box<Self>) -> u8;
}

#[remotipy::remote(crate = "not a path")]
pub trait BadCrate {
    async fn get(&self) -> u8;
}

fn main() {}
