//! `segment_label` through real Terraform: create, replace on every change
//! (labels have no update), import by `<key>:<value>`, delete outside
//! Terraform, destroy, and a malformed import ID.

mod support;

use std::time::Duration;

use segment_api::models::Label;
use segment_e2e::{within, TestWorkspace};
use support::plans::exit_code;
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

fn config(value: &str, description: &str) -> String {
    format!(
        r#"
resource "segment_label" "l" {{
  key         = "team"
  value       = "{value}"
  description = "{description}"
}}
"#
    )
}

async fn labels(ws: &TestWorkspace) -> Vec<Label> {
    within(LIMIT, "list labels", ws.owner().list_labels())
        .await
        .expect("list labels")
}

#[tokio::test(flavor = "multi_thread")]
async fn label_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: an empty value is refused before any request.
    write(&config("", "x"));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["plan", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(bad.stderr.contains("value"), "{}", bad.output());

    write(&config("growth", "Growth team"));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(labels(&ws).await.len(), 1);
    assert_eq!(
        labels(&ws).await[0].description.as_deref(),
        Some("Growth team")
    );
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Any change replaces: the API cannot update a label.
    write(&config("core", "Core team"));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let now = labels(&ws).await;
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0].value, "core");

    // Import with a block, and with `terraform import`; a bad ID is refused.
    tf.terraform_ok(&["state", "rm", "segment_label.l"]);
    let body = config("core", "Core team");
    write(&format!(
        "{body}\nimport {{\n  to = segment_label.l\n  id = \"team:core\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    write(&body);
    let bad = tf.terraform(&["import", "-input=false", "segment_label.l", "team-core"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(bad.stderr.contains("<key>:<value>"), "{}", bad.output());
    tf.terraform_ok(&["import", "-input=false", "segment_label.l", "team:core"]);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Deleted outside Terraform: planned for creation.
    ws.owner()
        .delete_label("team", "core")
        .await
        .expect("delete");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(labels(&ws).await.is_empty(), "destroyed");
}
