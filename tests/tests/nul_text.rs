//! Text holding U+0000 on both backends. PostgreSQL's TEXT cannot hold it,
//! and a name with one once answered 500 there. Now every path answers as
//! SQLite does (a lookup by such an id finds nothing), or, where SQLite
//! would store the value, 422 naming the field and the fix; never a 5xx.

use reqwest::Method;
use segment_e2e::{fixtures, Raw, TestWorkspace};
use serde_json::json;

const NUL_ID: &str = "a%00b";

/// Every path template the server routes with a parameter.
const TEMPLATES: &[&str] = &[
    "/catalog/destinations/{}",
    "/catalog/sources/{}",
    "/catalog/warehouses/{}",
    "/destination/{}/filters",
    "/destination/{}/filters/{}",
    "/destinations/{}",
    "/destinations/{}/subscriptions",
    "/destinations/{}/subscriptions/{}",
    "/functions/{}",
    "/groups/{}",
    "/groups/{}/invites",
    "/groups/{}/permissions",
    "/groups/{}/users",
    "/insert-function-instances/{}",
    "/labels/{}/{}",
    "/reverse-etl-models/{}",
    "/sources/{}",
    "/sources/{}/connected-destinations",
    "/sources/{}/connected-warehouses",
    "/sources/{}/labels",
    "/sources/{}/settings",
    "/spaces/{}",
    "/spaces/{}/audiences",
    "/spaces/{}/audiences/{}",
    "/spaces/{}/computed-traits",
    "/spaces/{}/computed-traits/{}",
    "/spaces/{}/profiles-warehouses",
    "/spaces/{}/profiles-warehouses/{}",
    "/tracking-plans/{}",
    "/tracking-plans/{}/rules",
    "/tracking-plans/{}/sources",
    "/users/{}",
    "/users/{}/groups",
    "/users/{}/permissions",
    "/warehouses/{}",
    "/warehouses/{}/connected-sources",
    "/warehouses/{}/connected-sources/{}",
];

/// Lists and filters whose query parameters reach the store.
const QUERIES: &[&str] = &[
    "/audit-events?resourceId=a%00b",
    "/audit-events?resourceType=a%00b",
    "/audit-events?startTime=a%00b&endTime=a%00b",
    "/audit-events?pagination.cursor=a%00b",
    "/sources?pagination.cursor=a%00b",
    "/labels?pagination.count=a%00b",
    "/tracking-plans/x/rules?pagination.cursor=a%00b",
];

/// A body naming the NUL id and holding NUL in the usual text fields.
fn nul_body() -> String {
    json!({
        "name": "a\u{0}b", "slug": "a\u{0}b", "sourceId": "a\u{0}b",
        "destinationId": "a\u{0}b", "key": "a\u{0}b", "value": "a\u{0}b",
        "email": "a\u{0}b", "enabled": true, "labels": [{"key": "a\u{0}b", "value": "x"}],
    })
    .to_string()
}

/// Every (method, path) probe and its answer's status.
async fn probe_lookups(ws: &TestWorkspace) -> Vec<(String, u16)> {
    let mut answers = Vec::new();
    for template in TEMPLATES {
        let path = template.replace("{}", NUL_ID);
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let raw = ws.send_raw(method.clone(), &path, nul_body()).await;
            answers.push((format!("{method} {path}"), raw.status));
        }
    }
    for path in QUERIES {
        answers.push((format!("GET {path}"), ws.get_raw(path).await.status));
    }
    answers
}

/// Writes that SQLite stores: on PostgreSQL a 422 naming `field`.
async fn writes(ws: &TestWorkspace) -> Vec<(&'static str, Raw)> {
    let source = ws
        .owner()
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("a source");
    let mut destination =
        serde_json::to_value(fixtures::amplitude_destination(&source.id)).expect("JSON");
    destination["name"] = json!("Amp\u{0}litude");
    let warehouse = serde_json::to_value(fixtures::postgres_warehouse("w\u{0}h")).expect("JSON");
    let source_path = format!("/sources/{}", source.id);
    vec![
        (
            "name",
            ws.send_raw(
                Method::PATCH,
                &source_path,
                json!({"name": "We\u{0}b"}).to_string(),
            )
            .await,
        ),
        (
            "name",
            ws.send_raw(
                Method::POST,
                "/tracking-plans",
                json!({"name": "Pl\u{0}an", "type": "LIVE"}).to_string(),
            )
            .await,
        ),
        (
            "name",
            ws.send_raw(Method::POST, "/destinations", destination.to_string())
                .await,
        ),
        (
            "name",
            ws.send_raw(Method::POST, "/warehouses", warehouse.to_string())
                .await,
        ),
    ]
}

fn assert_no_server_error(answers: &[(String, u16)], backend: &str) {
    let failed: Vec<_> = answers.iter().filter(|(_, s)| *s >= 500).collect();
    assert!(failed.is_empty(), "{backend} answered 5xx: {failed:?}");
}

#[tokio::test]
async fn nul_in_ids_and_queries_is_answered_as_on_sqlite_never_with_a_server_error() {
    let sqlite = TestWorkspace::start_sqlite().await.unwrap();
    let postgres = TestWorkspace::start_postgres().await.unwrap();
    let on_sqlite = probe_lookups(&sqlite).await;
    let on_postgres = probe_lookups(&postgres).await;
    assert_no_server_error(&on_sqlite, "SQLite");
    assert_no_server_error(&on_postgres, "PostgreSQL");
    let differ: Vec<_> = on_sqlite
        .iter()
        .zip(&on_postgres)
        .filter(|(s, p)| s != p)
        .collect();
    assert!(differ.is_empty(), "SQLite vs PostgreSQL: {differ:?}");
}

/// A name with NUL: SQLite stores it; PostgreSQL answered 500 from the
/// driver, and now answers 422 naming the field, writing nothing.
#[tokio::test]
async fn a_name_with_nul_is_stored_on_sqlite_and_a_422_naming_the_field_on_postgres() {
    let sqlite = TestWorkspace::start_sqlite().await.unwrap();
    for (field, raw) in writes(&sqlite).await {
        assert!(
            (200..300).contains(&raw.status),
            "SQLite, {field}: {}",
            raw.text
        );
    }
    let stored = sqlite.owner().list_sources().await.unwrap();
    assert_eq!(stored[0].name.as_deref(), Some("We\u{0}b"));

    let postgres = TestWorkspace::start_postgres().await.unwrap();
    for (field, raw) in writes(&postgres).await {
        let error = segment_e2e::raw::assert_error(&raw, 422, Some(field));
        let message = error["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("U+0000") && message.contains("remove it"),
            "{message}"
        );
    }
    let owner = postgres.owner();
    let sources = owner.list_sources().await.unwrap();
    assert_eq!(sources.len(), 1);
    assert_eq!(sources[0].name, None, "the refused update changed the name");
    assert!(owner.list_tracking_plans().await.unwrap().is_empty());
    assert!(owner.list_destinations().await.unwrap().is_empty());
    assert!(owner.list_warehouses().await.unwrap().is_empty());
    // Text inside a body is JSON-escaped and PostgreSQL stores it.
    let label = json!({"label": {"key": "env", "value": "prod", "description": "a\u{0}b"}});
    let label = label.to_string();
    let raw = postgres.send_raw(Method::POST, "/labels", label).await;
    assert!((200..300).contains(&raw.status), "{}", raw.text);
    let found = owner.list_labels().await.unwrap();
    assert_eq!(found[0].description.as_deref(), Some("a\u{0}b"));
}
