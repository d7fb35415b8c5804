//! Segment's rate limits in the local workspace, as middleware: a general
//! budget per token and lower limits on some endpoints ([`table::RULES`]),
//! counted in fixed windows ([`budget`]). Answers carry Segment's headers
//! (`X-RateLimit-Consumed`, `-Remaining`, `-Reset`); a request over a limit
//! gets Segment's 429 body (`data.msBeforeNext`, `remainingPoints`,
//! `consumedPoints`) and reaches no route.
//!
//! The layer runs after authentication, so only valid tokens have windows
//! (the map stays as small as the token table) and keys are token hashes.
//! One server on its database (SQLite) counts in memory; servers sharing
//! PostgreSQL count in it ([`crate::store::SharedWindows`]), so a token has
//! one budget however many servers it calls.

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
use crate::error::AppError;
use crate::store::{SharedWindows, StoreError, StoreResult, WindowKey};

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
    /// This process's windows, when it is the only server on its database.
    windows: Mutex<HashMap<String, TokenWindows>>,
    /// The database's windows, when several servers share it: what one
    /// counts the others see.
    shared: Option<Arc<dyn SharedWindows>>,
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
    /// Windows counted in this process (SQLite: one server per database).
    pub fn new(config: RateLimitConfig) -> Self {
        RateLimits {
            general: config.limit(config.budget_per_minute),
            rules: table::RULES
                .iter()
                .map(|r| config.limit(r.per_minute))
                .collect(),
            windows: Mutex::default(),
            shared: None,
            active: AtomicBool::new(true),
        }
    }

    /// Windows counted in the database, shared by every server on it.
    pub fn shared(config: RateLimitConfig, windows: Arc<dyn SharedWindows>) -> Self {
        RateLimits {
            shared: Some(windows),
            ..RateLimits::new(config)
        }
    }

    /// Turns enforcement on or off while serving (`serve --seed` fills the
    /// workspace through the API before anyone else can call it).
    pub fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::Relaxed);
    }

    async fn count(&self, token: &str, method: &Method, route: &str) -> StoreResult<Verdict> {
        let Some(shared) = &self.shared else {
            return Ok(self.consume(token, method, route, Instant::now()));
        };
        let rules: Vec<usize> = table::rules_for(method, route).collect();
        let keys: Vec<WindowKey> = std::iter::once(WindowKey {
            slot: 0,
            window: self.general.window,
        })
        .chain(rules.iter().map(|&i| WindowKey {
            slot: slot(i),
            window: self.rules[i].window,
        }))
        .collect();
        let counted = shared.consume(token, &keys).await?;
        let outcome = |slot: i32, limit: Limit| {
            let c = counted.iter().find(|c| c.slot == slot).ok_or_else(|| {
                StoreError::Backend(format!("the database counted no rate-limit window {slot}"))
            })?;
            Ok::<_, StoreError>(Outcome {
                points: limit.points,
                window: limit.window,
                consumed: c.consumed,
                remaining: limit.points.saturating_sub(c.consumed),
                before_next: c.before_next,
                reset: budget::reset_header(c.before_next),
            })
        };
        let general = outcome(0, self.general)?;
        let rules = rules
            .into_iter()
            .map(|i| Ok((i, outcome(slot(i), self.rules[i])?)))
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(judge(general, rules))
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
        let shown = entry.general.consume(general, now);
        let rules = table::rules_for(method, route).map(|i| {
            let limit = self.rules[i];
            let outcome = entry.rules[i]
                .get_or_insert_with(|| Window::new(limit, now))
                .consume(limit, now);
            (i, outcome)
        });
        judge(shown, rules)
    }
}

/// The database's slot of endpoint rule `i` (0 is the general budget).
fn slot(rule: usize) -> i32 {
    i32::try_from(rule).map_or(i32::MAX, |i| i + 1)
}

/// Shows the limit that refused (the longest wait among several), else the
/// one closest to refusing.
fn judge(general: Outcome, rules: impl IntoIterator<Item = (usize, Outcome)>) -> Verdict {
    let mut refused_by = (!general.allowed()).then_some("the general per-token budget");
    let mut shown = general;
    for (i, outcome) in rules {
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
    let Some(token) = req.extensions().get::<TokenHash>().cloned() else {
        return next.run(req).await;
    };
    let route = req.extensions().get::<MatchedPath>().cloned();
    let route = route.as_ref().map_or("", |m| m.as_str());
    let method = req.method().clone();
    // A request the database could not count is not let through uncounted:
    // it gets the answer of any other failed database call.
    let verdict = match limits.count(&token.0, &method, route).await {
        Ok(v) => v,
        Err(e) => return AppError::from(e).into_response(),
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
