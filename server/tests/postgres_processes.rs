//! Two real `segment-workspace serve` processes on one PostgreSQL database
//! (started by this test binary: `tests/src/postgres.rs`): a long poll on
//! one wakes for a write through the other, and with writers on both every
//! acknowledged write is present and a follower reads each audit event
//! once, in the trail's order.

#[path = "../../tests/src/postgres.rs"]
mod postgres;
mod support;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use segment_api::models::Label;
use segment_api::{Client, ClientConfig, RetryPolicy};
use serde_json::Value;
use support::{Served, BIN};

const LIMIT: Duration = Duration::from_secs(60);
const TOKEN: &str = "sgw_two_processes_share_one_postgres_database_0123";

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

fn label(key: &str, value: &str) -> Label {
    Label {
        key: key.into(),
        value: value.into(),
        description: None,
    }
}

/// One follower's read of the server at `base`: the events after `cursor`
/// and the next cursor.
async fn follow(
    http: &reqwest::Client,
    base: &str,
    cursor: &str,
    wait: f64,
) -> (Vec<Value>, String) {
    let url =
        format!("{base}/audit-events?wait={wait}&pagination.count=25&pagination.cursor={cursor}");
    let answer = http
        .get(&url)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("the audit trail");
    assert_eq!(answer.status(), 200);
    let body: Value = answer.json().await.expect("JSON");
    let events = body["data"]["events"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let next = body["data"]["pagination"]["next"]
        .as_str()
        .expect("a follower's cursor");
    (events, next.to_string())
}

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

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(LIMIT)
        .build()
        .expect("an HTTP client")
}

/// Long polls wait on commits; a commit in another process reaches them by
/// LISTEN/NOTIFY, so a follower of one server hears a write through the other
/// at once, not when its wait ends.
#[tokio::test]
async fn a_long_poll_on_one_server_wakes_for_a_write_through_the_other() {
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let (a, b) = (serve(&database), serve(&database));
    let http = http();
    let (_, end) = follow(&http, &b.url, "", 0.0).await;
    let poll = {
        let (base, http) = (b.url.clone(), http.clone());
        tokio::spawn(async move { follow(&http, &base, &end, 20.0).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !poll.is_finished(),
        "the long poll answered before any write"
    );
    let wrote = Instant::now();
    client(&a.url)
        .create_label(&label("env", "prod"))
        .await
        .unwrap();
    let (events, _) = tokio::time::timeout(LIMIT, poll)
        .await
        .expect("bounded")
        .unwrap();
    let took = wrote.elapsed();
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(
        took < Duration::from_secs(3),
        "woken {took:?} after the write in the other process"
    );
}

/// Writers on both servers at once, a follower on one: nothing acknowledged
/// is lost, and the follower reads every event exactly once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_on_two_servers_lose_nothing_and_a_follower_reads_each_event_once_in_order() {
    const WRITERS: usize = 6;
    const EACH: usize = 25;
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let servers = [serve(&database), serve(&database)];
    let clients = [client(&servers[0].url), client(&servers[1].url)];
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let clients = clients.clone();
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                for i in 0..EACH {
                    let value = format!("v{i}");
                    let made = clients[(w + i) % 2]
                        .create_label(&label(&format!("w{w}"), &value))
                        .await;
                    made.unwrap_or_else(|e| panic!("writer {w}, write {i}: {e}"));
                    acknowledged.push(format!("w{w}:{value}"));
                }
                acknowledged
            })
        })
        .collect();
    let http = http();
    let mut seen: Vec<String> = Vec::new();
    let mut cursor = String::new();
    let deadline = Instant::now() + LIMIT;
    let mut finished = false;
    loop {
        assert!(
            Instant::now() < deadline,
            "the follower did not catch up within {LIMIT:?}"
        );
        let (events, next) = follow(&http, &servers[1].url, &cursor, 0.2).await;
        seen.extend(
            events
                .iter()
                .map(|e| e["id"].as_str().unwrap_or_default().to_string()),
        );
        cursor = next;
        if finished && events.is_empty() {
            break;
        }
        finished = writers.iter().all(|w| w.is_finished());
    }
    let mut acknowledged = HashSet::new();
    for w in writers {
        acknowledged.extend(w.await.expect("a writer panicked"));
    }
    assert_eq!(acknowledged.len(), WRITERS * EACH);
    let stored: HashSet<String> = clients[0]
        .list_labels()
        .await
        .unwrap()
        .into_iter()
        .map(|l| format!("{}:{}", l.key, l.value))
        .collect();
    assert!(
        acknowledged.is_subset(&stored),
        "acknowledged labels are missing"
    );
    // And one "User Created": the first server to register --token's owner.
    assert_eq!(seen.len(), WRITERS * EACH + 1, "one event per write");
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        seen.len(),
        "an event read twice"
    );
    let (trail, _) = {
        let mut all = Vec::new();
        let mut cursor = String::new();
        for _ in 0..100 {
            let (events, next) = follow(&http, &servers[0].url, &cursor, 0.0).await;
            if events.is_empty() {
                break;
            }
            all.extend(
                events
                    .iter()
                    .map(|e| e["id"].as_str().unwrap_or_default().to_string()),
            );
            cursor = next;
        }
        (all, cursor)
    };
    assert_eq!(
        seen, trail,
        "the follower's order is the trail's, on either server"
    );
}

/// A server killed with SIGKILL under load: its writers move to the other
/// server and retry (409 on a retry: the lost answer's write committed).
/// Waits until `acked` reaches `at_least` (bounded): the kill then comes
/// mid-load on a fast machine and a slow one alike, where a fixed sleep
/// found the load already over on a quiet machine.
async fn until_acknowledged(acked: &std::sync::atomic::AtomicUsize, at_least: usize) {
    let deadline = Instant::now() + LIMIT;
    while acked.load(std::sync::atomic::Ordering::SeqCst) < at_least {
        assert!(Instant::now() < deadline, "the load made no progress");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Every acknowledged write is there and no audit event is recorded twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_under_load_loses_no_acknowledged_write() {
    const WRITERS: usize = 4;
    const EACH: usize = 250;
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let mut doomed = serve(&database);
    let survivor = serve(&database);
    let urls = [doomed.url.clone(), survivor.url.clone()];
    let acked_so_far = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let urls = urls.clone();
            let acked_so_far = acked_so_far.clone();
            tokio::spawn(async move {
                let clients = [client(&urls[0]), client(&urls[1])];
                let mut acknowledged = Vec::new();
                for i in 0..EACH {
                    let (key, value) = (format!("w{w}"), format!("v{i}"));
                    let deadline = Instant::now() + LIMIT;
                    // Writers start on the doomed server and stay on the
                    // survivor once a request fails.
                    let mut target = 0;
                    let mut failed = false;
                    loop {
                        match clients[target].create_label(&label(&key, &value)).await {
                            Ok(_) => {
                                acknowledged.push(format!("{key}:{value}"));
                                acked_so_far.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                                break;
                            }
                            Err(e) if failed && e.status() == Some(409) => break,
                            Err(e) => {
                                assert!(Instant::now() < deadline, "{key}:{value}: {e}");
                                failed = true;
                                target = 1;
                            }
                        }
                    }
                }
                acknowledged
            })
        })
        .collect();
    until_acknowledged(&acked_so_far, WRITERS * EACH / 10).await;
    assert!(
        !writers.iter().any(|w| w.is_finished()),
        "the load ended before the kill"
    );
    doomed.child.kill().expect("SIGKILL the server");
    let _ = doomed.child.wait();
    let mut acknowledged = HashSet::new();
    for w in writers {
        let done = tokio::time::timeout(LIMIT, w)
            .await
            .expect("writers finish");
        acknowledged.extend(done.expect("a writer panicked"));
    }
    let reader = client(&survivor.url);
    let stored: HashSet<String> = reader
        .list_labels()
        .await
        .unwrap()
        .into_iter()
        .map(|l| format!("{}:{}", l.key, l.value))
        .collect();
    assert_eq!(stored.len(), WRITERS * EACH);
    assert!(
        acknowledged.is_subset(&stored),
        "an acknowledged label is missing"
    );
    let mut all = Vec::new();
    let mut cursor = String::new();
    for _ in 0..100 {
        let (page, next) = follow(&http(), &survivor.url, &cursor, 0.0).await;
        if page.is_empty() {
            break;
        }
        all.extend(page);
        cursor = next;
    }
    let ids: HashSet<&str> = all.iter().filter_map(|e| e["id"].as_str()).collect();
    assert_eq!(ids.len(), all.len(), "an audit event appears twice");
    let created = all.iter().filter(|e| e["type"] == "Label Created").count();
    assert_eq!(created, WRITERS * EACH, "one event per stored label");
}

/// `token create --database postgres://...` stores the token where every
/// server on the database finds it, including servers already running.
#[tokio::test]
async fn a_token_created_on_the_command_line_works_on_every_server() {
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let servers = [serve(&database), serve(&database)];
    let out = Command::new(BIN)
        .args(["token", "create", "--database", &database])
        .args(["--secrets-key-file", postgres::shared_key_file()])
        .args(["--owner", "ci@example.com", "--scope", "read-only"])
        .stdin(Stdio::null())
        .output()
        .expect("running token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    for s in &servers {
        let config = ClientConfig::new(&s.url, &token);
        let reader = Client::new(config).expect("a client");
        reader.list_labels().await.expect("the new token reads");
    }
}
