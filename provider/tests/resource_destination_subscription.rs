//! `segment_destination_subscription` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{DestinationSubscription, UpdateDestinationSubscription};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

/// Actions of "Amplitude (Actions)" in the server's catalog.
const LOG_EVENT: &str = "gA673j6ij2yCB8n9Fztpj9";
const IDENTIFY_USER: &str = "9STyJcVfDee2NowS4DGdmW";

fn resource(destination_id: &str, action_id: &str, name: &str, enabled: bool) -> String {
    format!(
        r#"
resource "segment_destination_subscription" "s" {{
  destination_id = "{destination_id}"
  action_id      = "{action_id}"
  name           = "{name}"
  enabled        = {enabled}
  trigger        = "type = \"track\""
  settings = jsonencode({{
    user_id    = {{ "@path" = "$.userId" }}
    event_type = {{ "@path" = "$.event" }}
  }})
}}
"#
    )
}

/// Subscriptions of one actions destination.
struct Subscriptions<'a> {
    ws: &'a TestWorkspace,
    destination: String,
}

impl Subscriptions<'_> {
    async fn all(&self) -> Vec<DestinationSubscription> {
        let list = self.ws.owner().list_subscriptions(&self.destination);
        within(LIMIT, "list subscriptions", list)
            .await
            .expect("list subscriptions")
    }
}

impl Subject for Subscriptions<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let subscription = self.all().await.pop().expect("a subscription");
        format!("{}:{}", self.destination, subscription.id)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            Step::Created => {
                assert_eq!(now.name, "Events");
                assert_eq!(now.action_slug, "logEvent");
                assert_eq!(now.settings["user_id"]["@path"], "$.userId");
            }
            Step::Updated => {
                assert_eq!(now.name, "All events");
                assert!(!now.enabled);
            }
            Step::Replaced => assert_eq!(now.action_slug, "identifyUser"),
            _ => {}
        }
    }

    // A trigger changed in the app shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let (destination, id) = id.split_once(':').expect("<destination>:<id>");
        let drift = UpdateDestinationSubscription {
            trigger: Some("type = \"identify\"".into()),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_subscription(destination, id, &drift)
            .await
            .expect("drift");
        steps.changes(&["trigger"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (destination, id) = id.split_once(':').expect("<destination>:<id>");
        let api = self.ws.owner();
        api.delete_subscription(destination, id)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_subscription_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let dest = dir
        .destination(&fixtures::amplitude_actions_destination(&web))
        .await;
    Lifecycle {
        // An action the destination lacks is refused by the API, pointed at
        // `action_id`.
        refusals: vec![Refusal::at_apply(
            resource(&dest, "no-such-action", "Events", true),
            &["`action_id`", "logEvent"],
        )],
        update: Some(resource(&dest, LOG_EVENT, "All events", false)),
        // Another action replaces the subscription.
        replace: Some(resource(&dest, IDENTIFY_USER, "All events", false)),
        ..Lifecycle::new(
            "segment_destination_subscription.s",
            resource(&dest, LOG_EVENT, "Events", true),
        )
    }
    .run(
        &dir,
        &Subscriptions {
            ws: &dir.ws,
            destination: dest,
        },
    )
    .await;
}
