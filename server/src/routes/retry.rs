//! Optimistic writes: a batch is made from fresh reads and names the
//! versions it read; when another writer got there first the store answers
//! `Stale`, and the caller makes the batch again from what is there now, so
//! no update is lost and none is applied twice.

use crate::error::{AppError, AppResult};
use crate::store::{Actor, Batch, StoreError};
use crate::AppState;

/// How often a write is made again before the request gives up with a 409.
const ATTEMPTS: usize = 32;

/// The attempts of one optimistic write. Callers loop
/// `loop { read; make batch; if retry.commit(..)? { return } }`: the loop
/// ends because `commit` fails once the attempts are spent.
pub struct Retry {
    left: usize,
    field: &'static str,
    what: String,
}

impl Retry {
    /// `what` says what others are changing, with its verb ("groups are").
    pub fn new(field: &'static str, what: impl Into<String>) -> Retry {
        Retry {
            left: ATTEMPTS,
            field,
            what: what.into(),
        }
    }

    /// Applies `batch`: true once it committed, false when it was stale and
    /// should be made again; a 409 on the field when no attempt is left.
    pub async fn commit(
        &mut self,
        state: &AppState,
        batch: Batch,
        actor: &Actor,
    ) -> AppResult<bool> {
        match state.store.apply(batch, actor).await {
            Ok(()) => Ok(true),
            Err(StoreError::Stale { .. }) if self.left > 1 => {
                self.left -= 1;
                Ok(false)
            }
            Err(StoreError::Stale { .. }) => Err(AppError::conflict(
                self.field,
                format!(
                    "{} being changed by many requests at once; try again",
                    self.what
                ),
            )),
            Err(e) => Err(e.into()),
        }
    }
}
