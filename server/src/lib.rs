//! segment-workspace: a workspace server speaking Segment's Public API v1.
//!
//! `app` builds the router over any [`store::Store`]; `serve` binds it. The
//! binary in `main.rs` adds the command line (serve, token, seed).

pub mod auth;
pub mod catalog;
pub mod error;
pub mod ids;
pub mod input;
pub mod kind;
pub mod limits;
pub mod metrics;
pub mod pagination;
pub mod routes;
pub mod rule_plan;
pub mod seed;
pub mod store;

use std::net::SocketAddr;

use axum::Router;

pub use auth::AppState;

/// Bodies above this answer 413. The largest real body, a tracking plan's
/// 200-rule page, stays well below it.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The whole API as a router, so tests can drive it in-process too.
pub fn app(state: AppState) -> Router {
    routes::router(state)
}

/// Opens the database at `database_url` and returns the state to serve.
pub async fn open(database_url: &str) -> anyhow::Result<AppState> {
    Ok(AppState::new(store::open(database_url).await?))
}

/// Binds `listen` and serves until `shutdown` resolves. Returns the bound
/// address through `on_bound` before accepting (port 0 picks a free port).
pub async fn serve(
    state: AppState,
    listen: SocketAddr,
    on_bound: impl FnOnce(SocketAddr),
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    on_bound(listener.local_addr()?);
    let stopping = state.stopping.clone();
    let shutdown = async move {
        shutdown.await;
        // Long polls answer now rather than hold the shutdown for 25 s.
        stopping.send_replace(true);
    };
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await?;
    Ok(())
}
