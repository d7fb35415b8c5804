//! `--dry-run` prints what export and sync would write and commit and
//! writes nothing: every byte under the repository, `.git` included, and
//! under its remote is the same afterwards; into a fresh folder not even
//! the folder is made. A real run afterwards makes the commits it printed.

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use segment_e2e::TestWorkspace;
use support::{git, git_log, gitops_ok};

/// Every file and folder below `dir`, `.git` included, with its bytes
/// (folders as empty): what "wrote nothing" is checked against.
fn everything(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = e.path();
            let rel = path
                .strip_prefix(root)
                .expect("below root")
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(rel, Some(std::fs::read(&path).expect("read file")));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same(before: &BTreeMap<String, Option<Vec<u8>>>, dir: &Path, what: &str) {
    let after = everything(dir);
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "{what} wrote {changed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_prints_the_commits_and_writes_not_a_byte() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();

    // Into a folder that does not exist, and into an empty one.
    let missing = dir.path().join("missing");
    let shown = gitops_ok(
        &ws,
        &[
            "export",
            "--dry-run",
            "--repo",
            missing.to_str().expect("utf-8"),
        ],
    );
    assert!(!missing.exists(), "no folder made");
    for part in [
        "dry run: 1 commit would be made",
        "Export the workspace",
        "A .segment-gitops/manifest.json",
        "A providers.tf",
        "insertions(+)",
    ] {
        assert!(shown.stdout.contains(part), "{part}: {}", shown.output());
    }
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    gitops_ok(
        &ws,
        &[
            "export",
            "--dry-run",
            "--repo",
            empty.to_str().expect("utf-8"),
        ],
    );
    assert_same(
        &BTreeMap::new(),
        &empty,
        "export --dry-run into an empty folder",
    );

    // Into a repository exported before, pushing to a remote.
    let remote = dir.path().join("remote.git");
    git(dir.path(), &["init", "-q", "--bare", "remote.git"]);
    let remote_arg = remote.to_str().expect("utf-8");
    let repo = dir.path().join("repo");
    let arg = repo.to_str().expect("utf-8");
    gitops_ok(&ws, &["export", "--repo", arg, "--remote", remote_arg]);
    support::source(&ws, "app").await;
    let (repo_before, remote_before) = (everything(&repo), everything(&remote));
    let shown = gitops_ok(
        &ws,
        &["export", "--dry-run", "--repo", arg, "--remote", remote_arg],
    );
    assert_same(&repo_before, &repo, "export --dry-run");
    assert_same(&remote_before, &remote, "export --dry-run (remote)");
    assert!(
        shown.stdout.contains("dry run: 1 commit would be made")
            && shown.stdout.contains("add segment_source.")
            && shown.stdout.contains("M .segment-gitops/manifest.json"),
        "{}",
        shown.output()
    );

    // Sync with events waiting: same bytes, cursor included; then a real
    // sync makes the commits the dry run showed (the new source's, and
    // the renamed one's).
    support::rename_source(ws.owner(), &web.id, "The Web").await;
    let shown = gitops_ok(
        &ws,
        &["sync", "--dry-run", "--repo", arg, "--remote", remote_arg],
    );
    assert_same(&repo_before, &repo, "sync --dry-run");
    assert_same(&remote_before, &remote, "sync --dry-run (remote)");
    assert!(
        shown.stdout.contains("dry run: 2 commits would be made"),
        "{}",
        shown.output()
    );
    let commits = git_log::log(&repo).len();
    gitops_ok(&ws, &["sync", "--repo", arg, "--remote", remote_arg]);
    let made = git_log::log(&repo);
    assert_eq!(made.len(), commits + 2);
    for c in &made[commits..] {
        let subject = c.message.lines().next().expect("a subject");
        assert!(
            shown.stdout.contains(subject),
            "{subject}: {}",
            shown.stdout
        );
    }
    assert_ne!(everything(&remote), remote_before, "the real sync pushes");
}
