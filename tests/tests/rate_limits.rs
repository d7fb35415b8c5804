//! Segment's rate limits in the local workspace: headers on every answer,
//! Segment's 429 after a budget, lower limits on some endpoints, nothing
//! when they are off, and the client waiting through a 429 as told.

use std::time::{Duration, Instant, SystemTime};

use reqwest::Method;
use segment_api::models::{CreateDestinationSubscription, Label};
use segment_e2e::fixtures::{self, settings};
use segment_e2e::{assert_error, within, RateLimitConfig, Raw, TestWorkspace};
use serde_json::json;

const LIMIT: Duration = Duration::from_secs(60);
/// Amplitude (Actions)' "Log Event" action.
const LOG_EVENT: &str = "gA673j6ij2yCB8n9Fztpj9";

fn number(raw: &Raw, name: &str) -> u64 {
    raw.headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} on HTTP {}: {}", raw.status, raw.text))
        .to_str()
        .expect("ascii")
        .parse()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn reset(raw: &Raw) -> SystemTime {
    let v = raw
        .headers
        .get("x-ratelimit-reset")
        .expect("a reset header");
    httpdate::parse_http_date(v.to_str().expect("ascii")).expect("an RFC 5322 date")
}

fn subscription(name: &str) -> CreateDestinationSubscription {
    CreateDestinationSubscription {
        name: name.into(),
        action_id: LOG_EVENT.into(),
        trigger: "type = \"track\"".into(),
        enabled: true,
        settings: Some(settings(json!({"event_type": {"@path": "$.event"}}))),
        model_id: None,
    }
}

fn limits(scale: f64, budget: u32) -> RateLimitConfig {
    RateLimitConfig::default()
        .with_scale(scale)
        .and_then(|c| c.with_budget(budget))
        .expect("a valid configuration")
}

#[tokio::test]
async fn every_answer_carries_the_headers_counting_down() {
    let ws = TestWorkspace::start_with_limits(limits(1.0, 10))
        .await
        .unwrap();
    let started = SystemTime::now();
    let mut seen = Vec::new();
    for _ in 0..3 {
        let raw = ws.get_raw("/labels").await;
        assert_eq!(raw.status, 200, "{}", raw.text);
        seen.push((
            number(&raw, "x-ratelimit-consumed"),
            number(&raw, "x-ratelimit-remaining"),
        ));
        let at = reset(&raw);
        assert!(
            at >= started + Duration::from_secs(59) && at <= started + Duration::from_secs(62),
            "the window ends a minute on: {at:?}"
        );
    }
    assert_eq!(seen, vec![(1, 9), (2, 8), (3, 7)]);
    // Errors are limited answers too.
    let missing = ws.get_raw("/sources/nope").await;
    assert_eq!(missing.status, 404);
    assert_eq!(number(&missing, "x-ratelimit-remaining"), 6);
}

#[tokio::test]
async fn over_the_budget_answers_segments_429_and_changes_nothing() {
    let ws = TestWorkspace::start_with_limits(limits(1.0, 3))
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(ws.get_raw("/labels").await.status, 200);
    }
    let refused = ws
        .send_raw(
            Method::POST,
            "/labels",
            json!({"label": {"key": "env", "value": "prod"}}).to_string(),
        )
        .await;
    let error = assert_error(&refused, 429, None);
    assert_eq!(error["type"], "RequestError", "{}", refused.text);
    let data = &error["data"];
    assert_eq!(data["remainingPoints"], 0, "{}", refused.text);
    assert_eq!(data["consumedPoints"], 4, "{}", refused.text);
    let ms = data["msBeforeNext"].as_u64().expect("msBeforeNext");
    assert!(ms > 55_000 && ms <= 60_000, "{ms}");
    assert_eq!(number(&refused, "x-ratelimit-consumed"), 4);
    assert_eq!(number(&refused, "x-ratelimit-remaining"), 0);
    // The refused write reached no route: another token's budget shows it.
    let reader =
        Raw::send(ws.request_with(Some(ws.read_only_token()), Method::GET, "/labels")).await;
    assert_eq!(reader.data()["labels"], json!([]), "{}", reader.text);
    assert_eq!(
        number(&reader, "x-ratelimit-consumed"),
        1,
        "budgets are per token"
    );
}

#[tokio::test]
async fn subscription_writes_hit_their_limit_while_other_endpoints_pass() {
    // Five a minute at 8x: five every 7.5 s, room for a slow machine.
    let ws = TestWorkspace::start_with_limits(limits(8.0, 600))
        .await
        .unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();
    let path = format!("/destinations/{}/subscriptions", dest.id);
    let body = serde_json::to_string(&subscription("Track")).unwrap();
    let first = Instant::now();
    for i in 0..5 {
        let raw = ws.send_raw(Method::POST, &path, body.clone()).await;
        assert_eq!(raw.status, 200, "subscription {i}: {}", raw.text);
        assert_eq!(number(&raw, "x-ratelimit-remaining"), 4 - i);
    }
    let refused = ws.send_raw(Method::POST, &path, body.clone()).await;
    assert!(
        first.elapsed() < Duration::from_millis(7500),
        "the test outran its window"
    );
    let error = assert_error(&refused, 429, None);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("destination subscription"),
        "the message names the limit: {}",
        refused.text
    );
    let ms = error["data"]["msBeforeNext"].as_u64().unwrap();
    assert!(ms <= 7_500, "{ms}");
    // Other endpoints still pass, reads and writes; reads of subscriptions too.
    assert_eq!(ws.get_raw("/labels").await.status, 200);
    c.create_label(&Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    })
    .await
    .unwrap();
    assert_eq!(ws.get_raw(&path).await.status, 200);
    // After the wait it was told, the same write passes.
    tokio::time::sleep(Duration::from_millis(ms + 50)).await;
    let again = ws.send_raw(Method::POST, &path, body).await;
    assert_eq!(again.status, 200, "{}", again.text);
}

#[tokio::test]
async fn the_client_waits_through_a_429_and_succeeds() {
    let ws = TestWorkspace::start_with_limits(limits(8.0, 600))
        .await
        .unwrap();
    let c = ws.owner();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let dest = c
        .create_destination(&fixtures::amplitude_actions_destination(&src.id))
        .await
        .unwrap();
    // Eight creates under five per 7.5 s: the sixth is refused and retried
    // after the wait the answer names.
    let started = Instant::now();
    for i in 0..8 {
        within(LIMIT, "a create through the limit", async {
            c.create_subscription(&dest.id, &subscription(&format!("s{i}")))
                .await
                .unwrap_or_else(|e| panic!("subscription {i}: {e}"))
        })
        .await;
    }
    assert_eq!(c.list_subscriptions(&dest.id).await.unwrap().len(), 8);
    let metrics = ws
        .http()
        .get(ws.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let refused = metrics
        .lines()
        .find(|l| {
            l.starts_with(r#"segment_workspace_requests_total{method="POST",route="/destinations/{id}/subscriptions",status="429"}"#)
        })
        .unwrap_or_else(|| panic!("no 429 counted:\n{metrics}"));
    assert!(refused.ends_with(" 1"), "{refused}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn with_limits_off_nothing_is_refused_or_counted() {
    let ws = TestWorkspace::start_unlimited().await.unwrap();
    // More than the default budget of a minute, as fast as it goes.
    for i in 0..700 {
        let raw = ws.get_raw("/labels").await;
        assert_eq!(raw.status, 200, "request {i}: {}", raw.text);
        assert!(
            raw.headers.get("x-ratelimit-remaining").is_none(),
            "{:?}",
            raw.headers
        );
    }
}
