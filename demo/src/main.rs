//! `segment-demo`: a local workspace with a sample, exported to a new
//! repository, planned by Terraform, then followed through a change. When
//! Terraform starts it (with its magic cookie) it is the provider: the demo
//! installs this very binary as the provider, so it needs nothing but itself
//! and `terraform` on PATH.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

mod demo;

#[derive(Parser)]
#[command(
    version,
    about = "Start a local workspace with a sample, export it, plan it, follow a change."
)]
struct Cli {
    /// Where to put the demo (a new temporary folder when left out).
    dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    if std::env::var_os("TF_PLUGIN_MAGIC_COOKIE").is_some() {
        return serve_as_provider();
    }
    segment_gitops::cli::init_logging();
    let cli: Cli = match segment_gitops::cli::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    let done = tokio::runtime::Runtime::new()
        .map_err(anyhow::Error::from)
        .and_then(|runtime| runtime.block_on(demo::run(cli.dir)));
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("segment-demo: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve_as_provider() -> ExitCode {
    use terraform_provider_segment::plugin::{self, Handshake};
    use terraform_provider_segment::{logging, segment::SegmentProvider};
    logging::init(logging::level_from_env(|k| std::env::var(k).ok()));
    let served = Handshake::from_env(|k| std::env::var(k).ok())
        .map_err(anyhow::Error::from)
        .and_then(|handshake| {
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(plugin::serve(SegmentProvider::new(), handshake))?;
            Ok(())
        });
    match served {
        Ok(()) => std::process::exit(0),
        Err(e) => {
            eprintln!("segment-demo (as provider): {e:#}");
            ExitCode::FAILURE
        }
    }
}
