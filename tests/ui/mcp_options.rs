// `mcp(..)` misused: alone, an unknown key, a value of the wrong type,
// repeated, hints on a method left out, `destructive` on a read-only method.
#[remotipy::remote]
pub trait Tools {
    #[remote(mcp)]
    async fn alone(&self) -> u8;
    #[remote(mcp(hidden))]
    async fn unknown(&self) -> u8;
    #[remote(mcp(destructive = "yes"))]
    async fn not_a_bool(&self) -> u8;
    #[remote(mcp(skip, skip))]
    async fn twice(&self) -> u8;
    #[remote(mcp(title = "Tidy"))]
    #[remote(mcp(skip))]
    async fn mcp_twice(&self) -> u8;
    #[remote(mcp(skip, title = "Hidden", open_world = false))]
    async fn skipped_with_hints(&self) -> u8;
    #[remote(read_only, mcp(destructive = true))]
    async fn read_only_destroys(&self) -> u8;
}

fn main() {}
