//! Reads: the SQLite backend's queries (`../sqlite/queries.rs`) in
//! PostgreSQL's dialect, each on a pooled connection.

use segment_api::models::{AuditEvent, Workspace};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use super::backend;
use super::totals::Totals;
use crate::kind::Kind;
use crate::store::{Actor, AuditFilter, Doc, ListQuery, Page, Scope, StoreError, StoreResult};

const DOC_COLUMNS: &str = "seq, kind, id, parent_id, natural_key, name, version, refs, body";

/// PostgreSQL refuses U+0000 in a text parameter, and no stored text holds
/// one (see `writes::refuse_nul`): a lookup by such a value finds nothing.
fn unstorable(value: &str) -> bool {
    value.contains('\0')
}

fn doc_from_row(row: &PgRow) -> StoreResult<(i64, Doc)> {
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

fn audit_from_row(row: &PgRow) -> StoreResult<(i64, AuditEvent)> {
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

/// The audit trail's last seq (0 when empty): its length, since seqs run
/// 1..=n without gaps (see committer.rs), and the state of the workspace,
/// since every write commits with its event. One index step.
pub(super) async fn audit_head(pool: &PgPool) -> StoreResult<i64> {
    sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) FROM audit_events")
        .fetch_one(pool)
        .await
        .map_err(backend)
}

pub(super) async fn workspace(pool: &PgPool) -> StoreResult<Workspace> {
    let row = sqlx::query("SELECT id, name, slug FROM workspace LIMIT 1")
        .fetch_one(pool)
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
    pool: &PgPool,
    kind: Kind,
    column: &str,
    value: &str,
) -> StoreResult<Option<Doc>> {
    if unstorable(value) {
        return Ok(None);
    }
    let sql = format!("SELECT {DOC_COLUMNS} FROM resources WHERE kind = $1 AND {column} = $2");
    let row = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(value)
        .fetch_optional(pool)
        .await
        .map_err(backend)?;
    row.map(|r| doc_from_row(&r).map(|(_, d)| d)).transpose()
}

/// [`one`] by id and [`one`] of `keyed` by that id as natural key, in one
/// round trip: a GET of a source reads both, and on PostgreSQL each read
/// is a round trip to another process. `UNION ALL`, so each half uses its
/// own index.
pub(super) async fn with_keyed(
    pool: &PgPool,
    kind: Kind,
    id: &str,
    keyed: Kind,
) -> StoreResult<(Option<Doc>, Option<Doc>)> {
    if unstorable(id) {
        return Ok((None, None));
    }
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM resources WHERE kind = $1 AND id = $3 \
         UNION ALL SELECT {DOC_COLUMNS} FROM resources WHERE kind = $2 AND natural_key = $3"
    );
    let rows = sqlx::query(&sql)
        .bind(kind.as_str())
        .bind(keyed.as_str())
        .bind(id)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    let (mut doc, mut other) = (None, None);
    for row in &rows {
        let (_, d) = doc_from_row(row)?;
        if d.kind == kind && d.id == id && doc.is_none() {
            doc = Some(d);
        } else if d.kind == keyed {
            other = Some(d);
        }
    }
    Ok((doc, other))
}

/// The `WHERE` of a list: `kind = $1`, then `$2`, `$3` for the filters the
/// query has. Written per query, not as `($2 IS NULL OR ...)`: a prepared
/// statement's generic plan could not use the (kind, parent_id, seq) index
/// for such an OR.
fn list_filter(q: &ListQuery) -> (String, usize) {
    let mut cond = String::from("kind = $1");
    let mut n = 1;
    if q.parent.is_some() {
        n += 1;
        cond.push_str(&format!(" AND parent_id = ${n}"));
    }
    if q.referencing.is_some() {
        n += 1;
        cond.push_str(&format!(
            " AND id IN (SELECT id FROM resource_refs WHERE kind = $1 AND target_id = ${n})"
        ));
    }
    (cond, n)
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind_list_filter<'q>(sql: &'q str, kind: Kind, q: &'q ListQuery) -> Query<'q> {
    let mut query = sqlx::query(sql).bind(kind.as_str());
    if let Some(p) = &q.parent {
        query = query.bind(p);
    }
    if let Some(r) = &q.referencing {
        query = query.bind(r);
    }
    query
}

pub(super) async fn list(
    pool: &PgPool,
    totals: &Totals,
    kind: Kind,
    q: &ListQuery,
) -> StoreResult<Page<Doc>> {
    let filters = [q.parent.as_deref(), q.referencing.as_deref()];
    if filters.into_iter().flatten().any(unstorable) {
        return Ok(page(Vec::new(), q.count, 0));
    }
    let (cond, n) = list_filter(q);
    let sql = format!(
        "SELECT {DOC_COLUMNS} FROM resources WHERE {cond} AND seq > ${} \
         ORDER BY seq LIMIT {}",
        n + 1,
        q.count as i64 + 1
    );
    let rows = bind_list_filter(&sql, kind, q)
        .bind(q.after)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    // A first page that holds everything is its own count (as on SQLite).
    let total: i64 = if q.after == 0 && rows.len() <= q.count as usize {
        rows.len() as i64
    } else {
        let count_sql = format!("SELECT COUNT(*) AS n FROM resources WHERE {cond}");
        let count = async {
            bind_list_filter(&count_sql, kind, q)
                .fetch_one(pool)
                .await
                .map_err(backend)?
                .try_get("n")
                .map_err(backend)
        };
        match q.referencing {
            // Rare (what depends on one id) and small: counted each time.
            Some(_) => count.await?,
            None => totals.of(pool, kind, q.parent.as_deref(), count).await?,
        }
    };
    let docs = rows
        .iter()
        .map(doc_from_row)
        .collect::<StoreResult<Vec<_>>>()?;
    Ok(page(docs, q.count, total as u64))
}

pub(super) async fn list_all(
    pool: &PgPool,
    kind: Kind,
    parent: Option<&str>,
) -> StoreResult<Vec<Doc>> {
    if parent.is_some_and(unstorable) {
        return Ok(Vec::new());
    }
    let q = ListQuery {
        parent: parent.map(str::to_string),
        ..Default::default()
    };
    let (cond, _) = list_filter(&q);
    let sql = format!("SELECT {DOC_COLUMNS} FROM resources WHERE {cond} ORDER BY seq");
    let rows = bind_list_filter(&sql, kind, &q)
        .fetch_all(pool)
        .await
        .map_err(backend)?;
    rows.iter()
        .map(|r| doc_from_row(r).map(|(_, d)| d))
        .collect()
}

const AUDIT_FILTER: &str = "($1::text IS NULL OR timestamp >= $1) \
     AND ($2::text IS NULL OR timestamp <= $2) \
     AND ($3::text IS NULL OR resource_id = $3) \
     AND ($4::text IS NULL OR lower(resource_type) = lower($4))";

pub(super) async fn audit_events(
    pool: &PgPool,
    f: &AuditFilter,
    after: i64,
    count: u32,
) -> StoreResult<Page<AuditEvent>> {
    let filters = [&f.start_time, &f.end_time, &f.resource_id, &f.resource_type];
    let empty = filters.into_iter().flatten().any(|v| unstorable(v));
    let sql = format!(
        "SELECT * FROM audit_events WHERE {AUDIT_FILTER} AND seq > $5 ORDER BY seq LIMIT {}",
        count as i64 + 1
    );
    let rows = match empty {
        true => Vec::new(),
        false => sqlx::query(&sql)
            .bind(&f.start_time)
            .bind(&f.end_time)
            .bind(&f.resource_id)
            .bind(&f.resource_type)
            .bind(after)
            .fetch_all(pool)
            .await
            .map_err(backend)?,
    };
    // Seqs run 1..=n without gaps (see committer.rs): the unfiltered total
    // is the last seq, one index step.
    let unfiltered = filters.iter().all(|v| v.is_none());
    let total: i64 = if empty {
        0
    } else if unfiltered {
        audit_head(pool).await?
    } else {
        let count_sql = format!("SELECT COUNT(*) AS n FROM audit_events WHERE {AUDIT_FILTER}");
        sqlx::query(&count_sql)
            .bind(&f.start_time)
            .bind(&f.end_time)
            .bind(&f.resource_id)
            .bind(&f.resource_type)
            .fetch_one(pool)
            .await
            .map_err(backend)?
            .try_get("n")
            .map_err(backend)?
    };
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

pub(super) async fn token(pool: &PgPool, hash: &str) -> StoreResult<Option<Actor>> {
    if unstorable(hash) {
        return Ok(None);
    }
    let row = sqlx::query("SELECT owner, name, scope FROM tokens WHERE hash = $1")
        .bind(hash)
        .fetch_optional(pool)
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
