//! `segment-gitops drift`: exit 0 while the repository matches the
//! workspace; exit 2 and one line per differing resource once someone
//! changes the workspace outside Git, and never a write either way.

mod support;

use std::path::Path;

use segment_e2e::TestWorkspace;
use support::process::Finished;
use support::{entry, git, gitops, gitops_ok};

fn drift(ws: &TestWorkspace, repo: &Path) -> Finished {
    gitops(
        ws,
        &["drift", "--repo", repo.to_str().expect("a UTF-8 path")],
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_names_each_changed_resource_and_writes_nothing() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let api = ws.owner();
    let web = support::source(&ws, "web").await;
    let (_, amplitude) = support::source_with_amplitude(&ws, "app").await;

    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(
        &ws,
        &["export", "--repo", repo.to_str().expect("a UTF-8 path")],
    );
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let files = support::snapshot(&repo);

    let none = drift(&ws, &repo);
    assert_eq!(none.status.code(), Some(0), "{}", none.output());
    assert!(none.stdout.contains("no drift"), "{}", none.output());

    // Changes made in the Segment app, not in Git.
    let web_address = entry(&repo, &web.id).address;
    let amplitude_address = entry(&repo, &amplitude.id).address;
    support::rename_source(api, &web.id, "Web (renamed in the app)").await;
    api.delete_destination(&amplitude.id)
        .await
        .expect("delete destination");

    let found = drift(&ws, &repo);
    assert_eq!(found.status.code(), Some(2), "{}", found.output());
    let mut lines: Vec<&str> = found.stdout.lines().collect();
    lines.sort_unstable();
    let mut want = vec![
        format!("remove {amplitude_address}"),
        format!("update {web_address} (name)"),
    ];
    want.sort_unstable();
    assert_eq!(lines, want, "{}", found.output());

    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head, "no commit");
    assert_eq!(git(&repo, &["status", "--porcelain"]), "", "nothing staged");
    assert!(
        support::snapshot(&repo) == files,
        "the work tree is as the export left it"
    );
}
