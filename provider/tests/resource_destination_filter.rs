//! `segment_destination_filter` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{DestinationFilter, UpdateDestinationFilter};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

const DROP_EMAIL: &str =
    r#"{ type = "DROP_PROPERTIES", fields = jsonencode({ properties = { fields = ["email"] } }) }"#;
const SAMPLE: &str = r#"{ type = "SAMPLE", percent = 0.1, path = "userId" }"#;

fn resource(destination_id: &str, source_id: &str, title: &str, actions: &[&str]) -> String {
    format!(
        r#"
resource "segment_destination_filter" "f" {{
  destination_id = "{destination_id}"
  source_id      = "{source_id}"
  title          = "{title}"
  description    = "Keeps emails out"
  if             = "event = \"Order Completed\""
  enabled        = true
  actions        = [{}]
}}
"#,
        actions.join(", ")
    )
}

async fn filters(ws: &TestWorkspace, destination_ids: &[&str]) -> Vec<DestinationFilter> {
    let mut all = Vec::new();
    for d in destination_ids {
        let found = within(LIMIT, "list filters", ws.owner().list_filters(d))
            .await
            .expect("list filters");
        all.extend(found);
    }
    all
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_filter_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let first = api
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .expect("first destination");
    let second = api
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .expect("second destination");
    assert_eq!(first.metadata.id, AMPLITUDE_DESTINATION);
    let both = [first.id.as_str(), second.id.as_str()];
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: a sample of 150% fails at plan, naming `actions`.
    let oversampled = r#"{ type = "SAMPLE", percent = 1.5, path = "userId" }"#;
    write(&resource(&first.id, &web.id, "Trim", &[oversampled]));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid value for actions") && bad.stderr.contains("percent"),
        "{}",
        bad.output()
    );
    assert!(filters(&ws, &both).await.is_empty(), "nothing is created");

    // Create, then a clean plan.
    write(&resource(&first.id, &web.id, "Trim", &[DROP_EMAIL, SAMPLE]));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = filters(&ws, &both).await.pop().expect("created");
    assert_eq!(created.title, "Trim");
    assert_eq!(created.actions.len(), 2);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place: a new title, one action fewer.
    write(&resource(&first.id, &web.id, "Trim more", &[DROP_EMAIL]));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = filters(&ws, &both).await.pop().expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.title, "Trim more");
    assert_eq!(updated.actions.len(), 1);
    assert_eq!(updated.actions[0].kind, "DROP_PROPERTIES");

    // Another destination replaces the filter (with the sample back, so
    // the import below reads a fraction and a JSON `fields` back).
    let body = resource(&second.id, &web.id, "Trim more", &[DROP_EMAIL, SAMPLE]);
    write(&body);
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let all = filters(&ws, &both).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].destination_id, second.id);
    let import_id = format!("{}:{}", second.id, all[0].id);

    // Import with an `import` block: nothing to change.
    tf.terraform_ok(&["state", "rm", "segment_destination_filter.f"]);
    write(&format!(
        "{body}\nimport {{\n  to = segment_destination_filter.f\n  id = \"{import_id}\"\n}}\n"
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
    let args = ["import", "-input=false", "segment_destination_filter.f"];
    tf.terraform_ok(&[&args[..], &[import_id.as_str()]].concat());
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift: a title changed in the app shows as exactly that attribute.
    let drift = UpdateDestinationFilter {
        title: Some("Renamed in the app".into()),
        ..Default::default()
    };
    api.update_filter(&second.id, &all[0].id, &drift)
        .await
        .expect("drift");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["title"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation.
    api.delete_filter(&second.id, &all[0].id)
        .await
        .expect("delete");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(filters(&ws, &both).await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(filters(&ws, &both).await.is_empty(), "destroyed");
}

/// A workspace with one Javascript source feeding an Amplitude destination,
/// a second source, and Terraform pointed at it.
async fn one_destination() -> (TestWorkspace, String, String, String, TerraformDir) {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let other = api
        .create_source(&fixtures::javascript_source("other"))
        .await
        .expect("second source");
    let destination = api
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .expect("destination");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    (ws, web.id, other.id, destination.id, tf)
}

// The official provider's own example samples with `percent` and no `path`;
// ours refused it at plan ("a SAMPLE action needs path"), the workspace too.
#[tokio::test(flavor = "multi_thread")]
async fn a_sample_without_path_applies_and_plans_clean() {
    let (ws, web, _, destination, tf) = one_destination().await;
    let random = r#"{ type = "SAMPLE", percent = 0.05 }"#;
    let body = resource(&destination, &web, "Sample identifies", &[random]);
    tf.write(
        "main.tf",
        &format!("{}{body}", provider_config(ws.base_url())),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = filters(&ws, &[&destination]).await.pop().expect("created");
    assert_eq!(created.actions[0].kind, "SAMPLE");
    assert_eq!(created.actions[0].percent, Some(0.05));
    assert_eq!(created.actions[0].path, None);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
}

// A filter whose source is not its destination's passed plan and failed in
// the API with a message naming one id; it now fails before anything is
// sent, naming both sources and the fix.
#[tokio::test(flavor = "multi_thread")]
async fn a_filter_on_another_sources_events_names_both_sources() {
    let (ws, web, other, destination, tf) = one_destination().await;
    let body = resource(&destination, &other, "Wrong source", &[SAMPLE]);
    tf.write(
        "main.tf",
        &format!("{}{body}", provider_config(ws.base_url())),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    let said = bad.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("source_id")
            && said.contains(&format!("not \"{other}\""))
            && said.contains(&format!("source_id = \"{web}\"")),
        "{}",
        bad.output()
    );
    assert!(filters(&ws, &[&destination]).await.is_empty());
}
