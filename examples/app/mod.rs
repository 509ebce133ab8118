//! The example's server side: implementations of the shared traits and the
//! axum app that serves them. Shared by the `server` and `demo` examples.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;

use std::time::Duration;

use remotipy::stream::{Stream, Tracked};

use super::api::{
    Calculator, CalculatorServer, Greeting, MathError, TickError, UserError, UserInfo, Users, UsersServer,
};

/// The user directory: one known user.
pub struct Directory;

impl Users for Directory {
    async fn greet(&self, user: UserInfo) -> Greeting {
        tracing::info!(first_name = %user.first_name, "greet");
        Greeting { message: format!("Hello, {} {}!", user.first_name, user.last_name) }
    }

    async fn find(&self, id: u64) -> Result<UserInfo, UserError> {
        tracing::info!(id, "find");
        match id {
            1 => {
                Ok(UserInfo { first_name: "Ada".into(), last_name: "Lovelace".into(), email: "ada@example.org".into() })
            }
            other => Err(UserError::NotFound(other)),
        }
    }

    async fn audit(&self, line: String) {
        tracing::info!(%line, "audit");
    }
}

/// A calculator that refuses to divide by zero.
pub struct Calc;

impl Calculator for Calc {
    async fn add(&self, a: i64, b: i64) -> i64 {
        tracing::info!(a, b, "add");
        a.wrapping_add(b)
    }

    async fn divide(&self, a: f64, b: f64) -> Result<f64, MathError> {
        tracing::info!(a, b, "divide");
        if b == 0.0 { Err(MathError::DivisionByZero) } else { Ok(a / b) }
    }

    async fn ticks(&self, n: u64, interval_ms: u64) -> Result<impl Stream<Item = Tracked<u64>> + Send, TickError> {
        // A reader that lost the stream after tick `after` continues with the next.
        let after = remotipy::stream::resume_after::<u64>();
        tracing::info!(n, interval_ms, ?after, "ticks");
        if interval_ms > 60_000 {
            return Err(TickError::IntervalTooLong(interval_ms));
        }
        let first = match after {
            Some(after) if after > n => return Err(TickError::CannotResume { after, n }),
            Some(after) => after + 1,
            None => 1,
        };
        let interval = Duration::from_millis(interval_ms);
        Ok(futures_util::stream::unfold(first, move |k| async move {
            if k > n {
                return None;
            }
            if k > first {
                tokio::time::sleep(interval).await;
            }
            Some((Tracked::new(k, k), k + 1))
        }))
    }
}

/// Both traits on one endpoint.
pub fn server() -> Result<remotipy::Server, remotipy::server::BuildError> {
    builder().build()
}

/// The server's builder, both traits added, for more settings.
pub fn builder() -> remotipy::ServerBuilder {
    remotipy::Server::builder().service(UsersServer::new(Directory)).service(CalculatorServer::new(Calc))
}

/// The endpoint at `/rpc`, and `GET /health` for load balancers: 200 while
/// serving, 503 once shutting down (so they stop sending new calls while
/// the ones in flight finish).
pub fn router(rpc: remotipy::Server) -> Router {
    let health = {
        let rpc = rpc.clone();
        move || async move {
            match rpc.is_shutting_down() {
                false => (StatusCode::OK, "ok\n"),
                true => (StatusCode::SERVICE_UNAVAILABLE, "shutting down\n"),
            }
        }
    };
    Router::new().route("/rpc", rpc.into_route()).route("/health", get(health))
}

/// Logs to stderr; `RUST_LOG` overrides the default `info`.
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
