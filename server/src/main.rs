//! The `segment-workspace` command line: serve, token, seed, bench.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use segment_workspace::limits::{self, RateLimitConfig, RateLimitMode};
use segment_workspace::secrets::Keys;
use segment_workspace::store::{Actor, Batch, Doc, ListQuery, Scope, Store};
use segment_workspace::{ids, kind::Kind, AppState};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "segment-workspace",
    version,
    about = "A local workspace speaking Segment's Public API v1"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API. The first line on stdout is the base URL.
    Serve {
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = "127.0.0.1:8791")]
        listen: SocketAddr,
        /// Database URL: sqlite://FILE, created with its tables on first
        /// start, or postgres://USER:PASSWORD@HOST:PORT/DATABASE, an existing
        /// database that several servers may share (tables made on first start).
        #[arg(long, default_value = "sqlite://segment-workspace.db")]
        database: String,
        /// Adds this token as a workspace owner's (owner: --owner).
        #[arg(long, env = "SEGMENT_WORKSPACE_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Email of the owner of --token.
        #[arg(long, default_value = "owner@example.com")]
        owner: String,
        /// Fill an empty workspace with the sample (`seed --scale 1`) once
        /// it is listening; needs --token.
        #[arg(long)]
        seed: bool,
        /// With --seed: also Engage spaces, audiences and computed traits
        /// (`seed --engage`).
        #[arg(long, requires = "seed")]
        engage: bool,
        #[command(flatten)]
        key: KeyArg,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        http: segment_workspace::http::HttpArgs,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Fill a workspace through the API with a realistic sample.
    Seed(segment_workspace::seed::SeedArgs),
}

/// Segment's rate limits: on by default, as on Segment.
#[derive(clap::Args)]
struct LimitArgs {
    /// `segment`: a per-token budget and Segment's per-endpoint limits, with
    /// its headers and 429s; `off`: answer everything (seeds, benchmarks).
    #[arg(long, value_enum, default_value = "segment")]
    rate_limits: RateLimitMode,
    /// Multiplies every limit's pace: each keeps its count of requests in a
    /// minute divided by F (60: a minute's limits every second).
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    rate_limit_scale: f64,
    /// Requests per token per minute, before the per-endpoint limits.
    /// Segment does not publish its number; this is an assumption.
    #[arg(long, default_value_t = limits::DEFAULT_BUDGET_PER_MINUTE, value_name = "N")]
    rate_limit_budget: u32,
}

impl LimitArgs {
    fn config(&self) -> anyhow::Result<Option<RateLimitConfig>> {
        if self.rate_limits == RateLimitMode::Off {
            return Ok(None);
        }
        let config = RateLimitConfig::default()
            .with_scale(self.rate_limit_scale)?
            .with_budget(self.rate_limit_budget)?;
        Ok(Some(config))
    }
}

/// The server key: token digests and sealed settings secrets.
#[derive(clap::Args)]
struct KeyArg {
    /// A file of 64 hex digits (`openssl rand -hex 32`) keying token digests
    /// and sealing settings secrets at rest. Default on SQLite: `<db>.key`
    /// beside the database, made (mode 0600) on first start.
    #[arg(long, value_name = "PATH")]
    secrets_key_file: Option<PathBuf>,
}

impl KeyArg {
    fn keys(&self, database: &str) -> anyhow::Result<Keys> {
        Ok(Keys::load(database, self.secrets_key_file.as_deref())?)
    }
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print it (only its hash is stored).
    Create {
        #[arg(long, default_value = "sqlite://segment-workspace.db")]
        database: String,
        /// The owner's email; the audit trail records it.
        #[arg(long)]
        owner: String,
        /// The owner's display name (default: the email).
        #[arg(long)]
        name: Option<String>,
        /// workspace-owner (everything) or read-only (GET only).
        #[arg(long, default_value = "workspace-owner")]
        scope: String,
        #[command(flatten)]
        key: KeyArg,
    },
    /// List tokens: name, owner, scope, created (never a token or its digest).
    List {
        #[arg(long, default_value = "sqlite://segment-workspace.db")]
        database: String,
    },
    /// Revoke every token of this name; running servers refuse it within a second.
    Revoke {
        #[arg(long, default_value = "sqlite://segment-workspace.db")]
        database: String,
        /// The token's name (`token list` shows them).
        #[arg(long)]
        name: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SEGMENT_WORKSPACE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match Cli::parse().command {
        Command::Serve {
            listen,
            database,
            token,
            owner,
            seed,
            engage,
            key,
            limits,
            http,
        } => {
            let limits = limits.config()?;
            let keys = key.keys(&database)?;
            let options = ServeOptions {
                token,
                owner,
                seed: (seed, engage),
                limits,
                http: http.config()?,
            };
            serve(listen, &database, keys, options).await
        }
        Command::Token { command } => token_command(command).await,
        Command::Seed(args) => segment_workspace::seed::run(args).await,
    }
}

async fn token_command(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            database,
            owner,
            name,
            scope,
            key,
        } => {
            let scope = Scope::parse(&scope)
                .with_context(|| format!("--scope {scope:?}: use workspace-owner or read-only"))?;
            let keys = key.keys(&database)?;
            let store = segment_workspace::store::open(&database).await?;
            let token = ids::new_token();
            let actor = Actor {
                name: name.unwrap_or_else(|| owner.clone()),
                email: owner,
                scope,
            };
            register(store.as_ref(), &keys, &token, &actor).await?;
            println!("{token}");
            Ok(())
        }
        TokenCommand::List { database } => {
            let store = open_existing(&database).await?;
            let tokens = store.tokens().await?;
            let width = tokens
                .iter()
                .map(|t| t.name.len())
                .max()
                .unwrap_or(4)
                .max(4);
            println!("{:width$}  {:15}  {:24}  OWNER", "NAME", "SCOPE", "CREATED");
            for t in tokens {
                println!(
                    "{:width$}  {:15}  {:24}  {}",
                    t.name, t.scope, t.created_at, t.owner
                );
            }
            Ok(())
        }
        TokenCommand::Revoke { database, name } => {
            let store = open_existing(&database).await?;
            match store.revoke_tokens(&name).await? {
                0 => anyhow::bail!(
                    "--name {name:?}: no token has this name; `token list --database {database}` shows them"
                ),
                n => {
                    println!("revoked {n} token(s) named {name:?}");
                    Ok(())
                }
            }
        }
    }
}

/// The database, which must exist: listing or revoking tokens in a new,
/// empty one would only hide a mistyped path.
async fn open_existing(database: &str) -> anyhow::Result<Arc<dyn Store>> {
    if let Some(path) = segment_workspace::secrets::sqlite_file(database) {
        anyhow::ensure!(
            Path::new(&path).exists(),
            "--database {database}: no database at {}",
            path.display()
        );
    }
    Ok(segment_workspace::store::open(database).await?)
}

/// Stores a token's keyed digest and makes its owner a workspace user.
async fn register(
    store: &dyn Store,
    keys: &Keys,
    token: &str,
    actor: &Actor,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        actor.email.contains('@'),
        "--owner {:?} must be an email address",
        actor.email
    );
    store.create_token(&keys.token_hash(token), actor).await?;
    if store.find_by_key(Kind::User, &actor.email).await?.is_none() {
        let id = ids::new_id();
        let owner = segment_api::models::Permission {
            role_id: segment_workspace::routes::WORKSPACE_OWNER_ROLE.to_string(),
            role_name: "Workspace Owner".to_string(),
            resources: vec![segment_api::models::PermissionResource {
                id: store.workspace().await?.id,
                kind: "WORKSPACE".to_string(),
                labels: None,
            }],
            labels: None,
        };
        let user = segment_api::models::User {
            id: id.clone(),
            name: actor.name.clone(),
            email: actor.email.clone(),
            permissions: vec![owner],
        };
        let mut doc = Doc::new(Kind::User, &id, &actor.email, serde_json::Value::Null);
        doc.write(&user)?;
        let doc = doc.natural_key(&actor.email);
        // A concurrent registration of the same owner may win; that is fine.
        let _ = store.apply(Batch::default().create(doc), actor).await;
    }
    Ok(())
}

struct ServeOptions {
    token: Option<String>,
    owner: String,
    seed: (bool, bool),
    limits: Option<RateLimitConfig>,
    http: segment_workspace::http::HttpConfig,
}

async fn serve(
    listen: SocketAddr,
    database: &str,
    keys: Keys,
    options: ServeOptions,
) -> anyhow::Result<()> {
    let ServeOptions {
        token,
        owner,
        seed: (seed, engage),
        limits,
        http,
    } = options;
    let owner = owner.as_str();
    let store = segment_workspace::store::open(database)
        .await
        .with_context(|| {
            format!(
                "opening the database {}",
                segment_workspace::store::redacted(database)
            )
        })?;
    let token = token.filter(|t| !t.is_empty());
    anyhow::ensure!(
        !seed || token.is_some(),
        "--seed fills the workspace through the API and needs --token (or SEGMENT_WORKSPACE_TOKEN)"
    );
    if let Some(token) = &token {
        let actor = Actor {
            name: owner.to_string(),
            email: owner.to_string(),
            scope: Scope::WorkspaceOwner,
        };
        register(store.as_ref(), &keys, token, &actor).await?;
    }
    let already_seeded = !store
        .list(
            Kind::Source,
            &ListQuery {
                count: 1,
                ..Default::default()
            },
        )
        .await?
        .items
        .is_empty();
    let state = AppState::new(store, Arc::new(keys));
    let state = match limits {
        Some(config) => state.with_rate_limits(config),
        None => state,
    };
    // The seed is not limited: nobody else knows the server before it ends.
    let limits_after_seed = state.limits_handle();
    if seed {
        if let Some(l) = &limits_after_seed {
            l.set_active(false);
        }
    }
    let (bound_tx, bound_rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    // With --seed the URL line waits for the sample: whoever reads it (a
    // person about to curl, a script) finds the workspace filled.
    let seeding = seed && token.is_some();
    if let (true, Some(token)) = (seed, token) {
        // Seeding runs on a thread of its own: it is a client of this
        // server like any other, and its futures need not be Send.
        std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                eprintln!("seeding failed: no runtime");
                if let Some(l) = &limits_after_seed {
                    l.set_active(true);
                }
                return;
            };
            runtime.block_on(async move {
                let Ok(addr) = bound_rx.await else { return };
                if already_seeded {
                    eprintln!("the workspace already has sources; --seed left it as it is");
                    if let Some(l) = &limits_after_seed {
                        l.set_active(true);
                    }
                    print_url(addr);
                    return;
                }
                let seeded = async {
                    let client = segment_api::Client::new(segment_api::ClientConfig::new(
                        format!("http://{addr}"),
                        token,
                    ))?;
                    let counts = segment_workspace::seed::seed(&client, 1, 8).await?;
                    let engaged = match engage {
                        true => Some(segment_workspace::seed::engage::seed_engage(&client).await?),
                        false => None,
                    };
                    anyhow::Ok((counts, engaged))
                };
                match seeded.await {
                    Ok((counts, engaged)) => {
                        eprintln!("seeded the sample workspace: {}", counts.summary());
                        if let Some(e) = engaged {
                            eprintln!("seeded Engage: {}", e.summary());
                        }
                    }
                    Err(e) => eprintln!("seeding failed: {e:#}"),
                }
                if let Some(l) = &limits_after_seed {
                    l.set_active(true);
                }
                print_url(addr);
            });
        });
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    segment_workspace::http::serve(
        state,
        http,
        listen,
        |addr| {
            if seeding {
                let _ = bound_tx.send(addr);
            } else {
                print_url(addr);
            }
        },
        shutdown,
    )
    .await
}

/// The first line on stdout: the base URL, once it answers as promised.
fn print_url(addr: SocketAddr) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "http://{addr}");
    let _ = out.flush();
}
