//! Checks at plan time against the workspace, through real Terraform and a
//! real workspace server: settings against the catalog (so a bad key fails
//! `plan`, before an apply creates half of the objects), and a create
//! refused with 409 naming the existing object and the import that adopts it.

mod support;

use std::time::Duration;

use segment_api::models::Label;
use segment_e2e::fake::{Reply, ScriptedServer};
use segment_e2e::fixtures::STRIPE_SOURCE;
use segment_e2e::fixtures::{self, AMPLITUDE_DESTINATION, JAVASCRIPT_SOURCE, POSTGRES_WAREHOUSE};
use segment_e2e::{fast_retry, within, TestWorkspace};
use support::plans::exit_code;
use support::terraform::{provider_config, TerraformDir};
use terraform_provider_segment::engine::catalog_check::{Catalog, CatalogCache};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];

/// Terraform's output with its box drawing and line wrapping undone.
fn flat(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| *w != "│")
        .collect::<Vec<_>>()
        .join(" ")
}

async fn start() -> (TestWorkspace, TerraformDir, String) {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    (ws, tf, head)
}

/// A destination of Amplitude with `settings` as an HCL object body.
/// Makes the JavaScript source "web" through the API.
async fn web_source(ws: &TestWorkspace) -> segment_api::models::Source {
    within(
        LIMIT,
        "create source",
        ws.owner()
            .create_source(&fixtures::javascript_source("web")),
    )
    .await
    .expect("source web")
}

fn amplitude(name: &str, source_id: &str, enabled: bool, settings: &str) -> String {
    format!(
        r#"
resource "segment_destination" "{name}" {{
  enabled   = {enabled}
  source_id = {source_id}
  metadata  = {{ id = "{AMPLITUDE_DESTINATION}" }}
  settings  = jsonencode({{ {settings} }})
}}
"#
    )
}

// The misspelled key used to pass plan and fail at apply, after the source in
// the same plan had been created.
#[tokio::test(flavor = "multi_thread")]
async fn unknown_settings_key_fails_plan_and_apply_creates_nothing() {
    let (ws, tf, head) = start().await;
    let body = format!(
        r#"{head}
resource "segment_source" "web" {{
  slug     = "web"
  enabled  = true
  metadata = {{ id = "{JAVASCRIPT_SOURCE}" }}
}}
{}"#,
        amplitude(
            "amp",
            "segment_source.web.id",
            true,
            r#"apiKey = "k", trackAllPagez = true"#
        )
    );
    tf.write("main.tf", &body);
    tf.terraform_ok(&["init", "-input=false"]);
    for command in [PLAN, APPLY] {
        let out = tf.terraform(command);
        assert!(!out.status.success(), "{}", out.output());
        for word in [
            "Unknown setting \"trackAllPagez\"",
            "`settings`",
            "Did you mean \"trackAllPages\"?",
            "apiKey,",
            "traitsToIncrement",
        ] {
            assert!(flat(&out.stderr).contains(word), "{word}: {}", out.output());
        }
    }
    let api = ws.owner();
    let sources = within(LIMIT, "list sources", api.list_sources()).await;
    assert_eq!(sources.expect("list sources"), vec![]);
    let destinations = within(LIMIT, "list destinations", api.list_destinations()).await;
    assert_eq!(destinations.expect("list destinations"), vec![]);
}

// Sources and warehouses are checked against their own catalogs too, and a
// missing required key is a plan error on create; a wrong type only warns,
// since the real API may take it.
#[tokio::test(flavor = "multi_thread")]
async fn settings_of_every_catalog_are_checked_and_wrong_types_only_warn() {
    let (ws, tf, head) = start().await;
    let web = web_source(&ws).await;
    let source_id = format!("\"{}\"", web.id);

    let bad = format!(
        r#"{head}
resource "segment_source" "stripe" {{
  slug     = "stripe"
  enabled  = true
  metadata = {{ id = "{STRIPE_SOURCE}" }}
  settings = jsonencode({{ apiKey = "sk", includeTestDatta = true }})
}}

resource "segment_warehouse" "pg" {{
  metadata = {{ id = "{POSTGRES_WAREHOUSE}" }}
  settings = jsonencode({{
    hostnme = "pg.internal", database = "w", username = "u", password = "p"
  }})
}}
{}"#,
        amplitude("amp", &source_id, true, "trackAllPages = true")
    );
    tf.write("main.tf", &bad);
    tf.terraform_ok(&["init", "-input=false"]);
    let out = tf.terraform(PLAN);
    assert!(!out.status.success(), "{}", out.output());
    for word in [
        "Unknown setting \"includeTestDatta\"",
        "Did you mean \"includeTestData\"?",
        "Unknown setting \"hostnme\"",
        "Did you mean \"hostname\"?",
        "Missing required setting \"hostname\"",
        "Missing required setting \"apiKey\"",
    ] {
        assert!(flat(&out.stderr).contains(word), "{word}: {}", out.output());
    }

    let warned = format!(
        "{head}{}",
        amplitude(
            "amp",
            &source_id,
            true,
            r#"apiKey = "k", trackAllPages = "yes""#
        )
    );
    tf.write("main.tf", &warned);
    let out = tf.terraform(PLAN);
    assert_eq!(exit_code(&out), 2, "{}", out.output());
    assert!(
        flat(&out.output()).contains("Warning: Setting \"trackAllPages\" should be a boolean"),
        "{}",
        out.output()
    );
}

// A key already in state that the catalog does not list (an option the
// catalog dropped later) must not block an unrelated change: only keys whose
// value changes are checked. The workspace refuses such a key through the
// API, so the state is edited as an older catalog would have left it.
#[tokio::test(flavor = "multi_thread")]
async fn an_unchanged_unknown_key_in_state_does_not_block_other_changes() {
    let (ws, tf, head) = start().await;
    let web = web_source(&ws).await;
    let source_id = format!("\"{}\"", web.id);
    let write = |enabled: bool, settings: &str| {
        tf.write(
            "main.tf",
            &format!("{head}{}", amplitude("amp", &source_id, enabled, settings)),
        )
    };
    write(true, r#"apiKey = "k""#);
    tf.terraform_ok(&["init", "-input=false"]);
    tf.terraform_ok(APPLY);

    let pulled = tf.terraform_ok(&["state", "pull"]);
    let mut state: serde_json::Value = serde_json::from_str(&pulled.stdout).expect("state JSON");
    let attributes = &mut state["resources"][0]["instances"][0]["attributes"];
    assert_eq!(attributes["settings"], r#"{"apiKey":"k"}"#, "{pulled:?}");
    attributes["settings"] = r#"{"apiKey":"k","retired":true}"#.into();
    let serial = state["serial"].as_u64().expect("serial");
    state["serial"] = (serial + 1).into();
    tf.write("edited.tfstate", &state.to_string());
    tf.terraform_ok(&["state", "push", "edited.tfstate"]);

    // Unchanged: the plan goes on with the unrelated change.
    write(false, r#"apiKey = "k", retired = true"#);
    let out = tf.terraform(&[PLAN, &["-refresh=false"][..]].concat());
    assert_eq!(exit_code(&out), 2, "{}", out.output());
    assert!(
        flat(&out.stdout).contains("enabled = true -> false"),
        "{}",
        out.output()
    );

    // Changed: the same key is checked.
    write(false, r#"apiKey = "k", retired = false"#);
    let out = tf.terraform(&[PLAN, &["-refresh=false"][..]].concat());
    assert!(!out.status.success(), "{}", out.output());
    assert!(
        flat(&out.stderr).contains("Unknown setting \"retired\""),
        "{}",
        out.output()
    );
}

// A 409 said only "already exists": the user had to find the id and the
// import command by hand.
#[tokio::test(flavor = "multi_thread")]
async fn create_conflicts_name_the_existing_object_and_its_import() {
    let (ws, tf, head) = start().await;
    let api = ws.owner();
    let web = web_source(&ws).await;
    let label = Label {
        key: "team".into(),
        value: "core".into(),
        description: None,
    };
    within(LIMIT, "create label", api.create_label(&label))
        .await
        .expect("label team:core");

    tf.write(
        "main.tf",
        &format!(
            r#"{head}
resource "segment_source" "web" {{
  slug     = "web"
  enabled  = true
  metadata = {{ id = "{JAVASCRIPT_SOURCE}" }}
}}

resource "segment_label" "team" {{
  key   = "team"
  value = "core"
}}
"#
        ),
    );
    tf.terraform_ok(&["init", "-input=false"]);
    let out = tf.terraform(APPLY);
    assert!(!out.status.success(), "{}", out.output());
    let text = flat(&out.stderr);
    for (kind, id) in [
        ("segment_source", web.id.as_str()),
        ("segment_label", "team:core"),
    ] {
        for want in [
            format!("{kind} already exists"),
            format!("has import ID \"{id}\""),
            format!("terraform import {kind}.<name> {id}"),
            format!("to = {kind}.<name>"),
            format!("id = \"{id}\""),
        ] {
            assert!(text.contains(&want), "{want}: {}", out.output());
        }
    }
    // Nothing was created beside what was there.
    let sources = within(LIMIT, "list sources", api.list_sources()).await;
    assert_eq!(sources.expect("list sources").len(), 1);
}

// Terraform plans up to ten objects at once: the catalog entry they share is
// read once per provider process, and an unreadable one is not asked again.
#[tokio::test(flavor = "multi_thread")]
async fn catalog_entries_are_read_once_per_process() {
    let entry = serde_json::json!({ "destinationMetadata": {
        "id": "amp", "slug": "amplitude", "name": "Amplitude",
        "options": [{ "name": "apiKey", "type": "password", "required": true }]
    }});
    let server = ScriptedServer::start(vec![Reply::ok(entry)]).await;
    let api = server.client(fast_retry());
    let cache = CatalogCache::default();
    let read = || cache.entry(&api, Catalog::Destinations, "amp");
    let (a, b, c) = within(LIMIT, "read the entry", async {
        tokio::join!(read(), read(), read())
    })
    .await;
    for got in [a, b, c] {
        let got = got.expect("entry read");
        assert_eq!((got.name.as_str(), got.options.len()), ("Amplitude", 1));
    }
    assert_eq!(server.requests().len(), 1, "{:?}", server.requests());

    // Past the script the server answers 418: unreadable, asked once.
    for _ in 0..2 {
        let got = within(LIMIT, "read a missing entry", async {
            cache.entry(&api, Catalog::Destinations, "gone").await
        })
        .await;
        assert!(got.is_none());
    }
    assert_eq!(server.requests().len(), 2, "{:?}", server.requests());
}
