//! segment-workspace: a workspace server speaking Segment's Public API v1.
//!
//! `app` builds the router over any [`store::Store`]; `serve` binds it. The
//! binary in `main.rs` adds the command line (serve, token, seed).

pub mod auth;
pub mod catalog;
pub mod error;
pub mod http;
pub mod ids;
pub mod input;
pub mod kind;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod pagination;
pub mod routes;
pub mod rule_plan;
pub mod secrets;
pub mod seed;
pub mod store;
pub mod values;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;

pub use auth::AppState;

/// Bodies above this answer 413. The largest real body, a tracking plan's
/// 200-rule page, stays well below it.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The whole API as a router, so tests can drive it in-process too.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Opens the database at `database_url` and returns the state to serve,
/// with the server key beside the database (see [`secrets`]).
pub async fn open(database_url: &str) -> anyhow::Result<AppState> {
    open_with_key(database_url, None).await
}

/// As [`open`], with the server key read from `key_file` when given.
pub async fn open_with_key(
    database_url: &str,
    key_file: Option<&std::path::Path>,
) -> anyhow::Result<AppState> {
    let keys = secrets::Keys::load(database_url, key_file)?;
    let store = store::open(database_url).await?;
    Ok(AppState::new(store, Arc::new(keys)))
}

/// Binds `listen` and serves until `shutdown` resolves, with the default
/// read timeouts ([`http::serve`] takes others). Returns the bound address
/// through `on_bound` before accepting (port 0 picks a free port).
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    http::serve(
        state,
        http::HttpConfig::default(),
        listen,
        on_bound,
        shutdown,
    )
    .await
}
