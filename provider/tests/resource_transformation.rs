//! `segment_transformation` through real Terraform against a real workspace
//! server: create, update (only removing the destination scope forces
//! replacement), import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{Transformation, UpdateTransformation};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];

/// `optional` goes inside the block; the three sets are always given.
fn resource(source_id: &str, name: &str, renamed: &str, fql: &str, optional: &str) -> String {
    format!(
        r#"
resource "segment_transformation" "t" {{
  source_id = "{source_id}"
  name      = "{name}"
  enabled   = true
  if        = "event = 'Order Completed'"
{optional}
  property_renames = [{{ old_name = "total", new_name = "{renamed}" }}]
  property_value_transformations = [{{
    property_paths = ["properties.currency", "context.currency"]
    property_value = "USD"
  }}]
  fql_defined_properties = [{fql}]
}}
"#
    )
}

const FQL: &str = r#"{ fql = "lowercase(properties.email)", property_name = "email" }"#;

async fn only_transformation(ws: &TestWorkspace) -> Option<Transformation> {
    let call = ws.owner().list_transformations();
    let all = within(LIMIT, "list transformations", call)
        .await
        .expect("list transformations");
    assert!(all.len() <= 1, "expected at most one: {all:?}");
    all.into_iter().next()
}

#[tokio::test(flavor = "multi_thread")]
async fn transformation_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source web");
    let app = api
        .create_source(&fixtures::javascript_source("app"))
        .await
        .expect("source app");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));
    let scoped = format!("  destination_metadata_id = \"{AMPLITUDE_DESTINATION}\"\n");
    let renaming = format!("{scoped}  new_event_name = \"Order Done\"\n");

    // Bad input: more FQL properties than the API takes fails before any
    // request.
    let two = format!("{FQL}, {}", FQL.replace("\"email\"", "\"email2\""));
    write(&resource(&web.id, "orders", "revenue", &two, ""));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr
            .contains("Invalid value for fql_defined_properties"),
        "{}",
        bad.output()
    );
    assert!(only_transformation(&ws).await.is_none(), "nothing created");

    // Create, then a clean plan.
    write(&resource(&web.id, "orders", "revenue", FQL, &renaming));
    tf.terraform_ok(APPLY);
    let created = only_transformation(&ws).await.expect("created");
    assert_eq!(created.name, "orders");
    assert_eq!(created.condition, "event = 'Order Completed'");
    assert_eq!(created.new_event_name.as_deref(), Some("Order Done"));
    assert_eq!(
        created.destination_metadata_id.as_deref(),
        Some(AMPLITUDE_DESTINATION)
    );
    assert_eq!(created.property_renames[0].new_name, "revenue");
    let paths = &created.property_value_transformations[0].property_paths;
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert_eq!(created.fql_defined_properties[0].property_name, "email");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place: even the source changes without replacement, and
    // the event renaming is removed.
    let body = resource(&app.id, "orders2", "amount", "", &scoped);
    write(&body);
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = only_transformation(&ws).await.expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.source_id, app.id);
    assert_eq!(updated.name, "orders2");
    assert_eq!(updated.property_renames[0].new_name, "amount");
    assert!(updated.fql_defined_properties.is_empty());
    let renamed = updated.new_event_name.filter(|n| !n.is_empty());
    assert_eq!(renamed, None, "renaming removed");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // The API cannot unset the destination scope: removing it replaces the
    // transformation; setting it again is an update in place.
    write(&resource(&app.id, "orders2", "amount", "", ""));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let unscoped = only_transformation(&ws).await.expect("replaced");
    assert_ne!(unscoped.id, updated.id);
    assert_eq!(unscoped.destination_metadata_id, None);
    write(&body);
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let id = unscoped.id.clone();

    // Import with an `import` block: nothing to change.
    let to = "segment_transformation.t";
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

    // Drift in the condition shows as exactly that attribute.
    let drift = UpdateTransformation {
        condition: Some("event = 'Order Refunded'".into()),
        ..Default::default()
    };
    api.update_transformation(&id, &drift).await.expect("drift");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(changed_attributes(&plan.stdout), ["if"], "{}", plan.stdout);

    // Deleted outside Terraform: planned for creation.
    api.delete_transformation(&id).await.expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(APPLY);
    assert!(only_transformation(&ws).await.is_some());
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(only_transformation(&ws).await.is_none(), "destroyed");
}
