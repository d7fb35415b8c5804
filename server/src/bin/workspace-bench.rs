//! `workspace-bench`: starts the real `segment-workspace serve` on loopback
//! with a fresh database, seeds N sources through the API, then measures
//! reads, full listings and creates, and prints them against the targets.
//!
//! Run: `cargo build --release -p segment-workspace && \
//!       cargo run --release -p segment-workspace --bin workspace-bench -- --sources 10000`
//!
//! A command, not a test: its figures depend on the machine. Every loop is
//! bounded by a deadline and a request cap, and the server is killed when the
//! bench ends, however it ends.

#[path = "workspace_bench/load.rs"]
mod load;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use load::{Target, Workload};

#[derive(Parser)]
#[command(about = "Benchmark segment-workspace over loopback HTTP")]
struct Args {
    /// Sources to seed before measuring.
    #[arg(long, default_value_t = 10_000)]
    sources: usize,
    /// How long each timed workload runs.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent workers (each one request in flight) for timed workloads.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: u16,
    /// Full listings to time (the median is reported).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=100))]
    listings: u16,
    /// The server binary (default: `segment-workspace` next to this one).
    #[arg(long)]
    server: Option<PathBuf>,
    /// The server's database (default: a fresh SQLite file). Give an empty
    /// PostgreSQL database, `postgres://USER@HOST:PORT/DB`, to measure that
    /// backend: the bench seeds it and counts on nothing else being there.
    #[arg(long)]
    database: Option<String>,
    /// Also time the GETs split over this many servers on the database, and
    /// print them beside one server's (several need `--database postgres://`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=8))]
    servers: u8,
    /// Count Segment's rate limits (with a budget no workload reaches), to
    /// measure what counting costs a request; off by default.
    #[arg(long)]
    rate_limits: bool,
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir =
            std::env::temp_dir().join(format!("workspace-bench-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The server process; `kill_on_drop` stops it on every exit path.
struct Server {
    child: Child,
    base: String,
}

async fn start_server(
    binary: &PathBuf,
    dir: &TempDir,
    database: Option<&str>,
    token: &str,
    rate_limits: bool,
) -> anyhow::Result<Server> {
    let database = match database {
        Some(url) => url.to_string(),
        None => format!("sqlite://{}", dir.0.join("bench.db").display()),
    };
    // PostgreSQL has no folder for the server key: every server of the
    // bench on it shares one file.
    let key = dir.0.join("server.key");
    if !key.exists() {
        std::fs::write(&key, "5e".repeat(32)).context("writing the bench's server key")?;
    }
    // Benchmarks measure the tools, not Segment's limits; counted, the
    // budget is the largest there is, so only the counting costs.
    let limits: &[&str] = match rate_limits {
        false => &["--rate-limits", "off"],
        true => &[
            "--rate-limits",
            "segment",
            "--rate-limit-budget",
            "4294967295",
        ],
    };
    let mut child = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0", "--database", &database])
        .arg("--secrets-key-file")
        .arg(&key)
        .args(limits)
        // The token goes by environment, not argv, so `ps` does not show it.
        .env("SEGMENT_WORKSPACE_TOKEN", token)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child
        .stdout
        .take()
        .context("the server's stdout is not piped")?;
    let mut first = String::new();
    // The server prints its base URL first; give it a bounded time to start.
    tokio::time::timeout(
        Duration::from_secs(30),
        BufReader::new(stdout).read_line(&mut first),
    )
    .await
    .context("the server did not print its URL within 30 s")?
    .context("reading the server's stdout")?;
    let base = first.trim().trim_end_matches('/').to_string();
    anyhow::ensure!(
        base.starts_with("http://"),
        "the server's first line is {first:?}, not its URL"
    );
    Ok(Server { child, base })
}

fn server_binary(given: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p,
        None => std::env::current_exe()
            .context("locating this executable")?
            .with_file_name(format!("segment-workspace{}", std::env::consts::EXE_SUFFIX)),
    };
    anyhow::ensure!(
        path.is_file(),
        "no server binary at {}: build both with `cargo build --release -p segment-workspace`",
        path.display()
    );
    Ok(path)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = server_binary(args.server.clone())?;
    let postgres = args
        .database
        .as_deref()
        .is_some_and(|d| d.starts_with("postgres://") || d.starts_with("postgresql://"));
    anyhow::ensure!(
        args.servers == 1 || postgres,
        "--servers {} needs --database postgres://...: SQLite serves one process",
        args.servers
    );
    let dir = TempDir::new()?;
    let token = segment_workspace::ids::new_token();
    let mut servers = Vec::new();
    for _ in 0..args.servers {
        let database = args.database.as_deref();
        servers.push(start_server(&binary, &dir, database, &token, args.rate_limits).await?);
    }
    let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
    let pids: Vec<Option<u32>> = servers.iter().map(|s| s.child.id()).collect();
    let result = bench(&args, &bases, &token, &pids).await;
    // Stop the servers before reporting, so a failure leaves none behind.
    for server in &mut servers {
        let _ = server.child.kill().await;
    }
    result
}

async fn bench(
    args: &Args,
    bases: &[String],
    token: &str,
    pids: &[Option<u32>],
) -> anyhow::Result<()> {
    let workers = usize::from(args.workers);
    let base = &bases[0];
    let target = Target::new(base, token, workers)?;
    let duration = Duration::from_secs(args.seconds.max(1));
    println!("server {base}; seeding {} sources…", args.sources);

    let seeded = load::seed_sources(&target, args.sources, 64).await?;
    println!(
        "seeded {} sources in {:.2} s ({:.0} creates/s, 64 in flight)",
        seeded.ids.len(),
        seeded.elapsed.as_secs_f64(),
        seeded.ids.len() as f64 / seeded.elapsed.as_secs_f64().max(1e-9)
    );
    anyhow::ensure!(
        !seeded.ids.is_empty(),
        "no sources to read: pass --sources 1 or more"
    );

    let cpu = ServerCpu(pids[..1].to_vec());
    let before = cpu.now();
    let get = load::timed(&target, workers, duration, Workload::Get(&seeded.ids)).await?;
    let after_get = cpu.now();
    // The same GETs split over every server (their CPU summed), beside one.
    let split = match bases.len() {
        1 => None,
        n => {
            let every = ServerCpu(pids.to_vec());
            let target = Target::split(bases, token, workers)?;
            let from = every.now();
            let m = load::timed(&target, workers, duration, Workload::Get(&seeded.ids)).await?;
            let cpu = per_request(from, every.now(), m.requests);
            Some((format!("GET /sources/{{id}}, {n} servers"), m, cpu))
        }
    };
    let before_listing = cpu.now();
    let listing = load::listings(&target, usize::from(args.listings), args.sources).await?;
    let after_listing = cpu.now();
    let create = load::timed(&target, workers, duration, Workload::Create).await?;
    let after_create = cpu.now();

    println!();
    println!(
        "{:<31} {:>9} {:>9} {:>8} {:>8} {:>6} {:>13}",
        "workload", "requests", "req/s", "p50 ms", "p99 ms", "errors", "server µs/req"
    );
    let mut rows = vec![(
        "GET /sources/{id}".to_string(),
        &get,
        per_request(before, after_get, get.requests),
    )];
    if let Some((name, m, cpu)) = &split {
        rows.push((name.clone(), m, cpu.clone()));
    }
    for (name, r, cpu) in rows.into_iter().chain([
        (
            "GET /sources page (count 200)".to_string(),
            &listing.pages,
            per_request(before_listing, after_listing, listing.pages.requests),
        ),
        (
            "POST /sources".to_string(),
            &create,
            per_request(after_listing, after_create, create.requests),
        ),
    ]) {
        println!(
            "{:<31} {:>9} {:>9.0} {:>8.2} {:>8.2} {:>6} {:>13}",
            name,
            r.requests,
            r.per_second(),
            r.percentile_ms(50.0),
            r.percentile_ms(99.0),
            r.errors,
            cpu
        );
    }
    let runs: Vec<String> = listing
        .walls
        .iter()
        .map(|d| format!("{:.3}", d.as_secs_f64()))
        .collect();
    let median = listing.median();
    println!(
        "full listing of {} sources: median {:.3} s (runs: {} s)",
        listing.items,
        median.as_secs_f64(),
        runs.join(", ")
    );
    println!();
    let get_ok = get.per_second() >= 5_000.0 && get.percentile_ms(99.0) < 10.0;
    let list_ok = median < Duration::from_secs(1);
    println!(
        "target GET >= 5,000/s with p99 < 10 ms: {} ({:.0}/s, p99 {:.2} ms, {} workers)",
        verdict(get_ok),
        get.per_second(),
        get.percentile_ms(99.0),
        workers
    );
    println!(
        "target full listing of {} sources < 1 s: {} ({:.3} s)",
        listing.items,
        verdict(list_ok),
        median.as_secs_f64()
    );
    if let Some((_, m, _)) = &split {
        println!(
            "target GETs on {} servers above one: {} ({:.0}/s against {:.0}/s, {:.2}x)",
            bases.len(),
            verdict(m.per_second() > get.per_second()),
            m.per_second(),
            get.per_second(),
            m.per_second() / get.per_second().max(1e-9)
        );
    }
    let split_errors = split.as_ref().map_or(0, |(_, m, _)| m.errors);
    let failed = get.errors + create.errors + listing.pages.errors + split_errors;
    anyhow::ensure!(failed == 0, "{failed} requests failed; see the table");
    Ok(())
}

/// The server's CPU time (user + system, all threads), read from
/// `/proc/<pid>/stat`, summed over the servers. On a shared machine CPU per
/// request compares two builds better than wall-clock throughput does.
struct ServerCpu(Vec<Option<u32>>);

impl ServerCpu {
    fn now(&self) -> Option<Duration> {
        self.0.iter().map(|pid| Self::of(*pid)).sum()
    }

    fn of(pid: Option<u32>) -> Option<Duration> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
        // Fields after the parenthesised command name; utime and stime are
        // the 14th and 15th fields of the line, in clock ticks.
        let rest = stat.rsplit_once(')')?.1;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let ticks: u64 =
            fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        // USER_HZ is 100 on every Linux this runs on.
        Some(Duration::from_millis(ticks * 10))
    }
}

fn per_request(from: Option<Duration>, to: Option<Duration>, requests: u64) -> String {
    match (from, to) {
        (Some(a), Some(b)) if requests > 0 => {
            format!(
                "{:.0}",
                b.saturating_sub(a).as_secs_f64() * 1e6 / requests as f64
            )
        }
        _ => "-".into(),
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}
