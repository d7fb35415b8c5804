//! `segment_audience` through real Terraform against a real workspace
//! server: refused input, create, update in place, replace (another
//! space), import both ways, drift, deleted outside, destroy.

mod support;

use std::time::Duration;

use segment_api::models::{Audience, UpdateAudience};
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

fn config(space_id: &str, name: &str, rest: &str) -> String {
    format!(
        r#"
resource "segment_audience" "a" {{
  space_id = "{space_id}"
  name     = "{name}"
{rest}
}}
"#
    )
}

const CREATE: &str = r#"
  description = "Ordered three times"
  definition = {
    query = "event('Order Completed').count() >= 3"
  }
  options = {
    include_historical_data = true
  }
"#;

const UPDATE: &str = r#"
  enabled = false
  definition = {
    query = "event('Order Completed').count() >= 5"
  }
  options = {
    include_historical_data = true
  }
"#;

struct Audiences<'a> {
    ws: &'a TestWorkspace,
    spaces: [String; 2],
}

impl Audiences<'_> {
    async fn all(&self) -> Vec<Audience> {
        let mut all = Vec::new();
        for space in &self.spaces {
            let listed = within(
                LIMIT,
                "list audiences",
                self.ws.owner().list_audiences(space),
            );
            all.extend(listed.await.expect("list audiences"));
        }
        all
    }
}

impl Subject for Audiences<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let a = self.all().await.pop().expect("an audience");
        format!("{}:{}", a.space_id, a.id)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            Step::Created => {
                assert_eq!(now.key, "high_value");
                assert!(now.enabled);
                assert_eq!(now.audience_type, "USERS");
                assert_eq!(now.description.as_deref(), Some("Ordered three times"));
            }
            Step::Updated => {
                assert_eq!(now.name, "Very High Value");
                assert_eq!(now.key, "high_value", "the key stays");
                assert!(!now.enabled);
                assert_eq!(now.description, None, "a removed description is cleared");
                let query = now.definition.map(|d| d.query).unwrap_or_default();
                assert!(query.ends_with(">= 5"), "{query}");
            }
            Step::Replaced => assert_eq!(now.space_id, self.spaces[1]),
            _ => {}
        }
    }

    // A name changed in the app shows as that attribute (and the status,
    // which any update may move).
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let (space, audience) = id.split_once(':').expect("<space_id>:<id>");
        let drift = UpdateAudience {
            name: Some("Renamed in the app".into()),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_audience(space, audience, &drift)
            .await
            .expect("drift");
        steps.changes(&["name", "status"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (space, audience) = id.split_once(':').expect("<space_id>:<id>");
        let api = self.ws.owner();
        api.delete_audience(space, audience).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn audience_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let first = dir
        .ws
        .make_space("Marketing", "marketing")
        .await
        .expect("a space");
    let second = dir
        .ws
        .make_space("Product", "product")
        .await
        .expect("a space");
    let bad_type = format!("{CREATE}  audience_type = \"PEOPLE\"\n");
    let bad_entity = r#"
  definition = {
    query = "event('Order Completed').count() >= 3"
    type  = "people"
  }
"#;
    Lifecycle {
        refusals: vec![
            Refusal::at_plan(
                config(&first.id, "High Value", &bad_type),
                &["audience_type"],
            ),
            Refusal::at_plan(
                config(&first.id, "High Value", bad_entity),
                &["definition.type", "users, accounts"],
            ),
            Refusal::at_plan(config(&first.id, "", CREATE), &["name"]),
        ],
        update: Some(config(&first.id, "Very High Value", UPDATE)),
        replace: Some(config(&second.id, "Very High Value", UPDATE)),
        refused_imports: vec![("no-space".into(), "<space_id>:<id>")],
        ..Lifecycle::new(
            "segment_audience.a",
            config(&first.id, "High Value", CREATE),
        )
    }
    .run(
        &dir,
        &Audiences {
            ws: &dir.ws,
            spaces: [first.id.clone(), second.id.clone()],
        },
    )
    .await;
}

// An audience in a space the workspace does not have fails at apply with
// the API's 404 naming the space, and nothing enters the state.
#[tokio::test(flavor = "multi_thread")]
async fn an_audience_in_an_unknown_space_names_the_space() {
    let dir = WorkspaceDir::start().await;
    let steps = Steps::new(&dir, "segment_audience.a");
    steps.refused(
        &config("nospace", "High Value", CREATE),
        support::workspace_dir::APPLY,
        &["HTTP 404", "\"nospace\""],
    );
}
