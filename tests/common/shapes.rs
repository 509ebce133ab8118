//! A trait whose methods take every shape serde has (structs, tuples,
//! enums, `Option`, `Vec`, maps, and nests of them), for the property tests
//! and the fuzzers; plus a type whose serde impls panic, and floats JSON
//! cannot carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Point {
    pub x: i32,
    pub y: i32,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub enum Shape {
    Circle { r: f64 },
    Square(u32),
    Pair(i8, i8),
    Empty,
}

/// Decoding 13 panics; encoding 14 panics: a user's serde impl gone wrong.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "openrpc", derive(schemars::JsonSchema))]
pub struct Fragile(pub u8);

impl Serialize for Fragile {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        assert_ne!(self.0, 14, "Fragile refuses to encode 14");
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Fragile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u8::deserialize(deserializer)?;
        assert_ne!(value, 13, "Fragile refuses to decode 13");
        Ok(Fragile(value))
    }
}

pub type Nest = Vec<Option<(Shape, BTreeMap<String, Point>)>>;

#[remotipy::remote]
pub trait Shapes {
    async fn point(&self, p: Point) -> Point;
    async fn pair(&self, t: (u8, String)) -> (String, u8);
    async fn shape(&self, s: Shape) -> Shape;
    async fn maybe(&self, a: Option<u32>, b: Option<Point>) -> Option<u32>;
    async fn list(&self, items: Vec<Point>) -> usize;
    async fn map(&self, m: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, usize>;
    async fn nested(&self, deep: Nest, flag: bool) -> u32;
    /// Echoes its argument: 13 panics while decoding it, 14 while encoding it.
    async fn fragile(&self, value: Fragile) -> Fragile;
    /// 0: 1.5, 1: NaN, 2: inf, 3: -inf.
    async fn float(&self, which: u8) -> f64;
}

pub struct ShapesImpl;

impl Shapes for ShapesImpl {
    async fn point(&self, p: Point) -> Point {
        p
    }
    async fn pair(&self, t: (u8, String)) -> (String, u8) {
        (t.1, t.0)
    }
    async fn shape(&self, s: Shape) -> Shape {
        s
    }
    async fn maybe(&self, a: Option<u32>, b: Option<Point>) -> Option<u32> {
        a.or(b.map(|p| p.x.unsigned_abs()))
    }
    async fn list(&self, items: Vec<Point>) -> usize {
        items.len()
    }
    async fn map(&self, m: BTreeMap<String, Vec<u8>>) -> BTreeMap<String, usize> {
        m.into_iter().map(|(k, v)| (k, v.len())).collect()
    }
    async fn nested(&self, deep: Nest, flag: bool) -> u32 {
        deep.iter().flatten().map(|(_, points)| points.len() as u32).sum::<u32>() + u32::from(flag)
    }
    async fn fragile(&self, value: Fragile) -> Fragile {
        value
    }
    async fn float(&self, which: u8) -> f64 {
        match which {
            1 => f64::NAN,
            2 => f64::INFINITY,
            3 => f64::NEG_INFINITY,
            _ => 1.5,
        }
    }
}
