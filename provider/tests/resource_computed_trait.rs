//! `segment_computed_trait` through real Terraform against a real
//! workspace server: refused input, create, update in place, replace (new
//! options: the API cannot update them), import both ways, drift, deleted
//! outside, destroy.

mod support;

use std::time::Duration;

use segment_api::models::{ComputedTrait, UpdateComputedTrait};
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

fn config(space_id: &str, name: &str, query: &str, anonymous: bool, kind: &str) -> String {
    format!(
        r#"
resource "segment_computed_trait" "t" {{
  space_id    = "{space_id}"
  name        = "{name}"
  description = "Orders per profile"
  definition = {{
    query = "{query}"
    type  = "{kind}"
  }}
  options = {{
    include_anonymous_users = {anonymous}
  }}
}}
"#
    )
}

const COUNT: &str = "event('Order Completed').count()";
const RECENT: &str = "event('Order Completed').within(30 days).count()";

struct Traits<'a> {
    ws: &'a TestWorkspace,
    space: String,
}

impl Traits<'_> {
    async fn all(&self) -> Vec<ComputedTrait> {
        let listed = self.ws.owner().list_computed_traits(&self.space);
        within(LIMIT, "list computed traits", listed)
            .await
            .expect("list computed traits")
    }
}

impl Subject for Traits<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let t = self.all().await.pop().expect("a computed trait");
        format!("{}:{}", t.space_id, t.id)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        let anonymous = now.options.as_ref().and_then(|o| o.include_anonymous_users);
        let query = now.definition.as_ref().map(|d| d.query.clone());
        match step {
            Step::Created => {
                assert_eq!(now.key, "order_count");
                assert_eq!(anonymous, Some(false));
                assert_eq!(query.as_deref(), Some(COUNT));
            }
            Step::Updated => {
                assert_eq!(now.name, "Recent Orders");
                assert_eq!(now.key, "order_count", "the key stays");
                assert_eq!(query.as_deref(), Some(RECENT));
            }
            Step::Replaced => assert_eq!(anonymous, Some(true)),
            _ => {}
        }
    }

    // A query changed in the app shows as that attribute (and the status,
    // which any update may move).
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let (space, t) = id.split_once(':').expect("<space_id>:<id>");
        let now = self
            .ws
            .owner()
            .get_computed_trait(space, t)
            .await
            .expect("read");
        let mut definition = now.definition.expect("a definition");
        definition.query = "event('Order Completed').within(7 days).count()".into();
        let drift = UpdateComputedTrait {
            definition: Some(definition),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_computed_trait(space, t, &drift)
            .await
            .expect("drift");
        steps.changes(&["definition", "status"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (space, t) = id.split_once(':').expect("<space_id>:<id>");
        let api = self.ws.owner();
        api.delete_computed_trait(space, t).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn computed_trait_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let space = dir
        .ws
        .make_space("Marketing", "marketing")
        .await
        .expect("a space")
        .id;
    Lifecycle {
        refusals: vec![Refusal::at_plan(
            config(&space, "Order Count", COUNT, false, "people"),
            &["definition.type", "users, accounts"],
        )],
        update: Some(config(&space, "Recent Orders", RECENT, false, "users")),
        // The API cannot change a trait's options.
        replace: Some(config(&space, "Recent Orders", RECENT, true, "users")),
        refused_imports: vec![("no-space".into(), "<space_id>:<id>")],
        ..Lifecycle::new(
            "segment_computed_trait.t",
            config(&space, "Order Count", COUNT, false, "users"),
        )
    }
    .run(&dir, &Traits { ws: &dir.ws, space })
    .await;
}
