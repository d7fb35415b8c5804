//! `segment_warehouse` and `segment_source_warehouse_connection` through
//! real Terraform against a real workspace server: create, update, replace,
//! import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{UpdateWarehouse, Warehouse};
use segment_e2e::fixtures::{self, settings, POSTGRES_WAREHOUSE};
use segment_e2e::{within, TestWorkspace};
use serde_json::json;
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const REDSHIFT_WAREHOUSE: &str = "aea3c55dsz";
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];
const CLEAN_IMPORT: &str = "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.";

fn import_block(to: &str, id: &str) -> String {
    format!("\nimport {{\n  to = {to}\n  id = \"{id}\"\n}}\n")
}

/// A warehouse configuration; `password: None` leaves the secret unmanaged.
fn warehouse(metadata: &str, name: &str, enabled: bool, host: &str, password: bool) -> String {
    let password = if password {
        "    password = \"s3cret\"\n"
    } else {
        ""
    };
    format!(
        r#"
resource "segment_warehouse" "w" {{
  name     = "{name}"
  enabled  = {enabled}
  metadata = {{ id = "{metadata}" }}
  settings = jsonencode({{
    hostname = "{host}"
    port     = 5432
    database = "warehouse"
    username = "loader"
{password}  }})
}}
"#
    )
}

async fn only_warehouse(ws: &TestWorkspace) -> Option<Warehouse> {
    let all = within(LIMIT, "list warehouses", ws.owner().list_warehouses())
        .await
        .expect("list warehouses");
    assert!(all.len() <= 1, "expected at most one warehouse: {all:?}");
    all.into_iter().next()
}

#[tokio::test(flavor = "multi_thread")]
async fn warehouse_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: a setting Postgres does not have is refused by the
    // workspace, and the error points at `settings`.
    write(
        &warehouse(POSTGRES_WAREHOUSE, "pg", true, "pg.internal", true)
            .replace("hostname =", "hostnme ="),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("hostnme") && bad.stderr.contains("`settings`"),
        "{}",
        bad.output()
    );
    assert!(only_warehouse(&ws).await.is_none(), "nothing is created");

    // Create, then a clean plan: the password the API leaves out is no drift.
    write(&warehouse(
        POSTGRES_WAREHOUSE,
        "pg",
        true,
        "pg.internal",
        true,
    ));
    tf.terraform_ok(APPLY);
    let created = only_warehouse(&ws).await.expect("created");
    assert_eq!(created.name.as_deref(), Some("pg"));
    assert!(created.enabled);
    assert_eq!(created.settings["hostname"], "pg.internal");
    assert!(!created.settings.contains_key("password"), "never returned");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place.
    write(&warehouse(
        POSTGRES_WAREHOUSE,
        "pg2",
        false,
        "pg2.internal",
        true,
    ));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = only_warehouse(&ws).await.expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name.as_deref(), Some("pg2"));
    assert!(!updated.enabled);
    assert_eq!(updated.settings["hostname"], "pg2.internal");

    // Another catalog entry replaces it.
    write(&warehouse(
        REDSHIFT_WAREHOUSE,
        "pg2",
        false,
        "pg2.internal",
        true,
    ));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let replaced = only_warehouse(&ws).await.expect("replaced");
    assert_ne!(replaced.id, created.id);
    assert_eq!(replaced.metadata.id, REDSHIFT_WAREHOUSE);
    let id = replaced.id.clone();

    // Import with an `import` block. The API never reveals the password, so
    // a configuration that sets one plans to set it once; one that leaves
    // it unmanaged imports with nothing to change.
    tf.terraform_ok(&["state", "rm", "segment_warehouse.w"]);
    let with_password = warehouse(REDSHIFT_WAREHOUSE, "pg2", false, "pg2.internal", true);
    let without = warehouse(REDSHIFT_WAREHOUSE, "pg2", false, "pg2.internal", false);
    let to = "segment_warehouse.w";
    write(&format!("{with_password}{}", import_block(to, &id)));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["settings"],
        "{}",
        plan.stdout
    );
    write(&format!("{without}{}", import_block(to, &id)));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(plan.stdout.contains(CLEAN_IMPORT), "{}", plan.output());
    // And with `terraform import`, then a clean plan.
    write(&without);
    tf.terraform_ok(&["import", "-input=false", to, &id]);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift in a managed setting shows as exactly that attribute.
    let drift = UpdateWarehouse {
        settings: Some(settings(json!({ "hostname": "elsewhere" }))),
        ..Default::default()
    };
    api.update_warehouse(&id, &drift).await.expect("drift");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["settings"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation, which needs the
    // password the configuration left out; the plan says so.
    api.delete_warehouse(&id).await.expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 1, "{}", plan.output());
    assert!(
        plan.stderr
            .contains("Missing required setting \"password\""),
        "{}",
        plan.output()
    );
    write(&with_password);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(APPLY);
    assert!(only_warehouse(&ws).await.is_some());
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(only_warehouse(&ws).await.is_none(), "destroyed");
}

fn connection(source_id: &str, warehouse_id: &str) -> String {
    format!(
        r#"
resource "segment_source_warehouse_connection" "c" {{
  source_id    = "{source_id}"
  warehouse_id = "{warehouse_id}"
}}
"#
    )
}

async fn connected(ws: &TestWorkspace, source_id: &str) -> Vec<String> {
    let call = ws.owner().list_connected_warehouses(source_id);
    let all = within(LIMIT, "list connected warehouses", call)
        .await
        .expect("list connected warehouses");
    all.into_iter().map(|w| w.id).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn source_warehouse_connection_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let source = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let first = api
        .create_warehouse(&fixtures::postgres_warehouse("first"))
        .await
        .expect("warehouse");
    let second = api
        .create_warehouse(&fixtures::postgres_warehouse("second"))
        .await
        .expect("warehouse");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: an empty id fails before any request.
    write(&connection("", &first.id));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid value for source_id"),
        "{}",
        bad.output()
    );
    assert!(connected(&ws, &source.id).await.is_empty(), "nothing made");

    // Create, then a clean plan.
    write(&connection(&source.id, &first.id));
    tf.terraform_ok(APPLY);
    assert_eq!(connected(&ws, &source.id).await, [first.id.as_str()]);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Nothing updates in place: another warehouse replaces the connection.
    write(&connection(&source.id, &second.id));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    assert_eq!(connected(&ws, &source.id).await, [second.id.as_str()]);

    // Import (ours can; the official provider's cannot), as
    // `<source_id>:<warehouse_id>`.
    let to = "segment_source_warehouse_connection.c";
    let id = format!("{}:{}", source.id, second.id);
    tf.terraform_ok(&["state", "rm", to]);
    let body = connection(&source.id, &second.id);
    write(&format!("{body}{}", import_block(to, &id)));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(plan.stdout.contains(CLEAN_IMPORT), "{}", plan.output());
    write(&body);
    let wrong = tf.terraform(&["import", "-input=false", to, &source.id]);
    assert!(!wrong.status.success(), "{}", wrong.output());
    assert!(
        wrong.stderr.contains("<source_id>:<warehouse_id>"),
        "{}",
        wrong.output()
    );
    tf.terraform_ok(&["import", "-input=false", to, &id]);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Disconnected outside Terraform: planned for creation.
    api.disconnect_warehouse_source(&second.id, &source.id)
        .await
        .expect("disconnect");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Connect again, then destroy.
    tf.terraform_ok(APPLY);
    assert_eq!(connected(&ws, &source.id).await, [second.id.as_str()]);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(connected(&ws, &source.id).await.is_empty(), "destroyed");
}
