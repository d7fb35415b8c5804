//! The committer: one task owns the writing and commits queued batches in
//! groups that share one transaction, and so one fsync.

use sqlx::{Acquire, SqlitePool};
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

/// The most batches one transaction carries: enough to share an fsync among
/// every request in flight, few enough that a group commits in milliseconds.
const GROUP_MAX: usize = 64;

pub(super) type Tx<'a> = sqlx::Transaction<'a, sqlx::Sqlite>;

/// Commits queued batches until the store is dropped (the queue's only
/// sender), as many per transaction as are waiting, up to [`GROUP_MAX`].
/// `committed` counts the groups that wrote something, after their commit.
pub(super) async fn commit_groups(
    pool: SqlitePool,
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
            // Readers see the commit by now: a woken long poll finds it.
            committed.send_modify(|n| *n = n.wrapping_add(1));
        }
        for (p, outcome) in group.into_iter().zip(outcomes) {
            // A caller that went away finds its batch committed all the same,
            // as when an answer is lost on the wire.
            let _ = p.done.send(outcome);
        }
    }
}

/// One transaction for the whole group; every batch in a savepoint, so a
/// failing batch rolls back alone. Answers one outcome per batch.
async fn commit_group(pool: &SqlitePool, group: &[Pending]) -> Vec<StoreResult<()>> {
    let mut outcomes = Vec::with_capacity(group.len());
    let committed: StoreResult<()> = async {
        let mut tx = pool.begin().await.map_err(backend)?;
        if let [alone] = group {
            // No savepoint needed: the transaction is the batch's own.
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
        // Nothing of the group reached the disk: batches that had applied
        // cleanly fail with the commit's error, the others keep their own.
        let message = e.to_string();
        outcomes.resize_with(group.len(), || Ok(()));
        for o in outcomes.iter_mut().filter(|o| o.is_ok()) {
            *o = Err(StoreError::Backend(message.clone()));
        }
    }
    outcomes
}
