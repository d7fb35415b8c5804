//! `segment_user` through real Terraform against a real workspace server:
//! an invite is created and changed, the person joins (the test makes the
//! user, as accepting an invite would), the user is changed, imported,
//! drifts, is replaced by a new email, deleted outside and destroyed.

mod support;

use std::time::Duration;

use segment_api::models::{PermissionInput, PermissionResource};
use segment_e2e::{fixtures, within, TestWorkspace};
use support::steps::Steps;
use support::terraform::TerraformDir;
use support::workspace_dir::{WorkspaceDir, APPLY};

const LIMIT: Duration = Duration::from_secs(30);
const ADA: &str = "ada@example.com";
const GRACE: &str = "grace@example.com";
/// Roles from the server's list (`GET /roles`).
const MINIMAL: &str = "1aEWAcU0fArxScocwH9xxLgW7r3";
const SOURCE_READ_ONLY: &str = "sgw_role_source_read_only";
const SOURCE_ADMIN: &str = "sgw_role_source_admin";
const TRACKING_PLAN_ADMIN: &str = "sgw_role_tracking_plan_admin";

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
    let dir = WorkspaceDir::start().await;
    let ws = &dir.ws;
    let tf = &dir.tf;
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
    let t = Steps::new(&dir, "segment_user.u");
    let minimal = grant(MINIMAL, &workspace, "WORKSPACE", "");
    let read_web = grant(SOURCE_READ_ONLY, &web.id, "SOURCE", "");

    // Bad input: not an email, and a lower-case resource type.
    t.refused(
        &user(
            "ada.example.com",
            &grant(MINIMAL, &workspace, "workspace", ""),
        ),
        APPLY,
        &[
            "Invalid value for email",
            "\"ada.example.com\"",
            "Invalid value for permissions",
            "must be in all uppercase",
        ],
    );
    assert!(invites(ws).await.is_empty(), "nothing is invited");

    // Create: an invite, whose id and name are the email. A clean plan.
    t.create(&user(ADA, &minimal));
    assert_eq!(invites(ws).await, [ADA]);
    assert_eq!(shown(tf, "is_invite"), "true");
    assert_eq!(shown(tf, "id"), ADA);

    // Update in place: an invite is changed by inviting again.
    t.update(&user(ADA, &read_web));
    assert_eq!(invites(ws).await, [ADA]);

    // Ada joins (as the workspace owner, not as invited): the refresh
    // follows the user, and the plan shows exactly the permissions.
    let ada_id = ws.add_user(ADA, "Ada Lovelace").await.expect("ada joins");
    t.changes(&["permissions"]);
    t.apply();
    let joined = api.get_user(&ada_id).await.expect("ada");
    let roles: Vec<&str> = joined
        .permissions
        .iter()
        .map(|p| p.role_id.as_str())
        .collect();
    assert_eq!(roles, [SOURCE_READ_ONLY]);
    assert_eq!(joined.permissions[0].resources[0].id, web.id);
    assert_eq!(shown(tf, "id"), ada_id);
    assert_eq!(shown(tf, "is_invite"), "false");
    assert_eq!(shown(tf, "name"), "Ada Lovelace");
    t.clean();

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
    t.update(&body);
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

    // Import with an `import` block, and with `terraform import`. Only
    // users import: an email is refused with the reason.
    t.forget();
    t.import_with_block(&body, &ada_id);
    t.write(&body);
    t.import_refused(ADA, "only users who accepted");
    t.import_with_cli(&body, &ada_id);

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
    t.changes(&["permissions"]);
    t.apply();
    t.clean();

    // A new email replaces the user with an invite.
    t.replace(&user(GRACE, &everything));
    assert!(
        !user_emails(ws).await.contains(&ADA.to_string()),
        "ada removed"
    );
    assert!(invites(ws).await.contains(&GRACE.to_string()));

    // The invite deleted outside Terraform: planned for creation.
    api.delete_invites(&[GRACE.to_string()])
        .await
        .expect("delete");
    t.gone();

    // Invite again, then destroy.
    t.apply();
    assert!(invites(ws).await.contains(&GRACE.to_string()));
    t.destroy();
    assert!(!invites(ws).await.contains(&GRACE.to_string()), "destroyed");
}
