//! Storage: the one interface every backend implements.
//!
//! Routes never see SQL. A backend stores documents (one JSON body per
//! resource), the audit trail and tokens, and applies a [`Batch`] atomically:
//! its reference checks, its writes, cascaded deletes and their audit events
//! commit together or not at all. SQLite is the embedded default;
//! PostgreSQL serves several processes on one database (see ARCHITECTURE.md).

mod postgres;
mod shared_windows;
mod sqlite;

pub use postgres::PostgresStore;
pub use shared_windows::{Counted, SharedWindows, WindowKey};
pub use sqlite::SqliteStore;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use crate::kind::Kind;

/// One stored resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    pub kind: Kind,
    pub id: String,
    /// The resource it is listed under (a filter's destination, a rule's plan).
    pub parent: Option<String>,
    /// A value unique among documents of the kind, where the API makes one unique.
    pub natural_key: Option<String>,
    /// The name the audit trail records.
    pub name: String,
    /// Ids this document depends on: deleting one of them deletes this too.
    pub refs: Vec<String>,
    pub body: Value,
    /// Bumped on every write; updates name the version they read.
    pub version: i64,
}

impl Doc {
    pub fn new(kind: Kind, id: impl Into<String>, name: impl Into<String>, body: Value) -> Self {
        Doc {
            kind,
            id: id.into(),
            parent: None,
            natural_key: None,
            name: name.into(),
            refs: Vec::new(),
            body,
            version: 0,
        }
    }
    /// The body as the API model the kind stores. A body that does not
    /// decode is an error naming the document, not a model of empty fields.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> StoreResult<T> {
        T::deserialize(&self.body).map_err(|e| StoreError::Corrupt {
            kind: self.kind,
            id: self.id.clone(),
            reason: e.to_string(),
        })
    }
    /// Stores `model` as the body: the one place a kind's document is written.
    pub fn write<T: serde::Serialize>(&mut self, model: &T) -> StoreResult<()> {
        self.body = serde_json::to_value(model).map_err(|e| StoreError::Corrupt {
            kind: self.kind,
            id: self.id.clone(),
            reason: e.to_string(),
        })?;
        Ok(())
    }
    pub fn parent(mut self, parent: impl Into<String>) -> Self {
        self.parent = Some(parent.into());
        self
    }
    pub fn natural_key(mut self, key: impl Into<String>) -> Self {
        self.natural_key = Some(key.into());
        self
    }
    pub fn refs<I: IntoIterator<Item = S>, S: Into<String>>(mut self, refs: I) -> Self {
        self.refs = refs.into_iter().map(Into::into).collect();
        self
    }
}

/// Who made a change: recorded in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub email: String,
    pub scope: Scope,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    WorkspaceOwner,
    ReadOnly,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::WorkspaceOwner => "workspace-owner",
            Scope::ReadOnly => "read-only",
        }
    }
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "workspace-owner" => Some(Scope::WorkspaceOwner),
            "read-only" => Some(Scope::ReadOnly),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Created,
    Modified,
    Deleted,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Created => "Created",
            Verb::Modified => "Modified",
            Verb::Deleted => "Deleted",
        }
    }
}

/// An audit event a batch asks for.
#[derive(Debug, Clone)]
pub struct EventSpec {
    pub kind: Kind,
    pub verb: Verb,
    pub resource_id: String,
    pub resource_name: String,
}

#[derive(Debug, Clone)]
pub enum Op {
    /// Fails with `Conflict` when the id or natural key is taken.
    Insert(Doc),
    /// Fails with `Stale` unless the stored version is `doc.version`.
    Update(Doc),
    /// Deletes the document and, recursively, whatever refers to it.
    Delete { kind: Kind, id: String },
}

/// A reference the batch relies on: it must exist when the batch commits.
#[derive(Debug, Clone)]
pub struct Require {
    pub kind: Kind,
    pub id: String,
    /// The request field that named it, for the error.
    pub field: String,
}

/// Changes that commit together, with their audit events.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub requires: Vec<Require>,
    pub ops: Vec<Op>,
    pub events: Vec<EventSpec>,
}

impl Batch {
    pub fn require(mut self, kind: Kind, id: impl Into<String>, field: impl Into<String>) -> Self {
        self.requires.push(Require {
            kind,
            id: id.into(),
            field: field.into(),
        });
        self
    }
    /// Inserts `doc` and records "<Kind> Created".
    pub fn create(mut self, doc: Doc) -> Self {
        self.events.push(event(&doc, Verb::Created));
        self.ops.push(Op::Insert(doc));
        self
    }
    /// Replaces `doc` and records "<Kind> Modified".
    pub fn modify(mut self, doc: Doc) -> Self {
        self.events.push(event(&doc, Verb::Modified));
        self.ops.push(Op::Update(doc));
        self
    }
    /// Deletes `doc` (and its dependents) and records "<Kind> Deleted".
    pub fn remove(mut self, doc: &Doc) -> Self {
        self.events.push(event(doc, Verb::Deleted));
        self.ops.push(Op::Delete {
            kind: doc.kind,
            id: doc.id.clone(),
        });
        self
    }
    /// A write that the audit trail does not record on its own (rules are
    /// covered by their plan's event).
    pub fn op(mut self, op: Op) -> Self {
        self.ops.push(op);
        self
    }
    pub fn event(mut self, doc: &Doc, verb: Verb) -> Self {
        self.events.push(event(doc, verb));
        self
    }
}

fn event(doc: &Doc, verb: Verb) -> EventSpec {
    EventSpec {
        kind: doc.kind,
        verb,
        resource_id: doc.id.clone(),
        resource_name: doc.name.clone(),
    }
}

/// Which documents a list reads.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub parent: Option<String>,
    /// Only documents that depend on this id.
    pub referencing: Option<String>,
    /// Start after this position (an opaque cursor decodes to it).
    pub after: i64,
    pub count: u32,
}

impl ListQuery {
    /// The documents listed under `parent` (a destination's filters).
    pub fn under(parent: impl Into<String>) -> ListQuery {
        ListQuery {
            parent: Some(parent.into()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Position of the last item, when more follow.
    pub next: Option<i64>,
    pub total: u64,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub resource_id: Option<String>,
    pub resource_type: Option<String>,
    /// A follower's read: `next` is set at the end of the trail too (the
    /// last event's position, or `after` when none follow), so "after the
    /// last event I saw" is a cursor; a plain read ends with `None`.
    pub follow: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{kind} {key:?} already exists")]
    Conflict { kind: Kind, key: String },
    #[error("{field}: no {kind} with id {id:?}")]
    MissingRef {
        kind: Kind,
        id: String,
        field: String,
    },
    #[error("{kind} {id:?} does not exist")]
    NotFound { kind: Kind, id: String },
    #[error("{kind} {id:?} changed while it was being written")]
    Stale { kind: Kind, id: String },
    /// A stored body that is not the model its kind stores: a bug or a
    /// hand-edited database, never something to read as empty.
    #[error("{kind} {id:?} is stored in a shape that does not read as its model: {reason}")]
    Corrupt {
        kind: Kind,
        id: String,
        reason: String,
    },
    /// A value the backend cannot hold (PostgreSQL's TEXT and U+0000).
    #[error("{field}: {reason}")]
    Unstorable { field: String, reason: String },
    #[error("storage failed: {0}")]
    Backend(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Opens the backend a database URL names: `postgres://` or
/// `postgresql://` is PostgreSQL; anything else is SQLite's (`sqlite://FILE`,
/// or a bare file name, as before there was a choice).
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    let scheme = url.split_once("://").map_or("", |(s, _)| s);
    if scheme.eq_ignore_ascii_case("postgres") || scheme.eq_ignore_ascii_case("postgresql") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Ok(Arc::new(SqliteStore::open(url).await?))
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn workspace(&self) -> StoreResult<segment_api::models::Workspace>;
    async fn get(&self, kind: Kind, id: &str) -> StoreResult<Option<Doc>>;
    async fn find_by_key(&self, kind: Kind, natural_key: &str) -> StoreResult<Option<Doc>>;
    /// The document of `kind` with `id`, and the one of `keyed` (another
    /// kind) whose natural key is that id: a source and its tracking-plan
    /// connection. One read where a round trip costs (PostgreSQL).
    async fn get_with_keyed(
        &self,
        kind: Kind,
        id: &str,
        keyed: Kind,
    ) -> StoreResult<(Option<Doc>, Option<Doc>)> {
        Ok((
            self.get(kind, id).await?,
            self.find_by_key(keyed, id).await?,
        ))
    }
    async fn list(&self, kind: Kind, query: &ListQuery) -> StoreResult<Page<Doc>>;
    /// Every document of a kind under `parent` (rules of a plan), unpaged.
    async fn list_all(&self, kind: Kind, parent: Option<&str>) -> StoreResult<Vec<Doc>>;
    async fn apply(&self, batch: Batch, actor: &Actor) -> StoreResult<()>;
    /// Changes after every commit that wrote something, once its writes
    /// are readable (a long poll on the audit trail waits on it).
    fn commits(&self) -> tokio::sync::watch::Receiver<u64>;
    async fn audit_events(
        &self,
        filter: &AuditFilter,
        after: i64,
        count: u32,
    ) -> StoreResult<Page<segment_api::models::AuditEvent>>;
    async fn token(&self, hash: &str) -> StoreResult<Option<Actor>>;
    async fn create_token(&self, hash: &str, actor: &Actor) -> StoreResult<()>;
    /// Every token's name, owner, scope and creation time; never its hash.
    async fn tokens(&self) -> StoreResult<Vec<TokenInfo>>;
    /// Deletes every token named `name`; returns how many there were.
    async fn revoke_tokens(&self, name: &str) -> StoreResult<u64>;
    /// Replaces a token's stored hash (a digest made by an older scheme).
    async fn rehash_token(&self, old: &str, new: &str) -> StoreResult<()>;
    /// Rate-limit windows counted in the database, where several processes
    /// serve it; `None` where one process does (its windows stay in memory).
    fn shared_windows(&self) -> Option<Arc<dyn SharedWindows>> {
        None
    }
}

/// A token as `token list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub name: String,
    pub owner: String,
    pub scope: String,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use segment_api::models::TrackingPlan;

    /// A PostgreSQL URL's password must not reach an error message.
    #[test]
    fn redacted_urls_hide_the_password() {
        let shown = redacted("postgres://app:s3cret@db:5432/ws");
        assert_eq!(shown, "postgres://app:***@db:5432/ws");
        assert_eq!(redacted("sqlite://ws.db"), "sqlite://ws.db");
    }

    /// Before typed documents a misspelt or mistyped stored key read as
    /// empty; now it is an error that names the document.
    #[test]
    fn a_stored_body_that_is_not_its_model_fails_to_read() {
        let body = serde_json::json!({"id": "p1", "type": 7});
        let doc = Doc::new(Kind::TrackingPlan, "p1", "Plan", body);
        let err = doc.read::<TrackingPlan>().expect_err("a number is no type");
        assert!(
            matches!(&err, StoreError::Corrupt { id, .. } if id == "p1"),
            "{err}"
        );
        let good = serde_json::json!({"id": "p1", "type": "LIVE", "name": "Plan"});
        let mut doc = Doc::new(Kind::TrackingPlan, "p1", "Plan", good.clone());
        let plan: TrackingPlan = doc.read().expect("a plan");
        doc.write(&plan).expect("written back");
        assert_eq!(doc.body, good, "a read and a write keep the body");
    }
}
