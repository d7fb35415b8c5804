//! Settings secrets are sealed at rest: the database files never hold a
//! secret written through the API, the API answers as before (masked), and
//! databases written before sealing keep working.

mod support;

use std::path::Path;

use reqwest::Method;
use segment_workspace::kind::Kind;
use segment_workspace::store::{Actor, Batch, Scope, SqliteStore, Store};
use support::{database_url, Served};

const API_KEY: &str = "amp-api-key-4e1f9c77d2";
const PASSWORD: &str = "pg-password-8b2d0a5511";
const FUNCTION_KEY: &str = "fn-sensitive-setting-31c07e";
const AMPLITUDE: &str = "54521fd525e721e32a72ee91";
const POSTGRES: &str = "55d3d3aea3c";

fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        bytes.extend(std::fs::read(entry.unwrap().path()).unwrap());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A source, an Amplitude destination with `apiKey` and a Postgres
/// warehouse with `password`: their ids.
async fn write_secrets(served: &Served) -> (String, String) {
    let (status, source) = served
        .send(
            Method::POST,
            "tok",
            "/sources",
            r#"{"slug":"web","enabled":true,"metadataId":"IqDTy1TpoU"}"#,
        )
        .await;
    assert_eq!(status, 200, "{source}");
    let source_id = source["data"]["source"]["id"].as_str().unwrap().to_string();
    let body = serde_json::json!({
        "sourceId": source_id, "metadataId": AMPLITUDE, "enabled": true,
        "settings": {"apiKey": API_KEY}
    });
    let (status, dest) = served
        .send(Method::POST, "tok", "/destinations", &body.to_string())
        .await;
    assert_eq!(status, 200, "{dest}");
    let body = serde_json::json!({
        "metadataId": POSTGRES,
        "settings": {"hostname": "db.internal", "database": "events",
                     "username": "segment", "password": PASSWORD, "port": 5432}
    });
    let (status, wh) = served
        .send(Method::POST, "tok", "/warehouses", &body.to_string())
        .await;
    assert_eq!(status, 200, "{wh}");
    let dest_id = dest["data"]["destination"]["id"].as_str().unwrap();
    // An insert function's sensitive setting, on an instance of it.
    let body = serde_json::json!({
        "code": "async function onTrack(event) { return event }",
        "displayName": "Scrubber", "resourceType": "INSERT_DESTINATION",
        "settings": [{"name": "apiKey", "label": "API key", "type": "STRING",
                      "required": true, "sensitive": true}]
    });
    let (status, function) = served
        .send(Method::POST, "tok", "/functions", &body.to_string())
        .await;
    assert_eq!(status, 200, "{function}");
    let body = serde_json::json!({
        "functionId": function["data"]["function"]["id"], "integrationId": dest_id,
        "name": "Scrub PII", "settings": {"apiKey": FUNCTION_KEY}
    });
    let (status, instance) = served
        .send(
            Method::POST,
            "tok",
            "/insert-function-instances",
            &body.to_string(),
        )
        .await;
    assert_eq!(status, 200, "{instance}");
    (
        dest_id.to_string(),
        wh["data"]["warehouse"]["id"].as_str().unwrap().to_string(),
    )
}

/// Before, the database file held settings secrets in plaintext.
#[tokio::test]
async fn secrets_written_through_the_api_are_not_in_the_database_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let served = Served::start(&db, &["--token", "tok"]);
    let (dest, _) = write_secrets(&served).await;
    let (_, shown) = served
        .send(Method::GET, "tok", &format!("/destinations/{dest}"), "")
        .await;
    assert_eq!(
        shown["data"]["destination"]["settings"]["apiKey"],
        "••••••••"
    );
    // A PATCH sending the mask back keeps the secret, sealed.
    let (status, _) = served
        .send(
            Method::PATCH,
            "tok",
            &format!("/destinations/{dest}"),
            r#"{"settings":{"apiKey":"••••••••"}}"#,
        )
        .await;
    assert_eq!(status, 200);
    drop(served);

    let bytes = database_bytes(dir.path());
    assert!(contains(&bytes, "db.internal"), "read the right files");
    assert!(
        !contains(&bytes, API_KEY),
        "the destination's apiKey in plaintext"
    );
    assert!(
        !contains(&bytes, PASSWORD),
        "the warehouse's password in plaintext"
    );
    assert!(
        !contains(&bytes, FUNCTION_KEY),
        "a sensitive function setting in plaintext"
    );
    assert!(contains(&bytes, "Scrub PII"), "the instance is stored");

    // The server (with its key file) still reads them: the workspace opened
    // as the server opens it shows the value kept.
    let state = segment_workspace::open(&db).await.unwrap();
    let doc = state
        .store
        .get(Kind::Destination, &dest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.body["settings"]["apiKey"], API_KEY);
}

/// With --secrets-key-file the key is that file's, and the server refuses
/// to read secrets sealed with another key rather than show ciphertext.
#[tokio::test]
async fn a_key_file_given_is_the_key_and_a_bad_one_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let key = dir.path().join("server.key");
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let served = Served::start(
        &db,
        &[
            "--token",
            "tok",
            "--secrets-key-file",
            key.to_str().unwrap(),
        ],
    );
    let (dest, _) = write_secrets(&served).await;
    drop(served);
    assert!(
        !dir.path().join("ws.db.key").exists(),
        "no key made beside the database"
    );
    let state = segment_workspace::open_with_key(&db, Some(&key))
        .await
        .unwrap();
    let doc = state
        .store
        .get(Kind::Destination, &dest)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(doc.body["settings"]["apiKey"], API_KEY);

    std::fs::write(&key, "not hex").unwrap();
    let out = support::run(&[
        "serve",
        "--database",
        &db,
        "--secrets-key-file",
        key.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("server.key") && stderr.contains("64 hex digits"),
        "{stderr}"
    );
}

/// A database from before sealing: its plaintext secrets still read, and
/// the next write of the document seals them.
#[tokio::test]
async fn plaintext_secrets_from_before_still_read_and_are_sealed_on_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let served = Served::start(&db, &["--token", "tok"]);
    let (dest, _) = write_secrets(&served).await;
    drop(served);
    // Put the secret back in plaintext, as an older server stored it.
    {
        let store = SqliteStore::open(&db).await.unwrap();
        let mut doc = store.get(Kind::Destination, &dest).await.unwrap().unwrap();
        doc.body["settings"]["apiKey"] = API_KEY.into();
        let actor = Actor {
            name: "old".into(),
            email: "old@example.com".into(),
            scope: Scope::WorkspaceOwner,
        };
        store
            .apply(Batch::default().modify(doc), &actor)
            .await
            .unwrap();
    }
    let served = Served::start(&db, &["--token", "tok"]);
    let (status, shown) = served
        .send(Method::GET, "tok", &format!("/destinations/{dest}"), "")
        .await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["data"]["destination"]["settings"]["apiKey"],
        "••••••••"
    );
    let (status, _) = served
        .send(
            Method::PATCH,
            "tok",
            &format!("/destinations/{dest}"),
            r#"{"enabled":false}"#,
        )
        .await;
    assert_eq!(status, 200);
    drop(served);
    let raw = SqliteStore::open(&db).await.unwrap();
    let stored = raw.get(Kind::Destination, &dest).await.unwrap().unwrap();
    let sealed = stored.body["settings"]["apiKey"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        sealed.starts_with("sealed:v1:") && !sealed.contains(API_KEY),
        "{sealed}"
    );
}
