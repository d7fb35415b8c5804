//! Tokens: no or invalid token is 401 and changes nothing; a read-only token
//! reads and gets 403 on every write; tokens are stored hashed.

use reqwest::Method;
use segment_api::models::{Label, UpdateSource};
use segment_e2e::{assert_client_error, assert_error, fixtures, Raw, Scope, TestWorkspace};
use serde_json::json;

/// Writes of every family that exists, as (method, path, body).
fn writes(source: &str, dest: &str, wh: &str) -> Vec<(Method, String, String)> {
    let create_source =
        json!({"slug": "new", "enabled": true, "metadataId": fixtures::JAVASCRIPT_SOURCE});
    let create_dest = json!({"sourceId": source, "metadataId": fixtures::AMPLITUDE_DESTINATION, "settings": {"apiKey": "k"}});
    let label = json!({"label": {"key": "env", "value": "dev"}});
    let labels = json!({"labels": [{"key": "env", "value": "prod"}]});
    vec![
        (Method::POST, "sources".into(), create_source.to_string()),
        (
            Method::PATCH,
            format!("sources/{source}"),
            json!({"name": "x"}).to_string(),
        ),
        (Method::DELETE, format!("sources/{source}"), String::new()),
        (
            Method::PUT,
            format!("sources/{source}/labels"),
            labels.to_string(),
        ),
        (
            Method::POST,
            format!("sources/{source}/labels"),
            labels.to_string(),
        ),
        (Method::POST, "destinations".into(), create_dest.to_string()),
        (
            Method::PATCH,
            format!("destinations/{dest}"),
            json!({"enabled": false}).to_string(),
        ),
        (
            Method::DELETE,
            format!("destinations/{dest}"),
            String::new(),
        ),
        (
            Method::POST,
            "warehouses".into(),
            json!({"metadataId": fixtures::POSTGRES_WAREHOUSE}).to_string(),
        ),
        (
            Method::PATCH,
            format!("warehouses/{wh}"),
            json!({"enabled": false}).to_string(),
        ),
        (Method::DELETE, format!("warehouses/{wh}"), String::new()),
        (
            Method::POST,
            format!("warehouses/{wh}/connected-sources/{source}"),
            "{}".into(),
        ),
        (Method::POST, "labels".into(), label.to_string()),
        (Method::DELETE, "labels/env/prod".into(), String::new()),
    ]
}

/// Reads of every family that exists.
fn reads(source: &str, wh: &str) -> Vec<String> {
    vec![
        "".into(),
        "sources".into(),
        format!("sources/{source}"),
        format!("sources/{source}/labels"),
        format!("sources/{source}/connected-destinations"),
        format!("sources/{source}/connected-warehouses"),
        "destinations".into(),
        "warehouses".into(),
        format!("warehouses/{wh}/connected-sources"),
        "labels".into(),
        "catalog/sources".into(),
        "catalog/destinations".into(),
        "catalog/warehouses".into(),
        format!("catalog/sources/{}", fixtures::JAVASCRIPT_SOURCE),
        "audit-events".into(),
    ]
}

async fn populated() -> (TestWorkspace, String, String, String) {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let source = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_destination(&source.id))
        .await
        .unwrap();
    let wh = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();
    c.create_label(&Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    })
    .await
    .unwrap();
    (ws, source.id, dest.id, wh.id)
}

#[tokio::test]
async fn no_or_invalid_token_is_401_and_changes_nothing() {
    let (ws, source, dest, wh) = populated().await;
    let before = ws.snapshot().await;
    let bad_headers = [
        None,
        Some("Bearer"),
        Some("Bearer "),
        Some("Bearer not-a-token"),
        Some(&*format!("Basic {}", ws.owner_token())),
        Some(&*format!("Bearer {}x", ws.owner_token())),
    ];
    let mut requests: Vec<(Method, String, String)> = reads(&source, &wh)
        .into_iter()
        .map(|p| (Method::GET, p, String::new()))
        .collect();
    requests.extend(writes(&source, &dest, &wh));
    for header in bad_headers {
        for (method, path, body) in &requests {
            let mut rb = ws
                .request_with(None, method.clone(), path)
                .header("content-type", "application/json")
                .body(body.clone());
            if let Some(h) = header {
                rb = rb.header("authorization", h.to_string());
            }
            let raw = Raw::send(rb).await;
            let e = assert_error(&raw, 401, None);
            assert_eq!(
                e["type"], "unauthorized",
                "{method} /{path} with {header:?}"
            );
        }
    }
    // 401 comes before any look at the body, even a malformed one.
    let raw = Raw::send(
        ws.request_with(Some("wrong"), Method::POST, "sources")
            .body("{not json"),
    )
    .await;
    assert_error(&raw, 401, None);
    // The typed client with a wrong token gets the same.
    let stranger = ws.client_with_token("sgw_wrong").unwrap();
    assert_client_error(stranger.list_sources().await, 401, None);
    assert_client_error(
        stranger
            .create_source(&fixtures::javascript_source("x"))
            .await,
        401,
        None,
    );
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn read_only_tokens_read_and_get_403_on_writes() {
    let (ws, source, dest, wh) = populated().await;
    let before = ws.snapshot().await;
    for path in reads(&source, &wh) {
        let raw = Raw::send(ws.request_with(Some(ws.read_only_token()), Method::GET, &path)).await;
        assert_eq!(raw.status, 200, "GET /{path}: {}", raw.text);
        // The same answer the owner gets.
        assert_eq!(raw.body, ws.get_raw(&path).await.body, "GET /{path}");
    }
    for (method, path, body) in writes(&source, &dest, &wh) {
        let rb = ws
            .request_with(Some(ws.read_only_token()), method.clone(), &path)
            .header("content-type", "application/json")
            .body(body);
        let e = assert_error(&Raw::send(rb).await, 403, None);
        assert_eq!(e["type"], "forbidden", "{method} /{path}");
    }
    let r = ws.reader();
    assert_eq!(r.list_sources().await.unwrap().len(), 1);
    assert_client_error(
        r.create_source(&fixtures::javascript_source("ro")).await,
        403,
        None,
    );
    assert_client_error(
        r.update_source(
            &source,
            &UpdateSource {
                enabled: Some(false),
                ..Default::default()
            },
        )
        .await,
        403,
        None,
    );
    assert_client_error(r.delete_source(&source).await, 403, None);
    assert_eq!(ws.snapshot().await, before);
}

#[tokio::test]
async fn tokens_added_while_serving_work_at_once() {
    let ws = TestWorkspace::start().await.unwrap();
    let token = ws
        .add_token("second@example.com", Scope::WorkspaceOwner)
        .await
        .unwrap();
    let c = ws.client_with_token(&token).unwrap();
    let s = c
        .create_source(&fixtures::javascript_source("by-second"))
        .await
        .unwrap();
    let events = ws
        .owner()
        .list_audit_events(&Default::default())
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].resource_id, s.id);
    assert_eq!(events[0].actor_email.as_deref(), Some("second@example.com"));
    let ro = ws
        .add_token("auditor@example.com", Scope::ReadOnly)
        .await
        .unwrap();
    let ro = ws.client_with_token(&ro).unwrap();
    assert_eq!(ro.get_source(&s.id).await.unwrap(), s);
    assert_client_error(ro.delete_source(&s.id).await, 403, None);
}

#[tokio::test]
async fn tokens_are_stored_hashed() {
    let mut ws = TestWorkspace::start().await.unwrap();
    // Use both tokens, so they have passed through every code path.
    ws.owner().list_sources().await.unwrap();
    ws.reader().list_sources().await.unwrap();
    ws.stop().await.unwrap();
    let bytes = ws.stored_bytes().unwrap();
    assert!(bytes.len() > 4096, "read the database");
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for token in [ws.owner_token(), ws.read_only_token()] {
        assert!(!contains(token), "the token text is in the database files");
        // What is stored is the keyed digest: the files do hold that.
        assert!(
            contains(&ws.token_digest(token).unwrap()),
            "the token's HMAC-SHA-256 is in the database files"
        );
        // Plain SHA-256 could be reversed by a lookup table: never stored.
        assert!(
            !contains(&segment_workspace::secrets::legacy_token_hash(token)),
            "the token's unkeyed SHA-256 is in the database files"
        );
    }
    // And after a restart the stored digests still admit the tokens.
    ws.restart().await.unwrap();
    ws.owner()
        .create_source(&fixtures::javascript_source("after"))
        .await
        .unwrap();
    assert_client_error(
        ws.reader()
            .create_source(&fixtures::javascript_source("ro"))
            .await,
        403,
        None,
    );
}
