//! `segment_source` through real Terraform against a real workspace server:
//! create, update, replace, import, drift (a managed setting, a masked
//! secret that must not show), delete outside Terraform, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{Source, UpdateSource};
use segment_e2e::fixtures::{self, JAVASCRIPT_SOURCE, STRIPE_SOURCE};
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

fn config(slug: &str, name: &str, enabled: bool, account: &str, metadata: &str) -> String {
    format!(
        r#"
variable "stripe_key" {{
  type      = string
  sensitive = true
}}

resource "segment_label" "env" {{
  key   = "env"
  value = "prod"
}}

resource "segment_source" "s" {{
  slug     = "{slug}"
  name     = "{name}"
  enabled  = {enabled}
  metadata = {{ id = "{metadata}" }}
  settings = jsonencode({{
    apiKey    = var.stripe_key
    accountId = "{account}"
  }})
  labels = [{{ key = segment_label.env.key, value = segment_label.env.value }}]
}}
"#
    )
}

async fn only_source(ws: &TestWorkspace) -> Option<Source> {
    let all = within(LIMIT, "list sources", ws.owner().list_sources())
        .await
        .expect("list sources");
    assert!(all.len() <= 1, "expected at most one source: {all:?}");
    all.into_iter().next()
}

#[tokio::test(flavor = "multi_thread")]
async fn source_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let tf = TerraformDir::new()
        .env("PUBLIC_API_TOKEN", ws.owner_token())
        .env("TF_VAR_stripe_key", "sk_live_first");
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: a slug the workspace refuses names the attribute and
    // creates nothing.
    write(&config("Not A Slug", "Shop", true, "acct_1", STRIPE_SOURCE));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(bad.stderr.contains("slug"), "{}", bad.output());
    assert!(
        !bad.output().contains("sk_live_first"),
        "a secret reached the output:\n{}",
        bad.output()
    );
    assert!(only_source(&ws).await.is_none(), "nothing is created");

    // Create, then a clean plan (the secret comes back masked: no drift).
    write(&config("shop", "Shop", true, "acct_1", STRIPE_SOURCE));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = only_source(&ws).await.expect("created");
    assert_eq!(created.slug, "shop");
    assert_eq!(created.name.as_deref(), Some("Shop"));
    assert_eq!(created.labels.len(), 1, "{:?}", created.labels);
    assert_eq!(created.settings["accountId"], "acct_1");
    assert_ne!(
        created.settings["apiKey"], "sk_live_first",
        "masked on read"
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place: name, enabled, a setting.
    write(&config("shop", "Shop EU", false, "acct_2", STRIPE_SOURCE));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("updated in-place"),
        "{}",
        apply.output()
    );
    let updated = only_source(&ws).await.expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name.as_deref(), Some("Shop EU"));
    assert!(!updated.enabled);
    assert_eq!(updated.settings["accountId"], "acct_2");

    // Another catalog entry replaces the source.
    write(&config("shop", "Shop EU", false, "acct_2", JAVASCRIPT_SOURCE).replace(
        "  settings = jsonencode({\n    apiKey    = var.stripe_key\n    accountId = \"acct_2\"\n  })",
        "  settings = jsonencode({})",
    ));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let replaced = only_source(&ws).await.expect("replaced");
    assert_ne!(replaced.id, created.id);
    assert_eq!(replaced.metadata.id, JAVASCRIPT_SOURCE);

    // Back to Stripe for the rest (replaced again), then import both ways.
    write(&config("shop", "Shop EU", false, "acct_2", STRIPE_SOURCE));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let id = only_source(&ws).await.expect("source").id;
    tf.terraform_ok(&["state", "rm", "segment_source.s"]);
    let body = config("shop", "Shop EU", false, "acct_2", STRIPE_SOURCE);
    write(&format!(
        "{body}\nimport {{\n  to = segment_source.s\n  id = \"{id}\"\n}}\n"
    ));
    // The masked secret cannot be compared: a configured one is sent once,
    // and the plan warns that it replaces the stored one.
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    assert!(
        plan.output().contains("settings.apiKey of segment_source"),
        "{}",
        plan.output()
    );
    assert!(
        !plan.output().contains("sk_live_first"),
        "{}",
        plan.output()
    );
    write(&body);
    tf.terraform_ok(&["import", "-input=false", "segment_source.s", &id]);
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift in a managed setting shows as exactly that attribute; a setting
    // the configuration does not manage does not show at all.
    let drift = UpdateSource {
        settings: Some(fixtures::settings(
            serde_json::json!({"accountId": "acct_x"}),
        )),
        ..Default::default()
    };
    api.update_source(&id, &drift).await.expect("drift");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["settings"],
        "{}",
        plan.stdout
    );
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let unmanaged = UpdateSource {
        settings: Some(fixtures::settings(
            serde_json::json!({"includeTestData": true}),
        )),
        ..Default::default()
    };
    api.update_source(&id, &unmanaged)
        .await
        .expect("unmanaged change");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Deleted outside Terraform: planned for creation.
    api.delete_source(&id).await.expect("delete");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(only_source(&ws).await.is_some());
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(only_source(&ws).await.is_none(), "destroyed");
    let labels = api.list_labels().await.expect("labels");
    assert!(labels.is_empty(), "label destroyed too: {labels:?}");
}
