//! `gitops-bench`: how fast `segment-gitops` exports a large workspace, how
//! that compares with Terraform's own `plan -generate-config-out` through our
//! provider, and how soon `sync --watch` commits a change.
//!
//! Starts the release `segment-workspace serve` beside this binary on
//! loopback with a fresh database and seeds it (`seed --scale`, calibrated
//! on a scratch workspace to give about `--resources` resources). Then:
//! 1. times the real `segment-gitops export` (its commit included) into
//!    fresh repositories, `--rounds` times, and prints the first round's
//!    requests by route from the workspace's `/metrics`;
//! 2. writes an import block per exported resource (from the manifest) into
//!    a fresh folder and times `terraform plan -generate-config-out` with
//!    the provider from a filesystem mirror (`terraform init` not counted);
//! 3. with `--limited-export`, exports once more through a second server
//!    over the same database that enforces Segment's limits at their real
//!    pace, and prints its time, its requests by route and the 429s it
//!    waited out (the requests also when the bound ends it);
//! 4. starts `segment-gitops sync --watch` on an exported repository, makes
//!    `--changes` source renames through the API one at a time, and times
//!    each from the API's answer to the branch moving.
//!
//! Run: `cargo build --release -p segment-gitops -p segment-workspace -p segment-demo \
//!       -p terraform-provider-segment && ./target/release/gitops-bench`
//!
//! A command, not a test: its figures depend on the machine. Every wait is
//! bounded, everything listens on loopback only, and every child process is
//! killed when the bench ends, however it ends.

#[path = "gitops_bench/follow.rs"]
mod follow;
#[path = "gitops_bench/limited.rs"]
mod limited;
#[path = "gitops_bench/metrics.rs"]
mod metrics;
#[path = "gitops_bench/workspace.rs"]
mod workspace;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{ensure, Context};
use clap::Parser;
use segment_gitops::files::{self, Manifest};
use terraform_provider_segment::bench::{self, Terraform};

use metrics::Counts;
use workspace::Workspace;

const BUILD: &str = "cargo build --release -p segment-gitops -p segment-workspace -p segment-demo \
                     -p terraform-provider-segment";
/// The issues' targets (export and sync from issue 13, ratio from issue 6).
const EXPORT_TARGET: Duration = Duration::from_millis(1500);
const RATIO_TARGET: f64 = 20.0;
const SYNC_P50_TARGET: Duration = Duration::from_millis(300);
const SYNC_P99_TARGET: Duration = Duration::from_secs(1);

#[derive(Parser)]
#[command(
    about = "Time segment-gitops export against terraform plan -generate-config-out, \
             and sync --watch from change to commit"
)]
struct Args {
    /// About how many resources to export (the seed's scale is calibrated to it).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    resources: u32,
    /// The seed's --scale (sources) to use instead of calibrating.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    scale: Option<u32>,
    /// Export rounds, each into a fresh repository (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    rounds: u16,
    /// Changes made one at a time while `sync --watch` follows (0: none).
    #[arg(long, default_value_t = 200)]
    changes: u32,
    /// Leave out `terraform plan -generate-config-out` (minutes at 10,000).
    #[arg(long)]
    skip_terraform: bool,
    /// Also export through a server enforcing Segment's limits at their
    /// real pace (a minute or more at 10,000 resources).
    #[arg(long)]
    limited_export: bool,
    /// Bound on each command the bench runs.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout_minutes: u64,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let limit = Duration::from_secs(60 * args.timeout_minutes);
    let server = bench::sibling("segment-workspace", BUILD)?;
    let gitops = bench::sibling("segment-gitops", BUILD)?;
    let provider = if args.skip_terraform {
        None
    } else {
        Some(bench::sibling("terraform-provider-segment", BUILD)?)
    };
    let root = tempfile::Builder::new()
        .prefix("gitops-bench-")
        .tempdir()
        .context("creating a scratch directory")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let token = bench::new_token()?;
    println!("load average at start: {}", load_average());

    let scale = match args.scale {
        Some(s) => s,
        None => workspace::calibrate(&server, root.path(), &token, args.resources, &runtime)?,
    };
    let ws = Workspace::start(&server, &root.path().join("workspace"), &token)?;
    let seeded = ws.seed(&server, scale, limit)?;
    println!(
        "server {}; seeded --scale {scale} in {:.1} s",
        ws.base,
        seeded.as_secs_f64()
    );

    let mut exports = Vec::new();
    let mut resources = 0;
    for round in 0..args.rounds {
        let repo = root.path().join(format!("export-{round}"));
        let before = runtime.block_on(Counts::read(&ws.base))?;
        let (elapsed, manifest) = export(&gitops, &repo, &ws, limit)?;
        resources = manifest.resources.len();
        println!(
            "export round {}: {resources} resources in {:.2} s",
            round + 1,
            elapsed.as_secs_f64()
        );
        if round == 0 {
            let counts = runtime.block_on(Counts::read(&ws.base))?.since(&before);
            println!(
                "export requests by route (the workspace's /metrics):\n{}",
                counts.table(limited::BUDGET_PER_MINUTE)
            );
        }
        exports.push(elapsed);
    }
    if args.limited_export {
        let run = limited::export(
            &server,
            &gitops,
            &root.path().join("workspace"),
            &root.path().join("export-limited"),
            &token,
            limit,
            &runtime,
        )?;
        println!(
            "export under Segment's limits: {:.2} s, {}, {} answered 429 and waited out\n{}",
            run.elapsed.as_secs_f64(),
            run.requests,
            run.counts.throttled(),
            run.counts.table(limited::BUDGET_PER_MINUTE)
        );
    }
    let first_repo = root.path().join("export-0");
    let manifest = read_manifest(&first_repo)?;

    let generated = match provider {
        Some(provider) => {
            let tf = Terraform::install(root.path(), &provider, &token, limit)?;
            Some(generate_config(
                tf,
                &root.path().join("terraform"),
                &manifest,
                &ws.base,
            )?)
        }
        None => None,
    };

    let latencies = if args.changes > 0 {
        follow::sync_latencies(&gitops, &first_repo, &ws, &manifest, args.changes, &runtime)?
    } else {
        Vec::new()
    };

    report(
        resources,
        scale,
        &exports,
        generated.as_ref(),
        &latencies,
        &args,
    );
    println!("load average at end: {}", load_average());
    Ok(())
}

/// `segment-gitops export` into a new repository: its wall time and the
/// manifest it committed.
fn export(
    gitops: &Path,
    repo: &Path,
    ws: &Workspace,
    limit: Duration,
) -> anyhow::Result<(Duration, Manifest)> {
    let mut cmd = Command::new(gitops);
    cmd.arg("export").arg("--repo").arg(repo);
    ws.target(&mut cmd);
    let done = bench::run_bounded(&mut cmd, "segment-gitops export", limit, |_| {})?;
    done.expect("segment-gitops export", &[0])?;
    ensure!(
        // Progress lines on stderr come first: stdout has the result.
        done.output.lines().any(|l| l.starts_with("committed ")),
        "segment-gitops export made no commit: {}",
        done.output.trim()
    );
    Ok((done.elapsed, read_manifest(repo)?))
}

fn read_manifest(repo: &Path) -> anyhow::Result<Manifest> {
    let path = repo.join(files::MANIFEST);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Manifest::parse(&text).with_context(|| format!("{} is not a manifest", path.display()))
}

/// What Terraform's own config generation took.
struct Generated {
    init: Duration,
    plan: Duration,
    /// `resource` blocks in `generated.tf`.
    resources: usize,
}

/// An import block per manifest entry beside the exported `providers.tf`,
/// then `terraform init` (untimed) and `plan -generate-config-out`.
fn generate_config(
    mut tf: Terraform,
    dir: &Path,
    manifest: &Manifest,
    base: &str,
) -> anyhow::Result<Generated> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(dir.join(files::PROVIDERS), files::providers_tf())?;
    let imports: String = manifest
        .resources
        .iter()
        .map(|e| files::import_block(&e.address, &e.import_id) + "\n")
        .collect();
    std::fs::write(dir.join("imports.tf"), imports).context("writing imports.tf")?;
    tf.env.push(("PUBLIC_API_URL".into(), base.into()));
    let init = tf.expect(dir, &["init", "-input=false"], &[0], |_| {})?;
    println!(
        "terraform plan -generate-config-out over {} import blocks...",
        manifest.resources.len()
    );
    let plan = tf.expect(
        dir,
        &["plan", "-input=false", "-generate-config-out=generated.tf"],
        &[0],
        |_| {},
    )?;
    let text = std::fs::read_to_string(dir.join("generated.tf"))
        .context("terraform wrote no generated.tf")?;
    let resources = text
        .lines()
        .filter(|l| l.starts_with("resource \""))
        .count();
    println!(
        "terraform plan -generate-config-out: {resources} resources in {:.2} s",
        plan.as_secs_f64()
    );
    Ok(Generated {
        init,
        plan,
        resources,
    })
}

fn report(
    resources: usize,
    scale: u32,
    exports: &[Duration],
    generated: Option<&Generated>,
    latencies: &[Duration],
    args: &Args,
) {
    let export = bench::median(exports.to_vec());
    let (min, max) = (
        exports.iter().min().copied().unwrap_or_default(),
        exports.iter().max().copied().unwrap_or_default(),
    );
    println!("\nresources exported: {resources} (seed --scale {scale})");
    println!(
        "segment-gitops export + commit: median {:.2} s of {} (min {:.2}, max {:.2})  \
         target < {} s {}",
        export.as_secs_f64(),
        exports.len(),
        min.as_secs_f64(),
        max.as_secs_f64(),
        EXPORT_TARGET.as_secs_f64(),
        bench::verdict(export < EXPORT_TARGET)
    );
    if let Some(g) = generated {
        let ratio = g.plan.as_secs_f64() / export.as_secs_f64().max(1e-9);
        println!(
            "terraform plan -generate-config-out: {:.2} s for {} generated resources \
             (init {:.2} s, not counted)",
            g.plan.as_secs_f64(),
            g.resources,
            g.init.as_secs_f64()
        );
        println!(
            "ratio: {ratio:.1}x  target >= {RATIO_TARGET}x {}",
            bench::verdict(ratio >= RATIO_TARGET)
        );
    }
    if !latencies.is_empty() {
        let p50 = follow::percentile(latencies, 50.0);
        let p99 = follow::percentile(latencies, 99.0);
        println!(
            "sync --watch change to commit over {} changes: p50 {:.0} ms, p99 {:.0} ms, \
             max {:.0} ms  target p50 < {} ms {}, p99 < {} ms {}",
            latencies.len(),
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3,
            latencies
                .iter()
                .max()
                .map_or(0.0, |d| d.as_secs_f64() * 1e3),
            SYNC_P50_TARGET.as_millis(),
            bench::verdict(p50 < SYNC_P50_TARGET),
            SYNC_P99_TARGET.as_millis(),
            bench::verdict(p99 < SYNC_P99_TARGET)
        );
    }
    println!(
        "(--resources {} --rounds {} --changes {}; wall-clock times on this machine)",
        args.resources, args.rounds, args.changes
    );
}

/// `/proc/loadavg`'s three averages: the figures mean little on a busy machine.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "unknown".into())
}
