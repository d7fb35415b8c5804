//! What the programs over this library (`segment-gitops`, `segment-demo`)
//! share at their edge: logs and command-line errors.

use std::process::ExitCode;

/// Logs on stderr, filtered by `SEGMENT_GITOPS_LOG` (warnings by default),
/// and the count of requests sent ([`crate::requests`]), whatever the filter.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::Layer;
    let filter = tracing_subscriber::EnvFilter::try_from_env("SEGMENT_GITOPS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter);
    let counted =
        crate::requests::Counter.with_filter(tracing_subscriber::filter::filter_fn(|m| {
            m.target() == crate::requests::TARGET
        }));
    let _ = tracing_subscriber::registry()
        .with(logs)
        .with(counted)
        .try_init();
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
