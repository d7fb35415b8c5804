//! The shared backend: PostgreSQL through sqlx, for several server
//! processes on one database (`--database postgres://...`).
//!
//! Same guarantees as SQLite (`../sqlite/`): a batch's writes and audit
//! events commit together; writers take turns, across processes too, under
//! an advisory lock, which keeps audit seqs in commit order and without gaps
//! (the reasoning is in `committer.rs`); versions are checked by the UPDATE
//! itself. Migrations are embedded and applied on open; sqlx's migrator
//! takes its own lock, so servers starting together migrate once.

mod committer;
mod listen;
mod queries;
mod rate_windows;
mod totals;
mod writes;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use segment_api::models::{AuditEvent, Workspace};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use tokio::sync::{mpsc, oneshot};

use super::*;
use crate::ids;
use committer::{commit_groups, Pending};

pub struct PostgresStore {
    pool: PgPool,
    /// Batches for the committer task ([`commit_groups`]).
    batches: mpsc::Sender<Pending>,
    /// Counts commits that wrote something, here or in another process.
    commits: tokio::sync::watch::Receiver<u64>,
    /// Lists' totals while the workspace does not change.
    totals: totals::Totals,
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

/// Connections per process: reads in parallel, the committer's one, and the
/// listener's one. PostgreSQL's default limit (100) leaves room for several
/// servers.
const CONNECTIONS: u32 = 16;

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`;
    /// the database must exist), and brings its tables up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        // The URL may hold a password: errors name the database, not the URL.
        let options = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Backend(format!("connecting to PostgreSQL: {e}")))?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating the database: {e}")))?;
        sqlx::query(
            "INSERT INTO workspace (id, name, slug) VALUES ($1, $2, $3) \
             ON CONFLICT (singleton) DO NOTHING",
        )
        .bind(ids::new_id())
        .bind("Local Workspace")
        .bind("local-workspace")
        .execute(&pool)
        .await
        .map_err(backend)?;
        let (batches, queue) = mpsc::channel(1024);
        let (committed, commits) = tokio::sync::watch::channel(0);
        tokio::spawn(listen::follow_commits(pool.clone(), committed.clone()));
        tokio::spawn(commit_groups(pool.clone(), queue, committed));
        Ok(PostgresStore {
            pool,
            batches,
            commits,
            totals: totals::Totals::default(),
        })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn workspace(&self) -> StoreResult<Workspace> {
        queries::workspace(&self.pool).await
    }

    async fn get(&self, kind: Kind, id: &str) -> StoreResult<Option<Doc>> {
        queries::one(&self.pool, kind, "id", id).await
    }

    async fn find_by_key(&self, kind: Kind, natural_key: &str) -> StoreResult<Option<Doc>> {
        queries::one(&self.pool, kind, "natural_key", natural_key).await
    }

    async fn get_with_keyed(
        &self,
        kind: Kind,
        id: &str,
        keyed: Kind,
    ) -> StoreResult<(Option<Doc>, Option<Doc>)> {
        queries::with_keyed(&self.pool, kind, id, keyed).await
    }

    async fn list(&self, kind: Kind, q: &ListQuery) -> StoreResult<Page<Doc>> {
        queries::list(&self.pool, &self.totals, kind, q).await
    }

    async fn list_all(&self, kind: Kind, parent: Option<&str>) -> StoreResult<Vec<Doc>> {
        queries::list_all(&self.pool, kind, parent).await
    }

    fn commits(&self) -> tokio::sync::watch::Receiver<u64> {
        self.commits.clone()
    }

    async fn apply(&self, batch: Batch, actor: &Actor) -> StoreResult<()> {
        let stopped = || StoreError::Backend("the database writer has stopped".into());
        let (done, outcome) = oneshot::channel();
        let pending = Pending {
            batch,
            actor: actor.clone(),
            done,
        };
        self.batches.send(pending).await.map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }

    async fn audit_events(
        &self,
        f: &AuditFilter,
        after: i64,
        count: u32,
    ) -> StoreResult<Page<AuditEvent>> {
        queries::audit_events(&self.pool, f, after, count).await
    }

    async fn token(&self, hash: &str) -> StoreResult<Option<Actor>> {
        queries::token(&self.pool, hash).await
    }

    async fn create_token(&self, hash: &str, actor: &Actor) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tokens (hash, owner, name, scope, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(&actor.email)
        .bind(&actor.name)
        .bind(actor.scope.as_str())
        .bind(ids::now())
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT name, owner, scope, created_at FROM tokens ORDER BY created_at, name",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        rows.iter()
            .map(|row| {
                Ok(TokenInfo {
                    name: row.try_get("name").map_err(backend)?,
                    owner: row.try_get("owner").map_err(backend)?,
                    scope: row.try_get("scope").map_err(backend)?,
                    created_at: row.try_get("created_at").map_err(backend)?,
                })
            })
            .collect()
    }

    async fn revoke_tokens(&self, name: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM tokens WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    fn shared_windows(&self) -> Option<std::sync::Arc<dyn SharedWindows>> {
        Some(std::sync::Arc::new(rate_windows::PgWindows::new(
            self.pool.clone(),
        )))
    }

    async fn rehash_token(&self, old: &str, new: &str) -> StoreResult<()> {
        // Another process may have rehashed it first: the new digest is
        // then there already, and this one has nothing to do.
        sqlx::query(
            "UPDATE tokens SET hash = $1 WHERE hash = $2 \
             AND NOT EXISTS (SELECT 1 FROM tokens WHERE hash = $1)",
        )
        .bind(new)
        .bind(old)
        .execute(&self.pool)
        .await
        .map_err(backend)?;
        Ok(())
    }
}
