//! `segment_user_group` through real Terraform against a real workspace
//! server: create (members are a user and an email the group invites),
//! update, import, drift, destroy, bad input. No attribute forces
//! replacement, so there is no replacement step.

mod support;

use std::time::Duration;

use segment_api::models::UserGroup;
use segment_e2e::{fixtures, within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
/// Roles from the server's list (`GET /roles`).
const MINIMAL: &str = "1aEWAcU0fArxScocwH9xxLgW7r3";
const SOURCE_READ_ONLY: &str = "sgw_role_source_read_only";

fn assert_clean(tf: &TerraformDir) {
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
}

fn group(name: &str, members: &[&str], permissions: &str) -> String {
    let members = members
        .iter()
        .map(|m| format!("\"{m}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"
resource "segment_user_group" "g" {{
  name        = "{name}"
  members     = [{members}]
  permissions = [{permissions}]
}}
"#
    )
}

fn grant(role: &str, id: &str, kind: &str) -> String {
    format!(
        r#"{{ role_id = "{role}", resources = [{{ id = "{id}", type = "{kind}", labels = [] }}] }}"#
    )
}

async fn groups(ws: &TestWorkspace) -> Vec<UserGroup> {
    within(LIMIT, "list groups", ws.owner().list_user_groups())
        .await
        .expect("list groups")
}

/// The group's members as the API reports them: users, then invitees.
async fn members(ws: &TestWorkspace, id: &str) -> (Vec<String>, Vec<String>) {
    let api = ws.owner();
    let users = api.list_user_group_users(id).await.expect("group users");
    let invites = api
        .list_user_group_invites(id)
        .await
        .expect("group invites");
    (users.into_iter().map(|u| u.email).collect(), invites)
}

#[tokio::test(flavor = "multi_thread")]
async fn user_group_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let workspace = api.get_workspace().await.expect("workspace").id;
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source web");
    ws.add_user(ADA, "Ada Lovelace").await.expect("ada");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));
    let minimal = grant(MINIMAL, &workspace, "WORKSPACE");
    let read_web = grant(SOURCE_READ_ONLY, &web.id, "SOURCE");

    // Bad input: a group must grant something.
    write(&group("Analysts", &[ADA], ""));
    tf.terraform_ok(&["init", "-input=false"]);
    let failed = tf.terraform(APPLY);
    assert!(!failed.status.success(), "{}", failed.output());
    for needle in ["Invalid value for permissions", "at least one permission"] {
        assert!(
            failed.stderr.contains(needle),
            "{needle}\n{}",
            failed.output()
        );
    }
    assert!(groups(&ws).await.is_empty(), "nothing is created");

    // Create: Ada is a user, Bob is invited by joining. A clean plan.
    write(&group("Analysts", &[ADA, BOB], &minimal));
    tf.terraform_ok(APPLY);
    let created = groups(&ws).await.pop().expect("created");
    assert_eq!(created.name, "Analysts");
    assert_eq!(created.permissions[0].role_id, MINIMAL);
    assert_eq!(
        members(&ws, &created.id).await,
        (vec![ADA.into()], vec![BOB.into()])
    );
    assert_clean(&tf);

    // Update in place: name, members and permissions.
    let body = group("Analysts EU", &[ADA, CAROL], &read_web);
    write(&body);
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("updated in-place"),
        "{}",
        apply.output()
    );
    let updated = api.get_user_group(&created.id).await.expect("still there");
    assert_eq!(updated.name, "Analysts EU");
    assert_eq!(updated.permissions[0].role_id, SOURCE_READ_ONLY);
    assert_eq!(updated.permissions[0].resources[0].id, web.id);
    assert_eq!(
        members(&ws, &created.id).await,
        (vec![ADA.into()], vec![CAROL.into()])
    );
    assert_clean(&tf);
    let id = created.id;

    // Import with an `import` block, and with `terraform import`.
    tf.terraform_ok(&["state", "rm", "segment_user_group.g"]);
    write(&format!(
        "{body}\nimport {{\n  to = segment_user_group.g\n  id = \"{id}\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    write(&body);
    tf.terraform_ok(&["import", "-input=false", "segment_user_group.g", &id]);
    assert_clean(&tf);

    // Drift in the name, then in the members: each shows as that attribute.
    api.update_user_group(&id, "Renamed").await.expect("rename");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["name"],
        "{}",
        plan.stdout
    );
    tf.terraform_ok(APPLY);
    api.remove_user_group_members(&id, &[CAROL.to_string()])
        .await
        .expect("remove carol");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["members"],
        "{}",
        plan.stdout
    );
    tf.terraform_ok(APPLY);
    assert_eq!(
        members(&ws, &id).await,
        (vec![ADA.into()], vec![CAROL.into()])
    );
    assert_clean(&tf);

    // Deleted outside Terraform: planned for creation.
    api.delete_user_group(&id).await.expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(
        plan.stdout.contains("segment_user_group.g will be created"),
        "{}",
        plan.output()
    );

    // Create again, then destroy.
    tf.terraform_ok(APPLY);
    assert_eq!(groups(&ws).await.len(), 1);
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(groups(&ws).await.is_empty(), "destroyed");
}
