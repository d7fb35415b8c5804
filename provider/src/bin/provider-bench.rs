//! `provider-bench`: how much the Segment provider costs Terraform.
//!
//! Starts `segment-workspace serve` on loopback with a fresh database and
//! installs the provider from a filesystem mirror (both release binaries
//! beside this one). Then, per round, N `segment_source` resources and N
//! `terraform_data` resources (built into Terraform, so the baseline is
//! Terraform's own cost) each get a timed `terraform apply` (create) and a
//! timed `terraform plan -detailed-exitcode` (refresh and plan, which must
//! find no change). Also measures the provider's start-to-handshake time and
//! its peak memory during the apply, and prints all against the targets.
//!
//! Run: `cargo build --release -p terraform-provider-segment -p segment-workspace && \
//!       target/release/provider-bench [--count 1000] [--parallelism 10] [--rounds 3]`
//!
//! A command, not a test: its figures depend on the machine. Every wait is
//! bounded, and the server is killed when the bench ends, however it ends.

#[path = "provider_bench/probe.rs"]
mod probe;

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, ensure, Context};

use terraform_provider_segment::bench::{self, Terraform};

/// The JavaScript source: a catalog entry with no required settings.
const JAVASCRIPT_SOURCE: &str = "IqDTy1TpoU";
const BUILD: &str = "cargo build --release -p terraform-provider-segment -p segment-workspace";
const USAGE: &str = "usage: provider-bench [--count N] [--parallelism N] [--rounds N] \
                     [--handshakes N] [--timeout-minutes N]";

struct Args {
    /// Resources per workload.
    count: usize,
    /// Terraform's `-parallelism`, the same for both workloads.
    parallelism: usize,
    /// Rounds of both workloads; medians are reported.
    rounds: usize,
    /// Provider starts to time.
    handshakes: usize,
    /// Bound on each Terraform command.
    timeout: Duration,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        count: 1000,
        parallelism: 10,
        rounds: 3,
        handshakes: 21,
        timeout: Duration::from_secs(15 * 60),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        let n: usize = value
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("{flag} takes a positive number, not {value:?}"))?;
        match flag.as_str() {
            "--count" => args.count = n,
            "--parallelism" => args.parallelism = n,
            "--rounds" => args.rounds = n,
            "--handshakes" => args.handshakes = n,
            "--timeout-minutes" => args.timeout = Duration::from_secs(60 * n as u64),
            _ => bail!("unknown argument {flag:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Segment,
    Data,
}

/// One workload's timings in one round.
struct Run {
    apply: Duration,
    plan: Duration,
    peak: Option<probe::Peak>,
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let server_binary = bench::sibling("segment-workspace", BUILD)?;
    let provider = bench::sibling("terraform-provider-segment", BUILD)?;
    let root = tempfile::Builder::new()
        .prefix("provider-bench-")
        .tempdir()
        .context("creating a scratch directory")?;
    let token = bench::new_token()?;
    let (_server, base) = bench::start_server(&server_binary, root.path(), &token)?;
    let tf = Terraform::install(root.path(), &provider, &token, args.timeout)?;
    println!(
        "server {base}; {} resources per workload, -parallelism={}, {} rounds",
        args.count, args.parallelism, args.rounds
    );

    let handshakes = probe::handshakes(&provider, args.handshakes)?;
    let mut segment = Vec::new();
    let mut data = Vec::new();
    for round in 0..args.rounds {
        let dir = root.path().join(format!("round-{round}"));
        let d = workload(&tf, &dir.join("data"), Kind::Data, &args, &base, round)?;
        let s = workload(
            &tf,
            &dir.join("segment"),
            Kind::Segment,
            &args,
            &base,
            round,
        )?;
        println!(
            "round {}: apply {:.2} s vs {:.2} s, refresh plan {:.2} s vs {:.2} s \
             (segment_source vs terraform_data)",
            round + 1,
            s.apply.as_secs_f64(),
            d.apply.as_secs_f64(),
            s.plan.as_secs_f64(),
            d.plan.as_secs_f64()
        );
        segment.push(s);
        data.push(d);
    }
    let sources = count_sources(&base, &token)?;
    ensure!(
        sources == args.count * args.rounds,
        "the workspace holds {sources} sources, not {}",
        args.count * args.rounds
    );
    print!("{}", report(&args, &segment, &data, &handshakes));
    Ok(())
}

/// Writes N resources of `kind` into `dir`, runs `init` (untimed), then
/// times `apply` and a refresh `plan` that must find nothing to change.
fn workload(
    tf: &Terraform,
    dir: &Path,
    kind: Kind,
    args: &Args,
    base: &str,
    round: usize,
) -> anyhow::Result<Run> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut main = String::new();
    if kind == Kind::Segment {
        main.push_str(&format!(
            "terraform {{\n  required_providers {{\n    segment = {{ source = \
             \"segment-gitops/segment\" }}\n  }}\n}}\n\nprovider \"segment\" {{\n  \
             url = \"{base}\"\n}}\n"
        ));
    }
    for i in 0..args.count {
        match kind {
            Kind::Segment => writeln!(
                main,
                "\nresource \"segment_source\" \"s{i}\" {{\n  slug     = \"bench-{round}-{i}\"\n  \
                 enabled  = true\n  metadata = {{ id = \"{JAVASCRIPT_SOURCE}\" }}\n  \
                 settings = jsonencode({{}})\n}}"
            ),
            Kind::Data => writeln!(
                main,
                "\nresource \"terraform_data\" \"d{i}\" {{\n  input = \"v{i}\"\n}}"
            ),
        }?;
    }
    std::fs::write(dir.join("main.tf"), main).context("writing main.tf")?;
    tf.expect(dir, &["init", "-input=false"], &[0], |_| {})?;

    let parallelism = format!("-parallelism={}", args.parallelism);
    let watch = (kind == Kind::Segment).then(probe::MemoryWatch::start);
    let apply = tf.expect(
        dir,
        &["apply", "-auto-approve", "-input=false", &parallelism],
        &[0],
        |pid| {
            if let Some(w) = &watch {
                w.follow(pid);
            }
        },
    );
    let peak = watch.map(probe::MemoryWatch::finish);
    let apply = apply?;
    let plan = tf.expect(
        dir,
        &["plan", "-detailed-exitcode", "-input=false", &parallelism],
        &[0],
        |_| {},
    )?;
    Ok(Run { apply, plan, peak })
}

/// Sources in the workspace, through the typed client.
fn count_sources(base: &str, token: &str) -> anyhow::Result<usize> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = segment_api::Client::new(segment_api::ClientConfig::new(base, token))?;
    let sources = runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(120), client.list_sources()).await
    });
    Ok(sources.context("listing sources timed out")??.len())
}

fn report(args: &Args, segment: &[Run], data: &[Run], handshakes: &[Duration]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n{:<16} {:>16} {:>16} {:>7}  target",
        "workload", "segment_source s", "terraform_data s", "ratio"
    );
    type Pick = fn(&Run) -> Duration;
    let rows: [(&str, Pick); 2] = [
        ("apply (create)", |r| r.apply),
        ("refresh plan", |r| r.plan),
    ];
    for (name, pick) in rows {
        let s = bench::median(segment.iter().map(pick).collect());
        let d = bench::median(data.iter().map(pick).collect());
        let ratio = s.as_secs_f64() / d.as_secs_f64().max(1e-9);
        let _ = writeln!(
            out,
            "{name:<16} {:>16.2} {:>16.2} {ratio:>7.2}  <= 1.15x {}",
            s.as_secs_f64(),
            d.as_secs_f64(),
            bench::verdict(ratio <= 1.15)
        );
    }
    let hs = bench::median(handshakes.to_vec());
    let _ = writeln!(
        out,
        "\nprovider start to handshake: median {:.1} ms of {} (min {:.1}, max {:.1})  \
         target < 20 ms {}",
        hs.as_secs_f64() * 1e3,
        handshakes.len(),
        handshakes.first().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        handshakes.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        bench::verdict(hs < Duration::from_millis(20))
    );
    let peaks: Vec<&probe::Peak> = segment.iter().filter_map(|r| r.peak.as_ref()).collect();
    let kib = peaks.iter().map(|p| p.kib).max().unwrap_or(0);
    let processes: usize = peaks.iter().map(|p| p.processes).sum();
    let mb = kib as f64 / 1024.0;
    let _ = writeln!(
        out,
        "provider peak memory during the segment_source apply: {mb:.1} MB VmHWM \
         ({processes} provider processes over {} rounds)  target < 30 MB {}",
        peaks.len(),
        bench::verdict(kib > 0 && mb < 30.0)
    );
    let _ = writeln!(
        out,
        "({} resources per workload, -parallelism={}, medians of {} rounds)",
        args.count,
        args.parallelism,
        segment.len()
    );
    out
}
