//! Shared harness for the end-to-end tests.
//!
//! Everything here is real: [`TestWorkspace`] runs the workspace server
//! (`segment-workspace`'s own `open` and `serve`) on a loopback port over a
//! fresh SQLite file, and tests talk to it over TCP with the typed
//! [`segment_api::Client`] or with raw HTTP when the request must be one the
//! client would never send (malformed JSON, no token, odd query styles). The
//! one deliberate fake is [`fake::ScriptedServer`], an HTTP server that
//! answers from a script, for the client's retry behaviour.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! use segment_e2e::{fixtures, TestWorkspace};
//!
//! let ws = TestWorkspace::start().await?;
//! let source = ws.owner().create_source(&fixtures::javascript_source("web")).await?;
//! assert_eq!(ws.reader().get_source(&source.id).await?.slug, "web");
//! # Ok(()) }
//! ```
//!
//! - [`workspace`]: [`TestWorkspace`], start / stop / restart over one database file.
//! - [`raw`]: raw HTTP requests and assertions on the API's error body.
//! - [`fixtures`]: catalog ids and create bodies whose required settings are filled.
//! - [`fake`]: the scripted HTTP server.
//! - [`postgres`]: a real PostgreSQL started by the test binary, for
//!   `TestWorkspace::start_postgres` and `SEGMENT_TEST_BACKEND=postgres`.

pub mod fake;
pub mod fixtures;
pub mod postgres;
pub mod raw;
pub mod workspace;

pub use raw::{assert_client_error, assert_error, Raw};
pub use segment_workspace::limits::RateLimitConfig;
pub use segment_workspace::store::Scope;
pub use workspace::{fast_retry, TestWorkspace, OWNER_EMAIL, READER_EMAIL};

use std::future::Future;
use std::time::Duration;

/// Awaits `fut`, failing the test with `what` when it takes longer than
/// `limit`: every wait in these tests is bounded.
pub async fn within<T>(limit: Duration, what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(limit, fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: still waiting after {limit:?}"),
    }
}
