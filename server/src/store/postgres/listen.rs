//! Commits of other processes: every write transaction notifies
//! [`CHANNEL`] (delivered at its commit), and this task turns the
//! notifications into ticks of the store's commit counter, so a long poll
//! in this process wakes for a write another process made.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;

use super::committer::CHANNEL;

/// Pause before listening again after the connection failed.
const RETRY: Duration = Duration::from_millis(500);

/// Runs until every receiver of `commits` is gone (the store was dropped).
pub(super) async fn follow_commits(pool: PgPool, commits: watch::Sender<u64>) {
    let tick = || commits.send_modify(|n| *n = n.wrapping_add(1));
    loop {
        let listening = listen(&pool, &tick);
        tokio::select! {
            _ = commits.closed() => return,
            e = listening => tracing::warn!("listening for other servers' commits: {e}"),
        }
        tokio::select! {
            _ = commits.closed() => return,
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

/// Listens and ticks until the connection fails for good; returns why.
async fn listen(pool: &PgPool, tick: &impl Fn()) -> sqlx::Error {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(l) => l,
        Err(e) => return e,
    };
    if let Err(e) = listener.listen(CHANNEL).await {
        return e;
    }
    // Commits made while not listening went unheard: wake waiters to read
    // again rather than sleep through them.
    tick();
    loop {
        match listener.try_recv().await {
            Ok(_) => tick(),
            // `Ok(None)` above: the connection dropped, and the next call
            // reconnects; the tick covers notifications lost in between.
            Err(e) => return e,
        }
    }
}
