//! `GET /metrics`: request counts and durations in Prometheus' text format
//! (version 0.0.4), per server.
//!
//! Written by hand rather than with a crate: the `metrics` facade records
//! into one global recorder, and tests run many servers in one process,
//! each of which must count its own requests; `prometheus-client` writes
//! OpenMetrics, not the classic text format, and wants owned label sets
//! (an allocation per request). Here a request costs one read lock on a map
//! of route templates and a few atomic adds.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The route label of a request no route matched.
pub const UNMATCHED: &str = "unmatched";

/// Bucket bounds in seconds: sub-millisecond reads up to a full long poll.
const BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 30.0,
];

const METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
];

fn method_index(m: &Method) -> usize {
    match *m {
        Method::GET => 0,
        Method::HEAD => 1,
        Method::POST => 2,
        Method::PUT => 3,
        Method::PATCH => 4,
        Method::DELETE => 5,
        Method::OPTIONS => 6,
        _ => 7,
    }
}

#[derive(Default)]
pub struct Metrics {
    routes: RwLock<HashMap<String, Arc<RouteSeries>>>,
}

#[derive(Default)]
struct RouteSeries {
    methods: [MethodSeries; METHODS.len()],
}

#[derive(Default)]
struct MethodSeries {
    statuses: RwLock<Vec<(u16, AtomicU64)>>,
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

impl Metrics {
    pub fn observe(&self, method: &Method, route: &str, status: u16, took: Duration) {
        let series = self.series(route);
        let s = &series.methods[method_index(method)];
        s.count_status(status);
        let secs = took.as_secs_f64();
        // Buckets are stored non-cumulative; rendering adds them up.
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            s.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        s.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        s.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn series(&self, route: &str) -> Arc<RouteSeries> {
        if let Some(s) = self.routes.read().ok().and_then(|r| r.get(route).cloned()) {
            return s;
        }
        match self.routes.write() {
            Ok(mut routes) => routes.entry(route.to_string()).or_default().clone(),
            // A poisoned map loses this observation, not the request.
            Err(_) => Arc::default(),
        }
    }

    /// The whole registry in Prometheus' text format.
    pub fn render(&self) -> String {
        let routes: Vec<(String, Arc<RouteSeries>)> = match self.routes.read() {
            Ok(r) => {
                let mut v: Vec<_> = r.iter().map(|(k, s)| (k.clone(), s.clone())).collect();
                v.sort_by(|a, b| a.0.cmp(&b.0));
                v
            }
            Err(_) => Vec::new(),
        };
        let mut out = String::new();
        out.push_str(
            "# HELP segment_workspace_requests_total Requests answered, by method, route \
             template and status.\n# TYPE segment_workspace_requests_total counter\n",
        );
        for (route, series) in &routes {
            let route = escape(route);
            for (m, s) in METHODS.iter().zip(&series.methods) {
                let Ok(statuses) = s.statuses.read() else {
                    continue;
                };
                let mut statuses: Vec<(u16, u64)> = statuses
                    .iter()
                    .map(|(code, n)| (*code, n.load(Ordering::Relaxed)))
                    .collect();
                statuses.sort_unstable();
                for (code, n) in statuses {
                    let _ = writeln!(
                        out,
                        "segment_workspace_requests_total{{method=\"{m}\",route=\"{route}\",status=\"{code}\"}} {n}"
                    );
                }
            }
        }
        out.push_str(
            "# HELP segment_workspace_request_duration_seconds Time to answer a request, \
             by method and route template.\n\
             # TYPE segment_workspace_request_duration_seconds histogram\n",
        );
        for (route, series) in &routes {
            let route = escape(route);
            for (m, s) in METHODS.iter().zip(&series.methods) {
                let count = s.count.load(Ordering::Relaxed);
                if count == 0 {
                    continue;
                }
                let labels = format!("method=\"{m}\",route=\"{route}\"");
                let mut cumulative = 0u64;
                for (bound, n) in BUCKETS.iter().zip(&s.buckets) {
                    cumulative += n.load(Ordering::Relaxed);
                    let _ = writeln!(
                        out,
                        "segment_workspace_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    );
                }
                let sum = Duration::from_nanos(s.sum_nanos.load(Ordering::Relaxed)).as_secs_f64();
                let _ = writeln!(
                    out,
                    "segment_workspace_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}\n\
                     segment_workspace_request_duration_seconds_sum{{{labels}}} {sum}\n\
                     segment_workspace_request_duration_seconds_count{{{labels}}} {count}"
                );
            }
        }
        out
    }
}

impl MethodSeries {
    fn count_status(&self, status: u16) {
        if let Ok(statuses) = self.statuses.read() {
            if let Some((_, n)) = statuses.iter().find(|(c, _)| *c == status) {
                n.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        if let Ok(mut statuses) = self.statuses.write() {
            match statuses.iter().find(|(c, _)| *c == status) {
                Some((_, n)) => {
                    n.fetch_add(1, Ordering::Relaxed);
                }
                None => statuses.push((status, AtomicU64::new(1))),
            }
        }
    }
}

/// Label values: backslash, double quote and newline are escaped.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The middleware: times every request and counts its answer, 429s and
/// 401s included, under its route template.
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    let route = route.as_ref().map_or(UNMATCHED, |m| m.as_str());
    metrics.observe(
        &method,
        route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// `GET /metrics`: no token, not limited, not counted.
pub async fn render(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics.render(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_counts_are_per_status() {
        let m = Metrics::default();
        m.observe(&Method::GET, "/labels", 200, Duration::from_micros(300));
        m.observe(&Method::GET, "/labels", 200, Duration::from_millis(20));
        m.observe(&Method::GET, "/labels", 429, Duration::from_secs(40));
        let text = m.render();
        for line in [
            r#"segment_workspace_requests_total{method="GET",route="/labels",status="200"} 2"#,
            r#"segment_workspace_requests_total{method="GET",route="/labels",status="429"} 1"#,
            r#"segment_workspace_request_duration_seconds_bucket{method="GET",route="/labels",le="0.0005"} 1"#,
            r#"segment_workspace_request_duration_seconds_bucket{method="GET",route="/labels",le="0.025"} 2"#,
            r#"segment_workspace_request_duration_seconds_bucket{method="GET",route="/labels",le="30"} 2"#,
            r#"segment_workspace_request_duration_seconds_bucket{method="GET",route="/labels",le="+Inf"} 3"#,
            r#"segment_workspace_request_duration_seconds_count{method="GET",route="/labels"} 3"#,
        ] {
            assert!(text.lines().any(|l| l == line), "no {line} in\n{text}");
        }
    }
}
