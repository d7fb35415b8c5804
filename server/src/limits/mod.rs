//! Segment's rate limits in the local workspace, as middleware: a general
//! budget per token and lower limits on some endpoints ([`table::RULES`]),
//! counted in fixed windows ([`budget`]). Answers carry Segment's headers
//! (`X-RateLimit-Consumed`, `-Remaining`, `-Reset`); a request over a limit
//! gets Segment's 429 body (`data.msBeforeNext`, `remainingPoints`,
//! `consumedPoints`) and reaches no route.
//!
//! The layer runs after authentication, so only valid tokens have windows
//! (the map stays as small as the token table) and keys are token hashes.

mod budget;
pub mod table;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use segment_api::error::{ApiErrorItem, ErrorBody};

use budget::Window;
pub use budget::{Limit, Outcome};
pub use table::DEFAULT_BUDGET_PER_MINUTE;

use crate::auth::TokenHash;

/// `serve --rate-limits`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimitMode {
    /// Segment's per-token budget and per-endpoint limits.
    Segment,
    /// No limits: every request is answered (the seed, the demo, benchmarks).
    Off,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error(
        "--rate-limit-scale must be a number above 0, such as 1 (Segment's pace) \
         or 60 (a minute's limits every second), not {0}"
    )]
    Scale(f64),
    #[error("--rate-limit-budget must be at least 1 request per minute")]
    Budget,
}

/// What to enforce: Segment's limits at `scale` times their pace.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimitConfig {
    scale: f64,
    budget_per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            scale: 1.0,
            budget_per_minute: DEFAULT_BUDGET_PER_MINUTE,
        }
    }
}

impl RateLimitConfig {
    /// Multiplies every limit's pace by `scale`: each keeps its number of
    /// requests, in a window of a minute divided by `scale` (so 60 runs
    /// Segment's minute in a second, and a test sees the same shape).
    pub fn with_scale(mut self, scale: f64) -> Result<Self, ConfigError> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(ConfigError::Scale(scale));
        }
        self.scale = scale;
        Ok(self)
    }

    /// The general budget: requests per token per minute (before scaling).
    pub fn with_budget(mut self, per_minute: u32) -> Result<Self, ConfigError> {
        if per_minute == 0 {
            return Err(ConfigError::Budget);
        }
        self.budget_per_minute = per_minute;
        Ok(self)
    }

    pub fn limit(&self, per_minute: u32) -> Limit {
        let window = Duration::from_secs_f64(60.0 / self.scale).max(Duration::from_millis(1));
        Limit {
            points: per_minute,
            window,
        }
    }
}

/// The windows of every token, and the limits they count against.
pub struct RateLimits {
    general: Limit,
    rules: Vec<Limit>,
    windows: Mutex<HashMap<String, TokenWindows>>,
    active: AtomicBool,
}

struct TokenWindows {
    general: Window,
    rules: Vec<Option<Window>>,
}

/// What a request came to: the outcome it reports, and the limit that
/// refused it, if one did.
enum Verdict {
    Allowed(Outcome),
    Refused(Outcome, &'static str),
}

impl RateLimits {
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            general: config.limit(config.budget_per_minute),
            rules: table::RULES
                .iter()
                .map(|r| config.limit(r.per_minute))
                .collect(),
            windows: Mutex::default(),
            active: AtomicBool::new(true),
        }
    }

    /// Turns enforcement on or off while serving (`serve --seed` fills the
    /// workspace through the API before anyone else can call it).
    pub fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::Relaxed);
    }

    fn consume(&self, token: &str, method: &Method, route: &str, now: Instant) -> Verdict {
        let Ok(mut windows) = self.windows.lock() else {
            // A panic while counting must not stop the server answering.
            return Verdict::Allowed(Window::new(self.general, now).consume(self.general, now));
        };
        let general = self.general;
        let entry = match windows.get_mut(token) {
            Some(e) => e,
            None => windows
                .entry(token.to_string())
                .or_insert_with(|| TokenWindows {
                    general: Window::new(general, now),
                    rules: vec![None; self.rules.len()],
                }),
        };
        let mut shown = entry.general.consume(general, now);
        let mut refused_by = (!shown.allowed()).then_some("the general per-token budget");
        for i in table::rules_for(method, route) {
            let limit = self.rules[i];
            let outcome = entry.rules[i]
                .get_or_insert_with(|| Window::new(limit, now))
                .consume(limit, now);
            // Show the limit that refused (the longest wait among several),
            // else the one closest to refusing.
            let replace = match (outcome.allowed(), refused_by.is_some()) {
                (false, false) => true,
                (false, true) => outcome.before_next > shown.before_next,
                (true, false) => outcome.remaining < shown.remaining,
                (true, true) => false,
            };
            if replace {
                if !outcome.allowed() {
                    refused_by = Some(table::RULES[i].name);
                }
                shown = outcome;
            }
        }
        match refused_by {
            Some(name) => Verdict::Refused(shown, name),
            None => Verdict::Allowed(shown),
        }
    }
}

const CONSUMED: HeaderName = HeaderName::from_static("x-ratelimit-consumed");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

fn set_headers(headers: &mut HeaderMap, o: &Outcome) {
    headers.insert(CONSUMED, HeaderValue::from(o.consumed));
    headers.insert(REMAINING, HeaderValue::from(o.remaining));
    headers.insert(RESET, o.reset.clone());
}

/// Segment's 429: the API's error shape with the limiter's numbers.
fn too_many(o: &Outcome, limit: &str) -> Response {
    let ms = o.before_next.as_millis();
    let body = ErrorBody {
        errors: vec![ApiErrorItem {
            kind: "RequestError".into(),
            message: format!(
                "Too many requests: {limit} allows {} requests every {:.3} s; \
                 try again in {ms} ms",
                o.points,
                o.window.as_secs_f64()
            ),
            field: None,
            data: Some(serde_json::json!({
                "remainingPoints": o.remaining,
                "msBeforeNext": u64::try_from(ms).unwrap_or(u64::MAX),
                "consumedPoints": o.consumed,
            })),
            status: Some(429),
        }],
    };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    set_headers(response.headers_mut(), o);
    response
}

/// The middleware: counts the request against its token's windows and
/// either answers 429 or lets it through with the headers added.
pub async fn enforce(State(limits): State<Arc<RateLimits>>, req: Request, next: Next) -> Response {
    if !limits.active.load(Ordering::Relaxed) {
        return next.run(req).await;
    }
    let verdict = {
        let Some(token) = req.extensions().get::<TokenHash>() else {
            return next.run(req).await;
        };
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("", |m| m.as_str());
        limits.consume(&token.0, req.method(), route, Instant::now())
    };
    match verdict {
        Verdict::Allowed(o) => {
            let mut response = next.run(req).await;
            set_headers(response.headers_mut(), &o);
            response
        }
        Verdict::Refused(o, name) => too_many(&o, name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBSCRIPTIONS: &str = "/destinations/{id}/subscriptions";

    /// The answer shows the limit closest to refusing, and a refusal names
    /// the limit that refused: clients wait as the tighter one says.
    #[test]
    fn the_tighter_limit_is_shown_and_names_the_refusal() {
        let config = RateLimitConfig::default().with_budget(7).unwrap();
        let limits = RateLimits::new(config);
        let now = Instant::now();
        let post = Method::POST;
        for expected in [4, 3, 2, 1, 0] {
            match limits.consume("t", &post, SUBSCRIPTIONS, now) {
                Verdict::Allowed(o) => assert_eq!(o.remaining, expected),
                Verdict::Refused(..) => panic!("refused early"),
            }
        }
        match limits.consume("t", &post, SUBSCRIPTIONS, now) {
            Verdict::Refused(o, name) => {
                assert!(name.contains("subscription"), "{name}");
                assert_eq!((o.points, o.consumed), (5, 6));
            }
            Verdict::Allowed(o) => panic!("allowed: {o:?}"),
        }
        // The general budget (7) is the one left for other endpoints: one.
        match limits.consume("t", &Method::GET, "/labels", now) {
            Verdict::Allowed(o) => assert_eq!((o.points, o.remaining), (7, 0)),
            Verdict::Refused(..) => panic!("a read is not a subscription write"),
        }
        // Another token has windows of its own.
        match limits.consume("u", &post, SUBSCRIPTIONS, now) {
            Verdict::Allowed(o) => assert_eq!(o.remaining, 4),
            Verdict::Refused(..) => panic!("budgets are per token"),
        }
    }

    #[test]
    fn scale_shortens_windows_and_bad_values_are_refused() {
        let c = RateLimitConfig::default().with_scale(60.0).unwrap();
        assert_eq!(c.limit(5).window, Duration::from_secs(1));
        assert_eq!(c.limit(5).points, 5);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(RateLimitConfig::default().with_scale(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RateLimitConfig::default().with_budget(0),
            Err(ConfigError::Budget)
        );
    }
}
