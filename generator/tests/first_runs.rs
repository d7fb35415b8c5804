//! A first run that goes wrong is safe: `--path` never leads out of the
//! repository, a failed first export leaves no repository behind (and
//! never removes what a person made), `--repo` naming a file is a clear
//! error, and exit codes tell errors (1) from drift (2).

mod support;

use std::path::Path;

use segment_e2e::TestWorkspace;
use support::process::Finished;
use support::{git, gitops, gitops_ok};

fn utf8(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// Names of the entries of `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_refused(done: &Finished, names: &[&str]) {
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    for n in names {
        assert!(done.stderr.contains(n), "want {n:?}\n{}", done.output());
    }
}

// `--path ../escape` wrote 159 files outside the repository before failing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_outside_the_repository_is_refused_before_anything_is_written() {
    let ws = TestWorkspace::start().await.expect("workspace");
    support::source_with_amplitude(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let absolute = dir.path().join("absolute");

    for path in ["../escape", "hcl/../../escape", utf8(&absolute)] {
        let done = gitops(&ws, &["export", "--repo", utf8(&repo), "--path", path]);
        assert_refused(&done, &["--path", "inside"]);
        assert!(
            entries(dir.path()).is_empty(),
            "--path {path}: nothing written, inside or outside: {:?}",
            entries(dir.path())
        );
    }

    // An existing repository whose folder links out of it.
    gitops_ok(&ws, &["export", "--repo", utf8(&repo)]);
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("outside folder");
    std::os::unix::fs::symlink(&outside, repo.join("linked")).expect("symlink");
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let files = support::snapshot(&repo);
    for command in ["export", "sync"] {
        let done = gitops(
            &ws,
            &[command, "--repo", utf8(&repo), "--path", "linked/hcl"],
        );
        assert_refused(&done, &["--path", "symbolic link"]);
        assert!(entries(&outside).is_empty(), "{command}: nothing outside");
        assert!(
            support::snapshot(&repo) == files,
            "{command}: nothing inside"
        );
        assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head, "no commit");
    }
}

/// Runs a first export that cannot read the workspace (`args` say why).
fn failing_export(ws: &TestWorkspace, repo: &Path, args: &[&str]) -> Finished {
    let mut all = vec!["export", "--repo", utf8(repo)];
    all.extend_from_slice(args);
    let done = gitops(ws, &all);
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    done
}

// A failed export left an empty `.git` at --repo, so the next run found a
// repository nobody made on purpose.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_first_export_leaves_no_repository_and_keeps_what_a_person_made() {
    let mut ws = TestWorkspace::start().await.expect("workspace");
    support::source(&ws, "web").await;
    let dir = support::temp_dir();

    // A wrong token.
    let missing = dir.path().join("new/repo");
    failing_export(&ws, &missing, &["--token", "not-a-token"]);
    assert!(
        !dir.path().join("new").exists(),
        "{:?}",
        entries(dir.path())
    );
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("folder");
    failing_export(&ws, &empty, &["--token", "not-a-token", "--path", "hcl"]);
    assert!(entries(&empty).is_empty(), "{:?}", entries(&empty));

    // A person's folder, and a repository a person made (no commit yet).
    let folder = dir.path().join("folder");
    std::fs::create_dir_all(folder.join("notes")).expect("folder");
    std::fs::write(folder.join("notes/plan.md"), "mine\n").expect("a person's file");
    let theirs = dir.path().join("theirs");
    std::fs::create_dir(&theirs).expect("folder");
    git(&theirs, &["init", "-q"]);
    std::fs::write(theirs.join("README.md"), "mine\n").expect("a person's file");
    let before = support::snapshot(&theirs);

    // The workspace stops.
    let url = ws.base_url().to_string();
    ws.stop().await.expect("stop the workspace");
    for repo in [&missing, &empty, &folder, &theirs] {
        let done = failing_export(&ws, repo, &[]);
        assert!(
            done.stderr
                .contains(&format!("could not reach the workspace at {url}"))
                && done.stderr.contains("check --url"),
            "names the URL and what to check\n{}",
            done.output()
        );
    }
    assert!(!dir.path().join("new").exists());
    assert!(entries(&empty).is_empty(), "{:?}", entries(&empty));
    assert_eq!(entries(&folder), ["notes"], "no .git, nothing written");
    assert_eq!(
        std::fs::read_to_string(folder.join("notes/plan.md")).expect("kept"),
        "mine\n"
    );
    assert!(theirs.join(".git").is_dir(), "a person's repository stays");
    assert!(support::snapshot(&theirs) == before, "and its files");
}

// An export that fails after writing files into a person's folder left
// them there, beside an empty `.git`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_failing_mid_way_removes_what_it_wrote_and_nothing_else() {
    let ws = TestWorkspace::start().await.expect("workspace");
    support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let folder = dir.path().join("folder");
    // A folder where the export needs a file: writing it fails after the
    // files sorted before it were written.
    std::fs::create_dir_all(folder.join("hcl/providers.tf")).expect("folder");
    std::fs::write(folder.join("hcl/providers.tf/keep.md"), "mine\n").expect("file");
    std::fs::write(folder.join("README.md"), "mine\n").expect("file");
    let before = support::snapshot(&folder);

    let done = gitops(&ws, &["export", "--repo", utf8(&folder), "--path", "hcl"]);
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    assert!(
        support::snapshot(&folder) == before,
        "only the person's files are left: {:?}",
        support::snapshot(&folder).keys().collect::<Vec<_>>()
    );
    assert_eq!(entries(&folder), ["README.md", "hcl"], "no .git");
}

// `--repo` naming a file said only "File exists".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repo_naming_a_file_is_a_clear_error_and_the_file_is_unchanged() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let dir = support::temp_dir();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "mine\n").expect("a file");
    for repo in [file.clone(), file.join("below")] {
        for command in ["export", "sync", "drift"] {
            let done = gitops(&ws, &[command, "--repo", utf8(&repo)]);
            assert_refused(&done, &["--repo", "must be a folder"]);
        }
    }
    assert_eq!(std::fs::read_to_string(&file).expect("file"), "mine\n");
    assert_eq!(entries(dir.path()), ["notes.txt"]);
}

// clap exits 2 on a usage error, which a script running `drift` reads as
// "drift found".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_1_and_only_drift_exits_2() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    let repo = utf8(&repo);
    for args in [
        vec!["export", "--repo", repo, "--no-such-flag"],
        vec!["sync", "--repo", repo, "--no-such-flag"],
        vec!["drift", "--repo", repo, "--no-such-flag"],
        vec!["drift"],
        vec!["no-such-command"],
        vec![],
    ] {
        let done = gitops(&ws, &args);
        assert_eq!(done.status.code(), Some(1), "{args:?}\n{}", done.output());
        assert!(!done.stderr.is_empty(), "{args:?}: says why");
    }
    assert!(
        !dir.path().join("repo").exists(),
        "a usage error writes nothing"
    );
    let help = gitops(&ws, &["drift", "--help"]);
    assert_eq!(help.status.code(), Some(0), "{}", help.output());

    gitops_ok(&ws, &["export", "--repo", repo]);
    support::rename_source(ws.owner(), &web.id, "Web (renamed in the app)").await;
    let found = gitops(&ws, &["drift", "--repo", repo]);
    assert_eq!(found.status.code(), Some(2), "{}", found.output());
}
