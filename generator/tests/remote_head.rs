//! `export --remote` to a new, empty bare repository: on a path or a
//! `file://` URL its HEAD is pointed at the pushed branch, so a clone checks
//! it out; over HTTPS (or SSH), where a push cannot, a warning says what to
//! run on the server, and only when the remote's HEAD names no branch.

mod support;

use std::path::Path;
use std::time::Duration;

use segment_e2e::TestWorkspace;
use support::git_http::GitHttp;
use support::{git, gitops_ok};

const LIMIT: Duration = Duration::from_secs(60);

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A bare repository whose HEAD names `head`, a branch it does not have.
fn bare(path: &Path, head: &str) {
    let parent = path.parent().expect("parent");
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    git(parent, &["init", "-q", "--bare", "-b", head, name]);
}

// What broke: the export pushed `main` to a repository made by `git init
// --bare` (HEAD on another branch), and a clone of it checked out nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_to_a_new_local_bare_repository_makes_its_head_the_pushed_branch() {
    let ws = TestWorkspace::start().await.expect("workspace");
    support::source(&ws, "web").await;
    let dir = support::temp_dir();
    for (name, file_url) in [("by-path", false), ("by-url", true)] {
        let remote = dir.path().join(format!("{name}.git"));
        bare(&remote, "trunk");
        let url = if file_url {
            format!("file://{}", remote.display())
        } else {
            remote.display().to_string()
        };
        let local = dir.path().join(format!("{name}-local"));
        let done = gitops_ok(&ws, &["export", "--repo", arg(&local), "--remote", &url]);
        assert!(!done.stderr.contains("warning"), "{}", done.output());
        assert_eq!(
            git(&remote, &["symbolic-ref", "HEAD"]).trim(),
            "refs/heads/main",
            "{name}"
        );
        let clone = format!("{name}-clone");
        git(dir.path(), &["clone", "-q", arg(&remote), &clone]);
        let clone = dir.path().join(clone);
        assert_eq!(
            git(&clone, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
            "main",
            "{name}"
        );
        assert!(clone.join("source_web.tf").is_file(), "{name}: checked out");
    }

    // A repository whose HEAD names an existing branch keeps it.
    let kept = dir.path().join("kept.git");
    bare(&kept, "main");
    let local = dir.path().join("kept-local");
    gitops_ok(
        &ws,
        &[
            "export",
            "--repo",
            arg(&local),
            "--remote",
            arg(&kept),
            "--branch",
            "main",
        ],
    );
    assert_eq!(
        git(&kept, &["symbolic-ref", "HEAD"]).trim(),
        "refs/heads/main"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_http_a_remote_head_naming_no_branch_is_a_warning_with_the_command() {
    let ws = TestWorkspace::start().await.expect("workspace");
    support::source(&ws, "web").await;
    let dir = support::temp_dir();
    bare(&dir.path().join("dangling.git"), "trunk");
    bare(&dir.path().join("named.git"), "main");
    let server = GitHttp::start(dir.path(), "s3cret-token").await;
    let export = |name: &str| {
        let url = format!("{}/{name}.git", server.base);
        let local = dir.path().join(format!("{name}-local"));
        support::export_to_remote(&ws, local, url, Some("s3cret-token"), LIMIT)
    };

    let dangling = export("dangling").await;
    assert!(dangling.status.success(), "{}", dangling.output());
    assert!(
        dangling
            .stderr
            .contains("git symbolic-ref HEAD refs/heads/main"),
        "{}",
        dangling.output()
    );
    assert!(!dangling.stderr.contains("s3cret-token"));

    let named = export("named").await;
    assert!(named.status.success(), "{}", named.output());
    assert!(!named.stderr.contains("warning"), "{}", named.output());
}
