//! The `segment-gitops` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use segment_api::{Client, ClientConfig};
use segment_gitops::deletion::{self, OnDelete};
use segment_gitops::dry_run::Rehearsal;
use segment_gitops::git::remote::Remote;
use segment_gitops::progress::Progress;
use segment_gitops::session::{Options, Session};
use segment_gitops::{poll, sync, watch};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "segment-gitops",
    version,
    about = "A Segment workspace as HCL in Git, kept in step with it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Export the whole workspace into the repository and commit.
    Export {
        #[command(flatten)]
        common: Common,
        /// Resource types whose blocks get `lifecycle { prevent_destroy =
        /// true }` (repeatable or comma-separated, e.g. segment_source):
        /// recorded in the manifest, so sync protects their new objects too.
        #[arg(long, value_name = "TYPE", value_delimiter = ',', value_parser = parse_protected)]
        protect: Vec<String>,
        /// Print what would be written and committed, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Follow the audit trail: one commit per change.
    Sync {
        #[command(flatten)]
        common: Common,
        /// Keep following until interrupted.
        #[arg(long)]
        watch: bool,
        /// Resync everything first (a full export).
        #[arg(long)]
        full: bool,
        /// Print no line per commit (errors still go to stderr).
        #[arg(long, short)]
        quiet: bool,
        /// With --watch, against a workspace that answers at once (Segment's
        /// API): the longest wait between requests while nothing happens
        /// (waits start at 1 s and double). Our workspace holds each request
        /// until an event arrives instead.
        #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = poll::parse_interval)]
        poll_interval: std::time::Duration,
        /// An object deleted in the workspace: remove its block (in a commit
        /// by who deleted it), keep the block without its import block (the
        /// next apply recreates the object), or fail (exit 4) before that
        /// event, so a later run with another choice handles it.
        #[arg(long, value_enum, default_value_t = OnDelete::Remove)]
        on_delete: OnDelete,
        /// Print what would be written and committed, and write nothing.
        #[arg(long, conflicts_with = "watch")]
        dry_run: bool,
    },
    /// List what differs between the repository's HEAD and the workspace (exit 2 when something does).
    Drift {
        #[command(flatten)]
        common: Common,
        /// Compare this commit, branch or tag instead of HEAD.
        #[arg(long)]
        rev: Option<String>,
    },
    /// Review a Terraform plan for a pull request: each change breaking,
    /// caution or safe, and what it means for the workspace.
    Check(segment_gitops::check::Args),
}

#[derive(Args)]
struct Common {
    /// The Git repository (created when missing).
    #[arg(long)]
    repo: PathBuf,
    /// Folder inside the repository for the HCL.
    #[arg(long, default_value = "")]
    path: String,
    /// Branch to commit on (the checked-out one by default).
    #[arg(long)]
    branch: Option<String>,
    /// The workspace's API URL.
    #[arg(
        long,
        env = "PUBLIC_API_URL",
        default_value = "https://api.segmentapis.com"
    )]
    url: String,
    /// A workspace token.
    #[arg(long, env = "PUBLIC_API_TOKEN", hide_env_values = true)]
    token: String,
    /// A space to export besides those the API lists (repeatable): for a token that cannot list spaces.
    #[arg(long = "space")]
    spaces: Vec<String>,
    /// Terraform state JSON naming resources the repository already manages.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Push every commit to this Git remote: an SSH URL (ssh://user@host/path
    /// or user@host:path), an HTTPS URL (token in SEGMENT_GITOPS_GIT_TOKEN) or
    /// a path. Never forced: when the branch moved there, our commits are
    /// rebased onto it first.
    #[arg(long)]
    remote: Option<String>,
    /// SSH private key for --remote; its passphrase, if any, in
    /// SEGMENT_GITOPS_SSH_PASSPHRASE. Without one the ssh-agent is asked.
    #[arg(long, env = "SEGMENT_GITOPS_SSH_KEY")]
    ssh_key: Option<PathBuf>,
    /// known_hosts file the SSH remote's host key must be in (default:
    /// ~/.ssh/known_hosts, then /etc/ssh/ssh_known_hosts).
    #[arg(long, env = "SEGMENT_GITOPS_KNOWN_HOSTS")]
    known_hosts: Option<PathBuf>,
}

/// A resource type `--protect` may name.
fn parse_protected(name: &str) -> std::result::Result<String, String> {
    if segment_gitops::kinds::by_type(name).is_some() {
        return Ok(name.to_string());
    }
    let valid: Vec<&str> = segment_gitops::kinds::all()
        .iter()
        .map(|k| k.type_name)
        .collect();
    Err(format!(
        "not a resource type the export writes; give one of: {}",
        valid.join(", ")
    ))
}

impl Common {
    fn session(&self) -> Result<Session> {
        self.session_with(Options::default(), None)
    }

    /// A session with `extra`'s policy fields; with `dry` on that copy of
    /// the repository, and no remote (a dry run neither fetches nor pushes).
    fn session_with(&self, extra: Options, dry: Option<&Rehearsal>) -> Result<Session> {
        let api = Client::new(ClientConfig::new(&self.url, &self.token))
            .context("setting up the API client")?;
        Session::open(
            api,
            Options {
                repo: dry.map_or_else(|| self.repo.clone(), |d| d.repo.clone()),
                path: self.path.clone(),
                branch: self.branch.clone(),
                spaces: self.spaces.clone(),
                state: self.state.clone(),
                remote: match dry {
                    Some(_) => None,
                    None => self.remote()?,
                },
                ..extra
            },
        )
    }

    /// The dry run's copy of the repository, when asked for one.
    fn rehearsal(&self, dry_run: bool) -> Result<Option<Rehearsal>> {
        if !dry_run {
            return Ok(None);
        }
        // Checked as a real run would, so a dry run refuses what it would.
        self.remote()?;
        Ok(Some(Rehearsal::prepare(&self.repo, &self.path)?))
    }

    /// The remote, with its secrets from the environment only (flags would
    /// show in `ps`).
    fn remote(&self) -> Result<Option<Remote>> {
        let Some(url) = &self.remote else {
            if self.ssh_key.is_some() {
                anyhow::bail!("--ssh-key is for pushing: give --remote URL too");
            }
            return Ok(None);
        };
        if let Some(key) = &self.ssh_key {
            if !key.is_file() {
                anyhow::bail!(
                    "--ssh-key {}: no such file; give the private key's path",
                    key.display()
                );
            }
        }
        let secret = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        Ok(Some(Remote {
            url: url.clone(),
            ssh_key: self.ssh_key.clone(),
            ssh_passphrase: secret("SEGMENT_GITOPS_SSH_PASSPHRASE"),
            token: secret("SEGMENT_GITOPS_GIT_TOKEN"),
            known_hosts: self.known_hosts.clone(),
        }))
    }
}

fn main() -> ExitCode {
    segment_gitops::cli::init_logging();
    // Before the runtime starts its threads.
    segment_gitops::git::configure_libgit2();
    let cli: Cli = match segment_gitops::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("segment-gitops: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(code) => code,
        Err(e) if e.downcast_ref::<deletion::Refused>().is_some() => {
            eprintln!("segment-gitops: {e:#}");
            ExitCode::from(deletion::EXIT_REFUSED)
        }
        Err(e) => {
            eprintln!("segment-gitops: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Check(args) => Ok(segment_gitops::check::run(&args).await?),
        Command::Export {
            common,
            protect,
            dry_run,
        } => {
            let dry = common.rehearsal(dry_run)?;
            let session = common.session_with(
                Options {
                    protect,
                    ..Default::default()
                },
                dry.as_ref(),
            )?;
            let work = async {
                let progress = Progress::new();
                let report = session
                    .export(&|n| progress.listed(n), &|| progress.read_one())
                    .await?;
                progress.finish();
                match &dry {
                    Some(d) => print!("{}", d.report()?),
                    None => print_report(&report),
                }
                println!("{}", segment_gitops::requests::summary());
                // Exported, but a person must clear what stood in the way;
                // the record in the repository has sync write it then.
                Ok(if report.unwritten.is_empty() {
                    ExitCode::SUCCESS
                } else {
                    ExitCode::FAILURE
                })
            };
            settle(&session, &common, work.await)
        }
        Command::Sync {
            common,
            watch,
            full,
            quiet,
            poll_interval,
            on_delete,
            dry_run,
        } => {
            let dry = common.rehearsal(dry_run)?;
            let session = common.session_with(
                Options {
                    on_delete,
                    ..Default::default()
                },
                dry.as_ref(),
            )?;
            let work = async {
                if full {
                    let report = session.export(&|_| {}, &|| {}).await?;
                    if !quiet && dry.is_none() {
                        print_report(&report);
                    }
                }
                let print = |c: &sync::Committed| {
                    if !quiet && dry.is_none() {
                        // A closed stdout (`| head`) must not stop the sync.
                        use std::io::Write;
                        let _ = writeln!(std::io::stdout().lock(), "{c}");
                    }
                };
                let progress = if watch {
                    let polling = poll::Polling {
                        interval: poll_interval,
                        ..Default::default()
                    };
                    watch::run(&session, &common.url, &print, polling, stopped()).await?
                } else {
                    // Told to stop, it stops after the commit in progress.
                    let mut state = sync::Follow::default();
                    tokio::select! {
                        done = sync::follow(&session, &mut state, &print) => done?,
                        _ = stopped() => {}
                    }
                    state.progress
                };
                if let Some(d) = &dry {
                    print!("{}", d.report()?);
                }
                if !quiet {
                    println!(
                        "{} events read, {} commits",
                        progress.events, progress.commits
                    );
                    println!("{}", segment_gitops::requests::summary());
                }
                Ok(ExitCode::SUCCESS)
            };
            let done = work.await;
            if let (Some(d), Err(_)) = (&dry, &done) {
                // What would have been committed before the stop.
                print!("{}", d.report()?);
            }
            settle(&session, &common, done)
        }
        Command::Drift { common, rev } => {
            let session = common.session()?;
            let work = async {
                let drift = session.drift(rev.as_deref()).await?;
                // A file Terraform would reject is an error, not drift.
                for e in &drift.errors {
                    println!("error: {e}");
                }
                for d in &drift.changes {
                    println!("{d}");
                }
                if !drift.errors.is_empty() {
                    return Ok(ExitCode::FAILURE);
                }
                if drift.changes.is_empty() {
                    println!("no drift: the repository matches the workspace");
                    return Ok(ExitCode::SUCCESS);
                }
                Ok(ExitCode::from(2))
            };
            settle(&session, &common, work.await)
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM, what a terminal and a service
/// manager send.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A failed run leaves no repository it created behind, and says which
/// workspace it could not reach rather than how the connection failed.
fn settle(session: &Session, common: &Common, done: Result<ExitCode>) -> Result<ExitCode> {
    let e = match done {
        Ok(code) => return Ok(code),
        Err(e) => e,
    };
    session.repo.undo_creation();
    let unreachable = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<segment_api::Error>(),
            Some(segment_api::Error::Transport { .. })
        )
    });
    if unreachable {
        return Err(anyhow::anyhow!(
            "could not reach the workspace at {} ({}): check --url (or PUBLIC_API_URL), \
             that the workspace is up, and that this machine can reach it (network, proxy, TLS)",
            common.url,
            e.root_cause()
        ));
    }
    Err(e)
}

fn print_report(report: &segment_gitops::session::Report) {
    match report.commit {
        Some(oid) => println!(
            "committed {} ({} resources; {} changes)",
            &oid.to_string()[..12],
            report.resources,
            report.summary.len()
        ),
        None => println!("no change ({} resources)", report.resources),
    }
    for e in &report.unwritten {
        eprintln!(
            "segment-gitops: {} was not written: {}; it is recorded in {}, and the next sync writes it once that is fixed",
            e.object(),
            e.reason,
            segment_gitops::unwritten::UNWRITTEN
        );
    }
}
