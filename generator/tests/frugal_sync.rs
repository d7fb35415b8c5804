//! sync and export under a workspace's limits: `sync --watch` waits in one
//! held request on our workspace and backs off against an API that answers
//! at once (Segment's); export and sync against a rate-limited workspace
//! wait as told, fail nothing, and say how many requests they made.

mod support;

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use segment_api::models::Label;
use segment_e2e::fake::{Reply, ScriptedServer};
use segment_e2e::{RateLimitConfig, Scope, TestWorkspace};
use serde_json::json;
use support::{answered, git_log, process};

/// The longest any one wait in these tests may take.
const LIMIT: Duration = Duration::from_secs(60);
/// How long a watch is left idle.
const IDLE: Duration = Duration::from_secs(10);
/// Bound on a change becoming its commit under a held request.
const COMMIT_LIMIT: Duration = Duration::from_secs(10);

fn arg(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A `sync --watch` child, its output in files beside `repo`.
fn watch(url: &str, token: &str, repo: &Path, extra: &[&str]) -> Child {
    let dir = repo.parent().expect("parent");
    let name = repo.file_name().and_then(|n| n.to_str()).expect("a name");
    Command::new(support::gitops_binary())
        .args(["sync", "--watch", "--repo", arg(repo), "--path", "segment"])
        .args(extra)
        .env("PUBLIC_API_URL", url)
        .env("PUBLIC_API_TOKEN", token)
        .env_remove("SEGMENT_GITOPS_LOG")
        .stdin(Stdio::null())
        .stdout(File::create(dir.join(format!("{name}.stdout"))).expect("stdout file"))
        .stderr(File::create(dir.join(format!("{name}.stderr"))).expect("stderr file"))
        .spawn()
        .expect("start sync --watch")
}

fn stop(mut child: Child, repo: &Path) -> String {
    let _ = child.kill();
    let _ = child.wait();
    let name = repo.file_name().and_then(|n| n.to_str()).expect("a name");
    let err = repo
        .parent()
        .expect("parent")
        .join(format!("{name}.stderr"));
    std::fs::read_to_string(err).unwrap_or_default()
}

/// Runs `segment-gitops` with `token`, bounded, and asserts exit 0.
fn gitops_ok(ws: &TestWorkspace, token: &str, args: &[&str]) -> process::Finished {
    let mut cmd = Command::new(support::gitops_binary());
    cmd.args(args)
        .env("PUBLIC_API_URL", ws.base_url())
        .env("PUBLIC_API_TOKEN", token)
        .env_remove("SEGMENT_GITOPS_LOG");
    let done = process::run(&mut cmd, support::COMMAND_LIMIT);
    assert!(done.status.success(), "{args:?}\n{}", done.output());
    done
}

/// The count a command printed on its "N requests to the workspace" line.
fn printed_requests(stdout: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.strip_suffix(" requests to the workspace"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no request count in {stdout:?}"))
}

fn label(value: &str) -> Label {
    Label {
        key: "team".into(),
        value: value.into(),
        description: None,
    }
}

fn empty_page() -> Reply {
    Reply::ok(json!({
        "events": [],
        "pagination": { "current": "MA==", "next": null, "totalEntries": 0 },
    }))
}

/// Requests an API saw in the `IDLE` seconds after its first.
fn in_idle_window(api: &ScriptedServer) -> Vec<segment_e2e::fake::Seen> {
    let seen = api.requests();
    let first = seen.first().expect("a first request").at;
    seen.into_iter().filter(|s| s.at < first + IDLE).collect()
}

// What broke: `sync --watch` asked for events every 100 ms, 600 requests a
// minute from one idle process, against Segment's per-token limit.
// Idle waits after answers that come at once are 1, 2, 4, 8 s (to 30 s):
// requests at 0, 1, 3 and 7 s, so at most 4 in 10 s (5 with slack); with
// `--poll-interval 2`, at 0, 1, 3, 5, 7, 9 s: 6 (5 to 7 with slack).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_watch_backs_off_against_an_api_that_answers_at_once() {
    let default = ScriptedServer::start((0..40).map(|_| empty_page()).collect()).await;
    let capped = ScriptedServer::start((0..40).map(|_| empty_page()).collect()).await;
    let dir = support::temp_dir();
    let (a, b) = (dir.path().join("default"), dir.path().join("capped"));
    let first = watch(default.url(), "a-token", &a, &[]);
    let second = watch(capped.url(), "a-token", &b, &["--poll-interval", "2"]);
    let deadline = Instant::now() + LIMIT;
    while default.requests().is_empty() || capped.requests().is_empty() {
        assert!(Instant::now() < deadline, "no watch asked for events");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(IDLE + Duration::from_millis(500)).await;
    let said = [stop(first, &a), stop(second, &b)];
    let (by_default, by_capped) = (in_idle_window(&default), in_idle_window(&capped));
    for seen in by_default.iter().chain(&by_capped) {
        assert_eq!(seen.path, "/audit-events", "{said:?}");
        let query = seen.query.as_deref().unwrap_or("");
        assert!(
            query.contains("wait=25"),
            "every request may be held: {query}"
        );
    }
    assert!(
        (3..=5).contains(&by_default.len()),
        "{} requests in {IDLE:?} idle\n{said:?}",
        by_default.len()
    );
    assert!(
        (5..=7).contains(&by_capped.len()),
        "{} requests in {IDLE:?} idle with --poll-interval 2\n{said:?}",
        by_capped.len()
    );
}

// What broke (the risk): a watch that polled again at once after a 429
// spends the window it was told to wait out. The client waits as the 429
// says (`msBeforeNext`), and the watch logs no outage for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_told_to_wait_by_a_429_waits_that_long() {
    let mut script = vec![Reply::rate_limited(Some(1500))];
    script.extend((0..20).map(|_| empty_page()));
    let api = ScriptedServer::start(script).await;
    let dir = support::temp_dir();
    let repo = dir.path().join("limited");
    let child = watch(api.url(), "a-token", &repo, &[]);
    let deadline = Instant::now() + LIMIT;
    while api.requests().len() < 3 {
        assert!(Instant::now() < deadline, "the watch stopped asking");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let said = stop(child, &repo);
    let seen = api.requests();
    let told = seen[1].at - seen[0].at;
    assert!(
        told >= Duration::from_millis(1500) && told < Duration::from_millis(2500),
        "asked again {told:?} after a 429 that said 1.5 s\n{said}"
    );
    // Then the idle wait: the empty answer came at once.
    let idle = seen[2].at - seen[1].at;
    assert!(idle >= Duration::from_millis(900), "{idle:?}\n{said}");
    assert!(!said.contains("unreachable"), "{said}");
}

// What broke: the same 100 ms polling on our workspace, which can hold a
// request until an event arrives; and the end of the trail had no cursor
// to wait on. Idle: the watch's first read, then one held request that
// answers only after 25 s, so at most 2 answered in 10 s (3 with slack). A
// change: the held request answers it (1), the next is held again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_our_workspace_an_idle_watch_holds_one_request_and_commits_a_change_at_once() {
    let ws = TestWorkspace::start().await.expect("workspace");
    let web = support::source(&ws, "web").await;
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");
    gitops_ok(
        &ws,
        ws.owner_token(),
        &["export", "--repo", arg(&repo), "--path", "segment"],
    );
    let route = Some("/audit-events");
    let before = answered(&ws, route, None).await;
    let child = watch(ws.base_url(), ws.owner_token(), &repo, &[]);
    tokio::time::sleep(IDLE).await;
    let idle = answered(&ws, route, None).await - before;

    support::rename_source(ws.owner(), &web.id, "Web v2").await;
    let changed = Instant::now();
    // Generous: the held request answers at the commit (ms); this only
    // bounds the wait, the request counts below tell held from polled.
    let deadline = changed + COMMIT_LIMIT;
    while git_log::event_ids(&repo).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no commit after {COMMIT_LIMIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let latency = changed.elapsed();
    // Let the next held request start before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let for_change = answered(&ws, route, None).await - before - idle;
    let said = stop(child, &repo);
    eprintln!("change committed {latency:?} after the API answered");
    assert!(idle <= 3, "{idle} audit requests in {IDLE:?} idle\n{said}");
    assert!(
        for_change <= 2,
        "{for_change} audit requests for one change\n{said}"
    );
}

// What broke: nothing ran under a rate limit, so an export or sync that
// gave up on 429s, or cost O(objects) lists, could not fail CI. The budget
// here is 6 requests per 1 s window for the tool's own token, so an export
// of ~15 requests meets it and takes seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_sync_finish_within_the_rate_limit_and_count_their_requests() {
    let limits = RateLimitConfig::default()
        .with_budget(6)
        .and_then(|c| c.with_scale(60.0))
        .expect("limits");
    let ws = TestWorkspace::start_with_limits(limits)
        .await
        .expect("workspace");
    // The tool's own token: its window is not spent by the test's writes.
    let token = ws
        .add_token("gitops@example.com", Scope::WorkspaceOwner)
        .await
        .expect("token");
    let mut labels = Vec::new();
    for i in 0..12 {
        let l = label(&format!("t{i:02}"));
        ws.owner().create_label(&l).await.expect("label");
        labels.push(l);
    }
    for slug in ["web", "ios", "android"] {
        support::source(&ws, slug).await;
    }
    let dir = support::temp_dir();
    let repo = dir.path().join("repo");

    let before = answered(&ws, None, None).await;
    let refused_before = answered(&ws, None, Some("429")).await;
    let started = Instant::now();
    let export = gitops_ok(
        &ws,
        &token,
        &["export", "--repo", arg(&repo), "--path", "segment"],
    );
    let took = started.elapsed();
    let sent = answered(&ws, None, None).await - before;
    let refused = answered(&ws, None, Some("429")).await - refused_before;
    eprintln!("export: {sent} requests ({refused} answered 429) in {took:?}");
    assert_eq!(
        printed_requests(&export.stdout),
        sent,
        "{}",
        export.output()
    );
    assert!(
        refused > 0,
        "the export never met the limit: {sent} requests"
    );
    // One list per type and parent (15 answered here), never one per
    // object: twice that is the bound; 429s are retried as told.
    assert!(sent - refused <= 30, "{sent} requests, {refused} refused");

    for l in labels.iter().take(5) {
        ws.owner()
            .delete_label(&l.key, &l.value)
            .await
            .expect("delete a label");
    }
    let before = answered(&ws, None, None).await;
    let sync = gitops_ok(
        &ws,
        &token,
        &["sync", "--repo", arg(&repo), "--path", "segment"],
    );
    let sent = answered(&ws, None, None).await - before;
    eprintln!("sync: {sent} requests for 5 events");
    assert!(
        sync.stdout.contains("5 events read, 5 commits"),
        "{}",
        sync.output()
    );
    assert_eq!(printed_requests(&sync.stdout), sent, "{}", sync.output());
    // The trail's page, and for each event the object's list read again.
    assert!(sent <= 1 + 5 * 3, "{sent} requests for 5 events");
    assert_eq!(git_log::event_ids(&repo).len(), 5);
}
