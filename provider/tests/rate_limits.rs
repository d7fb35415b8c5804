//! The provider under Segment's rate limits, through real Terraform against
//! a real workspace with its limits on (scaled so a minute takes seconds):
//! a refresh of many list-only objects reads their list once, and writes
//! over a per-endpoint limit wait as told, complete, and say so.

mod support;

use std::time::Duration;

use segment_e2e::{fixtures, within, RateLimitConfig, TestWorkspace};
use support::plans::exit_code;
use support::workspace_dir::{WorkspaceDir, APPLY, PLAN};

const LIMIT: Duration = Duration::from_secs(60);
/// Amplitude (Actions)' "Log Event" action.
const LOG_EVENT: &str = "gA673j6ij2yCB8n9Fztpj9";

fn limits(scale: f64) -> RateLimitConfig {
    RateLimitConfig::default()
        .with_scale(scale)
        .expect("a valid scale")
}

async fn limited_dir(scale: f64) -> WorkspaceDir {
    let ws = within(
        LIMIT,
        "start workspace",
        TestWorkspace::start_with_limits(limits(scale)),
    )
    .await
    .expect("workspace starts");
    WorkspaceDir::on(ws, &[])
}

/// Requests the server answered, by method and route, over every status
/// (`status` = `Some("429")` for the refused ones only).
async fn requests(dir: &WorkspaceDir, method: &str, route: &str, status: Option<&str>) -> u64 {
    let raw = dir.ws.get_raw("/metrics").await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    let prefix =
        format!("segment_workspace_requests_total{{method=\"{method}\",route=\"{route}\",");
    raw.text
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|rest| status.is_none_or(|s| rest.starts_with(&format!("status=\"{s}\""))))
        .filter_map(|rest| rest.rsplit_once(' ')?.1.parse::<u64>().ok())
        .sum()
}

const LABELS: usize = 300;

// Each label's ReadResource listed every label (the API has no single-label
// read): a refresh of N labels made N list requests, which Segment's limits
// throttle for minutes.
#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_of_300_labels_lists_them_once() {
    // Label writes: 60 a minute at 60x, one a millisecond on average.
    let dir = limited_dir(60.0).await;
    let body: String = (0..LABELS)
        .map(|i| {
            format!(
                "\nresource \"segment_label\" \"l{i}\" {{\n  key   = \"team\"\n  \
                 value = \"t{i}\"\n}}\n"
            )
        })
        .collect();
    dir.write(&body);
    let apply = dir.tf.terraform(APPLY);
    assert!(
        apply
            .stdout
            .contains(&format!("Apply complete! Resources: {LABELS} added")),
        "{}",
        apply.output()
    );
    let before = requests(&dir, "GET", "/labels", None).await;
    let plan = dir.tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "no changes: {}", plan.output());
    let lists = requests(&dir, "GET", "/labels", None).await - before;
    // Terraform refreshes in one provider process, which reads the list
    // once; two meant its first parallel RPCs each built a client.
    assert_eq!(
        lists, 1,
        "the refresh of {LABELS} labels listed them {lists} times"
    );
}

fn subscription(destination: &str, i: usize) -> String {
    format!(
        r#"
resource "segment_destination_subscription" "s{i}" {{
  destination_id = "{destination}"
  action_id      = "{LOG_EVENT}"
  name           = "Events {i}"
  enabled        = true
  trigger        = "type = \"track\""
  settings = jsonencode({{
    event_type = {{ "@path" = "$.event" }}
  }})
}}
"#
    )
}

const SUBSCRIPTIONS: usize = 20;

// Subscription writes are limited to 5 a minute: 20 behind Terraform's ten
// parallel calls ran out of attempts and failed the apply.
#[tokio::test(flavor = "multi_thread")]
async fn twenty_subscriptions_under_five_a_minute_apply_and_warn_of_the_wait() {
    // Five every 2 s: the 20 creates need at least three windows after the
    // first, so about 6 s of waiting.
    let dir = limited_dir(30.0).await;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let dest = dir
        .destination(&fixtures::amplitude_actions_destination(&web))
        .await;
    let body: String = (0..SUBSCRIPTIONS).map(|i| subscription(&dest, i)).collect();
    dir.write(&body);
    let apply = dir.tf.terraform(APPLY);
    let out = apply.output();
    assert!(
        apply
            .stdout
            .contains(&format!("Apply complete! Resources: {SUBSCRIPTIONS} added")),
        "{out}"
    );
    assert!(!out.contains("Error"), "{out}");
    // Terraform wraps diagnostics: compare with whitespace folded.
    let folded = out.split_whitespace().collect::<Vec<_>>().join(" ");
    for part in [
        "Waited for the workspace's rate limit",
        "segment_destination_subscription create waited",
    ] {
        assert!(folded.contains(part), "{part:?} not in:\n{out}");
    }
    // Terraform shows the first of similar warnings: the request that got
    // the 429 names the limit, one held back by it says so.
    assert!(
        folded.contains("destination subscription create/update/remove allows 5 requests")
            || folded.contains("another request's 429 held this one back"),
        "no reason for the wait in:\n{out}"
    );
    let route = "/destinations/{id}/subscriptions";
    let refused = requests(&dir, "POST", route, Some("429")).await;
    let created = requests(&dir, "POST", route, Some("200")).await;
    assert!(
        refused > 0,
        "the limit was never hit: the test shows nothing"
    );
    assert_eq!(created, SUBSCRIPTIONS as u64);
    let listed = dir.ws.owner().list_subscriptions(&dest);
    let listed = within(LIMIT, "list", listed).await.expect("list");
    assert_eq!(listed.len(), SUBSCRIPTIONS);

    let plan = dir.tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "no changes: {}", plan.output());
}
