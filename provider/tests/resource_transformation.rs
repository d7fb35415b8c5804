//! `segment_transformation` through real Terraform against a real workspace
//! server: create, update (only removing the destination scope forces
//! replacement), import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{Transformation, UpdateTransformation};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

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

fn scoped() -> String {
    format!("  destination_metadata_id = \"{AMPLITUDE_DESTINATION}\"\n")
}

struct Transformations<'a> {
    ws: &'a TestWorkspace,
    /// The source the update moves the transformation to.
    app: String,
}

impl Transformations<'_> {
    async fn only(&self) -> Option<Transformation> {
        let call = self.ws.owner().list_transformations();
        let all = within(LIMIT, "list transformations", call)
            .await
            .expect("list transformations");
        assert!(all.len() <= 1, "expected at most one: {all:?}");
        all.into_iter().next()
    }
}

impl Subject for Transformations<'_> {
    async fn count(&self) -> usize {
        usize::from(self.only().await.is_some())
    }

    async fn import_id(&self) -> String {
        self.only().await.expect("transformation").id
    }

    async fn after(&self, steps: &Steps<'_>, step: Step) {
        let Some(now) = self.only().await else {
            return;
        };
        match step {
            Step::Created => {
                assert_eq!(now.name, "orders");
                assert_eq!(now.condition, "event = 'Order Completed'");
                assert_eq!(now.new_event_name.as_deref(), Some("Order Done"));
                assert_eq!(
                    now.destination_metadata_id.as_deref(),
                    Some(AMPLITUDE_DESTINATION)
                );
                assert_eq!(now.property_renames[0].new_name, "revenue");
                let paths = &now.property_value_transformations[0].property_paths;
                assert_eq!(paths.len(), 2, "{paths:?}");
                assert_eq!(now.fql_defined_properties[0].property_name, "email");
            }
            Step::Updated => {
                assert_eq!(now.source_id, self.app);
                assert_eq!(now.name, "orders2");
                assert_eq!(now.property_renames[0].new_name, "amount");
                assert!(now.fql_defined_properties.is_empty());
                let renamed = now.new_event_name.filter(|n| !n.is_empty());
                assert_eq!(renamed, None, "renaming removed");
            }
            // The API cannot unset the destination scope: removing it
            // replaces the transformation; setting it again is an update
            // in place.
            Step::Replaced => {
                assert_eq!(now.destination_metadata_id, None);
                steps.update(&resource(&self.app, "orders2", "amount", "", &scoped()));
            }
            _ => {}
        }
    }

    // Drift in the condition shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let drift = UpdateTransformation {
            condition: Some("event = 'Order Refunded'".into()),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_transformation(id, &drift).await.expect("drift");
        steps.changes(&["if"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.delete_transformation(id).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn transformation_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let app = dir.source(&fixtures::javascript_source("app")).await;
    let renaming = format!("{}  new_event_name = \"Order Done\"\n", scoped());
    // More FQL properties than the API takes fails before any request.
    let two = format!("{FQL}, {}", FQL.replace("\"email\"", "\"email2\""));
    Lifecycle {
        refusals: vec![Refusal::at_apply(
            resource(&web, "orders", "revenue", &two, ""),
            &["Invalid value for fql_defined_properties"],
        )],
        // Even the source changes without replacement, and the event
        // renaming is removed.
        update: Some(resource(&app, "orders2", "amount", "", &scoped())),
        replace: Some(resource(&app, "orders2", "amount", "", "")),
        ..Lifecycle::new(
            "segment_transformation.t",
            resource(&web, "orders", "revenue", FQL, &renaming),
        )
    }
    .run(&dir, &Transformations { ws: &dir.ws, app })
    .await;
}
