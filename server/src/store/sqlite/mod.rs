//! The embedded backend: SQLite in WAL mode through sqlx.
//!
//! Writes go through a pool of one connection, so they are serialized in this
//! process (SQLite has one writer anyway) and a transaction never has to
//! upgrade from a read lock; reads use their own pool and run in parallel.
//!
//! Batches are committed in groups: one task owns the writing, takes every
//! batch queued while the previous commit was syncing, and commits them in one
//! transaction, each in a savepoint of its own. A batch still commits or fails
//! alone and is acknowledged only once durable, but concurrent writers share
//! one fsync instead of queueing for one each.

mod committer;
mod queries;
mod readers;
mod writes;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use segment_api::models::{AuditEvent, Workspace};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use super::*;
use crate::ids;
use committer::{commit_groups, Pending};
use queries::Column;
use readers::{read_connections, Readers};

pub struct SqliteStore {
    read: Readers,
    write: SqlitePool,
    /// Batches for the committer task ([`commit_groups`]).
    batches: mpsc::Sender<Pending>,
    /// Counts commits that wrote something (see [`Store::commits`]).
    commits: tokio::sync::watch::Receiver<u64>,
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, such as
    /// `sqlite://segment-workspace.db`, and brings its tables up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
        create_private(url)?;
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Backend(format!("bad database URL {url:?}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: an acknowledged write survives a power cut, not only a kill.
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        // No ping before each use: it costs a round trip to the connection's
        // thread per query, and a local file cannot drop like a socket.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(backend)?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&write)
            .await
            .map_err(|e| StoreError::Backend(format!("migrating the database: {e}")))?;
        let read = Readers::open(&options.read_only(true), read_connections()).await?;
        let (batches, queue) = mpsc::channel(1024);
        let (committed, commits) = tokio::sync::watch::channel(0);
        tokio::spawn(commit_groups(write.clone(), queue, committed));
        let store = SqliteStore {
            read,
            write,
            batches,
            commits,
        };
        store.ensure_workspace().await?;
        Ok(store)
    }

    async fn ensure_workspace(&self) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO workspace (id, name, slug) SELECT ?, ?, ? \
             WHERE NOT EXISTS (SELECT 1 FROM workspace)",
        )
        .bind(ids::new_id())
        .bind("Local Workspace")
        .bind("local-workspace")
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(())
    }
}

/// Creates a new database file readable by its owner only: SQLite gives
/// the -wal and -shm files the main file's mode, so they are 0600 too. An
/// existing file keeps the mode its owner gave it.
fn create_private(url: &str) -> StoreResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let Some(path) = crate::secrets::sqlite_file(url) else {
        return Ok(());
    };
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path);
    match created {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(StoreError::Backend(format!(
            "creating the database file {}: {e}",
            path.display()
        ))),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn workspace(&self) -> StoreResult<Workspace> {
        queries::workspace(self.read.get().await?.conn()?).await
    }

    async fn get(&self, kind: Kind, id: &str) -> StoreResult<Option<Doc>> {
        queries::one(self.read.get().await?.conn()?, kind, Column::Id, id).await
    }

    async fn find_by_key(&self, kind: Kind, natural_key: &str) -> StoreResult<Option<Doc>> {
        let mut reader = self.read.get().await?;
        queries::one(reader.conn()?, kind, Column::NaturalKey, natural_key).await
    }

    async fn list(&self, kind: Kind, q: &ListQuery) -> StoreResult<Page<Doc>> {
        queries::list(self.read.get().await?.conn()?, kind, q).await
    }

    async fn list_all(&self, kind: Kind, parent: Option<&str>) -> StoreResult<Vec<Doc>> {
        queries::list_all(self.read.get().await?.conn()?, kind, parent).await
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
        queries::audit_events(self.read.get().await?.conn()?, f, after, count).await
    }

    async fn token(&self, hash: &str) -> StoreResult<Option<Actor>> {
        queries::token(self.read.get().await?.conn()?, hash).await
    }

    async fn create_token(&self, hash: &str, actor: &Actor) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO tokens (hash, owner, name, scope, created_at) VALUES (?, ?, ?, ?, ?) \
             ON CONFLICT (hash) DO NOTHING",
        )
        .bind(hash)
        .bind(&actor.email)
        .bind(&actor.name)
        .bind(actor.scope.as_str())
        .bind(ids::now())
        .execute(&self.write)
        .await
        .map_err(backend)?;
        Ok(())
    }

    async fn tokens(&self) -> StoreResult<Vec<TokenInfo>> {
        queries::tokens(self.read.get().await?.conn()?).await
    }

    async fn revoke_tokens(&self, name: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM tokens WHERE name = ?")
            .bind(name)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(done.rows_affected())
    }

    async fn rehash_token(&self, old: &str, new: &str) -> StoreResult<()> {
        sqlx::query("UPDATE OR IGNORE tokens SET hash = ? WHERE hash = ?")
            .bind(new)
            .bind(old)
            .execute(&self.write)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor() -> Actor {
        Actor {
            name: "t".into(),
            email: "t@example.com".into(),
            scope: Scope::WorkspaceOwner,
        }
    }

    fn label(id: &str) -> Batch {
        Batch::default().create(Doc::new(Kind::Label, id, id, serde_json::json!({})))
    }

    /// Reads abandoned halfway leave no connection behind an old snapshot:
    /// every connection sees a write made after them.
    #[tokio::test]
    async fn abandoned_reads_leave_no_stale_connection() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let a = actor();
        for i in 0..300 {
            store.apply(label(&format!("k:{i}")), &a).await.unwrap();
        }
        for _ in 0..50 {
            let reads = (0..8).map(|_| store.list_all(Kind::Label, None));
            let all = futures::future::join_all(reads);
            let _ = tokio::time::timeout(Duration::from_micros(50), all).await;
        }
        store.apply(label("late:one"), &a).await.unwrap();
        let reads = (0..16).map(|_| store.get(Kind::Label, "late:one"));
        for found in futures::future::join_all(reads).await {
            assert!(
                found.unwrap().is_some(),
                "a connection read an old snapshot"
            );
        }
    }

    /// Group commit: concurrent batches commit together, and one that fails
    /// (a duplicate id) fails alone without taking its group down.
    #[tokio::test]
    async fn a_failing_batch_fails_alone_in_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = SqliteStore::open(&url).await.unwrap();
        let a = actor();
        let ids: Vec<String> = (0..40).map(|i| format!("k:{}", i % 39)).collect();
        let outcomes =
            futures::future::join_all(ids.iter().map(|id| store.apply(label(id), &a))).await;
        let failed: Vec<_> = outcomes.iter().filter(|o| o.is_err()).collect();
        assert_eq!(failed.len(), 1, "{outcomes:?}");
        assert!(matches!(failed[0], Err(StoreError::Conflict { .. })));
        let labels = store.list_all(Kind::Label, None).await.unwrap();
        assert_eq!(labels.len(), 39);
        let events = store
            .audit_events(&AuditFilter::default(), 0, 200)
            .await
            .unwrap();
        assert_eq!(events.total, 39, "one audit event per committed batch");
    }
}
