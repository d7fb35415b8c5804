//! What the programs over this library (`segment-gitops`, `segment-demo`)
//! share at their edge: logs and command-line errors.

use std::process::ExitCode;

/// Logs on stderr, filtered by `SEGMENT_GITOPS_LOG` (warnings by default).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SEGMENT_GITOPS_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
}

/// The command line, or the exit code its answer ends with: help and
/// version are answers (0); every usage error is an error (1), as clap's 2
/// would read as "drift found" to a script.
pub fn parse<C: clap::Parser>() -> Result<C, ExitCode> {
    C::try_parse().map_err(|e| {
        let _ = e.print();
        if e.use_stderr() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    })
}
