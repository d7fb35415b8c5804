//! Plans that never settled, found by a seeded random lifecycle run with
//! real Terraform against the local workspace (issue 10, point 6). Each
//! test applies a configuration and then requires `plan -detailed-exitcode`
//! to exit 0 (or, for drift, 2), against a real workspace server.

mod support;

use std::time::Duration;

use segment_api::models::UpdateSource;
use segment_e2e::fixtures::{self, JAVASCRIPT_SOURCE, POSTGRES_WAREHOUSE};
use segment_e2e::{within, TestWorkspace};
use serde_json::json;
use support::plans::changed_attributes;
use support::workspace_dir::WorkspaceDir as Setup;

const LIMIT: Duration = Duration::from_secs(30);

impl Setup {
    fn assert_settled(&self, what: &str) {
        let (code, out) = self.plan();
        assert_eq!(code, 0, "{what}: the plan after apply is not empty\n{out}");
    }
}

fn function(extra: &str) -> String {
    format!(
        r#"
resource "segment_function" "f" {{
  display_name  = "Relay"
  resource_type = "DESTINATION"
  code          = "async function onTrack(event) {{ return event }}"
{extra}}}
"#
    )
}

// The read turned the API's "" into null: every plan showed an update.
#[tokio::test(flavor = "multi_thread")]
async fn function_empty_description_and_logo_url_settle() {
    let s = Setup::start().await;
    s.apply(&function("  description = \"\"\n  logo_url    = \"\"\n"));
    s.assert_settled("created with empty texts");

    s.apply(&function("  description = \"Relays\"\n"));
    s.assert_settled("description set, logo_url removed");

    s.apply(&function("  description = \"\"\n"));
    s.assert_settled("description emptied");

    s.apply(&function(""));
    s.assert_settled("description removed");
}

fn source(extra: &str, settings: &str) -> String {
    format!(
        r#"
resource "segment_source" "s" {{
  slug     = "web"
  enabled  = true
  metadata = {{ id = "{JAVASCRIPT_SOURCE}" }}
  settings = jsonencode({settings})
{extra}}}
"#
    )
}

async fn only_source(ws: &TestWorkspace) -> segment_api::models::Source {
    let all = within(LIMIT, "list sources", ws.owner().list_sources())
        .await
        .expect("list sources");
    assert_eq!(all.len(), 1, "{all:?}");
    all.into_iter().next().expect("one source")
}

// Removing `name` left the server's name in place and planned
// `name = "Named" -> null` forever; upstream keeps it (optional + computed).
#[tokio::test(flavor = "multi_thread")]
async fn source_name_removed_keeps_the_name() {
    let s = Setup::start().await;
    s.apply(&source("  name = \"Named\"\n", "{}"));
    s.assert_settled("created with a name");

    s.write(&source("", "{}"));
    s.assert_settled("name removed");
    s.apply(&source("", "{}"));
    assert_eq!(only_source(&s.ws).await.name.as_deref(), Some("Named"));

    // Setting it again still renames.
    s.apply(&source("  name = \"Renamed\"\n", "{}"));
    assert_eq!(only_source(&s.ws).await.name.as_deref(), Some("Renamed"));
    s.assert_settled("renamed");
}

// The server drops null settings; state kept them and every plan showed a
// change.
#[tokio::test(flavor = "multi_thread")]
async fn settings_null_values_settle() {
    let s = Setup::start().await;
    s.apply(&source("", "{ a = null, b = 1 }"));
    s.assert_settled("created with a null setting");
    assert_eq!(
        serde_json::Value::Object(only_source(&s.ws).await.settings),
        json!({"b": 1})
    );

    // A null for a key the workspace holds removes it, then settles.
    s.apply(&source("", "{ a = 2, b = 1 }"));
    s.assert_settled("a set");
    s.apply(&source("", "{ a = null, b = 1 }"));
    s.assert_settled("a null again");
    assert_eq!(
        serde_json::Value::Object(only_source(&s.ws).await.settings),
        json!({"b": 1})
    );

    // Drift into a key configured as null shows.
    let id = only_source(&s.ws).await.id;
    let drift = UpdateSource {
        settings: Some(fixtures::settings(json!({"a": "x"}))),
        ..Default::default()
    };
    s.ws.owner()
        .update_source(&id, &drift)
        .await
        .expect("drift");
    let (code, out) = s.plan();
    assert_eq!(code, 2, "{out}");
    assert_eq!(changed_attributes(&out), ["settings"], "{out}");
}

// 9007199254740993 and 9007199254740992 are one f64: drift between them
// went unseen while settings compared through floating point.
#[tokio::test(flavor = "multi_thread")]
async fn settings_large_integer_drift_shows() {
    let s = Setup::start().await;
    s.apply(&source("", "{ n = 9007199254740993 }"));
    s.assert_settled("created with a large integer");
    let src = only_source(&s.ws).await;
    assert_eq!(
        src.settings["n"].to_string(),
        "9007199254740993",
        "sent exactly"
    );

    let drift = UpdateSource {
        settings: Some(fixtures::settings(json!({"n": 9007199254740992u64}))),
        ..Default::default()
    };
    s.ws.owner()
        .update_source(&src.id, &drift)
        .await
        .expect("drift");
    let (code, out) = s.plan();
    assert_eq!(code, 2, "{out}");
    assert_eq!(changed_attributes(&out), ["settings"], "{out}");

    s.apply(&source("", "{ n = 9007199254740993 }"));
    s.assert_settled("drift corrected");
    let src = only_source(&s.ws).await;
    assert_eq!(src.settings["n"].to_string(), "9007199254740993");
}

fn warehouse(name: &str) -> String {
    format!(
        r#"
resource "segment_warehouse" "w" {{
  name     = "{name}"
  metadata = {{ id = "{POSTGRES_WAREHOUSE}" }}
  settings = jsonencode({{
    hostname = "pg.internal"
    database = "warehouse"
    username = "loader"
    password = "s3cret"
  }})
}}
"#
    )
}

// The answer to a create with `name = ""` has no name: one extra apply.
#[tokio::test(flavor = "multi_thread")]
async fn warehouse_empty_name_settles() {
    let s = Setup::start().await;
    s.apply(&warehouse(""));
    s.assert_settled("created with an empty name");
    s.apply(&warehouse("Main"));
    s.assert_settled("named");
    s.apply(&warehouse(""));
    s.assert_settled("name emptied");
}

fn transformation(source_id: &str, extra: &str) -> String {
    format!(
        r#"
resource "segment_transformation" "t" {{
  source_id = "{source_id}"
  name      = "Rename"
  enabled   = true
  if        = "event = 'Order Completed'"
{extra}
  property_renames               = []
  property_value_transformations = []
  fql_defined_properties         = []
}}
"#
    )
}

// Removing it planned an update that the apply refused ("replace it
// instead"): what the API cannot update in place must plan a replacement.
#[tokio::test(flavor = "multi_thread")]
async fn transformation_removed_destination_metadata_id_replaces() {
    let s = Setup::start().await;
    let web =
        s.ws.owner()
            .create_source(&fixtures::javascript_source("web"))
            .await
            .expect("source web");
    let with = format!(
        "  destination_metadata_id = \"{}\"\n",
        fixtures::AMPLITUDE_DESTINATION
    );
    s.apply(&transformation(&web.id, &with));
    s.assert_settled("created for a destination kind");
    let before = s.ws.owner().list_transformations().await.expect("list");

    let out = s.apply(&transformation(&web.id, ""));
    assert!(out.contains("must be replaced"), "{out}");
    s.assert_settled("destination_metadata_id removed");
    let after = s.ws.owner().list_transformations().await.expect("list");
    assert_eq!(after.len(), 1, "{after:?}");
    assert_ne!(after[0].id, before[0].id, "replaced");
    assert_eq!(after[0].destination_metadata_id, None);
}

fn profiles_warehouse(extra: &str, password: &str) -> String {
    format!(
        r#"
resource "segment_profiles_warehouse" "p" {{
  space_id    = "spa_1"
  metadata_id = "{POSTGRES_WAREHOUSE}"
{extra}  settings = jsonencode({{
    hostname = "pg.internal"
    database = "profiles"
    username = "sync"
{password}  }})
}}
"#
    )
}

// An import left `enabled` null, so a configuration saying `enabled = true`
// planned to add it.
#[tokio::test(flavor = "multi_thread")]
async fn profiles_warehouse_import_keeps_enabled() {
    let s = Setup::start().await;
    let secret = "    password = \"s3cret\"\n";
    s.apply(&profiles_warehouse("", secret));
    s.assert_settled("created with enabled unset");
    let all =
        s.ws.owner()
            .list_profiles_warehouses("spa_1")
            .await
            .expect("list");
    let import_id = format!("spa_1:{}", all[0].id);
    let to = "segment_profiles_warehouse.p";

    for extra in ["  enabled = true\n", ""] {
        s.tf.terraform_ok(&["state", "rm", to]);
        s.write(&profiles_warehouse(extra, ""));
        s.tf.terraform_ok(&["import", "-input=false", to, &import_id]);
        s.assert_settled(&format!("imported with {extra:?}"));
    }

    // Left out, `enabled` still means the default: a disabled warehouse is
    // enabled again.
    s.apply(&profiles_warehouse("  enabled = false\n", ""));
    assert!(
        !s.ws
            .owner()
            .list_profiles_warehouses("spa_1")
            .await
            .expect("list")[0]
            .enabled
    );
    s.apply(&profiles_warehouse("", ""));
    assert!(
        s.ws.owner()
            .list_profiles_warehouses("spa_1")
            .await
            .expect("list")[0]
            .enabled
    );
    s.assert_settled("enabled removed");
}

// The same shape in the other types: an empty text the API answers as no
// text (or the reverse) must settle.
#[tokio::test(flavor = "multi_thread")]
async fn empty_texts_settle_in_every_type() {
    let s = Setup::start().await;
    let body = format!(
        r#"
resource "segment_source" "s" {{
  slug     = "web"
  name     = ""
  enabled  = true
  metadata = {{ id = "{JAVASCRIPT_SOURCE}" }}
}}

resource "segment_label" "l" {{
  key         = "team"
  value       = "core"
  description = ""
}}

resource "segment_tracking_plan" "p" {{
  name        = "Plan"
  type        = "LIVE"
  description = ""
  rules       = []
}}

resource "segment_profiles_warehouse" "p" {{
  space_id    = "spa_1"
  metadata_id = "{POSTGRES_WAREHOUSE}"
  name        = ""
  settings = jsonencode({{
    hostname = "pg.internal"
    database = "profiles"
    username = "sync"
    password = "s3cret"
  }})
}}
"#
    );
    s.apply(&body);
    s.assert_settled("created with empty texts");
}
