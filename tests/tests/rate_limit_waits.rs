//! The client under a rate limit, against the scripted server: it waits
//! exactly as each 429 says for as long as its deadline allows, then gives
//! up with an error naming the wait; one 429 holds back every clone; and it
//! counts what it sent and waited.

use std::time::{Duration, Instant};

use segment_api::{Error, RetryPolicy};
use segment_e2e::fake::{Reply, ScriptedServer};
use segment_e2e::within;
use serde_json::json;

/// Backoff far below every server hint, and a deadline of `deadline`.
fn policy(deadline: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(2),
        rate_limit_deadline: deadline,
    }
}

fn workspace_reply() -> Reply {
    Reply::ok(json!({"workspace": {"id": "ws1", "slug": "acme", "name": "Acme"}}))
}

const LIMIT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn n_429s_then_200_waits_exactly_as_told_and_counts_it() {
    let mut replies: Vec<Reply> = (0..3).map(|_| Reply::rate_limited(Some(300))).collect();
    replies.push(workspace_reply());
    let server = ScriptedServer::start(replies).await;
    // Far more attempts than the policy's two: 429s are bounded by time.
    let c = server.client(policy(Duration::from_secs(10)));
    let ws = within(LIMIT, "get_workspace", c.get_workspace())
        .await
        .expect("waited out");
    assert_eq!(ws.slug, "acme");
    let seen = server.requests();
    assert_eq!(seen.len(), 4);
    for pair in seen.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(300), "came back after {gap:?}");
        assert!(gap < Duration::from_millis(800), "waited {gap:?}");
    }
    let usage = c.usage();
    assert_eq!((usage.requests, usage.rate_limited), (4, 3));
    assert!(
        usage.waited >= Duration::from_millis(900) && usage.waited < Duration::from_millis(2000),
        "{usage:?}"
    );
    assert_eq!(c.requests_sent(), 4);
    assert_eq!(
        usage.last_limit.as_deref(),
        Some("Too many requests, please try again later.")
    );
}

#[tokio::test]
async fn a_wait_past_the_deadline_fails_at_once_naming_it() {
    let server =
        ScriptedServer::start(vec![Reply::rate_limited(Some(5_000)), workspace_reply()]).await;
    let c = server.client(policy(Duration::from_secs(1)));
    let started = Instant::now();
    let err = within(LIMIT, "get_workspace", c.get_workspace())
        .await
        .expect_err("5 s is past a 1 s deadline");
    assert!(started.elapsed() < Duration::from_millis(900), "it waited");
    assert_eq!(server.requests().len(), 1);
    assert!(
        matches!(&err, Error::RateLimited(r) if r.asked == Duration::from_secs(5)),
        "{err:?}"
    );
    let text = err.to_string();
    for part in [
        "rate limit",
        "GET",
        "5.0 s more",
        "1 s deadline",
        "HTTP 429",
    ] {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
    assert!(!text.contains("test-token"), "{text}");
    assert_eq!(err.status(), Some(429));
}

#[tokio::test]
async fn waits_add_up_to_the_deadline_then_stop() {
    // 400 ms each: waits end at 0.4 s and 0.8 s; a third would end at 1.2 s,
    // past the 1 s deadline.
    let replies = (0..6).map(|_| Reply::rate_limited(Some(400))).collect();
    let server = ScriptedServer::start(replies).await;
    let c = server.client(policy(Duration::from_secs(1)));
    let err = within(LIMIT, "get_workspace", c.get_workspace())
        .await
        .expect_err("past the deadline");
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn one_429_holds_back_every_clone() {
    let server = ScriptedServer::start(vec![
        Reply::rate_limited(Some(600)),
        workspace_reply(),
        workspace_reply(),
    ])
    .await;
    let c = server.client(policy(Duration::from_secs(10)));
    let first = tokio::spawn({
        let c = c.clone();
        async move { c.get_workspace().await }
    });
    // Once the 429 is in, a clone's request waits for the same instant.
    within(LIMIT, "the first answer", async {
        while server.requests().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    let other = c.scoped();
    within(LIMIT, "the clone's read", other.get_workspace())
        .await
        .expect("a clone's read");
    within(LIMIT, "the first read", first)
        .await
        .expect("joined")
        .expect("the first read");
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    for later in &seen[1..] {
        let gap = later.at - seen[0].at;
        assert!(gap >= Duration::from_millis(600), "sent after {gap:?}");
    }
    // The clone counts its own request and wait, and into its parent's.
    let own = other.usage();
    assert_eq!((own.requests, own.rate_limited), (1, 0));
    assert!(own.waited >= Duration::from_millis(450), "{own:?}");
    assert_eq!(c.usage().requests, 3);
}
