//! `segment_profiles_warehouse` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{ProfilesWarehouse, UpdateProfilesWarehouse};
use segment_e2e::fixtures::POSTGRES_WAREHOUSE;
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];

/// `extra` goes inside the resource block: optional attributes.
fn resource(space: &str, host: &str, password: bool, extra: &str) -> String {
    let password = if password {
        "    password = \"s3cret\"\n"
    } else {
        ""
    };
    format!(
        r#"
resource "segment_profiles_warehouse" "p" {{
  space_id    = "{space}"
  metadata_id = "{POSTGRES_WAREHOUSE}"
{extra}
  settings = jsonencode({{
    hostname = "{host}"
    database = "profiles"
    username = "sync"
{password}  }})
}}
"#
    )
}

async fn in_space(ws: &TestWorkspace, space: &str) -> Vec<ProfilesWarehouse> {
    let call = ws.owner().list_profiles_warehouses(space);
    within(LIMIT, "list profiles warehouses", call)
        .await
        .expect("list profiles warehouses")
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_warehouse_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));
    let named = "  name        = \"profiles\"\n  schema_name = \"unify\"\n";

    // Bad input: an empty schema name fails before any request.
    write(&resource(
        "spa_1",
        "pg.internal",
        true,
        "  schema_name = \"\"\n",
    ));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid value for schema_name"),
        "{}",
        bad.output()
    );
    assert!(
        in_space(&ws, "spa_1").await.is_empty(),
        "nothing is created"
    );

    // Create with the optional attributes unset: the API's defaults
    // (enabled) are no drift.
    write(&resource("spa_1", "pg.internal", true, ""));
    tf.terraform_ok(APPLY);
    let created = in_space(&ws, "spa_1").await.pop().expect("created");
    assert!(created.enabled, "enabled by default");
    assert_eq!(created.settings["hostname"], "pg.internal");
    assert!(!created.settings.contains_key("password"), "never returned");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place.
    let disabled = format!("{named}  enabled     = false\n");
    write(&resource("spa_1", "pg2.internal", true, &disabled));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = in_space(&ws, "spa_1").await.pop().expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.display_name().as_deref(), Some("profiles"));
    assert_eq!(updated.schema_name.as_deref(), Some("unify"));
    assert!(!updated.enabled);
    assert_eq!(updated.settings["hostname"], "pg2.internal");

    // Removing `enabled` restores the default.
    write(&resource("spa_1", "pg2.internal", true, named));
    tf.terraform_ok(APPLY);
    assert!(in_space(&ws, "spa_1").await[0].enabled);

    // Another space replaces it.
    write(&resource("spa_2", "pg2.internal", true, named));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    assert!(in_space(&ws, "spa_1").await.is_empty(), "old one deleted");
    let replaced = in_space(&ws, "spa_2").await.pop().expect("replaced");
    let id = replaced.id.clone();

    // Import with an `import` block, as `<space_id>:<warehouse_id>`. The API
    // never reveals the password: a configuration that leaves it unmanaged
    // imports with nothing to change.
    let to = "segment_profiles_warehouse.p";
    let import_id = format!("spa_2:{id}");
    tf.terraform_ok(&["state", "rm", to]);
    let body = resource("spa_2", "pg2.internal", false, named);
    write(&format!(
        "{body}\nimport {{\n  to = {to}\n  id = \"{import_id}\"\n}}\n"
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
    tf.terraform_ok(&["import", "-input=false", to, &import_id]);
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift in the name shows as exactly that attribute.
    let drift = UpdateProfilesWarehouse {
        name: Some(Some("renamed".into())),
        ..Default::default()
    };
    api.update_profiles_warehouse("spa_2", &id, &drift)
        .await
        .expect("drift");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["name"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation.
    api.delete_profiles_warehouse("spa_2", &id)
        .await
        .expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again (a new warehouse needs its password), then destroy.
    write(&resource("spa_2", "pg2.internal", true, named));
    tf.terraform_ok(APPLY);
    assert_eq!(in_space(&ws, "spa_2").await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(in_space(&ws, "spa_2").await.is_empty(), "destroyed");
}
