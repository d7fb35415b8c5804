//! `segment_profiles_warehouse` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{ProfilesWarehouse, UpdateProfilesWarehouse};
use segment_e2e::fixtures::POSTGRES_WAREHOUSE;
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);
const NAMED: &str = "  name        = \"profiles\"\n  schema_name = \"unify\"\n";

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

/// Profiles warehouses in the spaces `spa_1` and `spa_2`.
struct Warehouses<'a>(&'a TestWorkspace);

impl Warehouses<'_> {
    async fn all(&self) -> Vec<ProfilesWarehouse> {
        let mut all = in_space(self.0, "spa_1").await;
        all.extend(in_space(self.0, "spa_2").await);
        all
    }
}

impl Subject for Warehouses<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    /// `<space_id>:<warehouse_id>`.
    async fn import_id(&self) -> String {
        let warehouse = self.all().await.pop().expect("a warehouse");
        format!("{}:{}", warehouse.space_id, warehouse.id)
    }

    async fn after(&self, steps: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            // The optional attributes unset: the API's defaults (enabled)
            // are no drift.
            Step::Created => {
                assert!(now.enabled, "enabled by default");
                assert_eq!(now.settings["hostname"], "pg.internal");
                assert!(!now.settings.contains_key("password"), "never returned");
            }
            Step::Updated => {
                assert_eq!(now.display_name().as_deref(), Some("profiles"));
                assert_eq!(now.schema_name.as_deref(), Some("unify"));
                assert!(!now.enabled);
                assert_eq!(now.settings["hostname"], "pg2.internal");
                // Removing `enabled` restores the default.
                steps.update(&resource("spa_1", "pg2.internal", true, NAMED));
                assert!(in_space(self.0, "spa_1").await[0].enabled);
            }
            Step::Replaced => {
                assert!(
                    in_space(self.0, "spa_1").await.is_empty(),
                    "old one deleted"
                );
                assert_eq!(now.space_id, "spa_2");
            }
            Step::Recreated => assert_eq!(now.space_id, "spa_2"),
            _ => {}
        }
    }

    // Drift in the name shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let (space, id) = id.split_once(':').expect("<space_id>:<warehouse_id>");
        let drift = UpdateProfilesWarehouse {
            name: Some(Some("renamed".into())),
            ..Default::default()
        };
        let api = self.0.owner();
        api.update_profiles_warehouse(space, id, &drift)
            .await
            .expect("drift");
        steps.changes(&["name"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (space, id) = id.split_once(':').expect("<space_id>:<warehouse_id>");
        let api = self.0.owner();
        api.delete_profiles_warehouse(space, id)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn profiles_warehouse_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let disabled = format!("{NAMED}  enabled     = false\n");
    Lifecycle {
        // An empty schema name fails before any request.
        refusals: vec![Refusal::at_apply(
            resource("spa_1", "pg.internal", true, "  schema_name = \"\"\n"),
            &["Invalid value for schema_name"],
        )],
        update: Some(resource("spa_1", "pg2.internal", true, &disabled)),
        // Another space replaces it.
        replace: Some(resource("spa_2", "pg2.internal", true, NAMED)),
        // The API never reveals the password: a configuration that leaves
        // it unmanaged imports with nothing to change.
        import_body: Some(resource("spa_2", "pg2.internal", false, NAMED)),
        // A new warehouse needs its password.
        recreate: Some(resource("spa_2", "pg2.internal", true, NAMED)),
        ..Lifecycle::new(
            "segment_profiles_warehouse.p",
            resource("spa_1", "pg.internal", true, ""),
        )
    }
    .run(&dir, &Warehouses(&dir.ws))
    .await;
}
