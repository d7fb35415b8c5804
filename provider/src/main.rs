//! `terraform-provider-segment`: started by Terraform, or by hand with
//! `--debug`.

use std::process::ExitCode;

use terraform_provider_segment::plugin::{self, Handshake, HandshakeError};
use terraform_provider_segment::{logging, segment::SegmentProvider};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // What a person may type; Terraform itself passes no arguments.
    if args.iter().any(|a| a == "--version" || a == "-V") {
        println!("terraform-provider-segment {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", plugin::NOT_A_COMMAND);
        return ExitCode::SUCCESS;
    }
    let debug = args.iter().any(|a| a == "--debug" || a == "-debug");
    logging::init(logging::level_from_env(|k| std::env::var(k).ok()));

    let handshake = if debug {
        None
    } else {
        match Handshake::from_env(|k| std::env::var(k).ok()) {
            Ok(h) => Some(h),
            Err(HandshakeError::NoCookie) => {
                eprintln!("{}", plugin::NOT_A_COMMAND);
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("terraform-provider-segment: {e}");
                return ExitCode::FAILURE;
            }
        }
    };

    match run(handshake) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("terraform-provider-segment: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(handshake: Option<Handshake>) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let provider = SegmentProvider::new();
    runtime.block_on(async {
        match handshake {
            Some(handshake) => plugin::serve(provider, handshake).await,
            None => plugin::serve_debug(provider).await,
        }
    })?;
    // Leave now: dropping the runtime would wait on nothing useful, and
    // Terraform is timing our exit.
    std::process::exit(0);
}
