//! `segment_reverse_etl_model` through real Terraform against a real
//! workspace server: create, update, replace, import, drift, destroy, bad
//! input.

mod support;

use std::time::Duration;

use segment_api::models::{ReverseEtlModel, UpdateReverseEtlModel};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);
const Q1: &str = "SELECT id, email FROM users";
const Q2: &str = "SELECT id, email, plan FROM users";

/// `extra` goes inside the resource block.
fn resource(source_id: &str, name: &str, enabled: bool, query: &str, extra: &str) -> String {
    format!(
        r#"
resource "segment_reverse_etl_model" "m" {{
  source_id               = "{source_id}"
  name                    = "{name}"
  description             = "Users for {name}"
  enabled                 = {enabled}
  query                   = "{query}"
  query_identifier_column = "id"
{extra}}}
"#
    )
}

struct Models<'a> {
    ws: &'a TestWorkspace,
    /// The source the replacement moves to.
    pg2: String,
}

impl Models<'_> {
    async fn only(&self) -> Option<ReverseEtlModel> {
        let all = within(
            LIMIT,
            "list models",
            self.ws.owner().list_reverse_etl_models(),
        )
        .await
        .expect("list models");
        assert!(all.len() <= 1, "expected at most one model: {all:?}");
        all.into_iter().next()
    }
}

impl Subject for Models<'_> {
    async fn count(&self) -> usize {
        usize::from(self.only().await.is_some())
    }

    async fn import_id(&self) -> String {
        self.only().await.expect("model").id
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.only().await else {
            return;
        };
        match step {
            Step::Created => {
                assert_eq!(now.name, "users");
                assert_eq!(now.description, "Users for users");
                assert!(now.enabled);
                assert_eq!(now.query, Q1);
                assert_eq!(now.query_identifier_column, "id");
                assert_eq!(now.schedule_strategy, None, "deprecated: not sent");
            }
            Step::Updated => {
                assert_eq!(now.name, "users2");
                assert_eq!(now.description, "Users for users2");
                assert!(!now.enabled);
                assert_eq!(now.query, Q2);
            }
            Step::Replaced => assert_eq!(now.source_id, self.pg2),
            _ => {}
        }
    }

    // Drift in the query shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let drift = UpdateReverseEtlModel {
            query: Some("SELECT 1 AS id".into()),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_reverse_etl_model(id, &drift)
            .await
            .expect("drift");
        steps.changes(&["query"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.delete_reverse_etl_model(id).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn reverse_etl_model_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let pg = dir.source(&fixtures::postgres_source("pg")).await;
    let pg2 = dir.source(&fixtures::postgres_source("pg2")).await;
    // The deprecated schedule attributes an old configuration may hold:
    // accepted, kept as written, never sent.
    let schedule = "  schedule_strategy = \"MANUAL\"\n  schedule_config   = jsonencode({})\n";
    Lifecycle {
        // An empty query fails before any request.
        refusals: vec![Refusal::at_apply(
            resource(&pg, "users", true, "", ""),
            &["Invalid value for query"],
        )],
        // Dropping the deprecated attributes too.
        update: Some(resource(&pg, "users2", false, Q2, "")),
        // Another source replaces it.
        replace: Some(resource(&pg2, "users2", false, Q2, "")),
        ..Lifecycle::new(
            "segment_reverse_etl_model.m",
            resource(&pg, "users", true, Q1, schedule),
        )
    }
    .run(&dir, &Models { ws: &dir.ws, pg2 })
    .await;
}
