//! Reads: documents, the audit trail, the workspace and tokens, each on a
//! read connection of its own.

use segment_api::models::{AuditEvent, Workspace};
use sqlx::sqlite::{SqliteConnection, SqliteRow};
use sqlx::Row;

use super::backend;
use crate::kind::Kind;
use crate::store::{
    Actor, AuditFilter, Doc, ListQuery, Page, Scope, StoreError, StoreResult, TokenInfo,
};

/// What a single-document read looks a document up by.
pub(super) enum Column {
    Id,
    NaturalKey,
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

pub(super) async fn workspace(conn: &mut SqliteConnection) -> StoreResult<Workspace> {
    let row = sqlx::query("SELECT id, name, slug FROM workspace LIMIT 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(backend)?;
    Ok(Workspace {
        id: row.try_get("id").map_err(backend)?,
        name: row.try_get("name").map_err(backend)?,
        slug: row.try_get("slug").map_err(backend)?,
    })
}

/// The document of `kind` whose `column` (`id` or `natural_key`) is `value`.
pub(super) async fn one(
    conn: &mut SqliteConnection,
    kind: Kind,
    column: Column,
    value: &str,
) -> StoreResult<Option<Doc>> {
    let column = match column {
        Column::Id => "id",
        Column::NaturalKey => "natural_key",
    };
    let sql = format!("SELECT {DOC_COLUMNS} FROM resources WHERE kind = ? AND {column} = ?");
    let row = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(value)
        .fetch_optional(&mut *conn)
        .await
        .map_err(backend)?;
    row.map(|r| doc_from_row(&r).map(|(_, d)| d)).transpose()
}

pub(super) async fn list(
    conn: &mut SqliteConnection,
    kind: Kind,
    q: &ListQuery,
) -> StoreResult<Page<Doc>> {
    let mut cond = String::new();
    if q.parent.is_some() {
        cond.push_str(" AND parent_id = ?");
    }
    if q.referencing.is_some() {
        cond.push_str(" AND id IN (SELECT id FROM resource_refs WHERE kind = ? AND target_id = ?)");
    }
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM resources WHERE kind = ?{cond} AND seq > ? \
         ORDER BY seq LIMIT {}",
        q.count as i64 + 1
    );
    let rows = bind_list_filter(&sql, kind, q)
        .bind(q.after)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    // A first page that holds everything is its own count: most lists
    // of a destination's filters are, and exports ask for thousands.
    let total: i64 = if q.after == 0 && rows.len() <= q.count as usize {
        rows.len() as i64
    } else {
        let count_sql = format!("SELECT COUNT(*) AS n FROM resources WHERE kind = ?{cond}");
        bind_list_filter(&count_sql, kind, q)
            .fetch_one(&mut *conn)
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

pub(super) async fn list_all(
    conn: &mut SqliteConnection,
    kind: Kind,
    parent: Option<&str>,
) -> StoreResult<Vec<Doc>> {
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM resources WHERE kind = ? AND (? IS NULL OR parent_id = ?) \
         ORDER BY seq"
    );
    let rows = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(parent)
        .bind(parent)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| doc_from_row(r).map(|(_, d)| d))
        .collect()
}

pub(super) async fn audit_events(
    conn: &mut SqliteConnection,
    f: &AuditFilter,
    after: i64,
    count: u32,
) -> StoreResult<Page<AuditEvent>> {
    let filter = AUDIT_FILTER;
    let sql = format!(
        "SELECT * FROM audit_events WHERE {filter} AND seq > ? ORDER BY seq LIMIT {}",
        count as i64 + 1
    );
    let rows = bind_audit_filter(&sql, f)
        .bind(after)
        .fetch_all(&mut *conn)
        .await
        .map_err(backend)?;
    // The whole trail's size is its last seq: events are never deleted and
    // an aborted write's seq rolls back with it (AUTOINCREMENT keeps its
    // counter in the same transaction), so seqs run 1..=n without gaps.
    // MAX is one index step; COUNT(*) read the whole trail on every page.
    let unfiltered = f.start_time.is_none()
        && f.end_time.is_none()
        && f.resource_id.is_none()
        && f.resource_type.is_none();
    let count_sql = match unfiltered {
        true => "SELECT COALESCE(MAX(seq), 0) AS n FROM audit_events".to_string(),
        false => format!("SELECT COUNT(*) AS n FROM audit_events WHERE {filter}"),
    };
    let count_query = match unfiltered {
        true => sqlx::query(&count_sql),
        false => bind_audit_filter(&count_sql, f),
    };
    let total: i64 = count_query
        .fetch_one(&mut *conn)
        .await
        .map_err(backend)?
        .try_get("n")
        .map_err(backend)?;
    let events = rows
        .iter()
        .map(audit_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    let last = events
        .iter()
        .take(count as usize)
        .next_back()
        .map(|(s, _)| *s);
    let mut page = page(events, count, total as u64);
    if f.follow && page.next.is_none() {
        page.next = Some(last.unwrap_or(after));
    }
    Ok(page)
}

pub(super) async fn token(conn: &mut SqliteConnection, hash: &str) -> StoreResult<Option<Actor>> {
    let row = sqlx::query("SELECT owner, name, scope FROM tokens WHERE hash = ?")
        .bind(hash)
        .fetch_optional(&mut *conn)
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

pub(super) async fn tokens(conn: &mut SqliteConnection) -> StoreResult<Vec<TokenInfo>> {
    let rows =
        sqlx::query("SELECT name, owner, scope, created_at FROM tokens ORDER BY created_at, name")
            .fetch_all(&mut *conn)
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
