//! The server's HTTP flows on PostgreSQL, whatever `SEGMENT_TEST_BACKEND`
//! says: a source's life through the API with its audit trail, a follower's
//! long poll, and lookups PostgreSQL's text could not hold.

use std::time::{Duration, Instant};

use reqwest::Method;
use segment_api::models::{AuditQuery, Label, UpdateSource};
use segment_e2e::{fixtures, within, Raw, TestWorkspace};

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn a_source_is_created_listed_updated_and_deleted_with_its_audit_trail() {
    let ws = TestWorkspace::start_postgres().await.unwrap();
    assert!(
        ws.database_url().starts_with("postgres://"),
        "{}",
        ws.database_url()
    );
    let owner = ws.owner();
    let made = owner
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let listed = owner.list_sources().await.unwrap();
    assert_eq!(listed.iter().map(|s| &s.id).collect::<Vec<_>>(), [&made.id]);
    let update = UpdateSource {
        name: Some("Website".into()),
        ..Default::default()
    };
    owner.update_source(&made.id, &update).await.unwrap();
    assert_eq!(
        ws.reader()
            .get_source(&made.id)
            .await
            .unwrap()
            .name
            .as_deref(),
        Some("Website")
    );
    owner.delete_source(&made.id).await.unwrap();
    assert!(owner.list_sources().await.unwrap().is_empty());
    let query = AuditQuery {
        resource_id: Some(made.id.clone()),
        ..Default::default()
    };
    let types: Vec<String> = owner
        .list_audit_events(&query)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        types,
        ["Source Created", "Source Modified", "Source Deleted"]
    );
}

/// The long poll waits on the store's commit counter; on PostgreSQL it
/// must tick for this process's writes as on SQLite.
#[tokio::test]
async fn a_long_poll_answers_as_soon_as_an_event_is_written() {
    let ws = TestWorkspace::start_postgres().await.unwrap();
    let waiting = tokio::spawn(Raw::send(ws.request(Method::GET, "/audit-events?wait=10")));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !waiting.is_finished(),
        "an empty trail answered before any write"
    );
    let wrote = Instant::now();
    let label = Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    };
    ws.owner().create_label(&label).await.unwrap();
    let raw = within(LIMIT, "the long poll", waiting).await.unwrap();
    assert_eq!(
        raw.data()["events"].as_array().map(Vec::len),
        Some(1),
        "{}",
        raw.text
    );
    assert!(
        wrote.elapsed() < Duration::from_secs(2),
        "{:?}",
        wrote.elapsed()
    );
}

/// PostgreSQL refuses U+0000 in a text parameter: a lookup by an id that
/// holds one once answered 500 from the driver's error; no stored id can
/// hold one, so it is a plain 404.
#[tokio::test]
async fn an_id_with_a_nul_character_is_not_found_not_a_server_error() {
    let ws = TestWorkspace::start_postgres().await.unwrap();
    let raw = ws.get_raw("/sources/a%00b").await;
    assert_eq!(raw.status, 404, "{}", raw.text);
    let raw = ws.get_raw("/audit-events?resourceId=a%00b").await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    assert_eq!(raw.data()["events"], serde_json::json!([]));
}
