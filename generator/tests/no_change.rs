//! Events that change no file make no commit: an update that sets the same
//! value, or a `terraform apply` of what a person already committed. The
//! cursor and the base move with the next commit, and re-reading those
//! events changes nothing.

mod support;

use std::path::Path;

use segment_api::models::UpdateSource;
use segment_e2e::TestWorkspace;
use segment_gitops::sync::{self, Follow};
use support::{entry, git, git_log, gitops_ok};

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn head(repo: &Path) -> String {
    git(repo, &["rev-parse", "HEAD"]).trim().to_string()
}

/// A person's commit replacing `from` with `to` in `file`.
fn persons_commit(repo: &Path, file: &str, from: &str, to: &str) {
    let path = repo.join(file);
    let text = std::fs::read_to_string(&path).expect("read file");
    assert!(text.contains(from), "no {from} in\n{text}");
    std::fs::write(&path, text.replace(from, to)).expect("edit");
    git(repo, &["commit", "-q", "-am", "A person's edit"]);
}

// What broke: every `terraform apply` was followed by commits that only
// moved `.segment-gitops/cursor.json`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_that_change_no_file_make_no_commit_and_the_cursor_moves_with_the_next() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    support::rename_source(ws.owner(), &web.id, "Web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let file = entry(&repo, &web.id).file;
    let exported = head(&repo);

    // An update that sets the value the workspace holds.
    support::rename_source(ws.owner(), &web.id, "Web").await;
    let same = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    assert!(
        same.stdout.contains("1 events read, 0 commits"),
        "{}",
        same.output()
    );
    assert_eq!(head(&repo), exported, "no commit");

    // A person's commit, then the apply of it: HEAD holds the change.
    persons_commit(&repo, &file, "\"Web\"", "\"Web (Pat)\"");
    let theirs = head(&repo);
    support::rename_source(ws.owner(), &web.id, "Web (Pat)").await;
    let applied = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    assert!(
        applied.stdout.contains("2 events read, 0 commits"),
        "both events read again, neither commits: {}",
        applied.output()
    );
    assert_eq!(head(&repo), theirs, "no commit");

    // The next change commits, with the cursor past every event.
    let app = support::source(&ws, "app").await;
    gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    let ids = git_log::event_ids(&repo);
    let events = ws
        .owner()
        .list_audit_events(&Default::default())
        .await
        .expect("audit");
    let last = events.last().expect("an event");
    assert_eq!(
        ids,
        std::slice::from_ref(&last.id),
        "one commit, for the change"
    );
    let cursor = git(&repo, &["show", "HEAD:.segment-gitops/cursor.json"]);
    assert!(cursor.contains(&last.id), "{cursor}");
    assert!(repo.join(entry(&repo, &app.id).file).is_file());
    let committed = head(&repo);
    let again = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    assert!(again.stdout.contains("0 events read"), "{}", again.output());
    assert_eq!(head(&repo), committed);
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
}

// The base of an event that made no commit still counts: without it, the
// next event on that object took the applied value for the workspace's
// change and wrote it over a person's newer, un-applied edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_edit_after_an_apply_that_made_no_commit_survives_the_next_event() {
    persons_edit_after_an_apply_that_made_no_commit(false).await;
}

// The same with sync restarted in between (run once per event, as a cron
// job would): the base an event moved without a commit must outlive the
// process, or the next run writes the applied value over the person's
// newer commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_edit_after_an_apply_that_made_no_commit_survives_a_restart() {
    persons_edit_after_an_apply_that_made_no_commit(true).await;
}

async fn persons_edit_after_an_apply_that_made_no_commit(restart: bool) {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    support::rename_source(ws.owner(), &web.id, "Web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let mut session = support::session(&ws, &repo, "");
    session.export(&|_| {}, &|| {}).await.expect("export");
    let file = entry(&repo, &web.id).file;
    let mut follow = Follow::default();

    persons_commit(&repo, &file, "\"Web\"", "\"Web v2\"");
    support::rename_source(ws.owner(), &web.id, "Web v2").await;
    sync::follow(&session, &mut follow, &|_| {})
        .await
        .expect("sync");
    assert_eq!(follow.progress.commits, 0, "the apply changes no file");

    persons_commit(&repo, &file, "\"Web v2\"", "\"Web v3\"");
    let update = UpdateSource {
        enabled: Some(false),
        ..Default::default()
    };
    ws.owner()
        .update_source(&web.id, &update)
        .await
        .expect("disable");
    if restart {
        // A new process: nothing carried in memory.
        session = support::session(&ws, &repo, "");
        follow = Follow::default();
    }
    sync::follow(&session, &mut follow, &|_| {})
        .await
        .expect("sync");
    assert_eq!(follow.progress.commits, 1);
    let text = git(&repo, &["show", &format!("HEAD:{file}")]);
    assert!(
        text.contains("\"Web v3\""),
        "the person's edit stays:\n{text}"
    );
    assert!(
        text.contains("false"),
        "the workspace's change is in:\n{text}"
    );
    assert_eq!(git(&repo, &["status", "--porcelain"]), "");
}
