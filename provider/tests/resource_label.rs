//! `segment_label` through real Terraform: create, replace on every change
//! (labels have no update), import by `<key>:<value>`, delete outside
//! Terraform, destroy, and a malformed import ID.

mod support;

use std::time::Duration;

use segment_api::models::Label;
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::steps::PLAN_ONLY;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

fn config(value: &str, description: &str) -> String {
    format!(
        r#"
resource "segment_label" "l" {{
  key         = "team"
  value       = "{value}"
  description = "{description}"
}}
"#
    )
}

struct Labels<'a>(&'a TestWorkspace);

impl Labels<'_> {
    async fn all(&self) -> Vec<Label> {
        within(LIMIT, "list labels", self.0.owner().list_labels())
            .await
            .expect("list labels")
    }
}

impl Subject for Labels<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let label = self.all().await.pop().expect("a label");
        format!("{}:{}", label.key, label.value)
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let now = self.all().await;
        match step {
            Step::Created => assert_eq!(now[0].description.as_deref(), Some("Growth team")),
            Step::Replaced => assert_eq!(now[0].value, "core", "{now:?}"),
            _ => {}
        }
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let (key, value) = id.split_once(':').expect("<key>:<value>");
        self.0
            .owner()
            .delete_label(key, value)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn label_lifecycle() {
    let dir = WorkspaceDir::start().await;
    Lifecycle {
        // An empty value is refused before any request.
        refusals: vec![Refusal::at_plan(config("", "x"), &["value"])],
        // Any change replaces: the API cannot update a label.
        replace: Some(config("core", "Core team")),
        refused_imports: vec![("team-core".into(), "<key>:<value>")],
        no_drift: Some("the API cannot update a label"),
        ..Lifecycle::new("segment_label.l", config("growth", "Growth team"))
    }
    .run(&dir, &Labels(&dir.ws))
    .await;
}

/// Whether `step` fails (panics), its panic message kept out of the way.
fn fails<T>(step: impl FnOnce() -> T) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(step)).is_err()
}

// The driver's steps are the assertions of every lifecycle test: each must
// fail when the behaviour it names is missing, or every test passes blind.
// Labels are the cheapest type to drive.
#[tokio::test(flavor = "multi_thread")]
async fn lifecycle_steps_fail_when_their_behaviour_breaks() {
    let dir = WorkspaceDir::start().await;
    let t = Steps::new(&dir, "segment_label.l");
    let growth = config("growth", "Growth team");
    assert!(
        fails(|| t.refused(&growth, PLAN_ONLY, &[])),
        "a configuration that plans is no refusal"
    );
    t.create(&growth);
    t.write(&config("growth", "Drifted"));
    assert!(
        fails(|| t.clean()),
        "a configuration that drifts is no clean plan"
    );
    assert!(
        fails(|| t.changes(&["value"])),
        "the plan changes `description`, not `value`"
    );
    assert!(fails(|| t.gone()), "the label is still there");
    let core = config("core", "Growth team");
    assert!(
        fails(|| t.update(&core)),
        "a new value replaces a label: no update in place"
    );
    t.clean();
    // Text every refresh prints stands in for a secret.
    let shown = Steps::new(&dir, "segment_label.l").secret("l: Refreshing state");
    assert!(
        fails(|| shown.clean()),
        "output that holds a secret fails the step"
    );
    t.forget();
    assert!(
        fails(|| t.import_with_block(&config("core", "Other"), "team:core")),
        "an import whose configuration differs plans a change"
    );
    t.import_with_cli(&core, "team:core");
    t.forget();
    assert!(
        fails(|| t.import_refused("team:core", "<key>:<value>")),
        "a good import ID is not refused"
    );
    t.destroy();
    assert!(Labels(&dir.ws).all().await.is_empty(), "destroyed");
}
