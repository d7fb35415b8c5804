//! A list's total, counted once per state of the workspace instead of once
//! per page.
//!
//! Every page of a list carries `totalEntries`, and counting a kind's rows
//! scans its index: for 10,000 sources a millisecond and more per page, so
//! a full listing paid O(N) fifty times. Every write commits with its audit
//! event and audit seqs follow commit order (`committer.rs`), so the trail's
//! last seq names the state of the workspace, in every server on the
//! database: a total counted at that seq holds until the seq moves. Reading
//! it is one step down an index, where a counter kept by the writes would
//! make every create update one hot row.

use std::collections::HashMap;
use std::sync::Mutex;

use sqlx::PgPool;

use crate::kind::Kind;
use crate::store::StoreResult;

/// Totals remembered at most; past it they are forgotten all at once (a
/// workspace's lists by parent can be thousands: one per destination).
const KEPT: usize = 4096;

#[derive(Default)]
pub(super) struct Totals {
    /// By kind and parent id ("" for the whole kind): the trail's last seq
    /// when counted, and the count.
    known: Mutex<HashMap<(Kind, String), (i64, i64)>>,
}

impl Totals {
    /// The number of `kind` documents (under `parent`), from memory while
    /// the audit trail has not moved, else from `count`.
    pub(super) async fn of<F>(
        &self,
        pool: &PgPool,
        kind: Kind,
        parent: Option<&str>,
        count: F,
    ) -> StoreResult<i64>
    where
        F: std::future::Future<Output = StoreResult<i64>>,
    {
        // Read before counting: a write landing in between makes the count
        // newer than the seq it is filed under, and the next read of the
        // seq, past that write, counts again.
        let head = super::queries::audit_head(pool).await?;
        let key = (kind, parent.unwrap_or_default().to_string());
        if let Some(&(at, n)) = self.lock().get(&key) {
            if at == head {
                return Ok(n);
            }
        }
        let n = count.await?;
        let mut known = self.lock();
        if known.len() >= KEPT {
            known.clear();
        }
        known.insert(key, (head, n));
        Ok(n)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Kind, String), (i64, i64)>> {
        // A panic while holding it leaves nothing half-done: a map of counts.
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }
}
