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
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);

/// Runs an apply and asserts what its plan said.
fn apply_saying(tf: &TerraformDir, expected: &str) {
    let apply = tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert!(apply.stdout.contains(expected), "{}", apply.output());
}

fn plan_exit(tf: &TerraformDir) -> (i32, String) {
    let plan = tf.terraform(&["plan", "-detailed-exitcode", "-input=false"]);
    (exit_code(&plan), plan.output())
}

/// Imports `address` by `id` twice: an `import` block must plan nothing
/// but the import, and `terraform import` must leave a clean plan. A
/// configured `settings.apiKey` the API masks (`secret`) cannot be compared:
/// it is sent once, with a warning, and then the plan is clean.
fn import_both_ways(
    tf: &TerraformDir,
    write: &dyn Fn(&str),
    body: &str,
    address: &str,
    id: &str,
    secret: bool,
) {
    tf.terraform_ok(&["state", "rm", address]);
    write(&format!(
        "{body}\nimport {{\n  to = {address}\n  id = \"{id}\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    let changes = usize::from(secret);
    assert!(
        plan.stdout.contains(&format!(
            "Plan: 1 to import, 0 to add, {changes} to change, 0 to destroy."
        )),
        "{}",
        plan.output()
    );
    assert_eq!(
        plan.output().contains("settings.apiKey"),
        secret,
        "{}",
        plan.output()
    );
    write(body);
    tf.terraform_ok(&["import", "-input=false", address, id]);
    if secret {
        tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    }
    let (code, out) = plan_exit(tf);
    assert_eq!(code, 0, "{out}");
}

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

async fn functions(ws: &TestWorkspace) -> Vec<FunctionListItem> {
    let mut all = Vec::new();
    for kind in ["DESTINATION", "INSERT_DESTINATION", "SOURCE"] {
        let found = within(LIMIT, "list functions", ws.owner().list_functions(kind))
            .await
            .expect("list functions");
        all.extend(found);
    }
    all
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
async fn function_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: an unknown function type fails at plan, naming it.
    write(&function("Order relay", "WIDGET", 1, false));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("Invalid value for resource_type")
            && bad.stderr.contains("\"WIDGET\"; it must be one of:"),
        "{}",
        bad.output()
    );
    assert!(functions(&ws).await.is_empty(), "nothing is created");
    assert_eq!(state_list(&tf), "", "nothing enters the state");

    // Create, then a clean plan.
    write(&function("Order relay", "DESTINATION", 1, false));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let listed = functions(&ws).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    let created = api.get_function(&listed[0].id).await.expect("read");
    assert_eq!(created.display_name, "Order relay");
    assert_eq!(created.settings.len(), 1);
    assert_eq!(plan_exit(&tf).0, 0);

    // Real Segment appends the workspace to a destination function's name
    // (official provider issue #192): that is no change.
    let suffixed = UpdateFunction {
        display_name: Some("Order relay (Production)".into()),
        ..Default::default()
    };
    api.update_function(&created.id, &suffixed)
        .await
        .expect("suffix");
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 0, "{out}");

    // Update in place: new code, name and setting; description removed.
    write(&function("Order relay v2", "DESTINATION", 2, true));
    apply_saying(&tf, "will be updated in-place");
    let updated = api.get_function(&created.id).await.expect("read");
    assert_eq!(updated.display_name, "Order relay v2");
    assert!(updated.code.ends_with("// v2"), "{}", updated.code);
    assert_eq!(updated.settings.len(), 2);
    assert!(updated.description.unwrap_or_default().is_empty());

    // Another type replaces the function.
    let body = function("Order relay v2", "SOURCE", 2, true);
    write(&body);
    apply_saying(&tf, "must be replaced");
    let listed = functions(&ws).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].resource_type, "SOURCE");
    let id = listed[0].id.clone();
    assert_ne!(id, created.id);

    import_both_ways(&tf, &write, &body, "segment_function.f", &id, false);

    // Drift: code changed in the app shows as exactly that attribute.
    let drift = UpdateFunction {
        code: Some("async function onTrack() {}".into()),
        ..Default::default()
    };
    api.update_function(&id, &drift).await.expect("drift");
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 2, "{out}");
    assert_eq!(changed_attributes(&out), ["code"], "{out}");

    // Deleted outside Terraform: planned for creation.
    api.delete_function(&id).await.expect("delete");
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("will be created"), "{out}");

    // Create again, then destroy.
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(functions(&ws).await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(functions(&ws).await.is_empty(), "destroyed");
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

async fn instances(ws: &TestWorkspace, function_id: &str) -> Vec<InsertFunctionInstance> {
    let list = ws.owner().list_insert_function_instances(function_id);
    within(LIMIT, "list instances", list)
        .await
        .expect("list instances")
}

#[tokio::test(flavor = "multi_thread")]
async fn insert_function_instance_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source");
    let first = api
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .expect("first destination");
    let second = api
        .create_destination(&fixtures::amplitude_destination(&web.id))
        .await
        .expect("second destination");
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
        .expect("insert function");
    let fid = function.id.as_str();
    // The Segment app shows insert function ids with this prefix.
    let prefixed = format!("ifnd_{fid}");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));

    // Bad input: a setting the function does not declare is refused by the
    // API, pointed at `settings`, and nothing is created.
    write(&instance(
        &prefixed,
        &first.id,
        "Enrich",
        true,
        ", nope = 1",
    ));
    tf.terraform_ok(&["init", "-input=false"]);
    let bad = tf.terraform(&["apply", "-auto-approve", "-input=false"]);
    assert!(!bad.status.success(), "{}", bad.output());
    assert!(
        bad.stderr.contains("`settings`") && bad.stderr.contains("nope"),
        "{}",
        bad.output()
    );
    assert!(instances(&ws, fid).await.is_empty(), "nothing is created");

    // Create by the prefixed id, then a clean plan (the secret comes back
    // masked, the id bare: neither is a change).
    write(&instance(&prefixed, &first.id, "Enrich", true, ""));
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    let created = instances(&ws, fid).await.pop().expect("created");
    assert_eq!(created.class_id, fid);
    assert_eq!(created.integration_id, first.id);
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 0, "{out}");

    // Update in place.
    write(&instance(&prefixed, &first.id, "Enrich quietly", false, ""));
    apply_saying(&tf, "will be updated in-place");
    let updated = instances(&ws, fid).await.pop().expect("still there");
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.name.as_deref(), Some("Enrich quietly"));
    assert!(!updated.enabled);
    assert_eq!(updated.settings["verbose"], false);

    // Another destination replaces the instance.
    let body = instance(fid, &second.id, "Enrich quietly", false, "");
    write(&body);
    apply_saying(&tf, "must be replaced");
    let all = instances(&ws, fid).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0].integration_id, second.id);
    let id = all[0].id.clone();

    import_both_ways(
        &tf,
        &write,
        &body,
        "segment_insert_function_instance.i",
        &id,
        true,
    );

    // Drift: enabled in the app shows as exactly that attribute.
    let drift = UpdateInsertFunctionInstance {
        enabled: Some(true),
        ..Default::default()
    };
    api.update_insert_function_instance(&id, &drift)
        .await
        .expect("drift");
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 2, "{out}");
    assert_eq!(changed_attributes(&out), ["enabled"], "{out}");

    // Deleted outside Terraform: planned for creation.
    api.delete_insert_function_instance(&id)
        .await
        .expect("delete");
    let (code, out) = plan_exit(&tf);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("will be created"), "{out}");

    // Create again, then destroy.
    tf.terraform_ok(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(instances(&ws, fid).await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(instances(&ws, fid).await.is_empty(), "destroyed");
}
