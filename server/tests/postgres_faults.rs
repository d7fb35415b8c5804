//! Faults on PostgreSQL: the database killed with SIGKILL under load and
//! started again, with clients retrying. Every acknowledged write is there,
//! no audit event is recorded twice, and once PostgreSQL is back the server
//! answers without 5xx (its pool replaces the dead connections).
//!
//! One test in this binary: it kills the binary's shared PostgreSQL.

#[path = "../../tests/src/postgres.rs"]
mod postgres;
mod support;

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use segment_api::models::{AuditQuery, Label};
use segment_api::{Client, ClientConfig, RetryPolicy};
use support::Served;

const LIMIT: Duration = Duration::from_secs(90);
const TOKEN: &str = "sgw_postgres_killed_under_load_0123456789abcdef";

/// A `serve` process on `database` with this binary's token and the key
/// every server on the database shares; killed when dropped.
fn serve(database: &str) -> Served {
    Served::start(
        database,
        &[
            "--secrets-key-file",
            postgres::shared_key_file(),
            "--token",
            TOKEN,
        ],
    )
}

/// One attempt per call: the writers retry themselves, to tell a write
/// that was answered from one whose answer was lost.
fn client(url: &str) -> Client {
    let once = RetryPolicy {
        max_attempts: 1,
        ..RetryPolicy::default()
    };
    let config = ClientConfig::new(url, TOKEN)
        .with_retry(once)
        .with_timeout(Duration::from_secs(15));
    Client::new(config).expect("a client")
}

/// Creates a label until an answer says it is stored: 200, or 409 on a
/// retry (an earlier attempt committed and its answer was lost). Bounded.
/// Says whether a 200 acknowledged it, and how many attempts failed.
async fn create_until_stored(
    client: &Client,
    key: &str,
    value: &str,
    failures: &std::sync::atomic::AtomicUsize,
) -> (bool, u32) {
    let label = Label {
        key: key.into(),
        value: value.into(),
        description: None,
    };
    let deadline = Instant::now() + LIMIT;
    let mut failed = 0;
    loop {
        match client.create_label(&label).await {
            Ok(_) => return (true, failed),
            Err(e) if failed > 0 && e.status() == Some(409) => return (false, failed),
            Err(e) => {
                assert!(Instant::now() < deadline, "{key}:{value} never stored: {e}");
                failed += 1;
                failures.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// Waits until the count `acked` reaches `at_least` (bounded): the kill then comes
/// mid-load on a fast machine and a slow one alike, where a fixed sleep
/// found the load already over on a quiet machine.
async fn until_acknowledged(acked: &std::sync::atomic::AtomicUsize, at_least: usize) {
    let deadline = Instant::now() + LIMIT;
    while acked.load(std::sync::atomic::Ordering::SeqCst) < at_least {
        assert!(Instant::now() < deadline, "the load made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_under_load_loses_no_acknowledged_write_and_records_none_twice() {
    const WRITERS: usize = 4;
    const EACH: usize = 300;
    let pg = postgres::server().expect("the test PostgreSQL");
    let database = pg.create_database().unwrap();
    let server = serve(&database);
    let acked_so_far = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let failures = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let client = client(&server.url);
            let acked_so_far = acked_so_far.clone();
            let failures = failures.clone();
            tokio::spawn(async move {
                let (mut answered, mut failed) = (Vec::new(), 0);
                for i in 0..EACH {
                    let value = format!("v{i}");
                    let (acked, fails) =
                        create_until_stored(&client, &format!("w{w}"), &value, &failures).await;
                    failed += fails;
                    if acked {
                        answered.push(format!("w{w}:{value}"));
                        acked_so_far.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                (answered, failed)
            })
        })
        .collect();
    // Kill it mid-load: some writes acknowledged, most not yet sent.
    until_acknowledged(&acked_so_far, WRITERS * EACH / 10).await;
    assert!(
        !writers.iter().any(|w| w.is_finished()),
        "the load ended before the kill"
    );
    pg.kill().expect("SIGKILL PostgreSQL");
    // Down until a writer has seen it fail: the restart may not come before
    // anyone noticed, or the test would test nothing.
    until_acknowledged(&failures, 1).await;
    tokio::task::spawn_blocking(move || pg.restart())
        .await
        .expect("the restart thread")
        .expect("PostgreSQL starts again");
    let (mut answered, mut failed) = (HashSet::new(), 0);
    for w in writers {
        let done = tokio::time::timeout(LIMIT, w)
            .await
            .expect("writers finish");
        let (acked, fails) = done.expect("a writer panicked");
        answered.extend(acked);
        failed += fails;
    }
    assert!(
        failed > 0,
        "no write failed: the kill came too late to test anything"
    );
    eprintln!(
        "{failed} failed attempts while PostgreSQL was down; {} writes acknowledged",
        answered.len()
    );
    let reader = client(&server.url);
    let stored: HashSet<String> = reader
        .list_labels()
        .await
        .unwrap()
        .into_iter()
        .map(|l| format!("{}:{}", l.key, l.value))
        .collect();
    assert_eq!(stored.len(), WRITERS * EACH, "every label stored once");
    assert!(
        answered.is_subset(&stored),
        "an acknowledged label is missing"
    );
    let events = reader
        .list_audit_events(&AuditQuery::default())
        .await
        .unwrap();
    let ids: HashSet<&String> = events.iter().map(|e| &e.id).collect();
    assert_eq!(ids.len(), events.len(), "an audit event appears twice");
    let mut per_label: HashMap<&str, usize> = HashMap::new();
    for e in events.iter().filter(|e| e.kind == "Label Created") {
        *per_label.entry(e.resource_name.as_str()).or_default() += 1;
    }
    assert!(
        per_label.values().all(|n| *n == 1),
        "a label created twice: {per_label:?}"
    );
    assert_eq!(
        per_label.len(),
        WRITERS * EACH,
        "one event per stored label"
    );
    // Recovered: reads and writes answer without 5xx, first time.
    for i in 0..30 {
        reader
            .list_labels()
            .await
            .unwrap_or_else(|e| panic!("read {i} after recovery: {e}"));
    }
    let none = std::sync::atomic::AtomicUsize::new(0);
    let (acked, failed) = create_until_stored(&reader, "after", "recovery", &none).await;
    assert!(acked && failed == 0, "a write after recovery failed first");
}
