//! When and how long to wait before trying a request again.

use std::time::Duration;

/// Exponential backoff with full jitter, bounded in attempts and in delay;
/// 429s are waited out as the server says, bounded in time instead.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included, for 5xx answers and connection
    /// errors (429s do not count: they are bounded by the deadline).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long one request may wait for the workspace's rate limit, from
    /// its first attempt. A 429 asking for a wait that ends past it fails
    /// the request at once, naming the wait.
    pub rate_limit_deadline: Duration,
}

/// Ten minutes: a run of 5-per-minute writes (destination subscriptions)
/// behind Terraform's ten parallel calls waits about two.
pub const DEFAULT_RATE_LIMIT_DEADLINE: Duration = Duration::from_secs(600);

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            rate_limit_deadline: DEFAULT_RATE_LIMIT_DEADLINE,
        }
    }
}

impl RetryPolicy {
    /// One attempt: no retry, and no wait for a rate limit.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            rate_limit_deadline: Duration::ZERO,
            ..Default::default()
        }
    }

    pub fn with_rate_limit_deadline(mut self, deadline: Duration) -> Self {
        self.rate_limit_deadline = deadline;
        self
    }

    /// The delay before attempt `attempt + 1`, where `attempt` counts from 1.
    /// `hint` is what the server asked for (rate-limit headers or body); it is
    /// honoured as a floor so the client never comes back before it was told to.
    pub fn delay(&self, attempt: u32, hint: Option<Duration>) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        // Full jitter spreads clients that failed together over the window.
        let jittered = capped.mul_f64(0.5 + fastrand::f64() * 0.5);
        // A server that says when to come back is obeyed to the letter.
        hint.unwrap_or(jittered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_and_is_capped() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            ..Default::default()
        };
        for _ in 0..100 {
            let d1 = p.delay(1, None);
            assert!(d1 >= Duration::from_millis(50) && d1 <= Duration::from_millis(100));
            let d8 = p.delay(8, None);
            assert!(d8 <= Duration::from_millis(1000));
        }
    }

    #[test]
    fn server_hint_is_a_floor() {
        let p = RetryPolicy::default();
        let d = p.delay(1, Some(Duration::from_millis(1500)));
        assert!(d >= Duration::from_millis(1500), "{d:?}");
    }
}
