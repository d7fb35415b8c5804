//! How `sync --watch` asks for events without spending the workspace's
//! rate limit: each request may be held open by the workspace until an
//! event arrives (ours does, up to 25 s); an empty answer that comes at
//! once says the workspace does not hold requests (Segment's API), and
//! then the watch waits before asking again, longer while nothing happens.

use std::time::Duration;

/// How long a request asks the workspace to hold it: our workspace's
/// longest, and under the client's 30 s timeout.
pub const HOLD: Duration = Duration::from_secs(25);
/// The first wait after an empty answer that came at once.
const FIRST_IDLE: Duration = Duration::from_secs(1);
/// The longest idle wait unless `--poll-interval` says otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);

/// What the watch asks of the workspace.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    /// `wait` on each request.
    pub hold: Duration,
    /// The idle wait's cap (`--poll-interval`).
    pub interval: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            hold: HOLD,
            interval: DEFAULT_INTERVAL,
        }
    }
}

impl Polling {
    /// Whether an answer that took `took` was held by the workspace: half
    /// the hold is far beyond any answer given at once.
    pub fn held(&self, took: Duration) -> bool {
        !self.hold.is_zero() && took >= self.hold / 2
    }
}

/// The wait between requests while the trail is idle and the workspace
/// does not hold requests: 1 s, 2 s, 4 s, … up to the interval; an event
/// starts it over.
#[derive(Debug)]
pub struct Idle {
    next: Duration,
    cap: Duration,
}

impl Idle {
    pub fn new(cap: Duration) -> Self {
        Idle {
            next: FIRST_IDLE.min(cap),
            cap,
        }
    }

    pub fn next_wait(&mut self) -> Duration {
        let wait = self.next;
        self.next = (wait * 2).min(self.cap);
        wait
    }

    pub fn reset(&mut self) {
        self.next = FIRST_IDLE.min(self.cap);
    }
}

/// `--poll-interval SECONDS`: a positive number of seconds, whole or not.
pub fn parse_interval(text: &str) -> Result<Duration, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "--poll-interval takes a number of seconds above 0 and at most 86400 (such as 30), not {text:?}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_waits_double_from_one_second_to_the_interval_and_start_over() {
        let mut idle = Idle::new(DEFAULT_INTERVAL);
        let waits: Vec<u64> = (0..8).map(|_| idle.next_wait().as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
        idle.reset();
        assert_eq!(idle.next_wait(), Duration::from_secs(1));
        let mut short = Idle::new(Duration::from_millis(300));
        assert_eq!(short.next_wait(), Duration::from_millis(300));
        assert_eq!(short.next_wait(), Duration::from_millis(300));
    }

    #[test]
    fn an_answer_is_held_when_it_took_half_the_hold() {
        let p = Polling::default();
        assert!(!p.held(Duration::from_millis(300)));
        assert!(p.held(Duration::from_secs(25)));
    }

    #[test]
    fn a_bad_interval_names_the_flag() {
        assert_eq!(parse_interval("2.5"), Ok(Duration::from_millis(2500)));
        for bad in ["0", "-1", "soon", "NaN", "1e9"] {
            let e = parse_interval(bad).expect_err(bad);
            assert!(e.contains("--poll-interval"), "{e}");
        }
    }
}
