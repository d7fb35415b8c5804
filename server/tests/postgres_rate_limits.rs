//! Rate limits with two real `segment-workspace serve` processes on one
//! PostgreSQL database: a token has one budget, counted in the database,
//! however its requests are spread over the servers. Before, each process
//! counted its own, so N servers gave a token N times Segment's budget.

#[path = "../../tests/src/postgres.rs"]
mod postgres;
mod support;

use std::time::Duration;

use serde_json::Value;
use support::{run, Served};

const LIMIT: Duration = Duration::from_secs(30);
const TOKEN: &str = "sgw_rate_limits_shared_on_one_postgres_db_0123456";
/// The general budget in these tests: requests per window.
const BUDGET: u32 = 20;

/// A server on `database` counting `BUDGET` requests per token in a 30 s
/// window (a minute's budget at twice Segment's pace): long enough that a
/// test's requests all fall in one window on a loaded machine.
fn serve(database: &str) -> Served {
    let budget = BUDGET.to_string();
    Served::start_with(
        database,
        &[
            "--rate-limits",
            "segment",
            "--rate-limit-scale",
            "2",
            "--rate-limit-budget",
            &budget,
            "--secrets-key-file",
            postgres::shared_key_file(),
            "--token",
            TOKEN,
        ],
    )
}

struct Answer {
    status: u16,
    remaining: Option<u32>,
    body: Value,
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<&str>,
) -> Answer {
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let answer = request.send().await.expect("an answer");
    let status = answer.status().as_u16();
    let remaining = answer
        .headers()
        .get("x-ratelimit-remaining")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    let text = answer.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        remaining,
        body,
    }
}

async fn get(http: &reqwest::Client, base: &str, token: &str) -> Answer {
    let url = format!("{base}/labels");
    send(http, reqwest::Method::GET, &url, token, None).await
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(LIMIT)
        .build()
        .expect("an HTTP client")
}

/// Segment's 429 body: the limiter's numbers in the API's error shape.
fn assert_segment_429(a: &Answer, consumed: u32) {
    assert_eq!(a.status, 429, "{}", a.body);
    let error = &a.body["errors"][0];
    assert_eq!(error["status"], 429, "{}", a.body);
    assert_eq!(error["type"], "RequestError", "{}", a.body);
    let data = &error["data"];
    assert_eq!(data["remainingPoints"], 0, "{}", a.body);
    assert_eq!(data["consumedPoints"], consumed, "{}", a.body);
    let wait = data["msBeforeNext"].as_u64().expect("msBeforeNext");
    assert!(wait > 0 && wait <= 30_000, "{}", a.body);
    assert_eq!(a.remaining, Some(0));
}

/// Requests alternated between two servers count against one budget: the
/// remaining count goes down across both, the budget's worth is admitted,
/// and the next request gets Segment's 429 from either server.
#[tokio::test]
async fn a_token_has_one_budget_across_two_servers_on_one_database() {
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let servers = [serve(&database), serve(&database)];
    let http = http();
    for i in 0..BUDGET {
        let a = get(&http, &servers[i as usize % 2].url, TOKEN).await;
        assert_eq!(a.status, 200, "request {i}: {}", a.body);
        assert_eq!(a.remaining, Some(BUDGET - i - 1), "request {i}");
    }
    let first = get(&http, &servers[0].url, TOKEN).await;
    assert_segment_429(&first, BUDGET + 1);
    let second = get(&http, &servers[1].url, TOKEN).await;
    assert_segment_429(&second, BUDGET + 2);
}

/// Counting is one atomic upsert per window: requests racing on both
/// servers at once are admitted exactly the budget's worth, no more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_requests_on_two_servers_are_admitted_exactly_the_budget() {
    let database = postgres::server()
        .expect("the test PostgreSQL")
        .create_database()
        .unwrap();
    let servers = [serve(&database), serve(&database)];
    // A token of its own, made by the CLI: its windows start empty.
    let out = run(&[
        "token",
        "create",
        "--database",
        &database,
        "--secrets-key-file",
        postgres::shared_key_file(),
        "--owner",
        "racer@example.com",
        "--name",
        "racer",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let http = http();
    let requests: Vec<_> = (0..3 * BUDGET as usize)
        .map(|i| {
            let (http, base, token) = (http.clone(), servers[i % 2].url.clone(), token.clone());
            tokio::spawn(async move { get(&http, &base, &token).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for r in requests {
        statuses.push(
            tokio::time::timeout(LIMIT, r)
                .await
                .expect("bounded")
                .unwrap(),
        );
    }
    let admitted = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (admitted, refused),
        (BUDGET as usize, 2 * BUDGET as usize),
        "{statuses:?}"
    );
}

/// A request the database cannot count is not let through uncounted: it
/// gets the API's error for a failed database call, and changes nothing.
#[tokio::test]
async fn a_request_that_cannot_be_counted_is_refused_and_changes_nothing() {
    let pg = postgres::server().expect("the test PostgreSQL");
    let database = pg.create_database().unwrap();
    let server = serve(&database);
    let http = http();
    assert_eq!(get(&http, &server.url, TOKEN).await.status, 200);
    let name = database.rsplit('/').next().expect("a database name");
    pg.psql(name, "DROP TABLE rate_limit_windows").unwrap();
    let url = format!("{}/labels", server.url);
    let label = r#"{"label":{"key":"env","value":"prod"}}"#;
    let a = send(&http, reqwest::Method::POST, &url, TOKEN, Some(label)).await;
    assert_eq!(a.status, 500, "{}", a.body);
    assert_eq!(a.body["errors"][0]["status"], 500, "{}", a.body);
    let message = a.body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("rate_limit_windows"), "{message}");
    let labels = pg
        .psql(name, "SELECT count(*) FROM resources WHERE kind = 'label'")
        .unwrap();
    assert_eq!(labels, "0", "the uncounted request wrote a label");
}
