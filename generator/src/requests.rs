//! How many requests this process sent to the workspace, counted from the
//! event the API client emits before each attempt (retries included, as
//! the workspace's rate limit counts them), so export and sync can say
//! what they cost against the limit.

use std::sync::atomic::{AtomicU64, Ordering};

use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// The target of the client's per-attempt event.
pub const TARGET: &str = "segment_api::request";

static SENT: AtomicU64 = AtomicU64::new(0);

/// Requests sent so far; 0 unless [`Counter`] is installed.
pub fn sent() -> u64 {
    SENT.load(Ordering::Relaxed)
}

/// A `tracing` layer that counts the client's attempts.
pub struct Counter;

impl<S: Subscriber> Layer<S> for Counter {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == TARGET {
            SENT.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The line export and sync end with.
pub fn summary() -> String {
    match sent() {
        1 => "1 request to the workspace".to_string(),
        n => format!("{n} requests to the workspace"),
    }
}
