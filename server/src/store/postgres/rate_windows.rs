//! Rate-limit windows in the database, so every server on it counts one
//! budget per token (`limits/` counts in memory on SQLite).
//!
//! One statement per counted request: an upsert per window that opens a new
//! window where the last has ended and otherwise adds a point, returning the
//! points and the time left. Row locks make each window's count exact
//! across processes; the windows of a request are taken in slot order, so
//! two requests of one token never wait on each other in a cycle. Time is
//! the database's clock, the one clock every server shares.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{PgPool, Row};

use super::backend;
use crate::store::{Counted, SharedWindows, StoreResult, WindowKey};

const CONSUME: &str = "\
INSERT INTO rate_limit_windows AS w (token_key, slot, ends, consumed) \
SELECT $1, t.slot, now() + t.ms * interval '1 millisecond', 1 \
FROM unnest($2::int4[], $3::int8[]) AS t(slot, ms) \
ON CONFLICT (token_key, slot) DO UPDATE SET \
  ends = CASE WHEN w.ends <= now() THEN EXCLUDED.ends ELSE w.ends END, \
  consumed = CASE WHEN w.ends <= now() THEN 1 ELSE LEAST(w.consumed, 2147483646) + 1 END \
RETURNING slot, consumed, \
  GREATEST(0, CEIL(EXTRACT(EPOCH FROM (ends - now())) * 1000))::int8 AS ms_left";

pub struct PgWindows {
    pool: PgPool,
}

impl PgWindows {
    pub fn new(pool: PgPool) -> Self {
        PgWindows { pool }
    }
}

#[async_trait]
impl SharedWindows for PgWindows {
    async fn consume(&self, token: &str, windows: &[WindowKey]) -> StoreResult<Vec<Counted>> {
        let mut keys: Vec<WindowKey> = windows.to_vec();
        keys.sort_by_key(|k| k.slot);
        let slots: Vec<i32> = keys.iter().map(|k| k.slot).collect();
        let ms: Vec<i64> = keys
            .iter()
            .map(|k| {
                i64::try_from(k.window.as_millis())
                    .unwrap_or(i64::MAX)
                    .max(1)
            })
            .collect();
        let rows = sqlx::query(CONSUME)
            .bind(token)
            .bind(&slots)
            .bind(&ms)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|row| {
                let consumed: i32 = row.try_get("consumed").map_err(backend)?;
                let left: i64 = row.try_get("ms_left").map_err(backend)?;
                Ok(Counted {
                    slot: row.try_get("slot").map_err(backend)?,
                    consumed: u32::try_from(consumed).unwrap_or(0),
                    before_next: Duration::from_millis(u64::try_from(left).unwrap_or(0)),
                })
            })
            .collect()
    }
}
