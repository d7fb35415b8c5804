//! `segment-workspace seed`: fills a workspace through the API with a
//! realistic sample of every resource type.
//!
//! Everything goes through [`segment_api::Client`], never the database, so
//! the seed exercises the same paths as the provider and works against any
//! server speaking Public API v1. What to create is decided first, without
//! I/O ([`plan`]); then three phases run with at most `--concurrency`
//! requests in flight: workspace-wide resources (labels, warehouses,
//! functions, tracking plans), one chain per source (the source and
//! everything hanging off it), and people (invites, user groups).
//!
//! Idempotence: the seed refuses to run when the workspace already holds a
//! source with one of its slugs, and says so before creating anything. Source
//! slugs are unique in a workspace, so a second run could only half-succeed;
//! refusing up front leaves the workspace as it was. Labels that already
//! exist are reused (they are shared vocabulary, not seed data).

pub mod engage;
mod names;
mod people;
mod plan;
mod settings;
mod sources;
mod workspace;

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use futures::stream::{self, StreamExt, TryStreamExt};
use segment_api::{Client, ClientConfig};

use plan::{CatalogView, Plan};

#[derive(Debug, Args)]
#[command(
    after_help = "Seeding twice is refused: when the workspace already has a source with \
one of the seed's slugs, nothing is created. Labels that exist are reused."
)]
pub struct SeedArgs {
    /// The workspace's base URL (or PUBLIC_API_URL).
    #[arg(long, env = "PUBLIC_API_URL")]
    pub url: String,
    /// A workspace-owner token (or PUBLIC_API_TOKEN).
    #[arg(long, env = "PUBLIC_API_TOKEN", hide_env_values = true)]
    pub token: String,
    /// How many sources to make (at least the demo's 12); everything else
    /// comes in proportion.
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Also make Engage spaces (Marketing, Product), each with two
    /// audiences and two computed traits.
    #[arg(long)]
    pub engage: bool,
}

pub async fn run(args: SeedArgs) -> anyhow::Result<()> {
    let config = ClientConfig::new(&args.url, &args.token).with_user_agent(concat!(
        "segment-workspace-seed/",
        env!("CARGO_PKG_VERSION")
    ));
    let client = Client::new(config)?;
    let started = Instant::now();
    let counts = seed(&client, args.scale, usize::from(args.concurrency)).await?;
    println!(
        "seeded {} in {:.2} s: {}",
        client.base_url(),
        started.elapsed().as_secs_f64(),
        counts.summary()
    );
    if args.engage {
        let engage = engage::seed_engage(&client).await?;
        println!("seeded Engage: {}", engage.summary());
    }
    Ok(())
}

/// What a seed created, counted as it goes (so a failure can say how far it got).
#[derive(Debug, Default)]
pub struct Counts {
    pub labels: AtomicU64,
    pub sources: AtomicU64,
    pub destinations: AtomicU64,
    pub filters: AtomicU64,
    pub subscriptions: AtomicU64,
    pub warehouses: AtomicU64,
    pub warehouse_connections: AtomicU64,
    pub tracking_plans: AtomicU64,
    pub rules: AtomicU64,
    pub tracking_plan_connections: AtomicU64,
    pub functions: AtomicU64,
    pub insert_function_instances: AtomicU64,
    pub transformations: AtomicU64,
    pub reverse_etl_models: AtomicU64,
    pub user_groups: AtomicU64,
    pub invites: AtomicU64,
}

impl Counts {
    fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }

    pub fn summary(&self) -> String {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            (n(&self.sources), "sources"),
            (n(&self.destinations), "destinations"),
            (n(&self.filters), "destination filters"),
            (n(&self.subscriptions), "destination subscriptions"),
            (n(&self.warehouses), "warehouses"),
            (n(&self.warehouse_connections), "warehouse connections"),
            (n(&self.tracking_plans), "tracking plans"),
            (n(&self.rules), "rules"),
            (
                n(&self.tracking_plan_connections),
                "tracking plan connections",
            ),
            (n(&self.functions), "functions"),
            (
                n(&self.insert_function_instances),
                "insert function instances",
            ),
            (n(&self.transformations), "transformations"),
            (n(&self.reverse_etl_models), "reverse ETL models"),
            (n(&self.labels), "labels"),
            (n(&self.user_groups), "user groups"),
            (n(&self.invites), "invites"),
        ]
        .iter()
        .map(|(n, what)| format!("{n} {what}"))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// What every phase reads.
struct Ctx {
    client: Client,
    catalog: CatalogView,
    plan: Plan,
    workspace_id: String,
    concurrency: usize,
    counts: Counts,
}

/// Seeds the workspace `client` talks to; see the module docs.
pub async fn seed(client: &Client, scale: u32, concurrency: usize) -> anyhow::Result<Counts> {
    let workspace = client
        .get_workspace()
        .await
        .context("reading the workspace (is the URL and token right?)")?;
    let (sources, destinations, warehouses) = futures::try_join!(
        client.list_source_catalog(),
        client.list_destination_catalog(),
        client.list_warehouse_catalog(),
    )
    .context("reading the catalog")?;
    let catalog = CatalogView {
        sources,
        destinations,
        warehouses,
    };
    let plan = plan::build(scale, &catalog)?;
    refuse_existing(client, &plan).await?;
    let ctx = Ctx {
        client: client.clone(),
        catalog,
        plan,
        workspace_id: workspace.id,
        concurrency: concurrency.max(1),
        counts: Counts::default(),
    };
    let result = async {
        let globals = workspace::create(&ctx)
            .await
            .context("creating workspace-wide resources")?;
        let source_ids = sources::create_all(&ctx, &globals).await?;
        people::create(&ctx, &source_ids)
            .await
            .context("creating invites and user groups")
    }
    .await;
    match result {
        Ok(()) => Ok(ctx.counts),
        Err(e) => Err(e.context(format!("seed stopped after {}", ctx.counts.summary()))),
    }
}

/// Fails before any write when a seed source's slug is taken.
async fn refuse_existing(client: &Client, plan: &Plan) -> anyhow::Result<()> {
    let existing = client
        .list_sources()
        .await
        .context("listing the workspace's sources")?;
    let ours: HashSet<&str> = plan.sources.iter().map(|s| s.slug.as_str()).collect();
    let taken: Vec<&str> = existing
        .iter()
        .map(|s| s.slug.as_str())
        .filter(|s| ours.contains(s))
        .collect();
    if let Some(first) = taken.first() {
        anyhow::bail!(
            "the workspace already has {} of the seed's {} sources (such as {first:?}): \
             it was seeded before. Seed an empty workspace (a fresh --database), or delete \
             those sources first",
            taken.len(),
            plan.sources.len()
        );
    }
    Ok(())
}

/// Runs `jobs` with at most `concurrency` in flight, stopping at the first
/// error (the others are dropped, which cancels their requests).
async fn run_bounded<T, F>(concurrency: usize, jobs: Vec<F>) -> anyhow::Result<Vec<T>>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    stream::iter(jobs)
        .buffer_unordered(concurrency)
        .try_collect()
        .await
}

/// A short deterministic salt per resource, so settings differ but reruns match.
fn salt(kind: u64, index: usize) -> u64 {
    settings::mix(kind.wrapping_mul(1_000_003) ^ index as u64)
}

/// Progress for long seeds: one line every few seconds on stderr.
fn progress(ctx: &Ctx, last: &mut Instant) {
    if last.elapsed() >= Duration::from_secs(5) {
        *last = Instant::now();
        eprintln!("seed: {}", ctx.counts.summary());
    }
}
