//! Writes inside a transaction: a batch's reference checks, its inserts,
//! updates and cascaded deletes, and its audit events. The statements are
//! SQLite's (`../sqlite/writes.rs`) with PostgreSQL's placeholders; the
//! transaction holds the write lock (see `committer.rs`).

use std::collections::HashSet;

use sqlx::Row;

use super::backend;
use crate::ids;
use crate::kind::Kind;
use crate::store::{Actor, Batch, Doc, EventSpec, Op, StoreError, StoreResult, Verb};
use sqlx::PgConnection;

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A batch's checks, writes and audit events, inside a transaction.
pub(super) async fn apply_in(
    tx: &mut PgConnection,
    batch: &Batch,
    actor: &Actor,
) -> StoreResult<()> {
    refuse_nul(batch)?;
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

async fn exists(tx: &mut PgConnection, kind: Kind, id: &str) -> StoreResult<bool> {
    let row = sqlx::query("SELECT 1 FROM resources WHERE kind = $1 AND id = $2")
        .bind(kind.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
    Ok(row.is_some())
}

async fn write_refs(tx: &mut PgConnection, doc: &Doc) -> StoreResult<()> {
    sqlx::query("DELETE FROM resource_refs WHERE kind = $1 AND id = $2")
        .bind(doc.kind.as_str())
        .bind(&doc.id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let unique: HashSet<&String> = doc.refs.iter().collect();
    for target in unique {
        sqlx::query("INSERT INTO resource_refs (kind, id, target_id) VALUES ($1, $2, $3)")
            .bind(doc.kind.as_str())
            .bind(&doc.id)
            .bind(target)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
    }
    Ok(())
}

/// A taken id or natural key is the caller's conflict; anything else the backend's.
fn write_error(e: sqlx::Error, doc: &Doc) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict {
            kind: doc.kind,
            key: doc.natural_key.clone().unwrap_or_else(|| doc.id.clone()),
        }
    } else {
        backend(e)
    }
}

async fn insert(tx: &mut PgConnection, doc: &Doc) -> StoreResult<()> {
    let refs = serde_json::to_string(&doc.refs).map_err(|e| StoreError::Backend(e.to_string()))?;
    sqlx::query(
        "INSERT INTO resources (kind, id, parent_id, natural_key, name, version, refs, body) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)",
    )
    .bind(doc.kind.as_str())
    .bind(&doc.id)
    .bind(&doc.parent)
    .bind(&doc.natural_key)
    .bind(&doc.name)
    .bind(refs)
    .bind(doc.body.to_string())
    .execute(&mut *tx)
    .await
    .map_err(|e| write_error(e, doc))?;
    write_refs(tx, doc).await
}

async fn update(tx: &mut PgConnection, doc: &Doc) -> StoreResult<()> {
    let refs = serde_json::to_string(&doc.refs).map_err(|e| StoreError::Backend(e.to_string()))?;
    let done = sqlx::query(
        "UPDATE resources SET parent_id = $1, natural_key = $2, name = $3, refs = $4, body = $5, \
         version = version + 1 WHERE kind = $6 AND id = $7 AND version = $8",
    )
    .bind(&doc.parent)
    .bind(&doc.natural_key)
    .bind(&doc.name)
    .bind(refs)
    .bind(doc.body.to_string())
    .bind(doc.kind.as_str())
    .bind(&doc.id)
    .bind(doc.version)
    .execute(&mut *tx)
    .await
    .map_err(|e| write_error(e, doc))?;
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
async fn delete_cascade(
    tx: &mut PgConnection,
    kind: Kind,
    id: &str,
) -> StoreResult<Vec<EventSpec>> {
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
                sqlx::query("SELECT r.kind, r.id FROM resource_refs r WHERE r.target_id = $1")
                    .bind(&id)
                    .fetch_all(&mut *tx)
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
        let row = sqlx::query("DELETE FROM resources WHERE kind = $1 AND id = $2 RETURNING name")
            .bind(kind.as_str())
            .bind(&id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(backend)?;
        sqlx::query("DELETE FROM resource_refs WHERE (kind = $1 AND id = $2) OR target_id = $3")
            .bind(kind.as_str())
            .bind(&id)
            .bind(&id)
            .execute(&mut *tx)
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

/// Assigns the next seq itself: the caller holds the write lock, so
/// `MAX(seq) + 1` is both gapless and in commit order (see `committer.rs`).
async fn record(tx: &mut PgConnection, e: &EventSpec, actor: &Actor) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_events (seq, id, timestamp, type, actor, actor_email, resource_id, \
         resource_type, resource_name) \
         SELECT COALESCE(MAX(seq), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8 FROM audit_events",
    )
    .bind(ids::new_id())
    .bind(ids::now())
    .bind(format!("{} {}", e.kind.display(), e.verb.as_str()))
    .bind(&actor.name)
    .bind(&actor.email)
    .bind(&e.resource_id)
    .bind(e.kind.display())
    .bind(&e.resource_name)
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// PostgreSQL's TEXT cannot hold U+0000 (SQLite's can): a write naming one
/// is refused here, before the transaction, with a 422 naming the field,
/// rather than a 500 from the driver's encoding error. An id that must
/// exist cannot hold one, so it is missing, as SQLite would say. Bodies are
/// JSON text, where it is escaped, so only the plain columns are checked.
fn refuse_nul(batch: &Batch) -> StoreResult<()> {
    let docs = batch.ops.iter().filter_map(|op| match op {
        Op::Insert(d) | Op::Update(d) => Some(d),
        Op::Delete { .. } => None,
    });
    if let Some(r) = batch.requires.iter().find(|r| r.id.contains('\0')) {
        return Err(StoreError::MissingRef {
            kind: r.kind,
            id: r.id.clone(),
            field: r.field.clone(),
        });
    }
    for op in &batch.ops {
        if let Op::Delete { kind, id } = op {
            if id.contains('\0') {
                return Err(StoreError::NotFound {
                    kind: *kind,
                    id: id.clone(),
                });
            }
        }
    }
    for d in docs {
        let fields = [
            ("id", Some(&d.id)),
            ("id", d.parent.as_ref()),
            (d.kind.natural_key_field(), d.natural_key.as_ref()),
            ("name", Some(&d.name)),
        ];
        let refs = d.refs.iter().map(|r| ("id", Some(r)));
        if let Some((field, _)) = fields
            .into_iter()
            .chain(refs)
            .find(|(_, t)| t.is_some_and(|t| t.contains('\0')))
        {
            return Err(nul(field));
        }
    }
    let named = batch.events.iter().map(|e| &e.resource_name);
    if named
        .chain(batch.events.iter().map(|e| &e.resource_id))
        .any(|t| t.contains('\0'))
    {
        return Err(nul("name"));
    }
    Ok(())
}

/// The 422 for a NUL the database cannot hold: the field and the fix.
fn nul(field: &str) -> StoreError {
    StoreError::Unstorable {
        field: field.to_string(),
        reason: "this workspace stores text in PostgreSQL, which cannot hold the NUL \
                 character (U+0000); remove it from the value"
            .into(),
    }
}
