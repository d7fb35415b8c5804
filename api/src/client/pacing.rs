//! What a client and its clones share about the workspace's rate limit: the
//! instant before which nobody sends (one 429 holds every request back, so
//! Terraform's ten parallel calls do not each collect their own), and what
//! was sent and waited, for the counts a tool prints and the provider's
//! warning.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The shared "not before" instant.
#[derive(Default)]
pub(crate) struct Pacing {
    not_before: Mutex<Option<Instant>>,
}

impl Pacing {
    /// Nobody sends before `at` (a later instant already set stays).
    pub(crate) fn hold_until(&self, at: Instant) {
        let mut nb = self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if nb.is_none_or(|t| t < at) {
            *nb = Some(at);
        }
    }

    /// How long to wait now before sending, if at all.
    fn pending(&self, now: Instant) -> Option<Duration> {
        let nb = self
            .not_before
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        nb.and_then(|t| t.checked_duration_since(now))
            .filter(|d| !d.is_zero())
    }

    /// Waits until the shared instant has passed, but not past `until`
    /// (the request's own deadline: its next answer then decides). Returns
    /// the time waited.
    pub(crate) async fn wait(&self, until: Instant) -> Duration {
        let started = Instant::now();
        let mut slept = false;
        // Another 429 may push the instant on while we sleep: look again.
        while let Some(d) = self.pending(Instant::now()) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            tokio::time::sleep(d.min(left)).await;
            slept = true;
        }
        // Only a sleep is a wait: the microseconds of looking would make
        // every RPC warn that it waited for the rate limit.
        match slept {
            true => started.elapsed(),
            false => Duration::ZERO,
        }
    }
}

/// Counts of requests and waits: one for a client and all its clones, and
/// one more for each [`super::Client::scoped`] clone, which counts into
/// its parent too.
#[derive(Default)]
pub(crate) struct Meter {
    parent: Option<Arc<Meter>>,
    requests: AtomicU64,
    refused: AtomicU64,
    waited_micros: AtomicU64,
    /// The message of the last 429, which names the limit.
    last_refusal: Mutex<Option<String>>,
}

impl Meter {
    pub(crate) fn child(parent: &Arc<Meter>) -> Meter {
        Meter {
            parent: Some(parent.clone()),
            ..Default::default()
        }
    }

    fn each(&self, f: &impl Fn(&Meter)) {
        f(self);
        if let Some(p) = &self.parent {
            p.each(f);
        }
    }

    pub(crate) fn sent(&self) {
        self.each(&|m| {
            m.requests.fetch_add(1, Ordering::Relaxed);
        });
    }

    pub(crate) fn waited(&self, d: Duration) {
        if d.is_zero() {
            return;
        }
        let micros = u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        self.each(&|m| {
            m.waited_micros.fetch_add(micros, Ordering::Relaxed);
        });
    }

    pub(crate) fn refused(&self, message: Option<&str>) {
        self.each(&|m| {
            m.refused.fetch_add(1, Ordering::Relaxed);
            if let Some(text) = message {
                *m.last_refusal
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner) = Some(text.to_string());
            }
        });
    }

    pub(crate) fn usage(&self) -> Usage {
        Usage {
            requests: self.requests.load(Ordering::Relaxed),
            rate_limited: self.refused.load(Ordering::Relaxed),
            waited: Duration::from_micros(self.waited_micros.load(Ordering::Relaxed)),
            last_limit: self
                .last_refusal
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }
}

/// What a client sent and waited so far ([`super::Client::usage`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Usage {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Of those, the ones answered 429.
    pub rate_limited: u64,
    /// Time spent waiting for the rate limit: after a 429, and before
    /// sending while another request's 429 held every request back.
    pub waited: Duration,
    /// The last 429's message, which names the limit, without its "try
    /// again in" part.
    pub last_limit: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression: with nothing held, `wait` returned the time it took to
    // look, and every provider RPC warned "waited 0.0 s for the rate limit".
    #[tokio::test]
    async fn nothing_held_is_no_wait() {
        let pacing = Pacing::default();
        let until = Instant::now() + Duration::from_secs(1);
        assert_eq!(pacing.wait(until).await, Duration::ZERO);
        pacing.hold_until(Instant::now() + Duration::from_millis(20));
        assert!(pacing.wait(until).await >= Duration::from_millis(10));
    }
}
