//! Every plan that passes applies (issue 10, point 6): what the workspace
//! would refuse at apply is refused at plan time, naming the attribute and
//! the fix, and what the real API serves the local workspace serves too.
//! Real Terraform against a real workspace server throughout.

mod support;

use segment_e2e::fixtures;
use support::plans::exit_code;
use support::workspace_dir::{WorkspaceDir as Setup, APPLY, PLAN};

/// Roles from the workspace's fixed list (`GET /roles`).
const WORKSPACE_OWNER: &str = "1WDUuRLxv84rrfCNUwvkrRtkxnS";
const WAREHOUSE_ADMIN: &str = "sgw_role_warehouse_admin";
const SOURCE_READ_ONLY: &str = "sgw_role_source_read_only";

/// What these tests ask of a plan, beside the shared steps.
impl Setup {
    /// Plans `body` and asserts the plan fails with every one of `needles`
    /// in its errors (Terraform wraps messages: spacing is ignored).
    fn plan_refuses(&self, body: &str, needles: &[&str]) {
        self.write(body);
        let plan = self.tf.terraform(PLAN);
        assert_eq!(exit_code(&plan), 1, "the plan must fail\n{}", plan.output());
        let errors = one_line(&plan.stderr);
        for needle in needles {
            assert!(errors.contains(needle), "{needle}\n{}", plan.output());
        }
    }

    fn assert_clean(&self) {
        let (code, out) = self.plan();
        assert_eq!(code, 0, "{out}");
    }

    /// Applies `body`, which must succeed and then plan clean.
    fn applies_clean(&self, body: &str) {
        self.apply(body);
        self.assert_clean();
    }
}

/// A JavaScript source with empty settings, as `segment_source.NAME`.
fn source_block(name: &str, slug: &str) -> String {
    format!(
        r#"
resource "segment_source" "{name}" {{
  slug     = "{slug}"
  enabled  = true
  metadata = {{ id = "{}" }}
  settings = jsonencode({{}})
}}
"#,
        fixtures::JAVASCRIPT_SOURCE
    )
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A valid label beside the bad object: a refused plan creates neither.
const GOOD_LABEL: &str = r#"
resource "segment_label" "good" {
  key   = "team"
  value = "growth"
}
"#;

// The workspace refused label keys with ':' or '/' only at apply, after
// other objects of the same plan were made.
#[tokio::test(flavor = "multi_thread")]
async fn label_key_with_colon_or_slash_is_refused_at_plan() {
    let s = Setup::start().await;
    for key in ["env:prod", "env/prod"] {
        let body = format!(
            "{GOOD_LABEL}\nresource \"segment_label\" \"bad\" {{\n  key   = \"{key}\"\n  value = \"x\"\n}}\n"
        );
        s.plan_refuses(
            &body,
            &[
                "Invalid value for key",
                &format!("{key:?}"),
                "cannot contain ':' or '/'",
            ],
        );
    }
    s.write(&format!(
        "{GOOD_LABEL}\nresource \"segment_label\" \"bad\" {{\n  key   = \"env\"\n  value = \"a/b\"\n}}\n"
    ));
    let apply = s.tf.terraform(APPLY);
    assert!(!apply.status.success(), "{}", apply.output());
    assert!(
        apply.stderr.contains("Invalid value for value"),
        "{}",
        apply.output()
    );
    let labels = s.ws.owner().list_labels().await.expect("labels");
    assert!(
        labels.iter().all(|l| l.key != "team"),
        "nothing of the refused plan is created: {labels:?}"
    );
}

// A rule whose json_schema was valid JSON but not an object ("[]") passed
// the plan and was refused by the workspace at apply.
#[tokio::test(flavor = "multi_thread")]
async fn rule_json_schema_that_is_not_an_object_is_refused_at_plan() {
    let s = Setup::start().await;
    let body = r#"
resource "segment_tracking_plan" "p" {
  name = "Checkout"
  type = "LIVE"
  rules = [
    { type = "TRACK", key = "Order Completed", version = 1, json_schema = "[]" },
  ]
}
"#;
    s.plan_refuses(
        body,
        &[
            "Invalid value for rules",
            "rule TRACK \"Order Completed\": json_schema is an array",
            "JSON Schema object",
        ],
    );
    let plans = s.ws.owner().list_tracking_plans().await.expect("plans");
    assert!(plans.is_empty(), "{plans:?}");
}

// Slugs with spaces passed the plan and the workspace refused them at apply.
#[tokio::test(flavor = "multi_thread")]
async fn source_slug_with_spaces_is_refused_at_plan() {
    let s = Setup::start().await;
    let body = source_block("s", "my web site");
    s.plan_refuses(
        &body,
        &[
            "Invalid value for slug",
            "\"my web site\"",
            "lowercase letters, digits, '-' or '_'",
        ],
    );
}

// A group member that is not an email passed the plan; the workspace
// refused it at apply, after the group itself was created and taken back.
#[tokio::test(flavor = "multi_thread")]
async fn group_member_that_is_not_an_email_is_refused_at_plan() {
    let s = Setup::start().await;
    let workspace = s.ws.owner().get_workspace().await.expect("workspace").id;
    let body = format!(
        r#"
resource "segment_user_group" "g" {{
  name        = "Analysts"
  members     = ["ada@example.com", "bob"]
  permissions = [{{ role_id = "{WORKSPACE_OWNER}", resources = [{{ id = "{workspace}", type = "WORKSPACE", labels = [] }}] }}]
}}
"#
    );
    s.plan_refuses(
        &body,
        &[
            "Invalid value for members",
            "\"bob\" is not an email address",
        ],
    );
    let groups = s.ws.owner().list_user_groups().await.expect("groups");
    assert!(groups.is_empty(), "{groups:?}");
}

// A known role granted on a resource type it does not apply to (Warehouse
// Admin on a source, Workspace Owner on a source) passed the plan and was
// refused at apply.
#[tokio::test(flavor = "multi_thread")]
async fn role_granted_on_the_wrong_resource_type_is_refused_at_plan() {
    let s = Setup::start().await;
    let api = s.ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let grant = |role: &str| {
        format!(
            r#"[{{ role_id = "{role}", resources = [{{ id = "{}", type = "SOURCE", labels = [] }}] }}]"#,
            web.id
        )
    };
    let user = format!(
        "resource \"segment_user\" \"u\" {{\n  email       = \"ada@example.com\"\n  permissions = {}\n}}\n",
        grant(WAREHOUSE_ADMIN)
    );
    s.plan_refuses(
        &user,
        &[
            "Invalid value for permissions",
            "Warehouse Admin",
            "cannot be granted on a SOURCE resource",
            "WORKSPACE or WAREHOUSE",
        ],
    );
    let group = format!(
        "resource \"segment_user_group\" \"g\" {{\n  name        = \"Owners\"\n  members     = []\n  permissions = {}\n}}\n",
        grant(WORKSPACE_OWNER)
    );
    s.plan_refuses(
        &group,
        &["Workspace Owner", "cannot be granted on a SOURCE resource"],
    );
    // The right role on the same source plans and applies.
    s.applies_clean(&user.replace(WAREHOUSE_ADMIN, SOURCE_READ_ONLY));
}

// The docs list INSERT_SOURCE and the official provider manages source
// insert functions, but the workspace refused to create one.
#[tokio::test(flavor = "multi_thread")]
async fn insert_source_function_and_its_instance_apply() {
    let s = Setup::start().await;
    let body = format!(
        r#"{}
resource "segment_function" "scrub" {{
  display_name  = "Scrub PII"
  resource_type = "INSERT_SOURCE"
  code          = "async function onTrack(event) {{ return event }}"
  settings = [
    {{ name = "apiKey", label = "API key", description = "The key", type = "STRING", required = true, sensitive = true }}
  ]
}}

resource "segment_insert_function_instance" "web_scrub" {{
  function_id    = segment_function.scrub.id
  integration_id = segment_source.web.id
  name           = "Scrub web"
  enabled        = true
  settings       = jsonencode({{ apiKey = "k-123" }})
}}
"#,
        source_block("web", "web")
    );
    s.applies_clean(&body);
    let api = s.ws.owner();
    let functions = api.list_functions("INSERT_SOURCE").await.expect("list");
    assert_eq!(functions.len(), 1, "{functions:?}");
    let instances = api
        .list_insert_function_instances(&functions[0].id)
        .await
        .expect("instances");
    assert_eq!(instances.len(), 1, "{instances:?}");
    let source = api.list_sources().await.expect("sources");
    assert_eq!(instances[0].integration_id, source[0].id);
    s.tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(api
        .list_functions("INSERT_SOURCE")
        .await
        .expect("list")
        .is_empty());
}

// The docs example's `schema_settings` failed at apply: the local
// workspace did not serve /sources/{id}/settings.
#[tokio::test(flavor = "multi_thread")]
async fn connection_with_schema_settings_applies_and_plans_clean() {
    let s = Setup::start().await;
    let config = |unplanned: bool, action: &str| {
        format!(
            r#"{}
resource "segment_tracking_plan" "p" {{
  name  = "Checkout"
  type  = "LIVE"
  rules = [
    {{ type = "TRACK", key = "Order Completed", version = 1, json_schema = jsonencode({{ properties = {{}} }}) }},
  ]
}}

resource "segment_source_tracking_plan_connection" "c" {{
  source_id        = segment_source.web.id
  tracking_plan_id = segment_tracking_plan.p.id
  schema_settings = {{
    track = {{
      allow_unplanned_events           = {unplanned}
      allow_unplanned_event_properties = true
      allow_event_on_violations        = true
      allow_properties_on_violations   = true
      common_event_on_violations       = "{action}"
    }}
    identify = {{
      common_event_on_violations = "OMIT_TRAITS"
    }}
  }}
}}
"#,
            source_block("web", "web")
        )
    };
    // An action the API does not have fails at plan, naming the setting.
    s.plan_refuses(
        &config(false, "OMIT_TRAITS"),
        &[
            "schema_settings.track.common_event_on_violations",
            "ALLOW, BLOCK, OMIT_PROPERTIES",
        ],
    );

    s.applies_clean(&config(false, "BLOCK"));
    let api = s.ws.owner();
    let source_id = api.list_sources().await.expect("sources")[0].id.clone();
    let path = format!("sources/{source_id}/settings");
    let read: serde_json::Value = api.get(&path).await.expect("schema settings");
    assert_eq!(read["sourceId"], source_id.as_str());
    assert_eq!(read["settings"]["track"]["allowUnplannedEvents"], false);
    assert_eq!(
        read["settings"]["track"]["commonEventOnViolations"],
        "BLOCK"
    );
    assert_eq!(
        read["settings"]["identify"]["commonEventOnViolations"],
        "OMIT_TRAITS"
    );
    // Unconfigured settings keep the workspace's defaults.
    assert_eq!(read["settings"]["group"]["allowUnplannedTraits"], true);
    // The source's own answer does not carry them.
    let source =
        s.ws.http()
            .get(s.ws.url(&format!("sources/{source_id}")))
            .bearer_auth(s.ws.owner_token())
            .send()
            .await
            .expect("read source")
            .text()
            .await
            .expect("body");
    assert!(!source.contains("schemaSettings"), "{source}");

    // Drift made through the API in a configured setting shows and is undone.
    let drift = serde_json::json!({ "track": { "allowUnplannedEvents": true } });
    let _: serde_json::Value = api.patch(&path, &drift).await.expect("drift");
    let plan = s.tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    s.tf.terraform_ok(APPLY);
    s.assert_clean();

    // An update in place.
    s.applies_clean(&config(true, "OMIT_PROPERTIES"));
    let read: serde_json::Value = api.get(&path).await.expect("schema settings");
    assert_eq!(
        read["settings"]["track"]["commonEventOnViolations"],
        "OMIT_PROPERTIES"
    );
}
