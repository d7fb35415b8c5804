//! `segment_tracking_plan` and `segment_source_tracking_plan_connection`
//! through real Terraform against a real workspace server: create, update,
//! replace, import, drift, destroy, bad input; and a plan of 2,000 rules,
//! which upstream cannot take by PUT, changed and shrunk in pages.

mod support;

use std::time::{Duration, Instant};

use segment_api::models::{RuleInput, TrackingPlan, UpdateTrackingPlan};
use segment_e2e::{fixtures, within, TestWorkspace};
use serde_json::json;
use support::steps::Steps;
use support::workspace_dir::{WorkspaceDir, APPLY};

const LIMIT: Duration = Duration::from_secs(30);

/// A plan of type `kind` with an `Order Completed` rule, an IDENTIFY rule
/// whose schema is a hand-formatted heredoc, and `extra` rules.
fn plan_resource(name: &str, kind: &str, schema_type: &str, extra: &str) -> String {
    format!(
        r#"
resource "segment_tracking_plan" "p" {{
  name        = "{name}"
  type        = "{kind}"
  description = "Checkout events"
  rules = [
    {{
      key     = "Order Completed"
      type    = "TRACK"
      version = 1
      json_schema = jsonencode({{
        properties = {{ properties = {{ type = "object", required = ["order_id"] }} }}
      }})
    }},
    {{
      type    = "IDENTIFY"
      version = 1
      json_schema = <<-EOT
        {{ "properties": {{ "traits": {{ "type": "{schema_type}" }} }} }}
      EOT
    }},{extra}
  ]
}}
"#
    )
}

const PAGE_RULE: &str = r#"
    {
      type        = "PAGE"
      version     = 2
      json_schema = jsonencode({ properties = {} })
    },"#;

async fn plans(ws: &TestWorkspace) -> Vec<TrackingPlan> {
    within(LIMIT, "list plans", ws.owner().list_tracking_plans())
        .await
        .expect("list tracking plans")
}

async fn source_ids(ws: &TestWorkspace, plan_id: &str) -> Vec<String> {
    let sources = within(
        LIMIT,
        "list plan sources",
        ws.owner().list_tracking_plan_sources(plan_id),
    )
    .await
    .expect("list plan sources");
    sources.into_iter().map(|s| s.id).collect()
}

fn connection(source_id: &str, plan: &str) -> String {
    format!(
        r#"
resource "segment_source_tracking_plan_connection" "c" {{
  source_id        = "{source_id}"
  tracking_plan_id = {plan}
}}
"#
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn tracking_plan_and_connection_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let ws = &dir.ws;
    let api = ws.owner();
    let t = Steps::new(&dir, "segment_tracking_plan.p");

    // Bad input: a rule type upstream does not know, and a schema that is
    // not JSON, fail before any request, naming `rules`.
    let bad = plan_resource("Checkout", "LIVE", "x\",", PAGE_RULE)
        .replace("type        = \"PAGE\"", "type        = \"PAGES\"");
    t.refused(
        &bad,
        APPLY,
        &[
            "Invalid value for rules",
            "\"PAGES\"",
            "not valid JSON",
            "rules",
        ],
    );
    assert!(plans(ws).await.is_empty(), "nothing is created");

    // Create, then a clean plan: the heredoc's spacing is no drift.
    t.create(&plan_resource("Checkout", "LIVE", "object", ""));
    let created = plans(ws).await.pop().expect("created");
    assert_eq!(created.name.as_deref(), Some("Checkout"));
    assert_eq!(created.description.as_deref(), Some("Checkout events"));
    let rules = api.list_rules(&created.id).await.expect("rules");
    assert_eq!(rules.len(), 2, "{rules:?}");

    // Update in place: a new name, one schema changed and a rule added.
    t.update(&plan_resource("Checkout v2", "LIVE", "array", PAGE_RULE));
    let updated = api
        .get_tracking_plan(&created.id)
        .await
        .expect("still there");
    assert_eq!(updated.name.as_deref(), Some("Checkout v2"));
    let rules = api.list_rules(&created.id).await.expect("rules");
    assert_eq!(rules.len(), 3, "{rules:?}");
    let identify = rules
        .iter()
        .find(|r| r.kind == "IDENTIFY")
        .expect("identify");
    assert_eq!(
        identify.json_schema["properties"]["traits"]["type"],
        "array"
    );

    // A new type replaces the plan.
    let body = plan_resource("Checkout v2", "RULE_LIBRARY", "array", PAGE_RULE);
    t.replace(&body);
    let replaced = plans(ws).await.pop().expect("replaced");
    assert_ne!(replaced.id, created.id);
    assert_eq!(replaced.kind, "RULE_LIBRARY");
    let id = replaced.id.clone();

    // Import with an `import` block: nothing to change but the heredoc,
    // whose text an import cannot know, so the block uses jsonencode.
    // Then with `terraform import`, and a clean plan.
    let body = body.replace(
        "<<-EOT\n        { \"properties\": { \"traits\": { \"type\": \"array\" } } }\n      EOT",
        "jsonencode({ properties = { traits = { type = \"array\" } } })",
    );
    t.import_both_ways(&body, &id);

    // Drift in the name, then in one rule: each shows as that attribute,
    // with `updated_at` recomputed ("known after apply").
    let rename = UpdateTrackingPlan {
        name: Some("Renamed".into()),
        description: None,
    };
    api.update_tracking_plan(&id, &rename)
        .await
        .expect("rename");
    t.changes(&["name", "updated_at"]);
    t.apply();
    let drift = RuleInput {
        kind: "PAGE".into(),
        key: None,
        json_schema: json!({"properties": {"changed": true}}),
        version: 2,
    };
    api.upsert_rules(&id, &[drift]).await.expect("rule drift");
    t.changes(&["rules", "updated_at"]);
    t.apply();
    t.clean();

    // The connection: a source follows the plan, then another plan (a
    // replacement), is imported both ways, and drifts away.
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source web");
    let other = r#"
resource "segment_tracking_plan" "q" {
  name  = "Other"
  type  = "LIVE"
  rules = []
}
"#;
    let c = Steps::new(&dir, "segment_source_tracking_plan_connection.c");
    let with = |plan: &str| format!("{body}{other}{}", connection(&web.id, plan));
    c.create(&with("segment_tracking_plan.p.id"));
    assert_eq!(source_ids(ws, &id).await, [web.id.as_str()]);

    let conn = with("segment_tracking_plan.q.id");
    c.replace(&conn);
    let q = plans(ws).await.into_iter().find(|p| p.id != id).expect("q");
    assert!(source_ids(ws, &id).await.is_empty());
    assert_eq!(source_ids(ws, &q.id).await, [web.id.as_str()]);

    c.import_both_ways(&conn, &format!("{}:{}", web.id, q.id));

    api.remove_tracking_plan_source(&q.id, &web.id)
        .await
        .expect("disconnect");
    c.gone();
    c.apply();
    assert_eq!(source_ids(ws, &q.id).await, [web.id.as_str()]);

    // The plan deleted outside Terraform: planned for creation.
    api.delete_tracking_plan(&id).await.expect("delete");
    t.gone();

    // Create again, then destroy everything.
    t.apply();
    assert_eq!(plans(ws).await.len(), 2);
    t.destroy();
    assert!(plans(ws).await.is_empty(), "destroyed");
    let source = api.get_source(&web.id).await.expect("the source stays");
    assert_eq!(source.id, web.id);
}

/// `count` TRACK rules from a `for` expression; the first `changed` get
/// version 2 and a new schema.
fn many_rules(count: usize, changed: usize) -> String {
    format!(
        r#"
resource "segment_tracking_plan" "big" {{
  name = "Big"
  type = "LIVE"
  # range() stops at 1,024 values: count in blocks of 1,000.
  rules = [for i in flatten([
    for c in range(0, {count}, 1000) : range(c, min(c + 1000, {count}))
  ]) : {{
    type    = "TRACK"
    key     = "Event ${{i}}"
    version = i < {changed} ? 2 : 1
    json_schema = jsonencode({{
      properties = {{
        properties = {{
          type       = "object"
          required   = i < {changed} ? ["id", "total"] : ["id"]
          properties = {{ id = {{ type = "string" }} }}
        }}
      }}
    }})
  }}]
}}
"#
    )
}

/// Upstream refuses PUT above 200 rules (official provider issues #80,
/// #222): 2,000 rules go in by PATCH pages, and changes go as a diff.
#[tokio::test(flavor = "multi_thread")]
async fn tracking_plan_with_2000_rules() {
    let dir = WorkspaceDir::start().await;
    let ws = &dir.ws;
    let api = ws.owner();
    let t = Steps::new(&dir, "segment_tracking_plan.big");

    t.write(&many_rules(2000, 0));
    let started = Instant::now();
    t.apply();
    eprintln!("apply of 2,000 rules: {:?}", started.elapsed());
    let id = plans(ws).await.pop().expect("created").id;
    assert_eq!(api.list_rules(&id).await.expect("rules").len(), 2000);

    // A refresh reads 10 pages of 200. Its speed is a benchmark's to
    // judge, not a timed assertion's (a busy CI machine is 3x slower).
    let started = Instant::now();
    t.clean();
    eprintln!("clean plan of 2,000 rules: {:?}", started.elapsed());

    // 300 rules change and 100 go: DELETE and PATCH pages, never PUT.
    let started = Instant::now();
    t.apply_saying(&many_rules(1900, 300), "updated in-place");
    eprintln!(
        "apply of 300 changes, 100 removals: {:?}",
        started.elapsed()
    );
    let rules = api.list_rules(&id).await.expect("rules");
    assert_eq!(rules.len(), 1900);
    let find = |key: &str| rules.iter().find(|r| r.key.as_deref() == Some(key));
    let first = find("Event 0").expect("Event 0");
    assert_eq!(first.version, 2);
    assert_eq!(
        first.json_schema["properties"]["properties"]["required"],
        json!(["id", "total"])
    );
    assert_eq!(find("Event 300").expect("Event 300").version, 1);
    assert!(find("Event 1900").is_none() && find("Event 1999").is_none());
    t.clean();

    t.destroy();
    assert!(plans(ws).await.is_empty(), "destroyed");
}
