//! The committer: as on SQLite, one task per process commits queued batches
//! in groups that share one transaction, each batch in a savepoint.
//!
//! Several processes may write one database, so each group first takes a
//! transaction-scoped advisory lock ([`WRITE_LOCK`]): writers of every
//! process take turns, as SQLite's one writer does. Why a lock and not a
//! sequence: audit seqs must become visible in order (a follower that read
//! seq N+1 never gets N later) and without gaps (the unfiltered total is the
//! last seq). A sequence hands out numbers at insert time, so a transaction
//! holding N may commit after one holding N+1, and a rolled-back batch
//! leaves a hole. Under the lock a writer assigns `MAX(seq) + 1`; the lock
//! is released only after the commit is visible (PostgreSQL ends a
//! transaction's visibility before it releases its locks), so the next
//! writer's MAX already counts it. The lock also keeps reference checks and
//! cascaded deletes from racing another process's writes, which READ
//! COMMITTED alone would allow. The cost is one writer at a time across
//! processes; group commit keeps that to one fsync per group.

use sqlx::{Acquire, PgPool};
use tokio::sync::{mpsc, oneshot, watch};

use super::backend;
use super::writes::apply_in;
use crate::store::{Actor, Batch, StoreError, StoreResult};

/// A batch waiting to be committed, and where its outcome goes.
pub(super) struct Pending {
    pub(super) batch: Batch,
    pub(super) actor: Actor,
    pub(super) done: oneshot::Sender<StoreResult<()>>,
}

/// The most batches one transaction carries (as on SQLite).
const GROUP_MAX: usize = 64;

/// The advisory lock every write transaction takes: any constant no other
/// application on the database uses ("segm" in ASCII).
pub(super) const WRITE_LOCK: i64 = 0x7365_676d;

/// Where commits are announced to the other processes (see `listen.rs`).
pub(super) const CHANNEL: &str = "segment_workspace_commits";

/// Commits queued batches until the store is dropped, as many per
/// transaction as are waiting, up to [`GROUP_MAX`]. `committed` counts the
/// groups that wrote something, after their commit.
pub(super) async fn commit_groups(
    pool: PgPool,
    mut queue: mpsc::Receiver<Pending>,
    committed: watch::Sender<u64>,
) {
    while let Some(first) = queue.recv().await {
        let mut group = vec![first];
        while group.len() < GROUP_MAX {
            match queue.try_recv() {
                Ok(p) => group.push(p),
                Err(_) => break,
            }
        }
        let outcomes = commit_group(&pool, &group).await;
        if outcomes.iter().any(Result::is_ok) {
            committed.send_modify(|n| *n = n.wrapping_add(1));
        }
        for (p, outcome) in group.into_iter().zip(outcomes) {
            // A caller that went away finds its batch committed all the same.
            let _ = p.done.send(outcome);
        }
    }
}

async fn commit_group(pool: &PgPool, group: &[Pending]) -> Vec<StoreResult<()>> {
    let mut outcomes = Vec::with_capacity(group.len());
    let committed: StoreResult<()> = async {
        let mut tx = pool.begin().await.map_err(backend)?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(WRITE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        // Delivered at commit, and only if the transaction commits.
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CHANNEL)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        if let [alone] = group {
            let outcome = apply_in(&mut tx, &alone.batch, &alone.actor).await;
            let ended = match &outcome {
                Ok(()) => tx.commit().await,
                Err(_) => tx.rollback().await,
            };
            outcomes.push(outcome);
            return ended.map_err(backend);
        }
        for p in group {
            let mut savepoint = (&mut tx).begin().await.map_err(backend)?;
            let outcome = apply_in(&mut savepoint, &p.batch, &p.actor).await;
            match &outcome {
                Ok(()) => savepoint.commit().await,
                Err(_) => savepoint.rollback().await,
            }
            .map_err(backend)?;
            outcomes.push(outcome);
        }
        tx.commit().await.map_err(backend)
    }
    .await;
    if let Err(e) = committed {
        // Nothing of the group committed: batches that had applied cleanly
        // fail with the commit's error, the others keep their own.
        let message = e.to_string();
        outcomes.resize_with(group.len(), || Ok(()));
        for o in outcomes.iter_mut().filter(|o| o.is_ok()) {
            *o = Err(StoreError::Backend(message.clone()));
        }
    }
    outcomes
}
