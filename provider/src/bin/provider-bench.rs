//! `provider-bench`: how much the Segment provider costs Terraform.
//!
//! Starts `segment-workspace serve` on loopback with a fresh database and
//! installs the provider from a filesystem mirror (both release binaries
//! beside this one). Then, per round, N `segment_source` resources and N
//! `segment_label` resources, each against N `terraform_data` resources of
//! the same shape (built into Terraform, so the baseline is Terraform's own
//! cost), get a timed `terraform apply` (create) and a timed `terraform plan
//! -detailed-exitcode` (refresh and plan, which must find no change), with
//! the API requests each command made (the server's `/metrics`). Labels are
//! the list-only case: the API has no single-label read, so each refresh
//! reads the label list. Also measures the provider's start-to-handshake
//! time and its peak memory during the apply, and prints all against the
//! targets.
//!
//! Run: `cargo build --release -p terraform-provider-segment -p segment-workspace && \
//!       target/release/provider-bench [--count 1000] [--parallelism 10] [--rounds 3] \
//!       [--kind sources|labels|both]`
//!
//! A command, not a test: its figures depend on the machine. Every wait is
//! bounded, and the server is killed when the bench ends, however it ends.

#[path = "provider_bench/metrics.rs"]
mod metrics;
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
                     [--handshakes N] [--timeout-minutes N] [--kind sources|labels|both]";

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
    /// The Segment resource types to measure.
    kinds: Vec<Kind>,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args {
        count: 1000,
        parallelism: 10,
        rounds: 3,
        handshakes: 21,
        timeout: Duration::from_secs(15 * 60),
        kinds: vec![Kind::Source, Kind::Label],
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
        if flag == "--kind" {
            args.kinds = match value.as_str() {
                "sources" => vec![Kind::Source],
                "labels" => vec![Kind::Label],
                "both" => vec![Kind::Source, Kind::Label],
                _ => bail!("--kind takes sources, labels or both, not {value:?}\n{USAGE}"),
            };
            continue;
        }
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

/// A Segment resource type the bench measures against `terraform_data`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    Source,
    Label,
}

impl Kind {
    fn type_name(self) -> &'static str {
        match self {
            Kind::Source => "segment_source",
            Kind::Label => "segment_label",
        }
    }

    /// The list route whose reads the report counts.
    fn list_route(self) -> &'static str {
        match self {
            Kind::Source => "/sources",
            Kind::Label => "/labels",
        }
    }

    /// Resource `i` of round `round`, as Segment's type or as the
    /// `terraform_data` of the same shape.
    fn resource(self, data: bool, round: usize, i: usize) -> String {
        match (self, data) {
            (Kind::Source, false) => format!(
                "\nresource \"segment_source\" \"s{i}\" {{\n  slug     = \"bench-{round}-{i}\"\n  \
                 enabled  = true\n  metadata = {{ id = \"{JAVASCRIPT_SOURCE}\" }}\n  \
                 settings = jsonencode({{}})\n}}\n"
            ),
            (Kind::Source, true) => {
                format!("\nresource \"terraform_data\" \"d{i}\" {{\n  input = \"v{i}\"\n}}\n")
            }
            (Kind::Label, false) => format!(
                "\nresource \"segment_label\" \"l{i}\" {{\n  key         = \"bench-{round}\"\n  \
                 value       = \"v{i}\"\n  description = \"label {i} of round {round}\"\n}}\n"
            ),
            (Kind::Label, true) => format!(
                "\nresource \"terraform_data\" \"d{i}\" {{\n  input = {{\n    key         = \
                 \"bench-{round}\"\n    value       = \"v{i}\"\n    description = \
                 \"label {i} of round {round}\"\n  }}\n}}\n"
            ),
        }
    }
}

/// One workload's timings and API requests in one round.
struct Run {
    apply: Duration,
    plan: Duration,
    apply_requests: metrics::Counts,
    plan_requests: metrics::Counts,
    peak: Option<probe::Peak>,
}

/// A Segment type's rounds and its baseline's.
struct Measured {
    kind: Kind,
    segment: Vec<Run>,
    data: Vec<Run>,
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
    let mut measured: Vec<Measured> = args
        .kinds
        .iter()
        .map(|&kind| Measured {
            kind,
            segment: Vec::new(),
            data: Vec::new(),
        })
        .collect();
    for round in 0..args.rounds {
        for m in &mut measured {
            let dir = root
                .path()
                .join(format!("round-{round}-{}", m.kind.type_name()));
            let d = workload(&tf, &dir.join("data"), m.kind, true, &args, &base, round)?;
            let s = workload(
                &tf,
                &dir.join("segment"),
                m.kind,
                false,
                &args,
                &base,
                round,
            )?;
            println!(
                "round {}: apply {:.2} s vs {:.2} s, refresh plan {:.2} s vs {:.2} s \
                 ({} vs terraform_data); API requests: apply {}, plan {} (GET {} {})",
                round + 1,
                s.apply.as_secs_f64(),
                d.apply.as_secs_f64(),
                s.plan.as_secs_f64(),
                d.plan.as_secs_f64(),
                m.kind.type_name(),
                s.apply_requests.total(),
                s.plan_requests.total(),
                m.kind.list_route(),
                s.plan_requests.of("GET", m.kind.list_route()),
            );
            m.segment.push(s);
            m.data.push(d);
        }
    }
    check_created(&base, &token, &args)?;
    print!("{}", report(&args, &measured, &handshakes));
    Ok(())
}

/// Writes N resources of `kind` (or their `terraform_data` shape) into
/// `dir`, runs `init` (untimed), then times `apply` and a refresh `plan`
/// that must find nothing to change, counting the API requests of each.
fn workload(
    tf: &Terraform,
    dir: &Path,
    kind: Kind,
    data: bool,
    args: &Args,
    base: &str,
    round: usize,
) -> anyhow::Result<Run> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut main = String::new();
    if !data {
        main.push_str(&format!(
            "terraform {{\n  required_providers {{\n    segment = {{ source = \
             \"segment-gitops/segment\" }}\n  }}\n}}\n\nprovider \"segment\" {{\n  \
             url = \"{base}\"\n}}\n"
        ));
    }
    for i in 0..args.count {
        main.push_str(&kind.resource(data, round, i));
    }
    std::fs::write(dir.join("main.tf"), main).context("writing main.tf")?;
    tf.expect(dir, &["init", "-input=false"], &[0], |_| {})?;

    let parallelism = format!("-parallelism={}", args.parallelism);
    let watch = (!data).then(probe::MemoryWatch::start);
    let before = metrics::Counts::read(base)?;
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
    let applied = metrics::Counts::read(base)?;
    let plan = tf.expect(
        dir,
        &["plan", "-detailed-exitcode", "-input=false", &parallelism],
        &[0],
        |_| {},
    )?;
    let planned = metrics::Counts::read(base)?;
    Ok(Run {
        apply,
        plan,
        apply_requests: applied.since(&before),
        plan_requests: planned.since(&applied),
        peak,
    })
}

/// Every resource the applies made is in the workspace (through the typed
/// client), so no apply passed without doing its work.
fn check_created(base: &str, token: &str, args: &Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let client = segment_api::Client::new(segment_api::ClientConfig::new(base, token))?;
    let want = args.count * args.rounds;
    for kind in &args.kinds {
        let found = runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(120), async {
                Ok::<_, segment_api::Error>(match kind {
                    Kind::Source => client.list_sources().await?.len(),
                    Kind::Label => client.list_labels().await?.len(),
                })
            })
            .await
        });
        let found = found.context("listing timed out")??;
        ensure!(
            found == want,
            "the workspace holds {found} {}, not {want}",
            kind.type_name()
        );
    }
    Ok(())
}

fn report(args: &Args, measured: &[Measured], handshakes: &[Duration]) -> String {
    let mut out = String::new();
    for m in measured {
        let _ = writeln!(
            out,
            "\n{:<16} {:>16} {:>16} {:>7}  {:>12}  target",
            "workload",
            format!("{} s", m.kind.type_name()),
            "terraform_data s",
            "ratio",
            "API requests"
        );
        type Pick = fn(&Run) -> Duration;
        type Count = fn(&Run) -> u64;
        let rows: [(&str, Pick, Count); 2] = [
            ("apply (create)", |r| r.apply, |r| r.apply_requests.total()),
            ("refresh plan", |r| r.plan, |r| r.plan_requests.total()),
        ];
        for (name, pick, count) in rows {
            let s = bench::median(m.segment.iter().map(pick).collect());
            let d = bench::median(m.data.iter().map(pick).collect());
            let mut requests: Vec<u64> = m.segment.iter().map(count).collect();
            requests.sort_unstable();
            let requests = requests.get(requests.len() / 2).copied().unwrap_or(0);
            let ratio = s.as_secs_f64() / d.as_secs_f64().max(1e-9);
            let target = match m.kind {
                Kind::Source => 1.15,
                Kind::Label => 1.0,
            };
            let _ = writeln!(
                out,
                "{name:<16} {:>16.2} {:>16.2} {ratio:>7.2}  {requests:>12}  <= {target:.2}x {}",
                s.as_secs_f64(),
                d.as_secs_f64(),
                bench::verdict(ratio <= target)
            );
        }
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
    let peaks: Vec<&probe::Peak> = measured
        .iter()
        .flat_map(|m| m.segment.iter().filter_map(|r| r.peak.as_ref()))
        .collect();
    let kib = peaks.iter().map(|p| p.kib).max().unwrap_or(0);
    let processes: usize = peaks.iter().map(|p| p.processes).sum();
    let mb = kib as f64 / 1024.0;
    let _ = writeln!(
        out,
        "provider peak memory during the applies: {mb:.1} MB VmHWM \
         ({processes} provider processes in {} applies)  target < 30 MB {}",
        peaks.len(),
        bench::verdict(kib > 0 && mb < 30.0)
    );
    let _ = writeln!(
        out,
        "({} resources per workload, -parallelism={}, medians of {} rounds)",
        args.count, args.parallelism, args.rounds
    );
    out
}
