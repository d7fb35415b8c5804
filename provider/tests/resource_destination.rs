//! `segment_destination` through real Terraform against a real workspace
//! server: create, update, replace, import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{Destination, UpdateDestination};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

fn resource(source_id: &str, name: &str, enabled: bool, track_all_pages: bool) -> String {
    format!(
        r#"
resource "segment_destination" "d" {{
  name      = "{name}"
  enabled   = {enabled}
  source_id = "{source_id}"
  metadata  = {{ id = "{AMPLITUDE_DESTINATION}" }}
  settings = jsonencode({{
    apiKey        = "amp-key-1"
    trackAllPages = {track_all_pages}
  }})
}}
"#
    )
}

struct Destinations<'a> {
    ws: &'a TestWorkspace,
    web: String,
    app: String,
}

impl Destinations<'_> {
    async fn only(&self) -> Option<Destination> {
        let all = within(
            LIMIT,
            "list destinations",
            self.ws.owner().list_destinations(),
        )
        .await
        .expect("list destinations");
        assert!(all.len() <= 1, "expected at most one destination: {all:?}");
        all.into_iter().next()
    }
}

impl Subject for Destinations<'_> {
    async fn count(&self) -> usize {
        usize::from(self.only().await.is_some())
    }

    async fn import_id(&self) -> String {
        self.only().await.expect("destination").id
    }

    async fn after(&self, steps: &Steps<'_>, step: Step) {
        let now = self.only().await;
        match (step, now) {
            (Step::Refused(_), _) => {
                assert_eq!(steps.state_list(), "", "nothing enters the state");
                let sources = self.ws.owner().list_sources().await.expect("sources");
                assert_eq!(sources.len(), 2, "no source made or lost");
            }
            (Step::Created, Some(created)) => {
                assert_eq!(created.name.as_deref(), Some("Amplitude"));
                assert!(created.enabled);
                assert_eq!(created.source_id, self.web);
                assert_eq!(created.settings["trackAllPages"], true);
            }
            (Step::Updated, Some(updated)) => {
                assert_eq!(updated.name.as_deref(), Some("Amplitude prod"));
                assert!(!updated.enabled);
                assert_eq!(updated.settings["trackAllPages"], false);
            }
            (Step::Replaced, Some(replaced)) => assert_eq!(replaced.source_id, self.app),
            _ => {}
        }
    }

    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let mut settings = serde_json::Map::new();
        settings.insert("trackAllPages".into(), true.into());
        let drift = UpdateDestination {
            settings: Some(settings),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_destination(id, &drift).await.expect("drift");
        steps.changes(&["settings"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.delete_destination(id).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let app = dir.source(&fixtures::javascript_source("app")).await;
    // Settings that are not a JSON object fail before any request.
    let array = resource(&web, "Amplitude", true, true)
        .replace("settings = jsonencode({", "settings = jsonencode([{")
        .replace("  })\n}", "  }])\n}");
    // A catalog id the workspace does not know is refused by the API,
    // pointed at `metadata`.
    let unknown = resource(&web, "Amplitude", true, true).replace(
        &format!("id = \"{AMPLITUDE_DESTINATION}\""),
        "id = \"no-such-destination\"",
    );
    Lifecycle {
        refusals: vec![
            Refusal::at_apply(array, &["Invalid JSON in settings", "settings"]),
            Refusal::at_apply(
                unknown,
                &[
                    "Cannot create segment_destination",
                    "\"no-such-destination\" is not a destination in the catalog",
                    "The workspace rejected the value of `metadata`",
                ],
            ),
        ],
        update: Some(resource(&web, "Amplitude prod", false, false)),
        // A new source replaces the destination.
        replace: Some(resource(&app, "Amplitude prod", false, false)),
        // The masked apiKey cannot be compared after an import: sent once.
        secret_sent_on_import: Some("apiKey"),
        ..Lifecycle::new(
            "segment_destination.d",
            resource(&web, "Amplitude", true, true),
        )
    }
    .run(
        &dir,
        &Destinations {
            ws: &dir.ws,
            web,
            app,
        },
    )
    .await;
}
