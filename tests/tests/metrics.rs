//! `GET /metrics`: requests counted by method, route template and status,
//! durations as a histogram; no token needed, and itself neither limited
//! nor counted.

use reqwest::Method;
use segment_e2e::{RateLimitConfig, Raw, TestWorkspace};

async fn metrics(ws: &TestWorkspace) -> String {
    let raw = Raw::send(ws.request_with(None, Method::GET, "/metrics")).await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    let content_type = raw.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    raw.text
}

/// The value of the sample whose name and labels are `series`.
fn sample(text: &str, series: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (name, value) = l.rsplit_once(' ')?;
        (name == series).then(|| value.parse().expect("a whole number"))
    })
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_status() {
    let ws = TestWorkspace::start().await.unwrap();
    for _ in 0..2 {
        assert_eq!(ws.get_raw("/labels").await.status, 200);
    }
    assert_eq!(ws.get_raw("/sources/one").await.status, 404);
    assert_eq!(ws.get_raw("/sources/two").await.status, 404);
    let anonymous = Raw::send(ws.request_with(None, Method::GET, "/sources/three")).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(ws.get_raw("/no/such/path").await.status, 404);
    let text = metrics(&ws).await;
    for (series, n) in [
        (
            r#"segment_workspace_requests_total{method="GET",route="/labels",status="200"}"#,
            2,
        ),
        (
            r#"segment_workspace_requests_total{method="GET",route="/sources/{id}",status="404"}"#,
            2,
        ),
        (
            r#"segment_workspace_requests_total{method="GET",route="/sources/{id}",status="401"}"#,
            1,
        ),
        (
            r#"segment_workspace_requests_total{method="GET",route="unmatched",status="404"}"#,
            1,
        ),
        (
            r#"segment_workspace_request_duration_seconds_count{method="GET",route="/labels"}"#,
            2,
        ),
        (
            r#"segment_workspace_request_duration_seconds_bucket{method="GET",route="/sources/{id}",le="+Inf"}"#,
            3,
        ),
    ] {
        assert_eq!(sample(&text, series), Some(n), "{series} in\n{text}");
    }
    assert!(
        text.contains("# TYPE segment_workspace_request_duration_seconds histogram"),
        "{text}"
    );
    // Reading the metrics is not a request they count.
    let again = metrics(&ws).await;
    assert!(!again.contains("/metrics"), "{again}");
    assert_eq!(again, text, "two reads in a row with nothing between");
}

#[tokio::test]
async fn refused_requests_count_as_429_and_metrics_are_not_limited() {
    let config = RateLimitConfig::default().with_budget(1).unwrap();
    let ws = TestWorkspace::start_with_limits(config).await.unwrap();
    assert_eq!(ws.get_raw("/labels").await.status, 200);
    assert_eq!(ws.get_raw("/labels").await.status, 429);
    for _ in 0..5 {
        // With the owner's token as well: /metrics spends no budget.
        let raw = Raw::send(ws.request(Method::GET, "/metrics")).await;
        assert_eq!(raw.status, 200, "{}", raw.text);
        assert!(raw.headers.get("x-ratelimit-remaining").is_none());
    }
    let text = metrics(&ws).await;
    for (series, n) in [
        (
            r#"segment_workspace_requests_total{method="GET",route="/labels",status="200"}"#,
            1,
        ),
        (
            r#"segment_workspace_requests_total{method="GET",route="/labels",status="429"}"#,
            1,
        ),
    ] {
        assert_eq!(sample(&text, series), Some(n), "{series} in\n{text}");
    }
}
