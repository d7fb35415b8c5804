//! Tokens on a shared server: listed and revoked from the command line,
//! revoked tokens refused by running servers within a second, digests keyed
//! with the server key, and the database files private to their owner.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use segment_workspace::secrets::{legacy_token_hash, Keys};
use segment_workspace::store::{Actor, Scope, SqliteStore, Store};
use support::{database_url, run, token_create, Served};

/// Before, valid tokens were cached forever: one deleted from the database
/// kept working until the server restarted.
#[tokio::test]
async fn a_revoked_token_is_refused_by_a_running_server_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let doomed = token_create(&db, "ci@example.com", "ci-pipeline");
    let kept = token_create(&db, "ops@example.com", "ops");
    let served = Served::start(&db, &[]);
    // Both tokens are in the server's cache now.
    assert_eq!(served.status(&doomed, "/").await, 200);
    assert_eq!(served.status(&kept, "/").await, 200);

    let out = run(&[
        "token",
        "revoke",
        "--database",
        &db,
        "--name",
        "ci-pipeline",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let revoked = Instant::now();
    let mut refused = None;
    while revoked.elapsed() < Duration::from_secs(5) {
        if served.status(&doomed, "/").await == 401 {
            refused = Some(revoked.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused = refused.expect("the revoked token still works after 5 s");
    // The cache's second, and the time a request takes on a busy machine.
    assert!(refused < Duration::from_millis(1500), "{refused:?}");
    assert_eq!(served.status(&kept, "/").await, 200, "only that token goes");
}

#[tokio::test]
async fn token_list_shows_names_and_scopes_but_no_token_or_digest() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let owner = token_create(&db, "owner@example.com", "deploy-bot");
    let out = run(&[
        "token",
        "create",
        "--database",
        &db,
        "--owner",
        "audit@example.com",
        "--scope",
        "read-only",
    ]);
    let reader = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let out = run(&["token", "list", "--database", &db]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    for word in [
        "NAME",
        "deploy-bot",
        "owner@example.com",
        "workspace-owner",
        "audit@example.com",
        "read-only",
    ] {
        assert!(listed.contains(word), "{word} in {listed}");
    }
    let keys = Keys::load(&db, None).unwrap();
    for token in [&owner, &reader] {
        assert!(!listed.contains(token.as_str()), "a token in {listed}");
        assert!(
            !listed.contains(&keys.token_hash(token)),
            "a digest in {listed}"
        );
    }
}

#[test]
fn revoking_an_unknown_name_fails_naming_it_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    token_create(&db, "owner@example.com", "deploy-bot");
    let before = run(&["token", "list", "--database", &db]).stdout;
    let out = run(&["token", "revoke", "--database", &db, "--name", "deploy-bto"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("\"deploy-bto\"") && stderr.contains("--name"),
        "{stderr}"
    );
    assert!(
        stderr.contains("token list"),
        "says how to see the names: {stderr}"
    );
    assert_eq!(run(&["token", "list", "--database", &db]).stdout, before);

    // A mistyped database path is not a new, empty database.
    let missing = database_url(&dir.path().join("nowhere"));
    let out = run(&["token", "list", "--database", &missing]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
}

/// The database file was created world-readable (0644), with its WAL.
#[tokio::test]
async fn the_database_its_wal_and_the_key_file_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let served = Served::start(&db, &["--token", "tok"]);
    let (status, _) = served
        .send(
            reqwest::Method::POST,
            "tok",
            "/labels",
            r#"{"label":{"key":"env","value":"dev"}}"#,
        )
        .await;
    assert_eq!(status, 200);
    for name in ["ws.db", "ws.db-wal", "ws.db-shm", "ws.db.key"] {
        let meta = std::fs::metadata(dir.path().join(name)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{name}");
    }
}

/// Tokens made before digests were keyed (plain SHA-256) keep working and
/// are stored keyed from their first use.
#[tokio::test]
async fn a_token_stored_unkeyed_still_works_and_is_rekeyed_on_first_use() {
    let dir = tempfile::tempdir().unwrap();
    let db = database_url(dir.path());
    let token = "sgw_made_by_an_older_server_0123456789";
    {
        let store = SqliteStore::open(&db).await.unwrap();
        let actor = Actor {
            name: "old".into(),
            email: "old@example.com".into(),
            scope: Scope::WorkspaceOwner,
        };
        store
            .create_token(&legacy_token_hash(token), &actor)
            .await
            .unwrap();
    }
    let served = Served::start(&db, &[]);
    assert_eq!(served.status(token, "/").await, 200);
    assert_eq!(served.status("sgw_not_a_token", "/").await, 401);
    drop(served);
    let store = SqliteStore::open(&db).await.unwrap();
    let keys = Keys::load(&db, None).unwrap();
    assert!(store
        .token(&legacy_token_hash(token))
        .await
        .unwrap()
        .is_none());
    assert!(store
        .token(&keys.token_hash(token))
        .await
        .unwrap()
        .is_some());
    // Another server key would not admit it: the digest depends on the key.
    let other = Keys::from_master(&[9; 32]);
    assert!(store
        .token(&other.token_hash(token))
        .await
        .unwrap()
        .is_none());
}
