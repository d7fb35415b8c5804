//! `sync --watch` as a service: it rides out a workspace that goes away
//! and comes back, survives kills, stops cleanly on SIGTERM, prints one
//! line per commit (none with `--quiet`), and exits 1 only for what a
//! restart cannot fix.

mod support;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use segment_e2e::TestWorkspace;
use support::{git, git_log, gitops_ok};

/// How long any one wait for the watcher may take. The client retries a
/// refused connection for about 6 s before the watch sees an outage.
const LIMIT: Duration = Duration::from_secs(90);

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A `sync --watch` child with its output in files.
struct Watch {
    child: Child,
    out: PathBuf,
    err: PathBuf,
}

impl Watch {
    fn start(ws: &TestWorkspace, url: &str, repo: &Path, name: &str) -> Watch {
        let dir = repo.parent().expect("parent");
        let out = dir.join(format!("{name}.stdout"));
        let err = dir.join(format!("{name}.stderr"));
        let child = Command::new(support::gitops_binary())
            .args(["sync", "--watch", "--repo", arg(repo), "--path", "segment"])
            .env("PUBLIC_API_URL", url)
            .env("PUBLIC_API_TOKEN", ws.owner_token())
            .env_remove("SEGMENT_GITOPS_LOG")
            .stdin(Stdio::null())
            .stdout(File::create(&out).expect("stdout file"))
            .stderr(File::create(&err).expect("stderr file"))
            .spawn()
            .expect("start sync --watch");
        Watch { child, out, err }
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.err).unwrap_or_default()
    }

    /// Waits, bounded, until `done` holds; the watch must keep running.
    fn wait_until(&mut self, what: &str, done: impl Fn(&Watch) -> bool) {
        let deadline = Instant::now() + LIMIT;
        while !done(self) {
            if let Some(status) = self.child.try_wait().expect("poll the watch") {
                panic!(
                    "the watch exited ({status}) waiting for {what}\n{}",
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "still waiting for {what} after {LIMIT:?}\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.stderr()
    }
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

/// Every audit event after the first `skip`, by id.
async fn events_after(ws: &TestWorkspace, skip: usize) -> Vec<String> {
    support::audit_events(ws.owner())
        .await
        .into_iter()
        .skip(skip)
        .map(|e| e.id)
        .collect()
}

// What broke: `sync --watch` exited 5 s after the workspace became
// unreachable, so every outage needed a person to restart it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_rides_out_an_outage_and_kills_and_commits_every_event_once() {
    let mut ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo), "--path", "segment"]);
    let url = ws.base_url().to_string();
    let before = support::audit_events(ws.owner()).await.len();
    let repo_at = repo.clone();
    let committed = |n: usize| {
        let repo = repo_at.clone();
        move |_: &Watch| git_log::event_ids(&repo).len() >= n
    };

    let mut first = Watch::start(&ws, &url, &repo, "first");
    support::rename_source(ws.owner(), &web.id, "Web v1").await;
    first.wait_until("the first event's commit", committed(1));

    ws.stop().await.expect("stop the workspace");
    first.wait_until("the outage to be noticed", |w| {
        w.stderr().contains("workspace unreachable")
    });
    let first_said = first.kill();

    // Started while the workspace is down: it waits instead of exiting.
    let mut second = Watch::start(&ws, &url, &repo, "second");
    second.wait_until("the outage to be noticed", |w| {
        w.stderr().contains("workspace unreachable")
    });
    // Down long enough for another failed attempt (the client's own
    // retries take about 6 s, then the watch waits 0.5 s), which must log
    // nothing new.
    std::thread::sleep(Duration::from_secs(8));
    ws.restart().await.expect("restart the workspace");
    assert_eq!(ws.base_url(), url, "the workspace came back on its port");
    support::rename_source(ws.owner(), &web.id, "Web v2").await;
    let other = support::source(&ws, "other").await;
    second.wait_until("the events after the outage", committed(3));
    second.wait_until("the recovery to be logged", |w| {
        w.stderr().contains("workspace reachable again")
    });
    let second_said = second.kill();

    // Events while no watch runs, and after one started again.
    support::rename_source(ws.owner(), &web.id, "Web v3").await;
    let mut third = Watch::start(&ws, &url, &repo, "third");
    ws.owner()
        .delete_source(&other.id)
        .await
        .expect("delete source");
    // The line follows the commit: wait for both.
    let all = committed(5);
    third.wait_until("every event and its line", |w| {
        all(w) && w.stdout().lines().count() >= 2
    });

    let want = events_after(&ws, before).await;
    assert_eq!(want.len(), 5, "{want:?}");
    assert_eq!(
        git_log::event_ids(&repo),
        want,
        "every event committed exactly once, in order"
    );
    for (said, name) in [(&first_said, "first"), (&second_said, "second")] {
        assert_eq!(
            count(said, "workspace unreachable"),
            1,
            "the {name} watch logged the outage once:\n{said}"
        );
    }
    assert_eq!(
        count(&second_said, "workspace reachable again"),
        1,
        "{second_said}"
    );
    let lines: Vec<String> = third.stdout().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "one line per commit: {lines:?}");

    // SIGTERM: exit 0, the repository clean.
    let pid = third.child.id().to_string();
    let term = support::process::run(
        Command::new("kill").args(["-TERM", &pid]),
        Duration::from_secs(10),
    );
    assert!(term.status.success(), "{}", term.output());
    let status = support::process::wait_with_deadline(&mut third.child, LIMIT)
        .unwrap_or_else(|| panic!("no exit after SIGTERM\n{}", third.stderr()));
    assert_eq!(status.code(), Some(0), "{}", third.stderr());
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "a clean repository"
    );
    assert!(!repo.join(".git/segment-gitops-pending").exists());
}

// What broke: sync printed nothing when it committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_prints_one_line_per_commit_and_quiet_prints_none() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);

    support::rename_source(ws.owner(), &web.id, "Web v1").await;
    support::source(&ws, "app").await;
    let quiet = gitops_ok(&ws, &["sync", "--quiet", "--repo", arg(&repo)]);
    assert_eq!(quiet.stdout, "", "{}", quiet.output());
    assert_eq!(
        git_log::event_ids(&repo).len(),
        2,
        "it committed all the same"
    );

    support::rename_source(ws.owner(), &web.id, "Web v2").await;
    support::source(&ws, "api").await;
    let loud = gitops_ok(&ws, &["sync", "--repo", arg(&repo)]);
    let oids = git(
        &repo,
        &["log", "--format=%h %ae", "--abbrev=12", "-2", "--reverse"],
    );
    let lines: Vec<&str> = loud.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        4,
        "two commits, the summary and the request count:\n{}",
        loud.stdout
    );
    for (line, commit) in lines.iter().zip(oids.lines()) {
        let (oid, email) = commit.split_once(' ').expect("oid and email");
        assert!(line.starts_with(&format!("{oid} ")), "{line} for {commit}");
        assert!(line.ends_with(&format!("({email})")), "{line} for {commit}");
    }
    assert!(lines[0].contains("Web v2"), "{}", lines[0]);
    assert_eq!(lines[2], "2 events read, 2 commits");
    assert!(
        lines[3].ends_with(" requests to the workspace"),
        "{}",
        lines[3]
    );
}

// What broke: a token the workspace refuses is no outage; the watch must
// say so and stop rather than wait forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_token_stops_the_watch_with_exit_1() {
    let ws = TestWorkspace::start().await.expect("workspace");
    support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(&ws, &["export", "--repo", arg(&repo)]);
    let head = git(&repo, &["rev-parse", "HEAD"]);
    let mut cmd = Command::new(support::gitops_binary());
    cmd.args(["sync", "--watch", "--repo", arg(&repo)])
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", "not-a-token");
    let done = support::process::run(&mut cmd, LIMIT);
    assert_eq!(done.status.code(), Some(1), "{}", done.output());
    assert!(done.stderr.contains("401"), "{}", done.output());
    assert!(!done.stderr.contains("not-a-token"), "{}", done.output());
    assert_eq!(git(&repo, &["rev-parse", "HEAD"]), head);
}
