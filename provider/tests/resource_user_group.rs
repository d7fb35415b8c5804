//! `segment_user_group` through real Terraform against a real workspace
//! server: create (members are a user and an email the group invites),
//! update, import, drift, destroy, bad input. No attribute forces
//! replacement, so there is no replacement step.

mod support;

use std::time::Duration;

use segment_api::models::UserGroup;
use segment_e2e::{fixtures, within, TestWorkspace};
use support::lifecycle::{Lifecycle, Refusal, Step, Subject};
use support::steps::Steps;
use support::workspace_dir::WorkspaceDir;

const LIMIT: Duration = Duration::from_secs(30);
const ADA: &str = "ada@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
/// Roles from the server's list (`GET /roles`).
const MINIMAL: &str = "1aEWAcU0fArxScocwH9xxLgW7r3";
const SOURCE_READ_ONLY: &str = "sgw_role_source_read_only";

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

struct Groups<'a> {
    ws: &'a TestWorkspace,
    /// The source the updated group's permission names.
    web: String,
}

impl Groups<'_> {
    async fn all(&self) -> Vec<UserGroup> {
        within(LIMIT, "list groups", self.ws.owner().list_user_groups())
            .await
            .expect("list groups")
    }

    /// The group's members as the API reports them: users, then invitees.
    async fn members(&self, id: &str) -> (Vec<String>, Vec<String>) {
        let api = self.ws.owner();
        let users = api.list_user_group_users(id).await.expect("group users");
        let invites = api
            .list_user_group_invites(id)
            .await
            .expect("group invites");
        (users.into_iter().map(|u| u.email).collect(), invites)
    }
}

impl Subject for Groups<'_> {
    async fn count(&self) -> usize {
        self.all().await.len()
    }

    async fn import_id(&self) -> String {
        self.all().await.pop().expect("a group").id
    }

    async fn after(&self, _: &Steps<'_>, step: Step) {
        let Some(now) = self.all().await.pop() else {
            return;
        };
        match step {
            // Ada is a user, Bob is invited by joining.
            Step::Created => {
                assert_eq!(now.name, "Analysts");
                assert_eq!(now.permissions[0].role_id, MINIMAL);
                let members = self.members(&now.id).await;
                assert_eq!(members, (vec![ADA.into()], vec![BOB.into()]));
            }
            Step::Updated => {
                assert_eq!(now.name, "Analysts EU");
                assert_eq!(now.permissions[0].role_id, SOURCE_READ_ONLY);
                assert_eq!(now.permissions[0].resources[0].id, self.web);
                let members = self.members(&now.id).await;
                assert_eq!(members, (vec![ADA.into()], vec![CAROL.into()]));
            }
            _ => {}
        }
    }

    // Drift in the name, then in the members: each shows as that attribute.
    async fn drift(&self, steps: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.update_user_group(id, "Renamed").await.expect("rename");
        steps.changes(&["name"]);
        steps.apply();
        api.remove_user_group_members(id, &[CAROL.to_string()])
            .await
            .expect("remove carol");
        steps.changes(&["members"]);
        steps.apply();
        let members = self.members(id).await;
        assert_eq!(members, (vec![ADA.into()], vec![CAROL.into()]));
        steps.clean();
    }

    async fn delete(&self, _: &Steps<'_>, id: &str) {
        let api = self.ws.owner();
        api.delete_user_group(id).await.expect("delete");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn user_group_lifecycle() {
    let dir = WorkspaceDir::start().await;
    let api = dir.ws.owner();
    let workspace = api.get_workspace().await.expect("workspace").id;
    let web = dir.source(&fixtures::javascript_source("web")).await;
    dir.ws.add_user(ADA, "Ada Lovelace").await.expect("ada");
    let minimal = grant(MINIMAL, &workspace, "WORKSPACE");
    let read_web = grant(SOURCE_READ_ONLY, &web, "SOURCE");
    Lifecycle {
        // A group must grant something.
        refusals: vec![Refusal::at_apply(
            group("Analysts", &[ADA], ""),
            &["Invalid value for permissions", "at least one permission"],
        )],
        // Name, members and permissions.
        update: Some(group("Analysts EU", &[ADA, CAROL], &read_web)),
        ..Lifecycle::new(
            "segment_user_group.g",
            group("Analysts", &[ADA, BOB], &minimal),
        )
    }
    .run(&dir, &Groups { ws: &dir.ws, web })
    .await;
}
