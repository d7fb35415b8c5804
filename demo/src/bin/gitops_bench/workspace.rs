//! The workspace the bench exports: the release `segment-workspace serve` on
//! loopback over a fresh database, filled by `segment-workspace seed`.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::Context;
use segment_api::{Client, ClientConfig};
use segment_gitops::inventory;
use terraform_provider_segment::bench::{self, Guard};
use tokio::runtime::Runtime;

/// The scales scratch workspaces are seeded at to learn how many resources
/// a source brings, and how many come whatever the scale (the seed's
/// minimums of labels, groups, functions): a line through two points.
/// Small enough to take about a second each.
const CALIBRATION: [u32; 2] = [100, 200];
/// Bound on listing the whole workspace.
const LIST_LIMIT: Duration = Duration::from_secs(300);

pub struct Workspace {
    _server: Guard,
    pub base: String,
    token: String,
    pub api: Client,
}

impl Workspace {
    /// A server with a fresh database in `dir`, owner token `token`.
    pub fn start(binary: &Path, dir: &Path, token: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let (server, base) = bench::start_server(binary, dir, token)?;
        let api = Client::new(ClientConfig::new(&base, token))?;
        Ok(Workspace {
            _server: server,
            base,
            token: token.to_string(),
            api,
        })
    }

    /// Points a `segment-gitops` or `segment-workspace seed` command here;
    /// the token goes by environment, so `ps` does not show it.
    pub fn target(&self, cmd: &mut Command) {
        cmd.arg("--url")
            .arg(&self.base)
            .env("PUBLIC_API_TOKEN", &self.token)
            .env_remove("PUBLIC_API_URL");
    }

    /// `segment-workspace seed --scale`; returns how long it took.
    pub fn seed(&self, binary: &Path, scale: u32, limit: Duration) -> anyhow::Result<Duration> {
        let mut cmd = Command::new(binary);
        cmd.args(["seed", "--scale", &scale.to_string()]);
        self.target(&mut cmd);
        let done = bench::run_bounded(&mut cmd, "segment-workspace seed", limit, |_| {})?;
        done.expect("segment-workspace seed", &[0])?;
        Ok(done.elapsed)
    }

    /// What an export of the workspace will hold: the generator's own list.
    pub fn count(&self, runtime: &Runtime) -> anyhow::Result<usize> {
        let listed = runtime.block_on(async {
            tokio::time::timeout(LIST_LIMIT, inventory::everything(&self.api, &[])).await
        });
        Ok(listed
            .context("listing the workspace timed out")?
            .context("listing the workspace")?
            .len())
    }
}

/// The seed scale that gives about `resources` resources, learnt on two
/// scratch workspaces (each stopped before the next starts): the seed's
/// size is a fixed part plus a part in proportion to its scale.
pub fn calibrate(
    binary: &Path,
    root: &Path,
    token: &str,
    resources: u32,
    runtime: &Runtime,
) -> anyhow::Result<u32> {
    let mut found = [0f64; 2];
    for (n, scale) in found.iter_mut().zip(CALIBRATION) {
        let ws = Workspace::start(binary, &root.join(format!("calibration-{scale}")), token)?;
        ws.seed(binary, scale, Duration::from_secs(600))?;
        *n = ws.count(runtime)? as f64;
    }
    let [low, high] = CALIBRATION.map(f64::from);
    let per_source = ((found[1] - found[0]) / (high - low)).max(1e-3);
    let fixed = found[0] - per_source * low;
    let scale = ((f64::from(resources) - fixed) / per_source).round();
    // The seed never makes fewer sources than its demo; 1 stands for that.
    let scale = scale.clamp(1.0, f64::from(u32::MAX)) as u32;
    println!(
        "calibration: --scale {low} gives {} resources, --scale {high} gives {}, so \
         --scale {scale} for about {resources}",
        found[0], found[1]
    );
    Ok(scale)
}
