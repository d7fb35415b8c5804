//! Export under Segment's limits: a second server over the same database,
//! with `--rate-limits segment` at Segment's own pace (the budget's
//! assumption included), so the export must wait as told and fail nothing.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::ensure;
use terraform_provider_segment::bench;
use tokio::runtime::Runtime;

use crate::metrics::Counts;

/// The per-token budget the limited server enforces (its documented
/// assumption of Segment's unpublished number).
pub const BUDGET_PER_MINUTE: u64 = 600;

/// What the limited export took and how the workspace saw it.
pub struct LimitedExport {
    pub elapsed: Duration,
    /// The export's own count ("N requests to the workspace").
    pub requests: String,
    /// Requests by route as the workspace counted them.
    pub counts: Counts,
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
    let before = runtime.block_on(Counts::read(&base))?;
    let mut cmd = Command::new(gitops);
    cmd.arg("export")
        .arg("--repo")
        .arg(repo)
        .arg("--url")
        .arg(&base)
        .env("PUBLIC_API_TOKEN", token)
        .env_remove("PUBLIC_API_URL");
    let run = bench::run_bounded(&mut cmd, "segment-gitops export (limited)", limit, |_| {});
    // Printed however the run ended: a bound that ends it still leaves
    // the workspace's count of what it had asked.
    let counts = runtime.block_on(Counts::read(&base))?.since(&before);
    let done = match run {
        Ok(done) => done,
        Err(e) => {
            println!(
                "export under Segment's limits ended early; requests so far:\n{}",
                counts.table(BUDGET_PER_MINUTE)
            );
            return Err(e);
        }
    };
    done.expect("segment-gitops export under Segment's limits", &[0])?;
    let requests = done
        .output
        .lines()
        .find(|l| l.contains("requests to the workspace"))
        .unwrap_or("the export did not say how many requests it made")
        .trim()
        .to_string();
    ensure!(
        done.output.lines().any(|l| l.starts_with("committed ")),
        "the limited export made no commit: {}",
        done.output.trim()
    );
    Ok(LimitedExport {
        elapsed: done.elapsed,
        requests,
        counts,
    })
}
