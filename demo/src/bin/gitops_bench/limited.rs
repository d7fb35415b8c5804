//! Export under Segment's limits: a second server over the same database,
//! with `--rate-limits segment` at Segment's own pace (the budget's
//! assumption included), so the export must wait as told and fail nothing.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Context};
use terraform_provider_segment::bench;
use tokio::runtime::Runtime;

/// What the limited export took and how the workspace saw it.
pub struct LimitedExport {
    pub elapsed: Duration,
    /// The export's own count ("N requests to the workspace").
    pub requests: String,
    /// Requests the workspace answered 429.
    pub throttled: u64,
}

pub fn export(
    server: &Path,
    gitops: &Path,
    dir: &Path,
    repo: &Path,
    token: &str,
    limit: Duration,
    runtime: &Runtime,
) -> anyhow::Result<LimitedExport> {
    let (_limited, base) = bench::start_server_limited(server, dir, token, "segment")?;
    let mut cmd = Command::new(gitops);
    cmd.arg("export")
        .arg("--repo")
        .arg(repo)
        .arg("--url")
        .arg(&base)
        .env("PUBLIC_API_TOKEN", token)
        .env_remove("PUBLIC_API_URL");
    let done = bench::run_bounded(&mut cmd, "segment-gitops export (limited)", limit, |_| {})?;
    done.expect("segment-gitops export under Segment's limits", &[0])?;
    let requests = done
        .output
        .lines()
        .find(|l| l.contains("requests to the workspace"))
        .unwrap_or("the export did not say how many requests it made")
        .trim()
        .to_string();
    let throttled = runtime.block_on(throttled(&base))?;
    ensure!(
        done.output.lines().any(|l| l.starts_with("committed ")),
        "the limited export made no commit: {}",
        done.output.trim()
    );
    Ok(LimitedExport {
        elapsed: done.elapsed,
        requests,
        throttled,
    })
}

/// Requests answered 429, from the server's `/metrics`.
async fn throttled(base: &str) -> anyhow::Result<u64> {
    let url = format!("{}/metrics", base.trim_end_matches('/'));
    let text = tokio::time::timeout(Duration::from_secs(30), async {
        reqwest::get(&url).await?.error_for_status()?.text().await
    })
    .await
    .context("reading /metrics timed out")?
    .with_context(|| format!("reading {url}"))?;
    Ok(text
        .lines()
        .filter(|l| {
            l.starts_with("segment_workspace_requests_total{") && l.contains("status=\"429\"")
        })
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum())
}
