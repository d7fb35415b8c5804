//! `Client::with_list_snapshots` (the provider's client) against a real
//! workspace: a list is read once however many ask, concurrent readers
//! share one read, and any write drops the snapshots so the next read sees
//! it. Counted with the server's own `/metrics`.

use std::time::Duration;

use segment_api::models::Label;
use segment_api::{Client, ClientConfig};
use segment_e2e::{within, TestWorkspace};

const LIMIT: Duration = Duration::from_secs(30);

fn label(key: &str, value: &str) -> Label {
    Label {
        key: key.into(),
        value: value.into(),
        description: None,
    }
}

/// `GET /labels` requests the server has answered.
async fn label_lists(ws: &TestWorkspace) -> u64 {
    let raw = ws.get_raw("/metrics").await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    raw.text
        .lines()
        .filter(|l| {
            l.starts_with("segment_workspace_requests_total{method=\"GET\",route=\"/labels\",")
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum()
}

fn snapshots(ws: &TestWorkspace) -> Client {
    Client::new(ClientConfig::new(ws.base_url(), ws.owner_token()))
        .expect("a client")
        .with_list_snapshots()
}

#[tokio::test]
async fn a_write_drops_the_snapshots_so_the_next_list_sees_it() {
    let ws = TestWorkspace::start().await.expect("a workspace");
    let api = snapshots(&ws);
    let before = label_lists(&ws).await;
    for _ in 0..3 {
        let labels = within(LIMIT, "list", api.list_labels())
            .await
            .expect("list");
        assert!(labels.is_empty());
    }
    assert_eq!(label_lists(&ws).await - before, 1, "read once");

    within(LIMIT, "create", api.create_label(&label("env", "prod")))
        .await
        .expect("create");
    let labels = within(LIMIT, "list", api.list_labels())
        .await
        .expect("list");
    assert_eq!(labels.len(), 1, "the list after the write sees it");
    assert_eq!(label_lists(&ws).await - before, 2);

    // A refused write drops them too: a write that fails may still have
    // changed something.
    let again = within(LIMIT, "create", api.create_label(&label("env", "prod"))).await;
    assert_eq!(again.expect_err("a clash").status(), Some(409));
    within(LIMIT, "list", api.list_labels())
        .await
        .expect("list");
    assert_eq!(label_lists(&ws).await - before, 3);

    // So does a delete through a clone.
    let clone = api.scoped();
    within(LIMIT, "delete", clone.delete_label("env", "prod"))
        .await
        .expect("delete");
    let labels = within(LIMIT, "list", api.list_labels())
        .await
        .expect("list");
    assert!(labels.is_empty(), "the delete shows");
    assert_eq!(label_lists(&ws).await - before, 4);
}

#[tokio::test]
async fn concurrent_readers_share_one_read() {
    let ws = TestWorkspace::start().await.expect("a workspace");
    for i in 0..50 {
        ws.owner()
            .create_label(&label("k", &format!("v{i}")))
            .await
            .expect("seed a label");
    }
    let api = snapshots(&ws);
    let before = label_lists(&ws).await;
    let reads = (0..20).map(|_| {
        let api = api.clone();
        tokio::spawn(async move { api.list_labels().await })
    });
    for read in futures::future::join_all(reads).await {
        let labels = read.expect("joined").expect("a list");
        assert_eq!(labels.len(), 50);
    }
    // Once (the API answers labels unpaged).
    assert_eq!(label_lists(&ws).await - before, 1);
    // A plain client reads every time.
    let plain = ws.owner();
    plain.list_labels().await.expect("list");
    plain.list_labels().await.expect("list");
    assert_eq!(label_lists(&ws).await - before, 3);
}
