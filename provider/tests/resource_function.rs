//! `segment_function` and `segment_insert_function_instance` through real
//! Terraform against a real workspace server: create, update, replace,
//! import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{
    CreateFunction, FunctionListItem, FunctionSetting, InsertFunctionInstance, UpdateFunction,
    UpdateInsertFunctionInstance,
};
use segment_e2e::fixtures;
use segment_e2e::{within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);

fn function(name: &str, resource_type: &str, version: u32, extra_setting: bool) -> String {
    let extra = if extra_setting {
        r#",
    { name = "region", label = "Region", description = "Where to send", type = "STRING", required = false, sensitive = false }"#
    } else {
        ""
    };
    let description = if extra_setting {
        ""
    } else {
        "description   = \"Relays orders\"\n  "
    };
    format!(
        r#"
resource "segment_function" "f" {{
  display_name  = "{name}"
  resource_type = "{resource_type}"
  {description}code          = "async function onTrack(event) {{ return event }} // v{version}"
  settings = [
    {{ name = "apiKey", label = "API key", description = "The key", type = "STRING", required = true, sensitive = true }}{extra}
  ]
}}
"#
    )
}

struct Functions<'a>(&'a TestWorkspace);

impl Functions<'_> {
    async fn all(&self) -> Vec<FunctionListItem> {
        let mut all = Vec::new();
        for kind in ["DESTINATION", "INSERT_DESTINATION", "SOURCE"] {
            let found = within(LIMIT, "list functions", self.0.owner().list_functions(kind))
                .await
                .expect("list functions");
            all.extend(found);
        }
        all
    }
}

impl Subject for Functions<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        let listed = self.all().await;
        assert_eq!(listed.len(), 1, "{listed:?}");
        listed[0].id.clone()
    }

    async fn after(&self, steps: &Steps<'_>, step: Step) {
        let api = self.0.owner();
        let listed = self.all().await;
        match step {
            Step::Refused(_) => assert_eq!(steps.state_list(), "", "nothing enters the state"),
            Step::Created => {
                let created = api.get_function(&listed[0].id).await.expect("read");
                assert_eq!(created.display_name, "Order relay");
                assert_eq!(created.settings.len(), 1);
                // Real Segment appends the workspace to a destination
                // function's name (official provider issue #192): that is
                // no change.
                let suffixed = UpdateFunction {
                    display_name: Some("Order relay (Production)".into()),
                    ..Default::default()
                };
                api.update_function(&created.id, &suffixed)
                    .await
                    .expect("suffix");
                steps.clean();
            }
            Step::Updated => {
                let updated = api.get_function(&listed[0].id).await.expect("read");
                assert_eq!(updated.display_name, "Order relay v2");
                assert!(updated.code.ends_with("// v2"), "{}", updated.code);
                assert_eq!(updated.settings.len(), 2);
                assert!(updated.description.unwrap_or_default().is_empty());
            }
            Step::Replaced => assert_eq!(listed[0].resource_type, "SOURCE"),
            _ => {}
        }
    }

    // Code changed in the app shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let drift = UpdateFunction {
            code: Some("async function onTrack() {}".into()),
            ..Default::default()
        };
        self.0
            .owner()
            .update_function(id, &drift)
            .await
            .expect("drift");
        steps.changes(&["code"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        self.0.owner().delete_function(id).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn function_lifecycle() {
    let dir = WorkspaceDir::start().await;
    Lifecycle {
        // An unknown function type fails at plan, naming it.
        refusals: vec![Refusal::at_apply(
            function("Order relay", "WIDGET", 1, false),
            &[
                "Invalid value for resource_type",
                "\"WIDGET\"; it must be one of:",
            ],
        )],
        // New code, name and setting; description removed.
        update: Some(function("Order relay v2", "DESTINATION", 2, true)),
        // Another type replaces the function.
        replace: Some(function("Order relay v2", "SOURCE", 2, true)),
        ..Lifecycle::new(
            "segment_function.f",
            function("Order relay", "DESTINATION", 1, false),
        )
    }
    .run(&dir, &Functions(&dir.ws))
    .await;
}

fn instance(function_id: &str, integration_id: &str, name: &str, on: bool, extra: &str) -> String {
    format!(
        r#"
resource "segment_insert_function_instance" "i" {{
  function_id    = "{function_id}"
  integration_id = "{integration_id}"
  name           = "{name}"
  enabled        = {on}
  settings       = jsonencode({{ apiKey = "k-1", verbose = {on}{extra} }})
}}
"#
    )
}

/// Instances of one insert function, on either of two destinations.
struct Instances<'a> {
    ws: &'a TestWorkspace,
    function: String,
    first: String,
    second: String,
}

impl Instances<'_> {
    async fn all(&self) -> Vec<InsertFunctionInstance> {
        let list = self
            .ws
            .owner()
            .list_insert_function_instances(&self.function);
        within(LIMIT, "list instances", list)
            .await
            .expect("list instances")
    }
}

impl Subject for Instances<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        self.all().await.pop().expect("an instance").id
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            // Created by the prefixed id: the id comes back bare, the
            // secret masked, and neither is a change.
            Step::Created => {
                assert_eq!(now.class_id, self.function);
                assert_eq!(now.integration_id, self.first);
            }
            Step::Updated => {
                assert_eq!(now.name.as_deref(), Some("Enrich quietly"));
                assert!(!now.enabled);
                assert_eq!(now.settings["verbose"], false);
            }
            Step::Replaced => assert_eq!(now.integration_id, self.second),
            _ => {}
        }
    }

    // Enabled in the app shows as exactly that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let drift = UpdateInsertFunctionInstance {
            enabled: Some(true),
            ..Default::default()
        };
        let api = self.ws.owner();
        api.update_insert_function_instance(id, &drift)
            .await
            .expect("drift");
        steps.changes(&["enabled"]);
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.delete_insert_function_instance(id)
            .await
            .expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_function_instance_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let api = dir.ws.owner();
    let web = dir.source(&fixtures::javascript_source("web")).await;
    let first = dir
        .destination(&fixtures::amplitude_destination(&web))
        .await;
    let second = dir
        .destination(&fixtures::amplitude_destination(&web))
        .await;
    let setting = |name: &str, kind: &str, sensitive: bool| FunctionSetting {
        name: name.into(),
        label: name.into(),
        description: String::new(),
        kind: kind.into(),
        required: sensitive,
        sensitive,
    };
    let function = api
        .create_function(&CreateFunction {
            code: "async function onTrack(event) { return event }".into(),
            settings: Some(vec![
                setting("apiKey", "STRING", true),
                setting("verbose", "BOOLEAN", false),
            ]),
            display_name: "Enrich".into(),
            logo_url: None,
            resource_type: "INSERT_DESTINATION".into(),
            description: None,
        })
        .await
        .expect("insert function")
        .id;
    // The Segment app shows insert function ids with this prefix.
    let prefixed = format!("ifnd_{function}");
    Lifecycle {
        // A setting the function does not declare is refused by the API,
        // pointed at `settings`.
        refusals: vec![Refusal::at_apply(
            instance(&prefixed, &first, "Enrich", true, ", nope = 1"),
            &["`settings`", "nope"],
        )],
        update: Some(instance(&prefixed, &first, "Enrich quietly", false, "")),
        // Another destination replaces the instance.
        replace: Some(instance(&function, &second, "Enrich quietly", false, "")),
        // The masked apiKey cannot be compared after an import: sent once.
        secret_sent_on_import: Some("apiKey"),
        ..Lifecycle::new(
            "segment_insert_function_instance.i",
            instance(&prefixed, &first, "Enrich", true, ""),
        )
    }
    .run(
        &dir,
        &Instances {
            ws: &dir.ws,
            function,
            first,
            second,
        },
    )
    .await;
}
