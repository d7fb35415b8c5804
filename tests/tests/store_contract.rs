//! The `Store` contract, run against both backends: SQLite on a fresh file
//! and PostgreSQL on a fresh database of the test binary's own cluster
//! (`segment_e2e::postgres`). A backend that breaks a guarantee the routes
//! rely on fails here by name, whatever the HTTP layer above it does.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use segment_e2e::{postgres, within};
use segment_workspace::kind::Kind;
use segment_workspace::store::{
    self, Actor, AuditFilter, Batch, Doc, ListQuery, Op, Scope, Store, StoreError,
};
use serde_json::json;
use tempfile::TempDir;

const LIMIT: Duration = Duration::from_secs(60);

/// A fresh store; the folder keeps a SQLite file alive for the test.
async fn sqlite() -> (Arc<dyn Store>, Option<TempDir>) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("ws.db").display());
    (store::open(&url).await.expect("SQLite opens"), Some(dir))
}

async fn pg() -> (Arc<dyn Store>, Option<TempDir>) {
    let url = pg_database();
    (store::open(&url).await.expect("PostgreSQL opens"), None)
}

fn pg_database() -> String {
    postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .expect("a fresh database")
}

fn actor() -> Actor {
    Actor {
        name: "Contract".into(),
        email: "contract@example.com".into(),
        scope: Scope::WorkspaceOwner,
    }
}

fn label(id: &str) -> Doc {
    Doc::new(Kind::Label, id, id, json!({ "key": id })).natural_key(id)
}

async fn all_events(store: &dyn Store) -> Vec<segment_api::models::AuditEvent> {
    store
        .audit_events(&AuditFilter::default(), 0, 10_000)
        .await
        .expect("the audit trail")
        .items
}

/// Each contract test as one function over a store, run once per backend.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _dir) = super::sqlite().await;
                within(super::LIMIT, stringify!($name), super::$name(store)).await;
            }
        )* use super::*; }
        mod on_postgres { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let (store, _dir) = super::pg().await;
                within(super::LIMIT, stringify!($name), super::$name(store)).await;
            }
        )* use super::*; }
    };
}

both_backends!(
    a_failing_batch_writes_nothing_and_records_nothing,
    updates_name_the_version_they_read,
    deleting_a_target_deletes_its_dependents_with_their_events,
    lists_page_in_insertion_order,
    a_taken_natural_key_is_a_conflict,
    concurrent_writers_give_a_follower_every_event_once_in_order,
    a_commit_wakes_the_commit_watchers,
    a_document_and_the_one_keyed_by_its_id_are_read_together,
    list_totals_stay_exact_through_writes_cascades_and_failures,
);

/// A list's total as a page after the first reports it (a first page that
/// holds everything counts itself).
async fn total(store: &dyn Store, kind: Kind, parent: Option<&str>) -> u64 {
    let query = ListQuery {
        count: 1,
        after: 0,
        parent: parent.map(str::to_string),
        ..Default::default()
    };
    let first = store.list(kind, &query).await.expect("a first page");
    let Some(after) = first.next else {
        return first.total;
    };
    let second = store
        .list(kind, &ListQuery { after, ..query })
        .await
        .expect("a second page");
    assert_eq!(second.total, first.total, "{kind:?} under {parent:?}");
    second.total
}

/// Totals are kept as documents come and go, not counted per page: each
/// way a document comes or goes must move them, and a failed batch must not.
async fn list_totals_stay_exact_through_writes_cascades_and_failures(store: Arc<dyn Store>) {
    let a = actor();
    let dest = |id: &str| Doc::new(Kind::Destination, id, id, json!({}));
    let filter = |id: &str, on: &str| {
        Doc::new(Kind::Filter, id, id, json!({}))
            .parent(on)
            .refs([on])
    };
    let batch = Batch::default()
        .create(dest("d1"))
        .create(dest("d2"))
        .create(filter("f1", "d1"))
        .create(filter("f2", "d1"))
        .create(filter("f3", "d1"))
        .create(filter("f4", "d2"));
    store.apply(batch, &a).await.unwrap();
    let totals = |store: Arc<dyn Store>| async move {
        let s = store.as_ref();
        [
            total(s, Kind::Destination, None).await,
            total(s, Kind::Filter, None).await,
            total(s, Kind::Filter, Some("d1")).await,
            total(s, Kind::Filter, Some("d2")).await,
        ]
    };
    assert_eq!(totals(store.clone()).await, [2, 4, 3, 1]);

    let mut stale = store.get(Kind::Filter, "f2").await.unwrap().expect("f2");
    stale.version -= 1;
    let failing = Batch::default().create(filter("f5", "d1")).modify(stale);
    store.apply(failing, &a).await.expect_err("a stale update");
    assert_eq!(totals(store.clone()).await, [2, 4, 3, 1], "a failed batch");

    let f1 = store.get(Kind::Filter, "f1").await.unwrap().expect("f1");
    store.apply(Batch::default().remove(&f1), &a).await.unwrap();
    assert_eq!(totals(store.clone()).await, [2, 3, 2, 1], "a delete");

    // A document moved to another parent counts there.
    let mut moved = store.get(Kind::Filter, "f2").await.unwrap().expect("f2");
    moved.parent = Some("d2".into());
    moved.refs = vec!["d2".into()];
    store
        .apply(Batch::default().modify(moved), &a)
        .await
        .unwrap();
    assert_eq!(totals(store.clone()).await, [2, 3, 1, 2], "a move");

    let d2 = store
        .get(Kind::Destination, "d2")
        .await
        .unwrap()
        .expect("d2");
    store.apply(Batch::default().remove(&d2), &a).await.unwrap();
    assert_eq!(totals(store.clone()).await, [1, 1, 1, 0], "a cascade");
    store
        .apply(Batch::default().create(filter("f6", "d1")), &a)
        .await
        .unwrap();
    assert_eq!(
        totals(store.clone()).await,
        [1, 2, 2, 0],
        "a create after all that"
    );
}

/// `get_with_keyed` is `get` and `find_by_key` at once (PostgreSQL makes it
/// one round trip): each half finds only its own kind.
async fn a_document_and_the_one_keyed_by_its_id_are_read_together(store: Arc<dyn Store>) {
    let (source, plan) = (Kind::Source, Kind::TrackingPlanConnection);
    let batch = Batch::default()
        .create(Doc::new(source, "s1", "web", json!({"id": "s1"})))
        // Decoys: a source keyed "s3", a connection with id "s1".
        .create(Doc::new(source, "s2", "app", json!({})).natural_key("s3"))
        .create(Doc::new(plan, "s1", "decoy", json!({})).natural_key("s9"))
        .create(Doc::new(plan, "c1", "web", json!({"on": "s1"})).natural_key("s1"));
    store.apply(batch, &actor()).await.unwrap();
    let (doc, keyed) = store.get_with_keyed(source, "s1", plan).await.unwrap();
    let (doc, keyed) = (doc.expect("the source"), keyed.expect("its connection"));
    assert_eq!((doc.kind, doc.id.as_str()), (source, "s1"));
    assert_eq!((keyed.kind, keyed.id.as_str()), (plan, "c1"));
    assert_eq!(keyed.body, json!({"on": "s1"}));
    let (doc, keyed) = store.get_with_keyed(source, "s2", plan).await.unwrap();
    assert_eq!(doc.map(|d| d.id).as_deref(), Some("s2"));
    assert!(keyed.is_none(), "{keyed:?}");
    // Keyed "s3" is a source, not a connection: neither half finds it.
    for missing in ["s3", "nope", "a\u{0}b"] {
        let found = store.get_with_keyed(source, missing, plan).await.unwrap();
        assert!(
            found.0.is_none() && found.1.is_none(),
            "{missing:?}: {found:?}"
        );
    }
}

/// Every write and its audit event are one: a batch whose second op fails
/// leaves neither its first op nor any event behind.
async fn a_failing_batch_writes_nothing_and_records_nothing(store: Arc<dyn Store>) {
    let a = actor();
    store
        .apply(Batch::default().create(label("a")), &a)
        .await
        .expect("the first label");
    let mut stale = store.get(Kind::Label, "a").await.unwrap().expect("stored");
    stale.version -= 1;
    let batch = Batch::default().create(label("b")).modify(stale);
    let err = store.apply(batch, &a).await.expect_err("a stale update");
    assert!(matches!(err, StoreError::Stale { .. }), "{err}");
    assert!(
        store.get(Kind::Label, "b").await.unwrap().is_none(),
        "half a batch"
    );
    let missing = Batch::default()
        .require(Kind::Source, "nope", "sourceId")
        .create(label("c"));
    let err = store.apply(missing, &a).await.expect_err("a missing ref");
    assert!(
        matches!(&err, StoreError::MissingRef { field, .. } if field == "sourceId"),
        "{err}"
    );
    assert!(store.get(Kind::Label, "c").await.unwrap().is_none());
    assert_eq!(
        all_events(store.as_ref()).await.len(),
        1,
        "only the first batch's event"
    );
}

/// Optimistic versions: each write bumps the version, and an update naming
/// an older one is `Stale`, a missing document's `NotFound`.
async fn updates_name_the_version_they_read(store: Arc<dyn Store>) {
    let a = actor();
    store
        .apply(Batch::default().create(label("v")), &a)
        .await
        .unwrap();
    let first = store.get(Kind::Label, "v").await.unwrap().expect("stored");
    assert_eq!(first.version, 1);
    let mut next = first.clone();
    next.body = json!({ "key": "v", "n": 2 });
    store
        .apply(Batch::default().modify(next), &a)
        .await
        .unwrap();
    let second = store.get(Kind::Label, "v").await.unwrap().expect("stored");
    assert_eq!((second.version, &second.body["n"]), (2, &json!(2)));
    let err = store
        .apply(Batch::default().modify(first), &a)
        .await
        .expect_err("version 1 is gone");
    assert!(matches!(err, StoreError::Stale { .. }), "{err}");
    let err = store
        .apply(Batch::default().modify(label("ghost")), &a)
        .await
        .expect_err("never stored");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

/// Cascade: a filter refers to its destination; deleting the destination
/// deletes the filter and records both deletions in one commit.
async fn deleting_a_target_deletes_its_dependents_with_their_events(store: Arc<dyn Store>) {
    let a = actor();
    let dest = Doc::new(Kind::Destination, "d1", "Dest", json!({}));
    let filter = Doc::new(Kind::Filter, "f1", "Filter", json!({}))
        .parent("d1")
        .refs(["d1"]);
    store
        .apply(Batch::default().create(dest.clone()).create(filter), &a)
        .await
        .unwrap();
    let query = ListQuery {
        count: 10,
        ..ListQuery::under("d1")
    };
    assert_eq!(
        store.list(Kind::Filter, &query).await.unwrap().items.len(),
        1
    );
    store
        .apply(Batch::default().remove(&dest), &a)
        .await
        .unwrap();
    assert!(
        store.get(Kind::Filter, "f1").await.unwrap().is_none(),
        "the filter outlived its destination"
    );
    let types: Vec<String> = all_events(store.as_ref())
        .await
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(types.len(), 4, "{types:?}");
    let mut deleted = types[2..].to_vec();
    deleted.sort();
    assert_eq!(
        deleted,
        ["Destination Deleted", "Destination Filter Deleted"]
    );
    let err = store
        .apply(Batch::default().remove(&dest), &a)
        .await
        .expect_err("gone");
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
}

/// Pages follow insertion order, cursors continue where a page ended, and
/// the total counts every document.
async fn lists_page_in_insertion_order(store: Arc<dyn Store>) {
    let a = actor();
    let ids: Vec<String> = (0..25).map(|i| format!("z{:02}", 24 - i)).collect();
    for id in &ids {
        store
            .apply(Batch::default().create(label(id)), &a)
            .await
            .unwrap();
    }
    let mut seen = Vec::new();
    let mut after = 0;
    for _ in 0..10 {
        let page = store
            .list(
                Kind::Label,
                &ListQuery {
                    after,
                    count: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, 25);
        seen.extend(page.items.into_iter().map(|d| d.id));
        match page.next {
            Some(n) => after = n,
            None => break,
        }
    }
    assert_eq!(seen, ids, "insertion order, each once");
    let all = store.list_all(Kind::Label, None).await.unwrap();
    assert_eq!(all.into_iter().map(|d| d.id).collect::<Vec<_>>(), ids);
}

async fn a_taken_natural_key_is_a_conflict(store: Arc<dyn Store>) {
    let a = actor();
    store
        .apply(Batch::default().create(label("k")), &a)
        .await
        .unwrap();
    let twin = Doc::new(Kind::Label, "other-id", "k", json!({})).natural_key("k");
    let err = store
        .apply(Batch::default().create(twin), &a)
        .await
        .expect_err("taken");
    assert!(
        matches!(&err, StoreError::Conflict { key, .. } if key == "k"),
        "{err}"
    );
    let found = store
        .find_by_key(Kind::Label, "k")
        .await
        .unwrap()
        .expect("by key");
    assert_eq!(found.id, "k");
    // Deleting by an op of its own, without an event, is still a delete.
    let op = Op::Delete {
        kind: Kind::Label,
        id: "k".into(),
    };
    store.apply(Batch::default().op(op), &a).await.unwrap();
    assert!(store.find_by_key(Kind::Label, "k").await.unwrap().is_none());
}

/// Writers in parallel while a follower reads with its cursor: the
/// follower ends with every acknowledged write's event, each once, in the
/// trail's order, and the trail's total is its length.
async fn concurrent_writers_give_a_follower_every_event_once_in_order(store: Arc<dyn Store>) {
    const WRITERS: usize = 8;
    const EACH: usize = 40;
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = store.clone();
            tokio::spawn(async move {
                for i in 0..EACH {
                    let id = format!("w{w}-{i}");
                    store
                        .apply(Batch::default().create(label(&id)), &actor())
                        .await
                        .expect("acknowledged");
                }
            })
        })
        .collect();
    let follow = AuditFilter {
        follow: true,
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut after = 0;
    let mut done = false;
    for _ in 0..100_000 {
        let page = store.audit_events(&follow, after, 7).await.unwrap();
        seen.extend(page.items.iter().map(|e| e.resource_id.clone()));
        after = page.next.expect("a follower always has a cursor");
        if page.items.is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if done && page.items.is_empty() {
            break;
        }
        done = writers.iter().all(|w| w.is_finished());
    }
    for w in writers {
        w.await.expect("a writer panicked");
    }
    assert_eq!(seen.len(), WRITERS * EACH, "every event once");
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an event read twice");
    let trail: Vec<String> = all_events(store.as_ref())
        .await
        .into_iter()
        .map(|e| e.resource_id)
        .collect();
    assert_eq!(seen, trail, "the follower's order is the trail's");
    let total = store
        .audit_events(&AuditFilter::default(), 0, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(total as usize, WRITERS * EACH);
}

/// A long poll waits on `commits()`: it must change after a write.
async fn a_commit_wakes_the_commit_watchers(store: Arc<dyn Store>) {
    let mut commits = store.commits();
    commits.borrow_and_update();
    store
        .apply(Batch::default().create(label("wake")), &actor())
        .await
        .unwrap();
    within(Duration::from_secs(5), "a commit tick", commits.changed())
        .await
        .expect("the store is open");
}

/// Two stores on one PostgreSQL database stand for two server processes
/// (separate pools, committers and listeners): a commit through one wakes
/// the other's watchers (LISTEN/NOTIFY), and writers through both still
/// give one trail without gaps or repeats.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_postgres_stores_on_one_database_share_one_ordered_trail() {
    let url = pg_database();
    let one = store::open(&url).await.expect("first store");
    let two = store::open(&url).await.expect("second store");
    let mut woken = two.commits();
    woken.borrow_and_update();
    one.apply(Batch::default().create(label("from-one")), &actor())
        .await
        .unwrap();
    within(
        Duration::from_secs(10),
        "the other store's wake-up",
        woken.changed(),
    )
    .await
    .expect("open");
    let writes = [one.clone(), two.clone()]
        .into_iter()
        .enumerate()
        .flat_map(|(s, store)| {
            (0..4).map(move |w| {
                let store = store.clone();
                tokio::spawn(async move {
                    for i in 0..25 {
                        let id = format!("s{s}-w{w}-{i}");
                        store
                            .apply(Batch::default().create(label(&id)), &actor())
                            .await
                            .expect("acknowledged");
                    }
                })
            })
        });
    for w in writes.collect::<Vec<_>>() {
        within(LIMIT, "writers", w)
            .await
            .expect("a writer panicked");
    }
    let trail = one
        .audit_events(
            &AuditFilter {
                follow: true,
                ..Default::default()
            },
            0,
            1000,
        )
        .await
        .unwrap();
    assert_eq!(trail.items.len(), 201);
    assert_eq!(trail.total, 201, "the total is the last seq: no gaps");
    let unique: HashSet<_> = trail.items.iter().map(|e| &e.id).collect();
    assert_eq!(unique.len(), 201);

    // A total one store remembers moves with a write through the other.
    assert_eq!(total(one.as_ref(), Kind::Label, None).await, 201);
    two.apply(Batch::default().create(label("from-two")), &actor())
        .await
        .unwrap();
    assert_eq!(total(one.as_ref(), Kind::Label, None).await, 202);
}
