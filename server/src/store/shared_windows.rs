//! Rate-limit windows a backend counts for every server on its database.
//! SQLite serves one process, whose windows live in memory (`limits/`);
//! PostgreSQL serves several, so each counted request is one upsert there
//! (`postgres/rate_windows.rs`).

use std::time::Duration;

use async_trait::async_trait;

use super::StoreResult;

/// One window a request consumes a point of: `slot` names the limit (0 the
/// general budget, 1.. the endpoint rules), `window` its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowKey {
    pub slot: i32,
    pub window: Duration,
}

/// Where a window stands after the point: fixed-window semantics as
/// `limits/budget.rs` (refused requests consume too).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub slot: i32,
    pub consumed: u32,
    pub before_next: Duration,
}

#[async_trait]
pub trait SharedWindows: Send + Sync + 'static {
    /// Consumes one point of each of `token`'s `windows`, atomically per
    /// window, opening a new one where the last has ended.
    async fn consume(&self, token: &str, windows: &[WindowKey]) -> StoreResult<Vec<Counted>>;
}
