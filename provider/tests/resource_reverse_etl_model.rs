//! `segment_reverse_etl_model` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{ReverseEtlModel, UpdateReverseEtlModel};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];

/// `extra` goes inside the resource block.
fn resource(source_id: &str, name: &str, enabled: bool, query: &str, extra: &str) -> String {
    format!(
        r#"
resource "segment_reverse_etl_model" "m" {{
  source_id               = "{source_id}"
  name                    = "{name}"
  description             = "Users for {name}"
  enabled                 = {enabled}
  query                   = "{query}"
  query_identifier_column = "id"
{extra}}}
"#
    )
}

async fn only_model(ws: &TestWorkspace) -> Option<ReverseEtlModel> {
    let all = within(LIMIT, "list models", ws.owner().list_reverse_etl_models())
        .await
        .expect("list models");
    assert!(all.len() <= 1, "expected at most one model: {all:?}");
    all.into_iter().next()
}

#[tokio::test(flavor = "multi_thread")]
async fn reverse_etl_model_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let pg = api
        .create_source(&fixtures::postgres_source("pg"))
        .await
        .expect("source pg");
    let pg2 = api
        .create_source(&fixtures::postgres_source("pg2"))
        .await
        .expect("source pg2");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));
    let q1 = "SELECT id, email FROM users";
    let q2 = "SELECT id, email, plan FROM users";

    // Bad input: an empty query fails before any request.
    write(&resource(&pg.id, "users", true, "", ""));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid value for query"),
        "{}",
        bad.output()
    );
    assert!(only_model(&ws).await.is_none(), "nothing is created");

    // Create with the deprecated schedule attributes an old configuration
    // may hold: accepted, kept as written, never sent. Then a clean plan.
    let schedule = "  schedule_strategy = \"MANUAL\"\n  schedule_config   = jsonencode({})\n";
    write(&resource(&pg.id, "users", true, q1, schedule));
    tf.terraform_ok(APPLY);
    let created = only_model(&ws).await.expect("created");
    assert_eq!(created.name, "users");
    assert_eq!(created.description, "Users for users");
    assert!(created.enabled);
    assert_eq!(created.query, q1);
    assert_eq!(created.query_identifier_column, "id");
    assert_eq!(created.schedule_strategy, None, "deprecated: not sent");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place (dropping the deprecated attributes too).
    write(&resource(&pg.id, "users2", false, q2, ""));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = only_model(&ws).await.expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name, "users2");
    assert_eq!(updated.description, "Users for users2");
    assert!(!updated.enabled);
    assert_eq!(updated.query, q2);

    // Another source replaces it.
    let body = resource(&pg2.id, "users2", false, q2, "");
    write(&body);
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let replaced = only_model(&ws).await.expect("replaced");
    assert_ne!(replaced.id, created.id);
    assert_eq!(replaced.source_id, pg2.id);
    let id = replaced.id.clone();

    // Import with an `import` block: nothing to change.
    let to = "segment_reverse_etl_model.m";
    tf.terraform_ok(&["state", "rm", to]);
    write(&format!(
        "{body}\nimport {{\n  to = {to}\n  id = \"{id}\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    // And with `terraform import`, then a clean plan.
    write(&body);
    tf.terraform_ok(&["import", "-input=false", to, &id]);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift in the query shows as exactly that attribute.
    let drift = UpdateReverseEtlModel {
        query: Some("SELECT 1 AS id".into()),
        ..Default::default()
    };
    api.update_reverse_etl_model(&id, &drift)
        .await
        .expect("drift");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["query"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation.
    api.delete_reverse_etl_model(&id).await.expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(APPLY);
    assert!(only_model(&ws).await.is_some());
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(only_model(&ws).await.is_none(), "destroyed");
}
