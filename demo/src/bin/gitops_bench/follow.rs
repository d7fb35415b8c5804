//! `sync --watch` from change to commit: source renames through the API,
//! one at a time, each timed from the API's answer to the branch moving.

use std::fs::File;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use segment_api::models::UpdateSource;
use segment_gitops::files::Manifest;
use terraform_provider_segment::bench::Guard;
use tokio::runtime::Runtime;

use super::workspace::Workspace;

/// How often the branch's ref file is read: a few system calls, so a 2 ms
/// period costs sync nothing and adds at most 2 ms to a figure.
const POLL: Duration = Duration::from_millis(2);
/// Bound on one change becoming its commit.
const CHANGE_LIMIT: Duration = Duration::from_secs(120);
/// Bound on one API call.
const API_LIMIT: Duration = Duration::from_secs(30);

/// Starts `sync --watch` on `repo` and returns the change-to-commit time of
/// each of `changes` renames. One more rename goes first, not counted: its
/// time includes sync's own start.
pub fn sync_latencies(
    gitops: &Path,
    repo: &Path,
    ws: &Workspace,
    manifest: &Manifest,
    changes: u32,
    runtime: &Runtime,
) -> anyhow::Result<Vec<Duration>> {
    let sources: Vec<&str> = manifest
        .resources
        .iter()
        .filter(|e| e.type_name == "segment_source")
        .map(|e| e.id.as_str())
        .collect();
    ensure!(
        !sources.is_empty(),
        "the export holds no segment_source to rename"
    );
    let branch = branch_ref(repo)?;
    let mut log = tempfile::tempfile().context("creating a log file")?;
    let mut cmd = Command::new(gitops);
    cmd.args(["sync", "--watch", "--repo"]).arg(repo);
    ws.target(&mut cmd);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log.try_clone()?)
        .spawn()
        .context("starting segment-gitops sync --watch")?;
    let mut sync = Guard(child);

    let mut latencies = Vec::with_capacity(changes as usize);
    let mut gets_before = 0;
    for i in 0..=changes as usize {
        if i == 1 {
            // After the uncounted first change: sync's start is not counted.
            gets_before = runtime.block_on(gets(&ws.base))?;
        }
        let source = sources[i % sources.len()];
        let name = format!("gitops-bench change {i}");
        let before = std::fs::read(&branch).ok();
        let renamed = runtime.block_on(async {
            let change = UpdateSource {
                name: Some(name.clone()),
                ..Default::default()
            };
            tokio::time::timeout(API_LIMIT, ws.api.update_source(source, &change)).await
        });
        renamed
            .context("renaming a source timed out")?
            .with_context(|| format!("renaming source {source}"))?;
        let changed = Instant::now();
        loop {
            if std::fs::read(&branch).ok() != before {
                break;
            }
            if let Some(status) = sync.0.try_wait()? {
                bail!("sync --watch exited ({status}):\n{}", output(&mut log));
            }
            if changed.elapsed() > CHANGE_LIMIT {
                bail!(
                    "change {i} made no commit within {CHANGE_LIMIT:?}:\n{}",
                    output(&mut log)
                );
            }
            std::thread::sleep(POLL);
        }
        let latency = changed.elapsed();
        check_commit(repo, &name)?;
        if i > 0 {
            latencies.push(latency);
        }
        // A long run says how it goes, so a stopped one still tells.
        if i > 0 && (i % 20 == 0 || i == 5) {
            println!(
                "sync: {i} of {changes} changes committed, p50 so far {:.0} ms",
                percentile(&latencies, 50.0).as_secs_f64() * 1e3
            );
        }
    }
    if changes > 0 {
        // sync only reads; the bench's renames are PATCHes. The request
        // held when the last change was committed is not answered yet.
        let sent = runtime.block_on(gets(&ws.base))? - gets_before;
        println!(
            "sync --watch: {sent} requests for {changes} changes ({:.2} per event)",
            sent as f64 / f64::from(changes)
        );
    }
    Ok(latencies)
}

/// GET requests the workspace answered, from its `/metrics`.
async fn gets(base: &str) -> anyhow::Result<u64> {
    let url = format!("{}/metrics", base.trim_end_matches('/'));
    let text = tokio::time::timeout(API_LIMIT, async {
        reqwest::get(&url).await?.error_for_status()?.text().await
    })
    .await
    .context("reading /metrics timed out")?
    .with_context(|| format!("reading {url}"))?;
    Ok(text
        .lines()
        .filter(|l| {
            l.starts_with("segment_workspace_requests_total{") && l.contains("method=\"GET\"")
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum())
}

/// The loose ref file of the checked-out branch (git2 writes loose refs).
fn branch_ref(repo: &Path) -> anyhow::Result<PathBuf> {
    let r = git2::Repository::open(repo)?;
    let head = r.find_reference("HEAD")?;
    let target = head
        .symbolic_target()
        .context("HEAD is detached: sync needs a branch")?;
    let path = r.path().join(target);
    ensure!(path.is_file(), "no loose ref at {}", path.display());
    Ok(path)
}

/// The new commit is the change's: attributed to the event, naming it.
fn check_commit(repo: &Path, name: &str) -> anyhow::Result<()> {
    let r = git2::Repository::open(repo)?;
    let commit = r.head()?.peel_to_commit()?;
    let message = commit.message().unwrap_or_default();
    ensure!(
        message.contains(name) && message.contains("Segment-Event-Id: "),
        "the commit after renaming a source to {name:?} is another one:\n{message}"
    );
    Ok(())
}

/// What the child printed so far, for an error.
fn output(log: &mut File) -> String {
    let mut text = String::new();
    if log.rewind().is_ok() {
        let _ = log.read_to_string(&mut text);
    }
    text
}

/// The `p`th percentile by nearest rank.
pub fn percentile(xs: &[Duration], p: f64) -> Duration {
    let mut xs = xs.to_vec();
    xs.sort();
    let rank = ((p / 100.0) * xs.len() as f64).ceil() as usize;
    xs.get(rank.saturating_sub(1).min(xs.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}
