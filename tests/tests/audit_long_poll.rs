//! `wait=SECONDS` on the audit trail: the answer comes as soon as an event
//! after the cursor is committed, or empty when the wait ends; at most 25 s,
//! and a bad value is a 400 naming `wait`.

use std::time::{Duration, Instant};

use reqwest::Method;
use segment_api::models::Label;
use segment_e2e::{assert_error, within, Raw, TestWorkspace};

const LIMIT: Duration = Duration::from_secs(30);

fn label(value: &str) -> Label {
    Label {
        key: "env".into(),
        value: value.into(),
        description: None,
    }
}

#[tokio::test]
async fn a_long_poll_answers_as_soon_as_an_event_is_written() {
    let ws = TestWorkspace::start().await.unwrap();
    let poll = ws.request(Method::GET, "/audit-events?wait=10");
    let started = Instant::now();
    let waiting = tokio::spawn(Raw::send(poll));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "an empty trail answered before any write"
    );
    let wrote = Instant::now();
    ws.owner().create_label(&label("prod")).await.unwrap();
    let raw = within(LIMIT, "the long poll", waiting).await.unwrap();
    let after_write = wrote.elapsed();
    let events = raw.data()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 1, "{}", raw.text);
    assert!(
        after_write < Duration::from_secs(1),
        "answered {after_write:?} after the write"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_long_poll_answers_empty_when_the_wait_ends() {
    let ws = TestWorkspace::start().await.unwrap();
    let poll = ws.request(
        Method::GET,
        "/audit-events?wait=1.5&resourceId=nothing-like-it",
    );
    let started = Instant::now();
    let waiting = tokio::spawn(Raw::send(poll));
    // A write the filter does not match does not end the wait.
    tokio::time::sleep(Duration::from_millis(300)).await;
    ws.owner().create_label(&label("prod")).await.unwrap();
    let raw = within(LIMIT, "the long poll", waiting).await.unwrap();
    let took = started.elapsed();
    assert_eq!(raw.data()["events"], serde_json::json!([]), "{}", raw.text);
    assert!(
        took >= Duration::from_millis(1400) && took < Duration::from_secs(5),
        "{took:?}"
    );
    // Without `wait` the same request answers at once.
    let started = Instant::now();
    let raw = ws.get_raw("/audit-events?resourceId=nothing-like-it").await;
    assert_eq!(raw.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_bad_wait_is_a_400_naming_it_and_a_long_one_is_capped() {
    let ws = TestWorkspace::start().await.unwrap();
    for bad in ["-1", "soon", "NaN"] {
        let raw = ws.get_raw(&format!("/audit-events?wait={bad}")).await;
        assert_error(&raw, 400, Some("wait"));
    }
    // Past events answer at once, however long the wait asked for.
    ws.owner().create_label(&label("prod")).await.unwrap();
    let started = Instant::now();
    let raw = ws.get_raw("/audit-events?wait=3600").await;
    assert_eq!(raw.data()["events"].as_array().unwrap().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn stopping_the_server_ends_a_long_poll() {
    let mut ws = TestWorkspace::start().await.unwrap();
    let poll = ws.request(Method::GET, "/audit-events?wait=25");
    let waiting = tokio::spawn(async move { poll.send().await.map(|r| r.status().as_u16()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    ws.stop().await.expect("the server stops with a poll open");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let answered = within(LIMIT, "the poll's answer", waiting).await.unwrap();
    assert_eq!(answered.ok(), Some(200));
}

/// The cursor a page answers, for the next request's query.
fn next_of(raw: &Raw) -> serde_json::Value {
    raw.data()["pagination"]["next"].clone()
}

// What broke: at the end of the trail `next` was null, so a follower had
// no cursor meaning "after the last event" and its `wait` on the page it
// had read answered at once (the page had events): it could only poll.
#[tokio::test]
async fn a_follower_gets_a_cursor_after_the_last_event_and_waits_on_it() {
    let ws = TestWorkspace::start().await.unwrap();
    ws.owner().create_label(&label("one")).await.unwrap();
    ws.owner().create_label(&label("two")).await.unwrap();
    // Segment's shape for a plain read: the last page has no next.
    let plain = ws.get_raw("/audit-events").await;
    assert_eq!(next_of(&plain), serde_json::Value::Null, "{}", plain.text);
    // A follower's read of the same page names where to resume.
    let first = ws.get_raw("/audit-events?wait=0").await;
    assert_eq!(first.data()["events"].as_array().unwrap().len(), 2);
    let end = next_of(&first);
    let end = end.as_str().expect("a cursor at the end of the trail");
    // At that cursor nothing follows: the request is held, not answered.
    let path = format!("/audit-events?wait=10&pagination.cursor={end}");
    let waiting = tokio::spawn(Raw::send(ws.request(Method::GET, &path)));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!waiting.is_finished(), "a wait at the end answered at once");
    ws.owner().create_label(&label("three")).await.unwrap();
    let woke = within(LIMIT, "the follower's poll", waiting).await.unwrap();
    let events = woke.data()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 1, "{}", woke.text);
    assert!(events[0]["resourceName"]
        .as_str()
        .unwrap()
        .contains("three"));
    // An empty follower's page answers its own cursor, and a walk ends.
    let next = next_of(&woke);
    let path = format!(
        "/audit-events?wait=0&pagination.cursor={}",
        next.as_str().unwrap()
    );
    let empty = ws.get_raw(&path).await;
    assert_eq!(empty.data()["events"], serde_json::json!([]));
    assert_eq!(next_of(&empty), next);
    let all = ws
        .owner()
        .list_audit_events(&Default::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
}
