//! One fixed window of points, counted the way Segment's limiter counts:
//! the window starts at its first request, every request consumes a point
//! (refused ones too, so `consumedPoints` may pass the limit), and the
//! window ends a fixed time later whatever happened in it.

use std::time::{Duration, Instant, SystemTime};

use axum::http::HeaderValue;

/// A limit: so many points per window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub points: u32,
    pub window: Duration,
}

/// Where one key stands in its current window.
#[derive(Debug, Clone)]
pub struct Window {
    started: Instant,
    ends: Instant,
    consumed: u32,
    /// `X-RateLimit-Reset` for this window, formatted once per window.
    reset: HeaderValue,
}

/// What one request's point came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub points: u32,
    pub window: Duration,
    pub consumed: u32,
    pub remaining: u32,
    pub before_next: Duration,
    pub reset: HeaderValue,
}

impl Outcome {
    pub fn allowed(&self) -> bool {
        self.consumed <= self.points
    }
}

impl Window {
    pub fn new(limit: Limit, now: Instant) -> Self {
        Window {
            started: now,
            ends: now + limit.window,
            consumed: 0,
            reset: reset_header(limit.window),
        }
    }

    /// Consumes one point, opening a new window when the last one is over.
    pub fn consume(&mut self, limit: Limit, now: Instant) -> Outcome {
        if now >= self.ends || now < self.started {
            *self = Window::new(limit, now);
        }
        self.consumed = self.consumed.saturating_add(1);
        Outcome {
            points: limit.points,
            window: limit.window,
            consumed: self.consumed,
            remaining: limit.points.saturating_sub(self.consumed),
            before_next: self.ends.saturating_duration_since(now),
            reset: self.reset.clone(),
        }
    }
}

/// The end of a window that ends `window` from now, as an RFC 5322 date (Segment's
/// documented form). Dates have whole seconds: rounded up, so a client that
/// waits until then never comes back early. The `GMT` zone makes it an HTTP
/// date as well, which is how `segment-api` reads it.
pub(super) fn reset_header(window: Duration) -> HeaderValue {
    let at = SystemTime::now() + window + Duration::from_millis(999);
    let at = time::OffsetDateTime::from(at);
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    at.format(&format)
        .ok()
        .and_then(|s| HeaderValue::from_str(&s).ok())
        .unwrap_or_else(|| HeaderValue::from_static("Thu, 01 Jan 1970 00:00:00 GMT"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        points: 2,
        window: Duration::from_secs(60),
    };

    #[test]
    fn refused_requests_count_and_the_window_resets_on_time() {
        let t0 = Instant::now();
        let mut w = Window::new(LIMIT, t0);
        let a = w.consume(LIMIT, t0);
        assert!(a.allowed() && a.remaining == 1 && a.consumed == 1);
        let b = w.consume(LIMIT, t0 + Duration::from_secs(1));
        assert!(b.allowed() && b.remaining == 0);
        let c = w.consume(LIMIT, t0 + Duration::from_secs(2));
        assert!(!c.allowed(), "the third point of two is refused");
        assert_eq!((c.consumed, c.remaining), (3, 0));
        assert_eq!(c.before_next, Duration::from_secs(58));
        let d = w.consume(LIMIT, t0 + Duration::from_secs(60));
        assert!(d.allowed() && d.consumed == 1, "a new window: {d:?}");
    }

    #[test]
    fn the_reset_date_is_an_http_date_after_the_window() {
        let before = SystemTime::now();
        let v = reset_header(Duration::from_secs(30));
        let at = httpdate_parse(v.to_str().expect("ascii"));
        assert!(at >= before + Duration::from_secs(30), "{v:?}");
        assert!(at <= before + Duration::from_secs(32), "{v:?}");
    }

    fn httpdate_parse(s: &str) -> SystemTime {
        let format = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let parsed = time::PrimitiveDateTime::parse(s, &format).expect("the date parses");
        parsed.assume_utc().into()
    }
}
