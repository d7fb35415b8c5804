//! `segment_warehouse` and `segment_source_warehouse_connection` through
//! real Terraform against a real workspace server: create, update, replace,
//! import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{UpdateWarehouse, Warehouse};
use segment_e2e::fixtures::{self, settings, POSTGRES_WAREHOUSE};
use segment_e2e::{within, TestWorkspace};
use serde_json::json;
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::plans::{changed_attributes, exit_code};
use support::steps::Steps;
use support::workspace_dir::{WorkspaceDir, PLAN};

const LIMIT: Duration = Duration::from_secs(30);
const REDSHIFT_WAREHOUSE: &str = "aea3c55dsz";

/// A warehouse configuration; `password: false` leaves the secret
/// unmanaged.
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

/// The replaced warehouse, with its password or without.
fn redshift(password: bool) -> String {
    warehouse(REDSHIFT_WAREHOUSE, "pg2", false, "pg2.internal", password)
}

struct Warehouses<'a>(&'a TestWorkspace);

impl Warehouses<'_> {
    async fn only(&self) -> Option<Warehouse> {
        let all = within(LIMIT, "list warehouses", self.0.owner().list_warehouses())
            .await
            .expect("list warehouses");
        assert!(all.len() <= 1, "expected at most one warehouse: {all:?}");
        all.into_iter().next()
    }
}

impl Subject for Warehouses<'_> {
    async fn count(&self) -> usize {
        usize::from(self.only().await.is_some())
    }

    async fn import_id(&self) -> String {
        self.only().await.expect("warehouse").id
    }

    async fn after(&self, steps: &Steps<'_>, step: Step) {
        let Some(now) = self.only().await else {
            return;
        };
        match step {
            // The password the API leaves out is no drift.
            Step::Created => {
                assert_eq!(now.name.as_deref(), Some("pg"));
                assert!(now.enabled);
                assert_eq!(now.settings["hostname"], "pg.internal");
                assert!(!now.settings.contains_key("password"), "never returned");
            }
            Step::Updated => {
                assert_eq!(now.name.as_deref(), Some("pg2"));
                assert!(!now.enabled);
                assert_eq!(now.settings["hostname"], "pg2.internal");
            }
            Step::Replaced => assert_eq!(now.metadata.id, REDSHIFT_WAREHOUSE),
            // The API never reveals the password, so a configuration that
            // sets one plans to set it once on import (one that leaves it
            // unmanaged imports with nothing to change).
            Step::Forgotten => {
                let plan = steps.plan_import_block(&redshift(true), &now.id);
                assert_eq!(
                    changed_attributes(&plan.stdout),
                    ["settings"],
                    "{}",
                    plan.stdout
                );
            }
            _ => {}
        }
    }

    // Drift in a managed setting shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let drift = UpdateWarehouse {
            settings: Some(settings(json!({ "hostname": "elsewhere" }))),
            ..Default::default()
        };
        let api = self.0.owner();
        api.update_warehouse(id, &drift).await.expect("drift");
        steps.changes(&["settings"]);
    }

    // Creating it again needs the password the configuration left out;
    // the plan says so.
    async fn delete(&self, steps: &Steps<'_>, id: &str) {
        self.0.owner().delete_warehouse(id).await.expect("delete");
        let plan = steps.terraform(PLAN);
        assert_eq!(exit_code(&plan), 1, "{}", plan.output());
        assert!(
            plan.stderr
                .contains("Missing required setting \"password\""),
            "{}",
            plan.output()
        );
        steps.write(&redshift(true));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn warehouse_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let pg = |name, enabled, host| warehouse(POSTGRES_WAREHOUSE, name, enabled, host, true);
    Lifecycle {
        // A setting Postgres does not have is refused by the workspace,
        // and the error points at `settings`.
        refusals: vec![Refusal::at_apply(
            pg("pg", true, "pg.internal").replace("hostname =", "hostnme ="),
            &["hostnme", "`settings`"],
        )],
        update: Some(pg("pg2", false, "pg2.internal")),
        // Another catalog entry replaces it.
        replace: Some(redshift(true)),
        import_body: Some(redshift(false)),
        ..Lifecycle::new("segment_warehouse.w", pg("pg", true, "pg.internal"))
    }
    .run(&dir, &Warehouses(&dir.ws))
    .await;
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

/// The warehouses one source is connected to.
struct Connections<'a> {
    ws: &'a TestWorkspace,
    source: String,
    /// The warehouse connected first, and the one that replaces it.
    first: String,
    second: String,
}

impl Connections<'_> {
    async fn connected(&self) -> Vec<String> {
        let call = self.ws.owner().list_connected_warehouses(&self.source);
        let all = within(LIMIT, "list connected warehouses", call)
            .await
            .expect("list connected warehouses");
        all.into_iter().map(|w| w.id).collect()
    }
}

impl Subject for Connections<'_> {
    async fn count(&self) -> usize {
        self.connected().await.len()
    }

    /// `<source_id>:<warehouse_id>`.
    async fn import_id(&self) -> String {
        let warehouse = self.connected().await.pop().expect("a connection");
        format!("{}:{warehouse}", self.source)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let connected = self.connected().await;
        match step {
            Step::Created => assert_eq!(connected, [self.first.as_str()]),
            Step::Replaced | Step::Recreated => assert_eq!(connected, [self.second.as_str()]),
            _ => {}
        }
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (source, warehouse) = id.split_once(':').expect("<source>:<warehouse>");
        let api = self.ws.owner();
        api.disconnect_warehouse_source(warehouse, source)
            .await
            .expect("disconnect");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn source_warehouse_connection_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let api = dir.ws.owner();
    let source = dir.source(&fixtures::javascript_source("web")).await;
    let first = api
        .create_warehouse(&fixtures::postgres_warehouse("first"))
        .await
        .expect("warehouse")
        .id;
    let second = api
        .create_warehouse(&fixtures::postgres_warehouse("second"))
        .await
        .expect("warehouse")
        .id;
    let connections = Connections {
        ws: &dir.ws,
        source: source.clone(),
        first: first.clone(),
        second: second.clone(),
    };
    Lifecycle {
        // An empty id fails before any request.
        refusals: vec![Refusal::at_apply(
            connection("", &first),
            &["Invalid value for source_id"],
        )],
        // Nothing updates in place: another warehouse replaces the
        // connection.
        replace: Some(connection(&source, &second)),
        // Import (ours can; the official provider's cannot) takes
        // `<source_id>:<warehouse_id>`.
        refused_imports: vec![(source.clone(), "<source_id>:<warehouse_id>")],
        no_drift: Some("a connection has no attribute of its own"),
        ..Lifecycle::new(
            "segment_source_warehouse_connection.c",
            connection(&source, &first),
        )
    }
    .run(&dir, &connections)
    .await;
    assert!(connections.connected().await.is_empty(), "destroyed");
}
