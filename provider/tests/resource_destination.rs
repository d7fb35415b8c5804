//! `segment_destination` through real Terraform against a real workspace
//! server: create, update, replace, import, drift, destroy, bad input.

mod support;

use std::time::Duration;

use segment_api::models::{Destination, UpdateDestination};
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION};
use segment_e2e::{within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

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

async fn only_destination(ws: &TestWorkspace) -> Option<Destination> {
    let all = within(LIMIT, "list destinations", ws.owner().list_destinations())
        .await
        .expect("list destinations");
    assert!(all.len() <= 1, "expected at most one destination: {all:?}");
    all.into_iter().next()
}

/// What `terraform state list` prints: empty while there is no state file.
fn state_list(tf: &TerraformDir) -> String {
    let list = tf.terraform(&["state", "list"]);
    if list.stderr.contains("No state file was found") {
        return String::new();
    }
    assert!(list.status.success(), "{}", list.output());
    list.stdout
}

#[tokio::test(flavor = "multi_thread")]
async fn destination_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source web");
    let app = api
        .create_source(&fixtures::javascript_source("app"))
        .await
        .expect("source app");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: settings that are not a JSON object fail before any request.
    write(
        &resource(&web.id, "Amplitude", true, true)
            .replace("settings = jsonencode({", "settings = jsonencode([{")
            .replace("  })\n}", "  }])\n}"),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid JSON in settings") && bad.stderr.contains("settings"),
        "{}",
        bad.output()
    );
    assert!(only_destination(&ws).await.is_none(), "nothing is created");
    assert_eq!(state_list(&tf), "", "nothing enters the state");

    // Bad input: a catalog id the workspace does not know is refused by the
    // API, pointed at `metadata`; the state and the workspace stay as they
    // were.
    write(&resource(&web.id, "Amplitude", true, true).replace(
        &format!("id = \"{AMPLITUDE_DESTINATION}\""),
        "id = \"no-such-destination\"",
    ));
    let sources_before = api.list_sources().await.expect("sources").len();
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    for needle in [
        "Cannot create segment_destination",
        "\"no-such-destination\" is not a destination in the catalog",
        "The workspace rejected the value of `metadata`",
    ] {
        assert!(bad.stderr.contains(needle), "{needle}\n{}", bad.output());
    }
    assert!(only_destination(&ws).await.is_none(), "nothing is created");
    let sources_after = api.list_sources().await.expect("sources").len();
    assert_eq!(sources_after, sources_before, "no source made or lost");
    assert_eq!(state_list(&tf), "", "nothing enters the state");

    // Create, then a clean plan.
    write(&resource(&web.id, "Amplitude", true, true));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = only_destination(&ws).await.expect("created");
    assert_eq!(created.name.as_deref(), Some("Amplitude"));
    assert!(created.enabled);
    assert_eq!(created.source_id, web.id);
    assert_eq!(created.settings["trackAllPages"], true);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Update in place.
    write(&resource(&web.id, "Amplitude prod", false, false));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("will be updated in-place"),
        "{}",
        apply.output()
    );
    let updated = only_destination(&ws).await.expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name.as_deref(), Some("Amplitude prod"));
    assert!(!updated.enabled);
    assert_eq!(updated.settings["trackAllPages"], false);

    // A new source replaces the destination.
    write(&resource(&app.id, "Amplitude prod", false, false));
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    let replaced = only_destination(&ws).await.expect("replaced");
    assert_ne!(replaced.id, created.id);
    assert_eq!(replaced.source_id, app.id);
    let id = replaced.id.clone();

    // Import with an `import` block: the masked apiKey cannot be compared,
    // so the configured one is sent once (a warning says so).
    tf.terraform_ok(&["state", "rm", "segment_destination.d"]);
    let body = resource(&app.id, "Amplitude prod", false, false);
    write(&format!(
        "{body}\nimport {{\n  to = segment_destination.d\n  id = \"{id}\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    assert!(
        plan.output().contains("settings.apiKey"),
        "{}",
        plan.output()
    );
    // And with `terraform import`, then a clean plan once it is sent.
    write(&body);
    tf.terraform_ok(&["import", "-input=false", "segment_destination.d", &id]);
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());

    // Drift in a managed setting shows as exactly that attribute.
    let mut settings = serde_json::Map::new();
    settings.insert("trackAllPages".into(), true.into());
    let drift = UpdateDestination {
        settings: Some(settings),
        ..Default::default()
    };
    api.update_destination(&id, &drift).await.expect("drift");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["settings"],
        "{}",
        plan.stdout
    );

    // Deleted outside Terraform: planned for creation.
    api.delete_destination(&id).await.expect("delete");
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(plan.stdout.contains("will be created"), "{}", plan.output());

    // Create again, then destroy.
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(only_destination(&ws).await.is_some());
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(only_destination(&ws).await.is_none(), "destroyed");
}
