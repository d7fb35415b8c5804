//! What one event costs: its own object, not the workspace. A child's
//! audit event names no parent, so sync looks for it under the parents
//! it knows, and lists nothing of unrelated types.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use segment_api::models::{CreateDestinationFilter, FilterAction};
use segment_e2e::{within, TestWorkspace};
use segment_gitops::session::Session;
use segment_gitops::sync;
use support::{answered, manifest};

const LIMIT: Duration = Duration::from_secs(120);

/// A seeded workspace exported into `repo` (inside `dir`), and the session
/// that did it.
async fn exported() -> (TestWorkspace, tempfile::TempDir, PathBuf, Session) {
    let ws = support::seeded_workspace().await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let session = support::session(&ws, &repo, "");
    within(LIMIT, "export", session.export(&|_| {}, &|| {}))
        .await
        .expect("export");
    (ws, dir, repo, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_child_is_found_under_its_known_parents_without_listing_the_workspace() {
    let (ws, _dir, repo, session) = exported().await;

    let api = ws.owner();
    let (source, destination) = support::source_with_amplitude(&ws, "per-event").await;
    let filter = api
        .create_filter(
            &destination.id,
            &CreateDestinationFilter {
                source_id: source.id.clone(),
                condition: "event = \"Test\"".into(),
                actions: vec![FilterAction {
                    kind: "DROP".into(),
                    fields: None,
                    percent: None,
                    path: None,
                }],
                title: "Drop test events".into(),
                description: None,
                enabled: true,
            },
        )
        .await
        .expect("create a filter");

    let labels_before = answered(&ws, Some("/labels"), None).await;
    let plans_before = answered(&ws, Some("/tracking-plans"), None).await;
    let progress = within(LIMIT, "sync", sync::catch_up(&session))
        .await
        .expect("sync");
    assert!(progress.commits >= 3, "{progress:?}");
    let written = manifest(&repo);
    let import_id = format!("{}:{}", destination.id, filter.id);
    assert!(
        written.resources.iter().any(|e| e.import_id == import_id),
        "the new filter is written"
    );
    // The whole workspace's listing asks for labels and tracking plans;
    // finding a filter under its destination asks for neither.
    assert_eq!(answered(&ws, Some("/labels"), None).await, labels_before);
    assert_eq!(
        answered(&ws, Some("/tracking-plans"), None).await,
        plans_before
    );
}

// What broke: each sync commit staged its files again with `git add`'s
// machinery, hashing and compressing megabytes (`base.json`, the
// manifest) per event; sync now records the index entries itself. Stat
// data that does not match the files shows them modified to `git
// diff-files`, which trusts the index without refreshing it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_commits_leave_the_index_clean_by_stat_data_alone() {
    let (ws, _dir, repo, session) = exported().await;
    let api = ws.owner();
    let source = support::source(&ws, "stat-clean").await;
    for name in ["", "Renamed once", "Renamed twice"] {
        if !name.is_empty() {
            support::rename_source(api, &source.id, name).await;
        }
        let progress = within(LIMIT, "sync", sync::catch_up(&session))
            .await
            .expect("sync");
        assert!(progress.commits >= 1, "{name:?}: {progress:?}");
        assert_eq!(
            support::git(&repo, &["diff-files", "--name-only"]),
            "",
            "after {name:?}: files whose stat data the index does not match"
        );
    }
    assert_eq!(support::git(&repo, &["status", "--porcelain"]), "");
    let file = &support::entry(&repo, &source.id).file;
    let text = std::fs::read_to_string(repo.join(file)).expect("the source's file");
    assert!(text.contains("Renamed twice"), "{text}");
}
