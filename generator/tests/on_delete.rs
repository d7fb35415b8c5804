//! `sync --on-delete`: what becomes of the block of an object someone
//! deleted in the workspace. `fail` stops before the event (exit 4, cursor
//! and HEAD as they were), `keep` keeps the block without its import block
//! (Terraform plans to create it; later syncs and exports neither delete
//! nor duplicate it), `remove` (the default) deletes it in a commit by
//! whoever deleted the object.

mod support;

use std::path::Path;

use segment_e2e::TestWorkspace;
use segment_gitops::files::{CURSOR, MANIFEST};
use segment_workspace::store::Scope;
use support::terraform::TerraformDir;
use support::{entry, git, git_log, gitops, gitops_ok, terraform_for};

fn read(repo: &Path, file: &str) -> String {
    std::fs::read_to_string(repo.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// How many `resource "segment_source"` blocks the folder's files hold.
fn source_blocks(repo: &Path) -> usize {
    std::fs::read_dir(repo)
        .expect("read dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tf"))
        .map(|e| {
            std::fs::read_to_string(e.path())
                .expect("read")
                .matches("resource \"segment_source\" ")
                .count()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_deletion_policy_does_what_it_says_to_files_commits_manifest_and_cursor() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let alice = ws
        .add_token("alice@example.com", Scope::WorkspaceOwner)
        .await
        .expect("token");
    let alice = ws.client_with_token(&alice).expect("client");
    let kept = support::source(&ws, "kept").await;
    let gone = support::source(&ws, "gone").await;
    support::source(&ws, "stays").await;

    let tf = TerraformDir::new();
    let repo = tf.work.clone();
    let arg = repo.to_str().expect("a UTF-8 path");
    gitops_ok(&ws, &["export", "--repo", arg]);
    let kept_entry = entry(&repo, &kept.id);
    let kept_file = kept_entry.file.clone();

    // fail: nothing moves, and the message says what, who and what to do.
    alice.delete_source(&kept.id).await.expect("alice deletes");
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let cursor = read(&repo, CURSOR);
    // A dry run shows what keep would commit, and commits nothing.
    let shown = gitops_ok(
        &ws,
        &["sync", "--repo", arg, "--on-delete", "keep", "--dry-run"],
    );
    assert!(
        shown
            .stdout
            .contains(&format!("keep {}", kept_entry.address)),
        "{}",
        shown.output()
    );
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
    assert_eq!(read(&repo, CURSOR), cursor);
    let failed = gitops(&ws, &["sync", "--repo", arg, "--on-delete", "fail"]);
    assert_eq!(failed.status.code(), Some(4), "{}", failed.output());
    for part in [
        kept_entry.address.as_str(),
        "alice@example.com",
        "--on-delete remove",
        "--on-delete keep",
    ] {
        assert!(failed.stderr.contains(part), "{part}: {}", failed.output());
    }
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head, "no commit");
    assert_eq!(read(&repo, CURSOR), cursor, "the cursor stays before it");
    assert!(read(&repo, &kept_file).contains("import {"));
    assert_eq!(entry(&repo, &kept.id).address, kept_entry.address);

    // keep: the block stays, its import block and manifest entry go, in a
    // commit by alice that says so; the cursor moves past the event.
    gitops_ok(&ws, &["sync", "--repo", arg, "--on-delete", "keep"]);
    let text = read(&repo, &kept_file);
    assert!(
        text.contains(&format!(
            "resource \"segment_source\" \"{}\"",
            kept_entry.address.split_once('.').expect("address").1
        )),
        "{text}"
    );
    assert!(!text.contains("import {"), "{text}");
    let manifest = read(&repo, MANIFEST);
    assert!(!manifest.contains(&kept.id), "{manifest}");
    assert_ne!(read(&repo, CURSOR), cursor, "the cursor moved on");
    let last = git_log::log(&repo).pop().expect("a commit");
    assert_eq!(last.email, "alice@example.com");
    assert!(
        last.message
            .contains(&format!("keep {}", kept_entry.address)),
        "{}",
        last.message
    );
    assert!(
        last.message.contains("--on-delete keep"),
        "{}",
        last.message
    );

    // Terraform creates the kept object again, and adopts the others.
    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["init", "-input=false"]);
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains(&format!("{} will be created", kept_entry.address)),
        "{}",
        plan.output()
    );
    assert!(
        plan.stdout
            .contains("Plan: 2 to import, 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );

    // A later sync and a full export neither delete nor duplicate it.
    let commits = git_log::log(&repo).len();
    gitops_ok(&ws, &["sync", "--repo", arg]);
    gitops_ok(&ws, &["export", "--repo", arg]);
    assert_eq!(git_log::log(&repo).len(), commits, "nothing to commit");
    assert_eq!(read(&repo, &kept_file), text);
    assert_eq!(source_blocks(&repo), 3);

    // Applied, the object is back under a new id: sync takes the kept
    // block as its declaration (an import block again), no second file.
    // The state out of sync's sight, as with a remote backend: the block
    // is found by what it says, not by the state.
    tf.terraform_ok(&["apply", "-input=false", "-auto-approve"]);
    std::fs::rename(
        repo.join("terraform.tfstate"),
        tf.path().join("elsewhere.tfstate"),
    )
    .expect("move the state");
    gitops_ok(&ws, &["sync", "--repo", arg]);
    let back = read(&repo, &kept_file);
    assert!(back.starts_with(&text), "the block as it was: {back}");
    assert!(back.contains("import {"), "{back}");
    let again = support::manifest(&repo);
    let reborn = again
        .resources
        .iter()
        .find(|e| e.address == kept_entry.address)
        .expect("the kept block is claimed again");
    assert_ne!(reborn.id, kept.id, "a new object");
    assert_eq!(reborn.file, kept_file);
    assert_eq!(source_blocks(&repo), 3);

    // remove (the default): the file goes, in a commit by the deleter.
    let gone_entry = entry(&repo, &gone.id);
    ws.owner().delete_source(&gone.id).await.expect("delete");
    gitops_ok(&ws, &["sync", "--repo", arg]);
    assert!(!repo.join(&gone_entry.file).exists());
    assert!(!read(&repo, MANIFEST).contains(&gone.id));
    let last = git_log::log(&repo).pop().expect("a commit");
    assert!(
        last.message
            .contains(&format!("remove {}", gone_entry.address)),
        "{}",
        last.message
    );
    assert_ne!(last.email, "alice@example.com");
    assert_eq!(source_blocks(&repo), 2);
}
