//! `sync --watch` as a service: it rides out outages of the workspace and
//! of the Git remote with capped exponential backoff, says once when one
//! starts and once when it ends, and stops only for what waiting cannot
//! fix (a refused token, a repository it cannot write) or when told to.

use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::git::remote::RemoteError;
use crate::poll::{Idle, Polling};
use crate::session::Session;
use crate::sync::{self, Committed, Follow, Progress};

/// The first wait after a failure; each further failure doubles it.
const FIRST_WAIT: Duration = Duration::from_millis(500);
/// The longest wait between attempts.
const MAX_WAIT: Duration = Duration::from_secs(30);

/// What an outage is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outage {
    /// The workspace's API: no answer, a timeout, a 5xx or a 429.
    Workspace,
    /// The Git remote's network: the commits are made and pushed later.
    Remote,
}

/// What a failed pass means for a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// Waiting fixes it: try again after a backoff.
    Outage(Outage),
    /// Only a person fixes it (a refused token, a conflict, a repository
    /// that cannot be written): exit 1 and say what.
    Fatal,
}

/// Tells passing trouble from trouble a restart cannot fix. The first
/// error of ours in the chain decides; anything unknown is fatal, so a
/// broken repository is never retried in a loop.
pub fn classify(e: &anyhow::Error) -> Class {
    for cause in e.chain() {
        if let Some(api) = cause.downcast_ref::<segment_api::Error>() {
            return match api {
                // A proxy's error page during an outage decodes as nothing.
                segment_api::Error::Transport { .. } | segment_api::Error::Decode { .. } => {
                    Class::Outage(Outage::Workspace)
                }
                segment_api::Error::Api(a) if matches!(a.status, 408 | 425 | 429 | 500..) => {
                    Class::Outage(Outage::Workspace)
                }
                // 401 and 403 (token refused) and requests the API rejects.
                _ => Class::Fatal,
            };
        }
        if let Some(remote) = cause.downcast_ref::<RemoteError>() {
            return match remote {
                RemoteError::Moving { .. } => Class::Outage(Outage::Remote),
                RemoteError::Git { cause, .. } if network(cause) => Class::Outage(Outage::Remote),
                _ => Class::Fatal,
            };
        }
    }
    Class::Fatal
}

/// A Git error of the connection itself, not of credentials or host keys.
fn network(e: &git2::Error) -> bool {
    use git2::{ErrorClass, ErrorCode};
    let refused = matches!(
        e.code(),
        ErrorCode::Auth | ErrorCode::Certificate | ErrorCode::User
    );
    !refused
        && matches!(
            e.class(),
            ErrorClass::Net | ErrorClass::Http | ErrorClass::Os
        )
}

/// Capped exponential backoff: 0.5 s, 1 s, 2 s, … 30 s, then 30 s.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: FIRST_WAIT }
    }
}

impl Backoff {
    /// The wait before the next attempt.
    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (wait * 2).min(MAX_WAIT);
        wait
    }

    pub fn reset(&mut self) {
        self.next = FIRST_WAIT;
    }
}

/// Whether the watch is in an outage, to log each change of state once
/// rather than once per attempt.
struct Health<'a> {
    url: &'a str,
    down: Option<(Outage, Instant)>,
}

impl Health<'_> {
    fn failed(&mut self, outage: Outage, e: &anyhow::Error) {
        if self.down.map(|(o, _)| o) == Some(outage) {
            tracing::debug!("still failing: {e:#}");
            return;
        }
        // The chain's end says how (refused, timed out, 503); the API's
        // errors never hold the token, the remote's are redacted.
        match outage {
            Outage::Workspace => eprintln!(
                "segment-gitops: workspace unreachable at {} ({}): retrying, waits growing to {}s; \
                 events made meanwhile are committed once it answers",
                self.url,
                e.root_cause(),
                MAX_WAIT.as_secs()
            ),
            Outage::Remote => eprintln!(
                "segment-gitops: {e:#}: retrying, waits growing to {}s; the commits are kept and pushed once it answers",
                MAX_WAIT.as_secs()
            ),
        }
        self.down = Some((outage, Instant::now()));
    }

    fn recovered(&mut self) {
        let Some((outage, since)) = self.down.take() else {
            return;
        };
        let after = since.elapsed().as_secs();
        match outage {
            Outage::Workspace => eprintln!(
                "segment-gitops: workspace reachable again at {} (after {after}s)",
                self.url
            ),
            Outage::Remote => eprintln!("segment-gitops: remote reachable again (after {after}s)"),
        }
    }
}

/// Follows the audit trail until `stop` resolves; returns what it
/// committed. An error is one a restart cannot fix.
pub async fn run(
    session: &Session,
    url: &str,
    on_commit: &(dyn Fn(&Committed) + Sync),
    polling: Polling,
    stop: impl Future<Output = ()>,
) -> Result<Progress> {
    tokio::pin!(stop);
    let mut follow = Follow::default();
    let mut health = Health { url, down: None };
    let mut backoff = Backoff::default();
    let mut idle = Idle::new(polling.interval);
    let mut unpushed = false;
    loop {
        let pass = async {
            if unpushed {
                // Commits made while the remote was down.
                session.publish()?;
            }
            sync::follow_waiting(session, &mut follow, on_commit, polling.hold).await
        };
        // Every await in a pass is a read or a wait; a commit (files,
        // branch, push) runs without one, so a pass dropped at an await
        // leaves no half commit, and the commit in progress is finished.
        let result = tokio::select! {
            biased;
            _ = &mut stop => None,
            r = pass => Some(r),
        };
        let wait = match result {
            None => return Ok(follow.progress),
            Some(Ok(pass)) => {
                health.recovered();
                backoff.reset();
                unpushed = false;
                if pass.events > 0 {
                    idle.reset();
                    Duration::ZERO
                } else if polling.held(pass.last_answer) {
                    // The workspace waited for us: ask again at once.
                    Duration::ZERO
                } else {
                    idle.next_wait()
                }
            }
            Some(Err(e)) => match classify(&e) {
                Class::Fatal => return Err(e),
                Class::Outage(outage) => {
                    unpushed |= outage == Outage::Remote;
                    health.failed(outage, &e);
                    backoff.next_wait()
                }
            },
        };
        if wait.is_zero() {
            continue;
        }
        tokio::select! {
            _ = &mut stop => return Ok(follow.progress),
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_half_a_second_to_thirty_and_starts_over_on_reset() {
        let mut b = Backoff::default();
        let waits: Vec<u64> = (0..10).map(|_| b.next_wait().as_millis() as u64).collect();
        assert_eq!(
            waits,
            [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]
        );
        b.reset();
        assert_eq!(b.next_wait(), FIRST_WAIT);
    }

    fn api(status: u16) -> anyhow::Error {
        let e = segment_api::Error::Api(segment_api::ApiError {
            status,
            errors: Vec::new(),
        });
        anyhow::Error::new(e).context("reading the audit trail")
    }

    #[test]
    fn a_refused_token_is_fatal_and_a_busy_or_failing_workspace_is_an_outage() {
        assert_eq!(classify(&api(401)), Class::Fatal);
        assert_eq!(classify(&api(403)), Class::Fatal);
        for status in [429, 500, 502, 503] {
            assert_eq!(
                classify(&api(status)),
                Class::Outage(Outage::Workspace),
                "{status}"
            );
        }
        let local = anyhow::Error::new(git2::Error::from_str("index locked"));
        assert_eq!(classify(&local), Class::Fatal, "a repository error");
        let offline = RemoteError::Git {
            doing: "pushing to",
            remote: "ssh://git@example.com/ws.git".into(),
            cause: git2::Error::new(
                git2::ErrorCode::GenericError,
                git2::ErrorClass::Net,
                "failed to connect",
            ),
        };
        assert_eq!(
            classify(&anyhow::Error::new(offline)),
            Class::Outage(Outage::Remote)
        );
        let refused = RemoteError::Git {
            doing: "pushing to",
            remote: "ssh://git@example.com/ws.git".into(),
            cause: git2::Error::new(git2::ErrorCode::Auth, git2::ErrorClass::Ssh, "denied"),
        };
        assert_eq!(classify(&anyhow::Error::new(refused)), Class::Fatal);
    }
}
