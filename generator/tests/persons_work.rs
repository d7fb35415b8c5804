//! `sync` never loses what a person did: their commits (a rename, a
//! comment) survive later syncs, an uncommitted edit applied with
//! Terraform reaches HEAD, an uncommitted edit the workspace changes
//! differently stays in the work tree, and a file Terraform would reject is
//! named with file and line, not edited.

mod support;

use std::path::{Path, PathBuf};

use segment_api::models::UpdateSource;
use segment_e2e::TestWorkspace;
use support::process::Finished;
use support::terraform::TerraformDir;
use support::{entry, git, gitops, gitops_ok, terraform_for};

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

fn sync(ws: &TestWorkspace, repo: &Path) -> Finished {
    gitops_ok(ws, &["sync", "--repo", arg(repo)])
}

/// `text` with the first `key = ...` line's value replaced by `value`
/// (alignment kept), as a person edits it.
fn set_line(text: &str, key: &str, value: &str) -> String {
    let mut done = false;
    let mut out = String::new();
    for line in text.lines() {
        match line.split_once('=') {
            Some((k, _)) if k.trim() == key && !done => {
                out.push_str(&format!("{k}= {value}\n"));
                done = true;
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    assert!(done, "no {key} in\n{text}");
    out
}

/// The value text of `key` in `text` (`"Web v2"` with its quotes).
fn value_of(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == key).then(|| v.trim().to_string())
    })
}

fn head_text(repo: &Path, file: &str) -> String {
    git(repo, &["show", &format!("HEAD:{file}")])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// `path`'s text with its `name` set to `name`, as a person renames it.
fn renamed(path: &Path, name: &str) -> String {
    set_line(&read(path), "name", &format!("\"{name}\""))
}

/// Asserts that `text` gives `name` as the name.
#[track_caller]
fn assert_name(text: &str, name: &str, why: &str) {
    assert_eq!(
        value_of(text, "name"),
        Some(format!("\"{name}\"")),
        "{why}:\n{text}"
    );
}

/// A workspace with a source per `(slug, name)`, exported into a new
/// repository.
struct Exported {
    ws: TestWorkspace,
    /// Holds `repo`.
    dir: tempfile::TempDir,
    repo: PathBuf,
    /// Each source's id and file, in the order given.
    sources: Vec<(String, String)>,
}

async fn exported(sources: &[(&str, &str)]) -> Exported {
    let ws = TestWorkspace::start().await.expect("workspace");
    let mut ids = Vec::new();
    for (slug, name) in sources {
        ids.push(named_source(&ws, slug, name).await);
    }
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let sources = ids
        .into_iter()
        .map(|id| {
            let file = entry(&repo, &id).file;
            (id, file)
        })
        .collect();
    Exported {
        ws,
        dir,
        repo,
        sources,
    }
}

async fn named_source(ws: &TestWorkspace, slug: &str, name: &str) -> String {
    let s = support::source(ws, slug).await;
    support::rename_source(ws.owner(), &s.id, name).await;
    s.id
}

async fn disable(ws: &TestWorkspace, id: &str) {
    let update = UpdateSource {
        enabled: Some(false),
        ..Default::default()
    };
    ws.owner()
        .update_source(id, &update)
        .await
        .expect("disable source");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persons_local_commits_survive_later_syncs_in_head_and_the_work_tree() {
    // `_dir` holds the repository until the test ends.
    let Exported {
        ws,
        dir: _dir,
        repo,
        sources,
    } = exported(&[("web", "Checkout API"), ("app", "App")]).await;
    let [(web, web_file), (app, app_file)] = &sources[..] else {
        unreachable!("two sources")
    };

    // A rename in one file, a comment in another, committed (no remote).
    let renamed = renamed(&repo.join(web_file), "Checkout API v2");
    std::fs::write(repo.join(web_file), &renamed).expect("rename");
    let commented = format!("# Owned by the app team.\n{}", read(&repo.join(app_file)));
    std::fs::write(repo.join(app_file), &commented).expect("comment");
    git(
        &repo,
        &["commit", "-q", "-am", "Rename checkout; note the owner"],
    );

    // Workspace events on the same resource and on the other one.
    disable(&ws, web).await;
    sync(&ws, &repo);
    support::rename_source(ws.owner(), app, "App (renamed)").await;
    sync(&ws, &repo);

    for text in [head_text(&repo, web_file), read(&repo.join(web_file))] {
        assert_name(&text, "Checkout API v2", "the person's rename survives");
        assert_eq!(
            value_of(&text, "enabled").as_deref(),
            Some("false"),
            "{text}"
        );
    }
    for text in [head_text(&repo, app_file), read(&repo.join(app_file))] {
        assert!(text.starts_with("# Owned by the app team.\n"), "{text}");
        assert_name(&text, "App (renamed)", "the workspace's rename is taken");
    }
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "work tree is HEAD"
    );

    // Once the workspace renames it too, its value wins, and the commit
    // names the person's value it replaced.
    support::rename_source(ws.owner(), web, "Checkout (app)").await;
    sync(&ws, &repo);
    let text = head_text(&repo, web_file);
    assert_name(&text, "Checkout (app)", "the workspace's value wins");
    let message = git(&repo, &["log", "-1", "--format=%B"]);
    assert!(message.contains("\"Checkout API v2\""), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncommitted_edit_applied_with_terraform_reaches_head_and_stays_as_written() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = named_source(&ws, "web", "Checkout API").await;
    let tf = TerraformDir::new();
    let repo = tf.work.clone();
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let tf = terraform_for(&ws, tf);
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["apply", "-input=false", "-auto-approve"]);
    // Terraform's lock file is the person's to commit.
    git(&repo, &["add", ".terraform.lock.hcl"]);
    git(&repo, &["commit", "-q", "-m", "Lock the provider"]);

    let web_file = entry(&repo, &web).file;
    let path = repo.join(&web_file);
    let edited = format!(
        "# Renamed for the launch; not committed yet.\n{}",
        renamed(&path, "Checkout API v2")
    );
    std::fs::write(&path, &edited).expect("edit");
    tf.terraform_ok(&["apply", "-input=false", "-auto-approve"]);
    sync(&ws, &repo);

    let head = head_text(&repo, &web_file);
    assert_name(&head, "Checkout API v2", "HEAD holds the applied change");
    assert_eq!(
        read(&path),
        edited,
        "the person's uncommitted text is intact"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_uncommitted_edit_the_workspace_changes_differently_is_kept_and_its_path_printed() {
    // `_dir` holds the repository until the test ends.
    let Exported {
        ws,
        dir: _dir,
        repo,
        sources,
    } = exported(&[("web", "Checkout API")]).await;
    let (web, web_file) = &sources[0];
    let path = repo.join(web_file);
    let mine = renamed(&path, "Mine");
    std::fs::write(&path, &mine).expect("edit");

    support::rename_source(ws.owner(), web, "Theirs").await;
    let done = sync(&ws, &repo);

    assert_eq!(read(&path), mine, "the uncommitted edit is kept");
    assert!(done.stderr.contains(web_file), "{}", done.output());
    let head = head_text(&repo, web_file);
    assert_name(&head, "Theirs", "HEAD has the workspace's value");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelt_attribute_is_named_with_file_and_line_and_its_file_left_untouched() {
    // `_dir` holds the repository until the test ends.
    let Exported {
        ws,
        dir: _dir,
        repo,
        sources,
    } = exported(&[("web", "Web"), ("app", "App")]).await;
    let [(web, web_file), (app, app_file)] = &sources[..] else {
        unreachable!("two sources")
    };
    let path = repo.join(web_file);
    let exported = read(&path);
    let line = exported
        .lines()
        .position(|l| l.trim_start().starts_with("enabled"))
        .expect("an enabled line")
        + 1;
    let misspelt = exported.replacen("enabled", "enabeld", 1);
    std::fs::write(&path, &misspelt).expect("misspell");
    git(&repo, &["commit", "-q", "-am", "Typo"]);

    support::rename_source(ws.owner(), web, "Web (renamed)").await;
    support::rename_source(ws.owner(), app, "App (renamed)").await;
    let done = sync(&ws, &repo);

    let at = format!("{web_file}:{line}");
    assert!(done.stderr.contains(&at), "{at}\n{}", done.output());
    assert!(
        done.stderr.contains("did you mean enabled?"),
        "{}",
        done.output()
    );
    assert_eq!(read(&path), misspelt);
    assert_eq!(
        head_text(&repo, web_file),
        misspelt,
        "HEAD's file untouched"
    );
    let app_text = head_text(&repo, app_file);
    assert_name(&app_text, "App (renamed)", "the other event still commits");

    let drift = gitops(&ws, &["drift", "--repo", arg(&repo)]);
    assert_eq!(drift.status.code(), Some(1), "{}", drift.output());
    assert!(
        drift.stdout.contains(&format!("error: {at}"))
            && drift.stdout.contains("did you mean enabled?"),
        "{}",
        drift.output()
    );
    assert!(!drift.stdout.contains("update"), "{}", drift.output());
    assert_eq!(read(&path), misspelt);
}

/// What broke: a long-running `sync --watch` committed through libgit2's
/// index as it loaded it at start, so its next commit put back the files a
/// person had committed since.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_watch_builds_on_a_persons_commit_made_while_it_runs() {
    let Exported {
        ws,
        dir,
        repo,
        sources,
    } = exported(&[("web", "Checkout API"), ("app", "App")]).await;
    let [(_, web_file), (app, app_file)] = &sources[..] else {
        unreachable!("two sources")
    };
    let commits = || {
        git(&repo, &["rev-list", "--count", "HEAD"])
            .trim()
            .to_string()
    };

    let errors = dir.path().join("watch.stderr");
    let mut child = std::process::Command::new(support::gitops_binary())
        .args(["sync", "--watch", "--repo", arg(&repo)])
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&errors).expect("stderr file"))
        .spawn()
        .expect("start sync --watch");
    // A first event, so the watcher has committed (and loaded its index).
    disable(&ws, app).await;
    let wait_for = |n: &str| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while commits() != n {
            assert!(
                std::time::Instant::now() < deadline,
                "no commit {n}: {}",
                std::fs::read_to_string(&errors).unwrap_or_default()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    wait_for("2");

    let renamed = renamed(&repo.join(web_file), "Checkout API v2");
    std::fs::write(repo.join(web_file), &renamed).expect("rename");
    git(&repo, &["commit", "-q", "-am", "Rename checkout"]);
    support::rename_source(ws.owner(), app, "App (renamed)").await;
    wait_for("4");
    // Killed between commits, not inside one (a kill inside one is
    // `sync.rs`' test).
    let pending = repo.join(".git/segment-gitops-pending");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while pending.exists() {
        assert!(std::time::Instant::now() < deadline, "a commit never ended");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();

    assert_eq!(
        head_text(&repo, web_file),
        renamed,
        "the person's commit stays"
    );
    assert_eq!(read(&repo.join(web_file)), renamed);
    let app_text = head_text(&repo, app_file);
    assert_name(
        &app_text,
        "App (renamed)",
        "the workspace's rename is taken",
    );
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "work tree is HEAD"
    );
}

/// What broke: taking what people pushed (a fast-forward) checked the
/// branch out by force, over a person's uncommitted edit in the same file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taking_what_people_pushed_keeps_an_uncommitted_edit() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = named_source(&ws, "web", "Checkout API").await;
    let dir = support::temp_dir();
    let (local, remote, person) = (
        dir.path().join("local"),
        dir.path().join("remote.git"),
        dir.path().join("person"),
    );
    git(
        dir.path(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    let remote_arg = arg(&remote);
    gitops_ok(
        &ws,
        &["export", "--repo", arg(&local), "--remote", remote_arg],
    );
    let web_file = entry(&local, &web).file;

    // Someone else pushes a comment at the top of the file...
    git(dir.path(), &["clone", "-q", "remote.git", "person"]);
    let theirs = format!("# Checkout team.\n{}", read(&person.join(&web_file)));
    std::fs::write(person.join(&web_file), &theirs).expect("comment");
    git(&person, &["commit", "-q", "-am", "Owner"]);
    git(&person, &["push", "-q", "origin", "main"]);
    // ...while here a person has an uncommitted rename in it.
    let path = local.join(&web_file);
    let mine = renamed(&path, "Mine");
    std::fs::write(&path, &mine).expect("edit");

    gitops_ok(
        &ws,
        &["sync", "--repo", arg(&local), "--remote", remote_arg],
    );

    assert_eq!(
        head_text(&local, &web_file),
        theirs,
        "HEAD took their commit"
    );
    let text = read(&path);
    assert!(text.starts_with("# Checkout team.\n"), "{text}");
    assert_name(&text, "Mine", "the uncommitted edit stays");
}
