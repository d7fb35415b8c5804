//! `segment_user` through real Terraform against a real workspace server:
//! an invite is created and changed, the person joins (the test makes the
//! user, as accepting an invite would), the user is changed, imported,
//! drifts, is replaced by a new email, deleted outside and destroyed.

mod support;

use std::time::Duration;

use segment_api::models::{PermissionInput, PermissionResource};
use segment_e2e::{fixtures, within, TestWorkspace};
use support::plans::{changed_attributes, exit_code};
use support::terraform::{provider_config, TerraformDir};

const LIMIT: Duration = Duration::from_secs(30);
const APPLY: &[&str] = &["apply", "-auto-approve", "-input=false"];
const PLAN: &[&str] = &["plan", "-detailed-exitcode", "-input=false"];
const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
/// Roles from the server's list (`GET /roles`).
const MINIMAL: &str = "1aEWAcU0fArxScocwH9xxLgW7r3";
const SOURCE_READ_ONLY: &str = "sgw_role_source_read_only";
const SOURCE_ADMIN: &str = "sgw_role_source_admin";
const TRACKING_PLAN_ADMIN: &str = "sgw_role_tracking_plan_admin";

fn assert_clean(tf: &TerraformDir) {
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 0, "{}", plan.output());
}

fn user(email: &str, permissions: &str) -> String {
    format!(
        r#"
resource "segment_user" "u" {{
  email       = "{email}"
  permissions = [{permissions}]
}}
"#
    )
}

fn grant(role: &str, id: &str, kind: &str, labels: &str) -> String {
    format!(
        r#"{{
    role_id   = "{role}"
    resources = [{{ id = "{id}", type = "{kind}", labels = [{labels}] }}]
  }},"#
    )
}

async fn invites(ws: &TestWorkspace) -> Vec<String> {
    within(LIMIT, "list invites", ws.owner().list_invites())
        .await
        .expect("list invites")
}

async fn user_emails(ws: &TestWorkspace) -> Vec<String> {
    let users = within(LIMIT, "list users", ws.owner().list_users())
        .await
        .expect("list users");
    users.into_iter().map(|u| u.email).collect()
}

/// `attribute = "value"` from `terraform state show`.
fn shown(tf: &TerraformDir, attribute: &str) -> String {
    let out = tf.terraform_ok(&["state", "show", "segment_user.u"]).stdout;
    out.lines()
        .filter_map(|l| l.trim().strip_prefix(attribute))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string())
        .next()
        .unwrap_or_else(|| panic!("no {attribute} in\n{out}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn user_lifecycle() {
    let ws = within(LIMIT, "start workspace", TestWorkspace::start())
        .await
        .expect("workspace starts");
    let api = ws.owner();
    let workspace = api.get_workspace().await.expect("workspace").id;
    let web = api
        .create_source(&fixtures::javascript_source("web"))
        .await
        .expect("source web");
    let env = segment_api::models::Label {
        key: "env".into(),
        value: "prod".into(),
        description: None,
    };
    api.create_label(&env).await.expect("label");
    let tf = TerraformDir::new().env("PUBLIC_API_TOKEN", ws.owner_token());
    let head = provider_config(ws.base_url());
    let write = |body: &str| tf.write("main.tf", &format!("{head}{body}"));
    let minimal = grant(MINIMAL, &workspace, "WORKSPACE", "");
    let read_web = grant(SOURCE_READ_ONLY, &web.id, "SOURCE", "");

    // Bad input: not an email, and a lower-case resource type.
    write(&user(
        "ada.example.com",
        &grant(MINIMAL, &workspace, "workspace", ""),
    ));
    tf.terraform_ok(&["init", "-input=false"]);
    let failed = tf.terraform(APPLY);
    assert!(!failed.status.success(), "{}", failed.output());
    for needle in [
        "Invalid value for email",
        "\"ada.example.com\"",
        "Invalid value for permissions",
        "must be in all uppercase",
    ] {
        assert!(
            failed.stderr.contains(needle),
            "{needle}\n{}",
            failed.output()
        );
    }
    assert!(invites(&ws).await.is_empty(), "nothing is invited");

    // Create: an invite, whose id and name are the email. A clean plan.
    write(&user(ADA, &minimal));
    tf.terraform_ok(APPLY);
    assert_eq!(invites(&ws).await, [ADA]);
    assert_eq!(shown(&tf, "is_invite"), "true");
    assert_eq!(shown(&tf, "id"), ADA);
    assert_clean(&tf);

    // Update in place: an invite is changed by inviting again.
    write(&user(ADA, &read_web));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("updated in-place"),
        "{}",
        apply.output()
    );
    assert_eq!(invites(&ws).await, [ADA]);
    assert_clean(&tf);

    // Ada joins (as the workspace owner, not as invited): the refresh
    // follows the user, and the plan shows exactly the permissions.
    let ada_id = ws.add_user(ADA, "Ada Lovelace").await.expect("ada joins");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["permissions"],
        "{}",
        plan.stdout
    );
    tf.terraform_ok(APPLY);
    let joined = api.get_user(&ada_id).await.expect("ada");
    let roles: Vec<&str> = joined
        .permissions
        .iter()
        .map(|p| p.role_id.as_str())
        .collect();
    assert_eq!(roles, [SOURCE_READ_ONLY]);
    assert_eq!(joined.permissions[0].resources[0].id, web.id);
    assert_eq!(shown(&tf, "id"), ada_id);
    assert_eq!(shown(&tf, "is_invite"), "false");
    assert_eq!(shown(&tf, "name"), "Ada Lovelace");
    assert_clean(&tf);

    // Update the user in place: workspace-wide with a label, and a role
    // granted without resources.
    let labelled = grant(
        SOURCE_ADMIN,
        &workspace,
        "WORKSPACE",
        "{ key = \"env\", value = \"prod\" }",
    );
    let everything = format!("{labelled}\n  {{ role_id = \"{TRACKING_PLAN_ADMIN}\" }},");
    let body = user(ADA, &everything);
    write(&body);
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("updated in-place"),
        "{}",
        apply.output()
    );
    let updated = api.get_user(&ada_id).await.expect("ada");
    let mut roles: Vec<&str> = updated
        .permissions
        .iter()
        .map(|p| p.role_id.as_str())
        .collect();
    roles.sort();
    assert_eq!(roles, [SOURCE_ADMIN, TRACKING_PLAN_ADMIN]);
    let admin = updated
        .permissions
        .iter()
        .find(|p| p.role_id == SOURCE_ADMIN)
        .expect("admin");
    assert_eq!(
        admin.resources[0].labels.as_deref(),
        Some(&[env.clone()][..])
    );
    assert_clean(&tf);

    // Import with an `import` block, and with `terraform import`. Only
    // users import: an email is refused with the reason.
    tf.terraform_ok(&["state", "rm", "segment_user.u"]);
    write(&format!(
        "{body}\nimport {{\n  to = segment_user.u\n  id = \"{ada_id}\"\n}}\n"
    ));
    let plan = tf.terraform_ok(&["plan", "-input=false"]);
    assert!(
        plan.stdout
            .contains("Plan: 1 to import, 0 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.output()
    );
    write(&body);
    let refused = tf.terraform(&["import", "-input=false", "segment_user.u", ADA]);
    assert!(!refused.status.success(), "{}", refused.output());
    assert!(
        refused.stderr.contains("only users who accepted"),
        "{}",
        refused.output()
    );
    tf.terraform_ok(&["import", "-input=false", "segment_user.u", &ada_id]);
    assert_clean(&tf);

    // Drift in the permissions shows as exactly that attribute.
    let drift = PermissionInput {
        role_id: MINIMAL.into(),
        resources: vec![PermissionResource {
            id: workspace.clone(),
            kind: "WORKSPACE".into(),
            labels: None,
        }],
        labels: None,
    };
    api.replace_user_permissions(&ada_id, &[drift])
        .await
        .expect("drift");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert_eq!(
        changed_attributes(&plan.stdout),
        ["permissions"],
        "{}",
        plan.stdout
    );
    tf.terraform_ok(APPLY);
    assert_clean(&tf);

    // A new email replaces the user with an invite.
    write(&user(GRACE, &everything));
    let apply = tf.terraform_ok(APPLY);
    assert!(
        apply.stdout.contains("must be replaced"),
        "{}",
        apply.output()
    );
    assert!(
        !user_emails(&ws).await.contains(&ADA.to_string()),
        "ada removed"
    );
    assert!(invites(&ws).await.contains(&GRACE.to_string()));

    // The invite deleted outside Terraform: planned for creation.
    api.delete_invites(&[GRACE.to_string()])
        .await
        .expect("delete");
    let plan = tf.terraform(PLAN);
    assert_eq!(exit_code(&plan), 2, "{}", plan.output());
    assert!(
        plan.stdout.contains("segment_user.u will be created"),
        "{}",
        plan.output()
    );

    // Invite again, then destroy.
    tf.terraform_ok(APPLY);
    assert!(invites(&ws).await.contains(&GRACE.to_string()));
    tf.terraform_ok(&["destroy", "-auto-approve", "-input=false"]);
    assert!(
        !invites(&ws).await.contains(&GRACE.to_string()),
        "destroyed"
    );
}
