//! Compile time of one 50-method API crate, three ways: `#[remotipy::remote]`
//! vs the same methods written by hand (an axum route and a reqwest call per
//! method) vs jsonrpsee's `#[rpc(server, client)]` macro.
//!
//! The bench generates three crates into `target/compile-bench/{remotipy,hand,jsonrpsee}/`
//! from one table of method shapes, so all three declare the same 50 methods
//! and the same DTOs. Each crate also implements the trait trivially, mounts
//! the server and calls every method once through the client, so that generic
//! code (the servers' `S`, jsonrpsee's client trait) is compiled in the crate
//! being measured rather than deferred to a downstream crate.
//!
//! The crates share the target dir `target/compile-bench/target`. After one
//! warm-up build per crate (dependencies compile once, not measured), each
//! round rewrites each crate's `src/lib.rs` (a changing comment) and times
//! `cargo build` (debug profile, incremental off) of that crate alone: what is
//! measured is the crate-only rebuild, with every dependency already built.
//! Variants are interleaved round by round; the summary gives the median,
//! range and ratios. Builds use `--offline` when the dependencies are cached.
//!
//! ```text
//! cargo bench --bench compile_time            # 3 rounds
//! ROUNDS=5 cargo bench --bench compile_time
//! cargo test --benches                        # smoke: generates the sources only, builds nothing
//! ```

mod common;

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn Error>>;

const VARIANTS: [Variant; 3] = [Variant::Remotipy, Variant::Hand, Variant::Jsonrpsee];
const METHODS: usize = 50;

fn main() -> Res<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/compile-bench");
    let methods = methods();
    let crates: Vec<Crate> = VARIANTS.iter().map(|&variant| Crate::new(variant, &bench_dir)).collect();
    for krate in &crates {
        krate.generate(&methods, "warm-up")?;
    }
    if !full {
        return smoke(&crates);
    }
    let target_dir = bench_dir.join("target");
    println!("compile_time bench: {METHODS} methods, {rounds} round(s), target dir {}", target_dir.display());
    let mut offline = Vec::new();
    for krate in &crates {
        offline.push(krate.warm_up(&target_dir)?);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); crates.len()];
    for round in 0..rounds {
        for (i, krate) in crates.iter().enumerate() {
            let secs = krate.timed_rebuild(&methods, &target_dir, offline[i], round)?;
            println!("round {round} {}: {secs:.2} s", krate.variant.name());
            times[i].push(secs);
        }
    }
    summarize(&crates, &times)
}

fn smoke(crates: &[Crate]) -> Res<()> {
    for krate in crates {
        for file in [krate.dir.join("Cargo.toml"), krate.dir.join("src/lib.rs")] {
            if !file.is_file() {
                return Err(format!("{} was not generated", file.display()).into());
            }
        }
    }
    println!("compile_time: smoke only; run `cargo bench --bench compile_time` to measure");
    Ok(())
}

fn summarize(crates: &[Crate], times: &[Vec<f64>]) -> Res<()> {
    let stats: Vec<(f64, f64, f64)> = times.iter().map(|t| common::median(t.clone())).collect();
    let median_of = |v: Variant| VARIANTS.iter().position(|&x| x == v).map(|i| stats[i].0).unwrap_or(f64::NAN);
    let (jsonrpsee, hand) = (median_of(Variant::Jsonrpsee), median_of(Variant::Hand));
    println!("\nsummary (crate-only debug rebuild; median [min–max] over rounds; ratio = median / other median)");
    println!("| variant | seconds | lib.rs lines | vs jsonrpsee | vs hand |");
    println!("|---|---|---|---|---|");
    for (krate, (median, lo, hi)) in crates.iter().zip(&stats) {
        let lines = std::fs::read_to_string(krate.dir.join("src/lib.rs"))?.lines().count();
        println!(
            "| {} | {median:.2} [{lo:.2}–{hi:.2}] | {lines} | {:.2} | {:.2} |",
            krate.variant.name(),
            median / jsonrpsee,
            median / hand
        );
    }
    let ratio = median_of(Variant::Remotipy) / jsonrpsee;
    let verdict = if ratio <= 0.75 { "met" } else { "NOT met" };
    println!("\nremotipy/jsonrpsee = {ratio:.2} (target ≤ 0.75: {verdict})");
    println!("remotipy/hand = {:.2}", median_of(Variant::Remotipy) / hand);
    Ok(())
}

// ---- building ----

/// One generated crate.
struct Crate {
    variant: Variant,
    dir: PathBuf,
}

impl Crate {
    fn new(variant: Variant, bench_dir: &Path) -> Self {
        Crate { variant, dir: bench_dir.join(variant.name()) }
    }

    /// Writes Cargo.toml and src/lib.rs (ending in a `// stamp` comment); seeds
    /// Cargo.lock from the workspace's, so the crates resolve to the versions
    /// already cached.
    fn generate(&self, methods: &[Method], stamp: &str) -> Res<()> {
        std::fs::create_dir_all(self.dir.join("src"))?;
        write_if_changed(&self.dir.join("Cargo.toml"), &self.variant.manifest())?;
        let lock = self.dir.join("Cargo.lock");
        let workspace_lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
        if !lock.exists() && workspace_lock.exists() {
            std::fs::copy(workspace_lock, lock)?;
        }
        let source = format!("{}\n// compile-time bench: {stamp}\n", self.variant.source(methods));
        std::fs::write(self.dir.join("src/lib.rs"), source)?;
        Ok(())
    }

    /// Builds the crate and its dependencies once; returns whether `--offline` worked.
    fn warm_up(&self, target_dir: &Path) -> Res<bool> {
        println!("warm-up: building {} and its dependencies (not measured)", self.variant.name());
        if self.cargo_build(target_dir, true).is_ok() {
            return Ok(true);
        }
        println!("warm-up: {} does not build offline; retrying online", self.variant.name());
        self.cargo_build(target_dir, false)?;
        Ok(false)
    }

    /// Brings dependencies up to date (untimed: a path dependency may have been
    /// edited meanwhile), rewrites src/lib.rs and times the crate's rebuild.
    fn timed_rebuild(&self, methods: &[Method], target_dir: &Path, offline: bool, round: usize) -> Res<f64> {
        self.cargo_build(target_dir, offline)?;
        self.generate(methods, &format!("round {round}"))?;
        let start = Instant::now();
        let compiled = self.cargo_build(target_dir, offline)?;
        let secs = start.elapsed().as_secs_f64();
        let package = self.variant.package();
        let others: Vec<&String> = compiled.iter().filter(|name| **name != package).collect();
        if !others.is_empty() {
            println!("warning: round {round} {} also compiled {others:?}", self.variant.name());
        }
        Ok(secs)
    }

    /// `cargo build` of this crate; returns the names of the packages it compiled.
    fn cargo_build(&self, target_dir: &Path, offline: bool) -> Res<Vec<String>> {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command.arg("build").arg("--manifest-path").arg(self.dir.join("Cargo.toml"));
        command.arg("--target-dir").arg(target_dir);
        for var in outer_package_vars() {
            command.env_remove(var);
        }
        if offline {
            command.arg("--offline");
        }
        let output = command.output()?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            let mode = if offline { " --offline" } else { "" };
            return Err(format!("cargo build{mode} of {} failed:\n{stderr}", self.dir.display()).into());
        }
        let compiled = stderr.lines().filter_map(|line| line.trim().strip_prefix("Compiling "));
        Ok(compiled.filter_map(|rest| rest.split_whitespace().next()).map(String::from).collect())
    }
}

/// What the outer `cargo bench` set for this bench's own package: the inner builds
/// must not see it (build scripts such as ring's rerun when it changes).
fn outer_package_vars() -> impl Iterator<Item = std::ffi::OsString> {
    const SET: [&str; 6] = [
        "CARGO_CRATE_NAME",
        "CARGO_BIN_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "OUT_DIR",
    ];
    let outer =
        |name: &str| name.starts_with("CARGO_PKG_") || name.starts_with("CARGO_MANIFEST_") || SET.contains(&name);
    std::env::vars_os().map(|(name, _)| name).filter(move |name| name.to_str().is_some_and(outer))
}

fn write_if_changed(path: &Path, contents: &str) -> Res<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents)?;
    }
    Ok(())
}

// ---- the method table ----

/// One method shape: arguments, result, whether it can fail with `ApiError`,
/// and a trivial body (of type `Result<ok, ApiError>` when fallible).
struct Shape {
    base: &'static str,
    args: &'static [(&'static str, &'static str)],
    ok: &'static str,
    fallible: bool,
    body: &'static str,
}

const SHAPES: [Shape; 10] = [
    Shape { base: "add", args: &[("a", "i64"), ("b", "i64")], ok: "i64", fallible: false, body: "a + b" },
    Shape {
        base: "greet",
        args: &[("user", "UserInfo")],
        ok: "Greeting",
        fallible: false,
        body: r#"Greeting { message: format!("Hello, {}!", user.first_name) }"#,
    },
    Shape {
        base: "find",
        args: &[("id", "u64")],
        ok: "UserInfo",
        fallible: true,
        body: "if id == 0 { Err(ApiError::NotFound(id)) } else { Ok(UserInfo::sample()) }",
    },
    Shape {
        base: "search",
        args: &[("query", "String"), ("limit", "Option<u32>")],
        ok: "Vec<Item>",
        fallible: false,
        body: "vec![Item { id: u64::from(limit.unwrap_or(1)), name: query, tags: Vec::new(), price: None }]",
    },
    Shape { base: "echo", args: &[("text", "String")], ok: "String", fallible: false, body: "text" },
    Shape {
        base: "divide",
        args: &[("a", "f64"), ("b", "f64")],
        ok: "f64",
        fallible: true,
        body: r#"if b == 0.0 { Err(ApiError::Invalid("division by zero".into())) } else { Ok(a / b) }"#,
    },
    Shape {
        base: "update",
        args: &[("item", "Item"), ("note", "Option<String>")],
        ok: "Item",
        fallible: true,
        body: "match note { Some(note) if note.is_empty() => Err(ApiError::Invalid(note)), _ => Ok(item) }",
    },
    Shape { base: "ping", args: &[], ok: "bool", fallible: false, body: "true" },
    Shape {
        base: "users",
        args: &[("ids", "Vec<u64>")],
        ok: "Vec<UserInfo>",
        fallible: false,
        body: "ids.iter().map(|_| UserInfo::sample()).collect()",
    },
    Shape {
        base: "set_flag",
        args: &[("id", "u64"), ("enabled", "bool"), ("reason", "Option<String>")],
        ok: "u64",
        fallible: true,
        body: "if enabled && reason.is_none() { Err(ApiError::Forbidden) } else { Ok(id) }",
    },
];

/// One of the 50 methods: a shape under a numbered name (`add_0`, `greet_1`, …).
struct Method {
    name: String,
    shape: &'static Shape,
}

fn methods() -> Vec<Method> {
    (0..METHODS)
        .map(|i| {
            let shape = &SHAPES[i % SHAPES.len()];
            Method { name: format!("{}_{i}", shape.base), shape }
        })
        .collect()
}

impl Method {
    /// `, a: i64, b: i64`: the parameters after `&self`.
    fn params(&self) -> String {
        self.shape.args.iter().map(|(name, ty)| format!(", {name}: {ty}")).collect::<String>()
    }

    /// `a, b`
    fn arg_names(&self) -> String {
        self.shape.args.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    }

    /// A value for each argument, for the client call.
    fn samples(&self) -> String {
        self.shape.args.iter().map(|(_, ty)| sample(ty)).collect::<Vec<_>>().join(", ")
    }

    /// The result type in the remotipy and hand-written traits.
    fn ret(&self) -> String {
        if self.shape.fallible { format!("Result<{}, ApiError>", self.shape.ok) } else { self.shape.ok.to_string() }
    }

    /// `Add0Params` for `add_0`: the hand-written request body.
    fn params_struct(&self) -> String {
        let camel: String = self.name.split('_').map(|w| w[..1].to_uppercase() + &w[1..]).collect();
        format!("{camel}Params")
    }

    /// `async fn add_0(&self, a: i64, b: i64) -> RET` (no body).
    fn signature(&self, ret: &str) -> String {
        format!("async fn {}(&self{}) -> {ret}", self.name, self.params())
    }
}

fn sample(ty: &str) -> &'static str {
    match ty {
        "i64" | "u64" => "7",
        "f64" => "2.0",
        "bool" => "true",
        "String" => r#"String::from("text")"#,
        "Option<u32>" => "Some(10)",
        "Option<String>" => "None",
        "Vec<u64>" => "vec![1, 2, 3]",
        "UserInfo" => "UserInfo::sample()",
        "Item" => "Item::sample()",
        other => unreachable!("no sample value for {other}"),
    }
}

// ---- the generated crates ----

#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Remotipy,
    Hand,
    Jsonrpsee,
}

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Remotipy => "remotipy",
            Variant::Hand => "hand",
            Variant::Jsonrpsee => "jsonrpsee",
        }
    }

    fn package(self) -> String {
        format!("compile-bench-{}", self.name())
    }

    fn manifest(self) -> String {
        let dependencies = match self {
            Variant::Remotipy => format!(
                "remotipy = {{ path = '{}' }}\ntokio = {{ version = \"1\", features = [\"net\"] }}\n",
                env!("CARGO_MANIFEST_DIR")
            ),
            Variant::Hand => HAND_DEPENDENCIES.to_string(),
            Variant::Jsonrpsee => JSONRPSEE_DEPENDENCIES.to_string(),
        };
        MANIFEST.replace("@NAME@", &self.package()).replace("@DEPENDENCIES@", &dependencies)
    }

    fn source(self, methods: &[Method]) -> String {
        let each = |f: fn(&Method) -> String| methods.iter().map(f).collect::<String>();
        let (template, pieces) = match self {
            Variant::Remotipy => (
                REMOTIPY_SOURCE,
                vec![("@TRAIT@", each(trait_method)), ("@IMPL@", each(impl_method)), ("@CALLS@", each(client_call))],
            ),
            Variant::Hand => (
                HAND_SOURCE,
                vec![
                    ("@TRAIT@", each(hand_trait_method)),
                    ("@IMPL@", each(impl_method)),
                    ("@SERVER@", each(hand_params) + &hand_router(methods) + &each(hand_handler)),
                    ("@CLIENT@", each(hand_client_method)),
                    ("@CALLS@", each(hand_call)),
                ],
            ),
            Variant::Jsonrpsee => (
                JSONRPSEE_SOURCE,
                vec![
                    ("@TRAIT@", each(jsonrpsee_trait_method)),
                    ("@IMPL@", each(jsonrpsee_impl_method)),
                    ("@CALLS@", each(client_call)),
                ],
            ),
        };
        pieces
            .into_iter()
            .fold(DTOS.to_string() + template, |source, (placeholder, text)| source.replace(placeholder, &text))
    }
}

fn trait_method(m: &Method) -> String {
    format!("    {};\n", m.signature(&m.ret()))
}

fn impl_method(m: &Method) -> String {
    format!("    {} {{\n        {}\n    }}\n", m.signature(&m.ret()), m.shape.body)
}

fn client_call(m: &Method) -> String {
    format!("    client.{}({}).await?;\n", m.name, m.samples())
}

fn hand_trait_method(m: &Method) -> String {
    format!("    fn {}(&self{}) -> impl Future<Output = {}> + Send;\n", m.name, m.params(), m.ret())
}

fn hand_params(m: &Method) -> String {
    let fields: String = m.shape.args.iter().map(|(name, ty)| format!("    pub {name}: {ty},\n")).collect();
    format!("#[derive(Serialize, Deserialize)]\npub struct {} {{\n{fields}}}\n\n", m.params_struct())
}

fn hand_router(methods: &[Method]) -> String {
    let routes: String =
        methods.iter().map(|m| format!("        .route(\"/{0}\", post(handle_{0}::<S>))\n", m.name)).collect();
    format!(
        "/// The server: one route per method.\npub fn router<S: Api>(api: Arc<S>) -> Router {{\n    \
         Router::new()\n{routes}        .with_state(api)\n}}\n\n"
    )
}

fn hand_handler(m: &Method) -> String {
    let args: String = m.shape.args.iter().map(|(name, _)| format!("p.{name}")).collect::<Vec<_>>().join(", ");
    let pattern = if m.shape.args.is_empty() { "_" } else { "p" };
    format!(
        "async fn handle_{name}<S: Api>(State(api): State<Arc<S>>, Json({pattern}): Json<{params}>) -> Json<{ret}> {{\n    \
         Json(api.{name}({args}).await)\n}}\n\n",
        name = m.name,
        params = m.params_struct(),
        ret = m.ret(),
    )
}

fn hand_client_method(m: &Method) -> String {
    format!(
        "    pub async fn {name}(&self{params}) -> Result<{ret}, reqwest::Error> {{\n        \
         self.http.post(self.url(\"{name}\")).json(&{body} {{ {args} }}).send().await?.json().await\n    }}\n\n",
        name = m.name,
        params = m.params(),
        ret = m.ret(),
        body = m.params_struct(),
        args = m.arg_names(),
    )
}

fn hand_call(m: &Method) -> String {
    let unwrap = if m.shape.fallible { "??" } else { "?" };
    format!("    client.{}({}).await{unwrap};\n", m.name, m.samples())
}

fn jsonrpsee_trait_method(m: &Method) -> String {
    format!("    #[method(name = \"{}\")]\n    {};\n", m.name, m.signature(&format!("RpcResult<{}>", m.shape.ok)))
}

fn jsonrpsee_impl_method(m: &Method) -> String {
    let body = if m.shape.fallible { format!("Ok({{ {} }}?)", m.shape.body) } else { format!("Ok({})", m.shape.body) };
    format!("    {} {{\n        {body}\n    }}\n", m.signature(&format!("RpcResult<{}>", m.shape.ok)))
}

const MANIFEST: &str = r#"# Generated by benches/compile_time.rs.
[package]
name = "@NAME@"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
serde = { version = "1", features = ["derive"] }
@DEPENDENCIES@
[profile.dev]
incremental = false
"#;

const HAND_DEPENDENCIES: &str = r#"axum = { version = "0.8", default-features = false, features = ["http1", "tokio", "json"] }
reqwest = { version = "0.13", default-features = false, features = ["json"] }
serde_json = "1"
tokio = { version = "1", features = ["net"] }
"#;

const JSONRPSEE_DEPENDENCIES: &str = r#"jsonrpsee = { version = "0.26", default-features = false, features = ["server", "http-client", "macros"] }
"#;

/// The DTOs, the same in every crate.
const DTOS: &str = r#"//! Generated by benches/compile_time.rs: a 50-method API, its server and its client.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

impl UserInfo {
    pub fn sample() -> Self {
        UserInfo { first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@example.com".into() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Greeting {
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub name: String,
    pub tags: Vec<String>,
    pub price: Option<f64>,
}

impl Item {
    pub fn sample() -> Self {
        Item { id: 1, name: "widget".into(), tags: vec!["new".into()], price: Some(9.5) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ApiError {
    NotFound(u64),
    Invalid(String),
    Forbidden,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::NotFound(id) => write!(f, "no entry with id {id}"),
            ApiError::Invalid(why) => write!(f, "invalid request: {why}"),
            ApiError::Forbidden => f.write_str("forbidden"),
        }
    }
}

impl std::error::Error for ApiError {}

/// A trivial implementation.
pub struct Impl;
"#;

const REMOTIPY_SOURCE: &str = r#"
#[remotipy::remote]
pub trait Api {
@TRAIT@}

impl Api for Impl {
@IMPL@}

/// Serves the API at `POST /` on `addr`.
pub async fn serve(addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    remotipy::axum::serve(listener, ApiServer::new(Impl).into_router()).await
}

/// Calls every method once.
pub async fn exercise(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = ApiClient::new(url)?;
@CALLS@    Ok(())
}
"#;

const HAND_SOURCE: &str = r#"
use std::sync::Arc;

use axum::extract::{Json, State};
use axum::routing::post;
use axum::Router;

pub trait Api: Send + Sync + 'static {
@TRAIT@}

impl Api for Impl {
@IMPL@}

@SERVER@/// Serves the API on `addr`.
pub async fn serve(addr: &str) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, router(Arc::new(Impl))).await
}

/// The client: one method per call.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
}

impl ApiClient {
    pub fn new(base: impl Into<String>) -> Self {
        ApiClient { http: reqwest::Client::new(), base: base.into() }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.base)
    }

@CLIENT@}

/// Calls every method once.
pub async fn exercise(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = ApiClient::new(url);
@CALLS@    Ok(())
}
"#;

const JSONRPSEE_SOURCE: &str = r#"
use jsonrpsee::core::{async_trait, RpcResult};
use jsonrpsee::proc_macros::rpc;
use jsonrpsee::types::ErrorObjectOwned;

impl From<ApiError> for ErrorObjectOwned {
    fn from(e: ApiError) -> Self {
        ErrorObjectOwned::owned(-32000, e.to_string(), Some(e))
    }
}

#[rpc(server, client)]
pub trait Api {
@TRAIT@}

#[async_trait]
impl ApiServer for Impl {
@IMPL@}

/// Serves the API on `addr`.
pub async fn serve(addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let server = jsonrpsee::server::Server::builder().build(addr).await?;
    server.start(Impl.into_rpc()).stopped().await;
    Ok(())
}

/// Calls every method once.
pub async fn exercise(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let client = jsonrpsee::http_client::HttpClientBuilder::default().build(url)?;
@CALLS@    Ok(())
}
"#;
