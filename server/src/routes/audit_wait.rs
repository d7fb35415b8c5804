//! `wait=SECONDS` on the audit trail: a follower's request is held open
//! until an event after its cursor is committed or the wait ends, so a
//! follower learns of a change at once without asking ten times a second.
//! Segment's API ignores unknown query parameters, so a client may always
//! send it; only this workspace waits.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{AppError, AppResult};
use crate::store::{Page, StoreResult};
use crate::AppState;

/// The longest a request is held; more is capped, not refused.
pub const MAX_WAIT: Duration = Duration::from_secs(25);

/// The `wait` parameter: seconds, whole or not; absent is no wait.
pub fn parse(query: Option<&str>) -> AppResult<Duration> {
    let Some((_, v)) =
        url::form_urlencoded::parse(query.unwrap_or("").as_bytes()).find(|(k, _)| k == "wait")
    else {
        return Ok(Duration::ZERO);
    };
    match v.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => {
            Ok(Duration::from_secs_f64(s.min(MAX_WAIT.as_secs_f64())))
        }
        _ => Err(AppError::bad_request(
            "wait",
            format!(
                "wait must be a number of seconds from 0 to {}, not {v:?}",
                MAX_WAIT.as_secs()
            ),
        )),
    }
}

/// Reads a page; while it is empty, waits for the next commit and reads
/// again, until `wait` is over or the server stops. Bounded by `wait`.
pub async fn read_until<T, F, Fut>(
    state: &AppState,
    wait: Duration,
    mut read: F,
) -> AppResult<Page<T>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = StoreResult<Page<T>>>,
{
    // Subscribed before the first read, so a commit between that read and
    // the wait still wakes it.
    let mut commits = state.store.commits();
    commits.borrow_and_update();
    let mut stopping = state.stopping.subscribe();
    let deadline = Instant::now() + wait;
    loop {
        let page = read().await?;
        if !page.items.is_empty() || wait.is_zero() || *stopping.borrow_and_update() {
            return Ok(page);
        }
        tokio::select! {
            changed = commits.changed() => {
                if changed.is_err() {
                    return Ok(page);
                }
            }
            _ = stopping.changed() => return Ok(page),
            _ = tokio::time::sleep_until(deadline) => return Ok(page),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wait_is_capped_and_bad_values_name_it() {
        assert_eq!(parse(None).unwrap(), Duration::ZERO);
        assert_eq!(parse(Some("wait=2")).unwrap(), Duration::from_secs(2));
        assert_eq!(
            parse(Some("wait=0.25")).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(parse(Some("wait=600")).unwrap(), MAX_WAIT);
        for bad in ["wait=-1", "wait=soon", "wait=", "wait=NaN", "wait=inf"] {
            let err = parse(Some(bad)).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("wait"), "{bad}");
            assert_eq!(err.status, axum::http::StatusCode::BAD_REQUEST);
        }
    }
}
