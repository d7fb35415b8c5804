//! `segment_destination_subscription` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{DestinationSubscription, UpdateDestinationSubscription};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

/// Actions of "Amplitude (Actions)" in the server's catalog.
const LOG_EVENT: &str = "gA673j6ij2yCB8n9Fztpj9";
const IDENTIFY_USER: &str = "9STyJcVfDee2NowS4DGdmW";

fn resource(destination_id: &str, action_id: &str, name: &str, enabled: bool) -> String {
    format!(
        r#"
resource "segment_destination_subscription" "s" {{
  destination_id = "{destination_id}"
  action_id      = "{action_id}"
  name           = "{name}"
  enabled        = {enabled}
  trigger        = "type = \"track\""
  settings = jsonencode({{
    user_id    = {{ "@path" = "$.userId" }}
    event_type = {{ "@path" = "$.event" }}
  }})
}}
"#
    )
}

async fn subscriptions(ws: &TestWorkspace, destination_id: &str) -> Vec<DestinationSubscription> {
    within(
        LIMIT,
        "list subscriptions",
        ws.owner().list_subscriptions(destination_id),
    )
    .await
    .expect("list subscriptions")
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_subscription_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let dest = api
        .create_destination(&fixtures::amplitude_actions_destination(&web.id))
        .await
        .expect("actions destination");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: an action the destination lacks is refused by the API,
    // pointed at `action_id`, and nothing is created.
    write(&resource(&dest.id, "no-such-action", "Events", true));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("`action_id`") && bad.stderr.contains("logEvent"),
        "{}",
        bad.output()
    );
    assert!(subscriptions(&ws, &dest.id).await.is_empty());

    // Create, then a clean plan.
    write(&resource(&dest.id, LOG_EVENT, "Events", true));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = subscriptions(&ws, &dest.id).await.pop().expect("created");
    assert_eq!(created.name, "Events");
    assert_eq!(created.action_slug, "logEvent");
    assert_eq!(created.settings["user_id"]["@path"], "$.userId");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place.
    write(&resource(&dest.id, LOG_EVENT, "All events", false));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = subscriptions(&ws, &dest.id)
        .await
        .pop()
        .expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name, "All events");
    assert!(!updated.enabled);

    // Another action replaces the subscription.
    write(&resource(&dest.id, IDENTIFY_USER, "All events", false));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let all = subscriptions(&ws, &dest.id).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].action_slug, "identifyUser");
    let id = all[0].id.clone();
    let import_id = format!("{}:{id}", dest.id);

    // Import with an `import` block: nothing to change.
    tf.terraform_ok(&["state", "rm", "segment_destination_subscription.s"]);
    let body = resource(&dest.id, IDENTIFY_USER, "All events", false);
    write(&format!(
        "{body}\nimport {{\n  to = segment_destination_subscription.s\n  id = \"{import_id}\"\n}}\n"
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
    let args = [
        "import",
        "-input=false",
        "segment_destination_subscription.s",
    ];
    tf.terraform_ok(&[&args[..], &[import_id.as_str()]].concat());
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift: a trigger changed in the app shows as exactly that attribute.
    let drift = UpdateDestinationSubscription {
        trigger: Some("type = \"identify\"".into()),
        ..Default::default()
    };
    api.update_subscription(&dest.id, &id, &drift)
        .await
        .expect("drift");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["trigger"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation.
    api.delete_subscription(&dest.id, &id)
        .await
        .expect("delete");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(subscriptions(&ws, &dest.id).await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(subscriptions(&ws, &dest.id).await.is_empty(), "destroyed");
}
