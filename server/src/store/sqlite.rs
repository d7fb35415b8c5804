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

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use segment_api::models::{AuditEvent, Workspace};
use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Acquire, ConnectOptions, Row, SqlitePool};
use tokio::sync::{mpsc, oneshot, Semaphore, SemaphorePermit};

use super::*;
use crate::ids;

pub struct SqliteStore {
    read: Readers,
    write: SqlitePool,
    /// Batches for the committer task ([`commit_groups`]).
    batches: mpsc::Sender<Pending>,
}

/// A batch waiting to be committed, and where its outcome goes.
struct Pending {
    batch: Batch,
    actor: Actor,
    done: oneshot::Sender<StoreResult<()>>,
}

/// The most batches one transaction carries: enough to share an fsync among
/// every request in flight, few enough that a group commits in milliseconds.
const GROUP_MAX: usize = 64;

/// Read connections, handed out without sqlx's pool: that pool pings every
/// connection when it comes back, a second round trip to the connection's
/// thread per query (a quarter of a cached read's CPU, measured). Handing a
/// connection back as it is is safe: sqlx's worker runs commands in order and
/// resets a statement whose rows were abandoned, so no read transaction is
/// left open.
struct Readers {
    idle: std::sync::Mutex<Vec<SqliteConnection>>,
    /// One permit per idle connection.
    available: Semaphore,
}

/// A borrowed read connection, back in [`Readers`] when dropped.
struct Reader<'a> {
    conn: Option<SqliteConnection>,
    readers: &'a Readers,
    _permit: SemaphorePermit<'a>,
}

impl Readers {
    async fn open(options: &SqliteConnectOptions, count: usize) -> StoreResult<Self> {
        let mut idle = Vec::with_capacity(count);
        for _ in 0..count {
            idle.push(options.connect().await.map_err(backend)?);
        }
        Ok(Readers {
            idle: std::sync::Mutex::new(idle),
            available: Semaphore::new(count),
        })
    }

    async fn get(&self) -> StoreResult<Reader<'_>> {
        let lost = || StoreError::Backend("no read connection is left".into());
        let permit = self.available.acquire().await.map_err(|_| lost())?;
        let conn = self
            .idle
            .lock()
            .map_err(|_| lost())?
            .pop()
            .ok_or_else(lost)?;
        Ok(Reader {
            conn: Some(conn),
            readers: self,
            _permit: permit,
        })
    }
}

impl Reader<'_> {
    fn conn(&mut self) -> StoreResult<&mut SqliteConnection> {
        self.conn
            .as_mut()
            .ok_or_else(|| StoreError::Backend("the read connection is gone".into()))
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        // Back before the permit is released (fields drop after this).
        if let (Some(conn), Ok(mut idle)) = (self.conn.take(), self.readers.idle.lock()) {
            idle.push(conn);
        }
    }
}

/// Read connections: each has a thread of its own and reads of a cached
/// database are CPU-bound, so threads beyond twice the cores only add
/// context switches (measured on two cores: 4 did better than 8).
fn read_connections() -> usize {
    let cores = std::thread::available_parallelism().map_or(4, |n| n.get());
    (cores * 2).clamp(2, 8)
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

const DOC_COLUMNS: &str = "seq, kind, id, parent_id, natural_key, name, version, refs, body";

fn doc_from_row(row: &SqliteRow) -> StoreResult<(i64, Doc)> {
    let kind: String = row.try_get("kind").map_err(backend)?;
    let kind = Kind::parse(&kind)
        .ok_or_else(|| StoreError::Backend(format!("unknown kind {kind:?} in the database")))?;
    let refs: String = row.try_get("refs").map_err(backend)?;
    let body: String = row.try_get("body").map_err(backend)?;
    let doc = Doc {
        kind,
        id: row.try_get("id").map_err(backend)?,
        parent: row.try_get("parent_id").map_err(backend)?,
        natural_key: row.try_get("natural_key").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        refs: serde_json::from_str(&refs).map_err(|e| StoreError::Backend(e.to_string()))?,
        body: serde_json::from_str(&body).map_err(|e| StoreError::Backend(e.to_string()))?,
        version: row.try_get("version").map_err(backend)?,
    };
    Ok((row.try_get("seq").map_err(backend)?, doc))
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, such as
    /// `sqlite://segment-workspace.db`, and brings its tables up to date.
    pub async fn open(url: &str) -> StoreResult<Self> {
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
        tokio::spawn(commit_groups(write.clone(), queue));
        let store = SqliteStore {
            read,
            write,
            batches,
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

type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// Commits queued batches until the store is dropped (the queue's only
/// sender), as many per transaction as are waiting, up to [`GROUP_MAX`].
async fn commit_groups(pool: SqlitePool, mut queue: mpsc::Receiver<Pending>) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let outcomes = commit_group(&pool, &group).await;
        for (p, outcome) in group.into_iter().zip(outcomes) {
            // A caller that went away finds its batch committed all the same,
            // as when an answer is lost on the wire.
            let _ = p.done.send(outcome);
        }
    }
}

/// One transaction for the whole group; every batch in a savepoint, so a
/// failing batch rolls back alone. Answers one outcome per batch.
async fn commit_group(pool: &SqlitePool, group: &[Pending]) -> Vec<StoreResult<()>> {
    let mut outcomes = Vec::with_capacity(group.len());
    let committed: StoreResult<()> = async {
        let mut tx = pool.begin().await.map_err(backend)?;
        if let [alone] = group {
            // No savepoint needed: the transaction is the batch's own.
            let outcome = apply_in(&mut tx, &alone.batch, &alone.actor).await;
            let ended = match &outcome {
                Ok(()) => tx.commit().await,
                Err(_) => tx.rollback().await,
            };
            outcomes.push(outcome);
            return ended.map_err(backend);
        }
        for p in group {
            let mut savepoint = (&mut tx).begin().await.map_err(backend)?;
            let outcome = apply_in(&mut savepoint, &p.batch, &p.actor).await;
            match &outcome {
                Ok(()) => savepoint.commit().await,
                Err(_) => savepoint.rollback().await,
            }
            .map_err(backend)?;
            outcomes.push(outcome);
        }
        tx.commit().await.map_err(backend)
    }
    .await;
    if let Err(e) = committed {
        // Nothing of the group reached the disk: batches that had applied
        // cleanly fail with the commit's error, the others keep their own.
        let message = e.to_string();
        outcomes.resize_with(group.len(), || Ok(()));
        for o in outcomes.iter_mut().filter(|o| o.is_ok()) {
            *o = Err(StoreError::Backend(message.clone()));
        }
    }
    outcomes
}

/// A batch's checks, writes and audit events, inside a transaction.
async fn apply_in(tx: &mut Tx<'_>, batch: &Batch, actor: &Actor) -> StoreResult<()> {
    for r in &batch.requires {
        if !exists(tx, r.kind, &r.id).await? {
            return Err(StoreError::MissingRef {
                kind: r.kind,
                id: r.id.clone(),
                field: r.field.clone(),
            });
        }
    }
    let mut cascaded = Vec::new();
    for op in &batch.ops {
        match op {
            Op::Insert(doc) => insert(tx, doc).await?,
            Op::Update(doc) => update(tx, doc).await?,
            Op::Delete { kind, id } => cascaded.extend(delete_cascade(tx, *kind, id).await?),
        }
    }
    for e in cascaded.iter().chain(&batch.events) {
        record(tx, e, actor).await?;
    }
    Ok(())
}

async fn exists(tx: &mut Tx<'_>, kind: Kind, id: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM resources WHERE kind = ? AND id = ?")
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?;
    Ok(row.is_some())
}

async fn write_refs(tx: &mut Tx<'_>, doc: &Doc) -> StoreResult<()> {
    sqlx::query("DELETE FROM resource_refs WHERE kind = ? AND id = ?")
        .bind(doc.kind.as_str())
        .bind(&doc.id)
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    let unique: HashSet<&String> = doc.refs.iter().collect();
    for target in unique {
        sqlx::query("INSERT INTO resource_refs (kind, id, target_id) VALUES (?, ?, ?)")
            .bind(doc.kind.as_str())
            .bind(&doc.id)
            .bind(target)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

fn conflict(doc: &Doc) -> StoreError {
    StoreError::Conflict {
        kind: doc.kind,
        key: doc.natural_key.clone().unwrap_or_else(|| doc.id.clone()),
    }
}

async fn insert(tx: &mut Tx<'_>, doc: &Doc) -> StoreResult<()> {
    let refs = serde_json::to_string(&doc.refs).map_err(|e| StoreError::Backend(e.to_string()))?;
    sqlx::query(
        "INSERT INTO resources (kind, id, parent_id, natural_key, name, version, refs, body) \
         VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
    )
    .bind(doc.kind.as_str())
    .bind(&doc.id)
    .bind(&doc.parent)
    .bind(&doc.natural_key)
    .bind(&doc.name)
    .bind(refs)
    .bind(doc.body.to_string())
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            conflict(doc)
        } else {
            backend(e)
        }
    })?;
    write_refs(tx, doc).await
}

async fn update(tx: &mut Tx<'_>, doc: &Doc) -> StoreResult<()> {
    let refs = serde_json::to_string(&doc.refs).map_err(|e| StoreError::Backend(e.to_string()))?;
    let done = sqlx::query(
        "UPDATE resources SET parent_id = ?, natural_key = ?, name = ?, refs = ?, body = ?, \
         version = version + 1 WHERE kind = ? AND id = ? AND version = ?",
    )
    .bind(&doc.parent)
    .bind(&doc.natural_key)
    .bind(&doc.name)
    .bind(refs)
    .bind(doc.body.to_string())
    .bind(doc.kind.as_str())
    .bind(&doc.id)
    .bind(doc.version)
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            conflict(doc)
        } else {
            backend(e)
        }
    })?;
    if done.rows_affected() == 0 {
        let (kind, id) = (doc.kind, doc.id.clone());
        return Err(if exists(tx, doc.kind, &doc.id).await? {
            StoreError::Stale { kind, id }
        } else {
            StoreError::NotFound { kind, id }
        });
    }
    write_refs(tx, doc).await
}

/// Deletes a document and everything that depends on it, depth first, and
/// returns audit events for the dependents (the root's is the caller's).
async fn delete_cascade(tx: &mut Tx<'_>, kind: Kind, id: &str) -> StoreResult<Vec<EventSpec>> {
    if !exists(tx, kind, id).await? {
        return Err(StoreError::NotFound {
            kind,
            id: id.to_string(),
        });
    }
    let mut events = Vec::new();
    let mut stack = vec![(kind, id.to_string(), true)];
    let mut seen = HashSet::new();
    // Bounded by the number of stored documents: each is visited once.
    while let Some((kind, id, expanded)) = stack.pop() {
        if expanded {
            if !seen.insert((kind, id.clone())) {
                continue;
            }
            stack.push((kind, id.clone(), false));
            let rows =
                sqlx::query("SELECT r.kind, r.id FROM resource_refs r WHERE r.target_id = ?")
                    .bind(&id)
                    .fetch_all(&mut **tx)
                    .await
                    .map_err(backend)?;
            for row in rows {
                let k: String = row.try_get("kind").map_err(backend)?;
                let child: String = row.try_get("id").map_err(backend)?;
                if let Some(k) = Kind::parse(&k) {
                    stack.push((k, child, true));
                }
            }
            continue;
        }
        let row = sqlx::query("DELETE FROM resources WHERE kind = ? AND id = ? RETURNING name")
            .bind(kind.as_str())
            .bind(&id)
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM resource_refs WHERE (kind = ? AND id = ?) OR target_id = ?")
            .bind(kind.as_str())
            .bind(&id)
            .bind(&id)
            .execute(&mut **tx)
            .await
            .map_err(backend)?;
        if let Some(row) = row {
            let is_root = stack.is_empty();
            // The root's own event comes with the batch; only dependents are added here.
            if kind.audited() && !is_root {
                events.push(EventSpec {
                    kind,
                    verb: Verb::Deleted,
                    resource_id: id.clone(),
                    resource_name: row.try_get("name").map_err(backend)?,
                });
            }
        }
    }
    Ok(events)
}

async fn record(tx: &mut Tx<'_>, e: &EventSpec, actor: &Actor) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (id, timestamp, type, actor, actor_email, resource_id, \
         resource_type, resource_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(ids::new_id())
    .bind(ids::now())
    .bind(format!("{} {}", e.kind.display(), e.verb.as_str()))
    .bind(&actor.name)
    .bind(&actor.email)
    .bind(&e.resource_id)
    .bind(e.kind.display())
    .bind(&e.resource_name)
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

fn audit_from_row(row: &SqliteRow) -> StoreResult<(i64, AuditEvent)> {
    Ok((
        row.try_get("seq").map_err(backend)?,
        AuditEvent {
            id: row.try_get("id").map_err(backend)?,
            timestamp: row.try_get("timestamp").map_err(backend)?,
            kind: row.try_get("type").map_err(backend)?,
            actor: row.try_get("actor").map_err(backend)?,
            actor_email: row.try_get("actor_email").map_err(backend)?,
            resource_id: row.try_get("resource_id").map_err(backend)?,
            resource_type: row.try_get("resource_type").map_err(backend)?,
            resource_name: row.try_get("resource_name").map_err(backend)?,
        },
    ))
}

/// Cuts a fetched `count + 1` rows down to a page and says where the next starts.
fn page<T>(mut rows: Vec<(i64, T)>, count: u32, total: u64) -> Page<T> {
    let more = rows.len() > count as usize;
    rows.truncate(count as usize);
    let next = if more {
        rows.last().map(|(s, _)| *s)
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(|(_, t)| t).collect(),
        next,
        total,
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds the values of the `kind = ?{cond}` filter a list statement starts with.
fn bind_list_filter<'q>(sql: &'q str, kind: Kind, q: &'q ListQuery) -> Query<'q> {
    let mut query = sqlx::query(sql).bind(kind.as_str());
    if let Some(p) = &q.parent {
        query = query.bind(p);
    }
    if let Some(r) = &q.referencing {
        query = query.bind(kind.as_str()).bind(r);
    }
    query
}

const AUDIT_FILTER: &str = "(? IS NULL OR timestamp >= ?) AND (? IS NULL OR timestamp <= ?) \
     AND (? IS NULL OR resource_id = ?) AND (? IS NULL OR lower(resource_type) = lower(?))";

fn bind_audit_filter<'q>(sql: &'q str, f: &'q AuditFilter) -> Query<'q> {
    sqlx::query(sql)
        .bind(&f.start_time)
        .bind(&f.start_time)
        .bind(&f.end_time)
        .bind(&f.end_time)
        .bind(&f.resource_id)
        .bind(&f.resource_id)
        .bind(&f.resource_type)
        .bind(&f.resource_type)
}

#[async_trait]
impl Store for SqliteStore {
    async fn workspace(&self) -> StoreResult<Workspace> {
        let mut reader = self.read.get().await?;
        let row = sqlx::query("SELECT id, name, slug FROM workspace LIMIT 1")
            .fetch_one(reader.conn()?)
            .await
            .map_err(backend)?;
        Ok(Workspace {
            id: row.try_get("id").map_err(backend)?,
            name: row.try_get("name").map_err(backend)?,
            slug: row.try_get("slug").map_err(backend)?,
        })
    }

    async fn get(&self, kind: Kind, id: &str) -> StoreResult<Option<Doc>> {
        let mut reader = self.read.get().await?;
        let sql = format!("SELECT {DOC_COLUMNS} FROM resources WHERE kind = ? AND id = ?");
        let row = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(id)
            .fetch_optional(reader.conn()?)
            .await
            .map_err(backend)?;
        row.map(|r| doc_from_row(&r).map(|(_, d)| d)).transpose()
    }

    async fn find_by_key(&self, kind: Kind, natural_key: &str) -> StoreResult<Option<Doc>> {
        let mut reader = self.read.get().await?;
        let sql = format!("SELECT {DOC_COLUMNS} FROM resources WHERE kind = ? AND natural_key = ?");
        let row = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(natural_key)
            .fetch_optional(reader.conn()?)
            .await
            .map_err(backend)?;
        row.map(|r| doc_from_row(&r).map(|(_, d)| d)).transpose()
    }

    async fn list(&self, kind: Kind, q: &ListQuery) -> StoreResult<Page<Doc>> {
        let mut reader = self.read.get().await?;
        let mut cond = String::new();
        if q.parent.is_some() {
            cond.push_str(" AND parent_id = ?");
        }
        if q.referencing.is_some() {
            cond.push_str(
                " AND id IN (SELECT id FROM resource_refs WHERE kind = ? AND target_id = ?)",
            );
        }
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM resources WHERE kind = ?{cond} AND seq > ? \
             ORDER BY seq LIMIT {}",
            q.count as i64 + 1
        );
        let rows = bind_list_filter(&sql, kind, q)
            .bind(q.after)
            .fetch_all(reader.conn()?)
            .await
            .map_err(backend)?;
        // A first page that holds everything is its own count: most lists
        // of a destination's filters are, and exports ask for thousands.
        let total: i64 = if q.after == 0 && rows.len() <= q.count as usize {
            rows.len() as i64
        } else {
            let count_sql = format!("SELECT COUNT(*) AS n FROM resources WHERE kind = ?{cond}");
            bind_list_filter(&count_sql, kind, q)
                .fetch_one(reader.conn()?)
                .await
                .map_err(backend)?
                .try_get("n")
                .map_err(backend)?
        };
        let docs = rows
            .iter()
            .map(doc_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page(docs, q.count, total as u64))
    }

    async fn list_all(&self, kind: Kind, parent: Option<&str>) -> StoreResult<Vec<Doc>> {
        let mut reader = self.read.get().await?;
        let sql = format!(
            "SELECT {DOC_COLUMNS} FROM resources WHERE kind = ? AND (? IS NULL OR parent_id = ?) \
             ORDER BY seq"
        );
        let rows = sqlx::query(&sql)
            .bind(kind.as_str())
            .bind(parent)
            .bind(parent)
            .fetch_all(reader.conn()?)
            .await
            .map_err(backend)?;
        rows.iter()
            .map(|r| doc_from_row(r).map(|(_, d)| d))
            .collect()
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
        let mut reader = self.read.get().await?;
        let filter = AUDIT_FILTER;
        let sql = format!(
            "SELECT * FROM audit_events WHERE {filter} AND seq > ? ORDER BY seq LIMIT {}",
            count as i64 + 1
        );
        let rows = bind_audit_filter(&sql, f)
            .bind(after)
            .fetch_all(reader.conn()?)
            .await
            .map_err(backend)?;
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_events WHERE {filter}");
        let total: i64 = bind_audit_filter(&count_sql, f)
            .fetch_one(reader.conn()?)
            .await
            .map_err(backend)?
            .try_get("n")
            .map_err(backend)?;
        let events = rows
            .iter()
            .map(audit_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(page(events, count, total as u64))
    }

    async fn token(&self, hash: &str) -> StoreResult<Option<Actor>> {
        let mut reader = self.read.get().await?;
        let row = sqlx::query("SELECT owner, name, scope FROM tokens WHERE hash = ?")
            .bind(hash)
            .fetch_optional(reader.conn()?)
            .await
            .map_err(backend)?;
        let Some(row) = row else { return Ok(None) };
        let scope: String = row.try_get("scope").map_err(backend)?;
        Ok(Some(Actor {
            email: row.try_get("owner").map_err(backend)?,
            name: row.try_get("name").map_err(backend)?,
            scope: Scope::parse(&scope).unwrap_or(Scope::ReadOnly),
        }))
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
