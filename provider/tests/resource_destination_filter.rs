//! `segment_destination_filter` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{DestinationFilter, UpdateDestinationFilter};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::plans::exit_code;
use support::steps::Steps;
use support::workspace_dir::{WorkspaceDir, APPLY, PLAN};

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

/// Filters on either of two destinations of one source.
struct Filters<'a> {
    ws: &'a TestWorkspace,
    first: String,
    second: String,
}

impl Filters<'_> {
    async fn all(&self) -> Vec<DestinationFilter> {
        filters(self.ws, &[&self.first, &self.second]).await
    }
}

impl Subject for Filters<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let filter = self.all().await.pop().expect("a filter");
        format!("{}:{}", filter.destination_id, filter.id)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            Step::Created => {
                assert_eq!(now.title, "Trim");
                assert_eq!(now.actions.len(), 2);
            }
            Step::Updated => {
                assert_eq!(now.title, "Trim more");
                assert_eq!(now.actions.len(), 1);
                assert_eq!(now.actions[0].kind, "DROP_PROPERTIES");
            }
            Step::Replaced => assert_eq!(now.destination_id, self.second),
            _ => {}
        }
    }

    // A title changed in the app shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let (destination, filter) = id.split_once(':').expect("<destination>:<filter>");
        let drift = UpdateDestinationFilter {
            title: Some("Renamed in the app".into()),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_filter(destination, filter, &drift)
            .await
            .expect("drift");
        steps.changes(&["title"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (destination, filter) = id.split_once(':').expect("<destination>:<filter>");
        let api = self.ws.owner();
        api.delete_filter(destination, filter)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_filter_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let api = dir.ws.owner();
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let first = api
        .create_destination(&fixtures::amplitude_destination(&web))
        .await
        .expect("first destination");
    let second = dir
        .destination(&fixtures::amplitude_destination(&web))
        .await;
    assert_eq!(first.metadata.id, AMPLITUDE_DESTINATION);
    let first = first.id;
    // A sample of 150% fails at plan, naming `actions`.
    let oversampled = r#"{ type = "SAMPLE", percent = 1.5, path = "userId" }"#;
    Lifecycle {
        refusals: vec![Refusal::at_apply(
            resource(&first, &web, "Trim", &[oversampled]),
            &["Invalid value for actions", "percent"],
        )],
        // A new title, one action fewer.
        update: Some(resource(&first, &web, "Trim more", &[DROP_EMAIL])),
        // Another destination replaces the filter (with the sample back, so
        // the import reads a fraction and a JSON `fields` back).
        replace: Some(resource(&second, &web, "Trim more", &[DROP_EMAIL, SAMPLE])),
        ..Lifecycle::new(
            "segment_destination_filter.f",
            resource(&first, &web, "Trim", &[DROP_EMAIL, SAMPLE]),
        )
    }
    .run(
        &dir,
        &Filters {
            ws: &dir.ws,
            first,
            second,
        },
    )
    .await;
}

/// A workspace with one Javascript source feeding an Amplitude destination,
/// a second source, and Terraform pointed at it.
async fn one_destination() -> (WorkspaceDir, String, String, String) {
    let dir = WorkspaceDir::start().await;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let other = dir.source(&fixtures::javascript_source("other")).await;
    let destination = dir
        .destination(&fixtures::amplitude_destination(&web))
        .await;
    (dir, web, other, destination)
}

// The official provider's own example samples with `percent` and no `path`;
// ours refused it at plan ("a SAMPLE action needs path"), the workspace too.
#[tokio::test(flavor = "multi_thread")]
async fn a_sample_without_path_applies_and_plans_clean() {
    let (dir, web, _, destination) = one_destination().await;
    let random = r#"{ type = "SAMPLE", percent = 0.05 }"#;
    dir.apply(&resource(
        &destination,
        &web,
        "Sample identifies",
        &[random],
    ));
    let created = filters(&dir.ws, &[&destination])
        .await
        .pop()
        .expect("created");
    assert_eq!(created.actions[0].kind, "SAMPLE");
    assert_eq!(created.actions[0].percent, Some(0.05));
    assert_eq!(created.actions[0].path, None);
    let plan = dir.tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
}

// A filter whose source is not its destination's passed plan and failed in
// the API with a message naming one id; it now fails before anything is
// sent, naming both sources and the fix.
#[tokio::test(flavor = "multi_thread")]
async fn a_filter_on_another_sources_events_names_both_sources() {
    let (dir, web, other, destination) = one_destination().await;
    dir.write(&resource(&destination, &other, "Wrong source", &[SAMPLE]));
    let bad = dir.tf.terraform(APPLY);
    assert!(!bad.status.success(), "{}", bad.output());
    let said = bad.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        said.contains("source_id")
            && said.contains(&format!("not \"{other}\""))
            && said.contains(&format!("source_id = \"{web}\"")),
        "{}",
        bad.output()
    );
    assert!(filters(&dir.ws, &[&destination]).await.is_empty());
}
