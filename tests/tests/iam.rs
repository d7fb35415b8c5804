//! Users, invites, user groups, roles and permissions.

use std::collections::HashSet;

use segment_api::models::{Invite, Label, PermissionInput, PermissionResource};
use segment_e2e::{assert_client_error, assert_error, fixtures, TestWorkspace};

const OWNER_ROLE: &str = segment_workspace::routes::WORKSPACE_OWNER_ROLE;
const SOURCE_ADMIN: &str = "sgw_role_source_admin";
const WAREHOUSE_READ_ONLY: &str = "sgw_role_warehouse_read_only";

fn grant(role: &str, kind: &str, id: &str) -> PermissionInput {
    PermissionInput {
        role_id: role.into(),
        resources: vec![PermissionResource {
            id: id.into(),
            kind: kind.into(),
            labels: None,
        }],
        labels: None,
    }
}

fn emails(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn roles_are_listed_and_paged() {
    let ws = TestWorkspace::start().await.unwrap();
    let roles = ws.owner().list_roles().await.unwrap();
    let owner = roles.iter().find(|r| r.id == OWNER_ROLE).unwrap();
    assert_eq!(owner.name, "Workspace Owner");
    assert!(!owner.description.is_empty());
    let ids: HashSet<&str> = roles.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), roles.len());
    assert!(ids.contains(SOURCE_ADMIN) && ids.contains(WAREHOUSE_READ_ONLY));
    let raw = ws.get_raw("roles?pagination.count=2").await;
    assert_eq!(raw.data()["roles"].as_array().unwrap().len(), 2);
    assert_eq!(raw.data()["pagination"]["totalEntries"], roles.len() as u64);
    let next = raw.data()["pagination"]["next"]
        .as_str()
        .unwrap()
        .to_string();
    let second = ws
        .get_raw(&format!(
            "roles?pagination[count]=2&pagination[cursor]={next}"
        ))
        .await;
    assert_eq!(second.data()["roles"][0]["id"], roles[2].id.as_str());
}

#[tokio::test]
async fn users_and_their_permissions() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();
    let alice = ws.add_user("alice@example.com", "Alice").await.unwrap();
    let bob = ws.add_user("bob@example.com", "Bob").await.unwrap();
    let src = c
        .create_source(&fixtures::javascript_source("web"))
        .await
        .unwrap();
    let wh = c
        .create_warehouse(&fixtures::postgres_warehouse("Main"))
        .await
        .unwrap();

    let users = c.list_users().await.unwrap();
    assert_eq!(users.len(), 2);
    let a = c.get_user(&alice).await.unwrap();
    assert_eq!(users[0], a);
    assert_eq!(
        (a.name.as_str(), a.email.as_str()),
        ("Alice", "alice@example.com")
    );
    assert_eq!(a.permissions.len(), 1);
    assert_eq!(a.permissions[0].role_id, OWNER_ROLE);
    assert_eq!(a.permissions[0].role_name, "Workspace Owner");
    assert_eq!(a.permissions[0].resources[0].id, workspace.id);

    let got = c
        .replace_user_permissions(&alice, &[grant(SOURCE_ADMIN, "SOURCE", &src.id)])
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].role_id.as_str(), got[0].role_name.as_str()),
        (SOURCE_ADMIN, "Source Admin")
    );
    assert_eq!(
        (
            got[0].resources[0].id.as_str(),
            got[0].resources[0].kind.as_str()
        ),
        (src.id.as_str(), "SOURCE")
    );
    assert_eq!(c.get_user(&alice).await.unwrap().permissions, got);
    let added = c
        .add_user_permissions(&alice, &[grant(WAREHOUSE_READ_ONLY, "WAREHOUSE", &wh.id)])
        .await
        .unwrap();
    assert_eq!(added.len(), 1, "answers what was added");
    let roles: Vec<String> = c
        .get_user(&alice)
        .await
        .unwrap()
        .permissions
        .into_iter()
        .map(|p| p.role_id)
        .collect();
    assert_eq!(roles, [SOURCE_ADMIN, WAREHOUSE_READ_ONLY]);

    // Refusals name the member at fault and change nothing.
    let before = ws.snapshot().await;
    let label_on_source = PermissionInput {
        resources: vec![PermissionResource {
            labels: Some(vec![Label {
                key: "env".into(),
                value: "prod".into(),
                description: None,
            }]),
            ..grant(SOURCE_ADMIN, "SOURCE", &src.id).resources[0].clone()
        }],
        ..grant(SOURCE_ADMIN, "SOURCE", &src.id)
    };
    for (p, field) in [
        (
            grant("nope", "WORKSPACE", &workspace.id),
            "permissions[0].roleId",
        ),
        (
            grant(SOURCE_ADMIN, "WAREHOUSE", &wh.id),
            "permissions[0].resources[0].type",
        ),
        (
            grant(SOURCE_ADMIN, "SOURCE", "nope"),
            "permissions[0].resources[0].id",
        ),
        (
            grant(OWNER_ROLE, "WORKSPACE", "other"),
            "permissions[0].resources[0].id",
        ),
        (
            grant(OWNER_ROLE, "GALAXY", &workspace.id),
            "permissions[0].resources[0].type",
        ),
        (label_on_source, "permissions[0].resources[0].labels"),
    ] {
        assert_client_error(
            c.replace_user_permissions(&alice, std::slice::from_ref(&p))
                .await,
            422,
            Some(field),
        );
        assert_client_error(c.add_user_permissions(&alice, &[p]).await, 422, Some(field));
    }
    assert_client_error(
        c.replace_user_permissions("nope", &[grant(OWNER_ROLE, "WORKSPACE", &workspace.id)])
            .await,
        404,
        None,
    );
    assert_eq!(ws.snapshot().await, before);

    // A deleted resource drops out of the permissions that named it.
    c.delete_source(&src.id).await.unwrap();
    let roles: Vec<String> = c
        .get_user(&alice)
        .await
        .unwrap()
        .permissions
        .into_iter()
        .map(|p| p.role_id)
        .collect();
    assert_eq!(roles, [WAREHOUSE_READ_ONLY]);

    assert_eq!(
        c.delete_users(std::slice::from_ref(&bob))
            .await
            .unwrap()
            .status,
        "SUCCESS"
    );
    assert_client_error(c.get_user(&bob).await, 404, None);
    assert_client_error(
        c.delete_users(std::slice::from_ref(&bob)).await,
        404,
        Some("userIds"),
    );
    assert_error(
        &ws.send_raw(reqwest::Method::DELETE, "users", Vec::new())
            .await,
        400,
        Some("userIds"),
    );
    assert_eq!(c.list_users().await.unwrap().len(), 1);

    let q = segment_api::models::AuditQuery {
        resource_type: Some("User".into()),
        ..Default::default()
    };
    let events: Vec<(String, String)> = c
        .list_audit_events(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.resource_id))
        .collect();
    assert_eq!(
        events,
        [
            ("User Created".to_string(), alice.clone()),
            ("User Created".to_string(), bob.clone()),
            ("User Modified".to_string(), alice.clone()),
            ("User Modified".to_string(), alice.clone()),
            ("User Deleted".to_string(), bob.clone()),
        ]
    );
}

#[tokio::test]
async fn invites() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();
    ws.add_user("alice@example.com", "Alice").await.unwrap();
    assert!(c.list_invites().await.unwrap().is_empty());
    let made = c
        .create_invites(&[
            Invite {
                email: "carol@example.com".into(),
                permissions: None,
            },
            Invite {
                email: "dave@example.com".into(),
                permissions: Some(vec![grant(OWNER_ROLE, "WORKSPACE", &workspace.id)]),
            },
        ])
        .await
        .unwrap();
    assert_eq!(made, emails(&["carol@example.com", "dave@example.com"]));
    assert_eq!(c.list_invites().await.unwrap(), made);

    let before = ws.snapshot().await;
    let invite = |e: &str| Invite {
        email: e.into(),
        permissions: None,
    };
    for (list, status, field) in [
        (vec![invite("carol@example.com")], 409, "invites[0].email"),
        (
            vec![invite("new@example.com"), invite("alice@example.com")],
            409,
            "invites[1].email",
        ),
        (vec![invite("not an email")], 422, "invites[0].email"),
        (
            vec![invite("x@example.com"), invite("x@example.com")],
            422,
            "invites[1].email",
        ),
        (vec![], 422, "invites"),
        (
            vec![Invite {
                email: "eve@example.com".into(),
                permissions: Some(vec![grant("nope", "WORKSPACE", &workspace.id)]),
            }],
            422,
            "invites[0].permissions[0].roleId",
        ),
    ] {
        assert_client_error(c.create_invites(&list).await, status, Some(field));
    }
    assert_eq!(ws.snapshot().await, before);

    assert_eq!(
        c.delete_invites(&emails(&["carol@example.com"]))
            .await
            .unwrap()
            .status,
        "SUCCESS"
    );
    assert_eq!(
        c.list_invites().await.unwrap(),
        emails(&["dave@example.com"])
    );
    assert_client_error(
        c.delete_invites(&emails(&["carol@example.com"])).await,
        404,
        Some("emails"),
    );
    // A deleted invite may be sent again.
    c.create_invites(&[invite("carol@example.com")])
        .await
        .unwrap();
}

#[tokio::test]
async fn user_groups_members_and_permissions() {
    let ws = TestWorkspace::start().await.unwrap();
    let c = ws.owner();
    let workspace = c.get_workspace().await.unwrap();
    let alice = ws.add_user("alice@example.com", "Alice").await.unwrap();
    let bob = ws.add_user("bob@example.com", "Bob").await.unwrap();

    let g = c.create_user_group("Analysts").await.unwrap();
    assert_eq!(g.id.len(), 22);
    assert_eq!((g.name.as_str(), g.member_count), ("Analysts", 0));
    assert!(g.permissions.is_empty());
    assert_eq!(c.get_user_group(&g.id).await.unwrap(), g);
    let other = c.create_user_group("Engineers").await.unwrap();
    assert_eq!(
        c.list_user_groups().await.unwrap(),
        vec![g.clone(), other.clone()]
    );

    let before = ws.snapshot().await;
    assert_client_error(c.create_user_group("Analysts").await, 409, Some("name"));
    assert_client_error(c.create_user_group(" ").await, 422, Some("name"));
    assert_client_error(
        c.update_user_group(&other.id, "Analysts").await,
        409,
        Some("name"),
    );
    assert_client_error(
        c.add_user_group_members(&g.id, &emails(&["alice@example.com", "bad email"]))
            .await,
        422,
        Some("emails[1]"),
    );
    assert_eq!(ws.snapshot().await, before);

    let renamed = c.update_user_group(&g.id, "Data").await.unwrap();
    assert_eq!(renamed.name, "Data");
    let perms = c
        .replace_user_group_permissions(&g.id, &[grant(OWNER_ROLE, "WORKSPACE", &workspace.id)])
        .await
        .unwrap();
    assert_eq!(perms[0].role_name, "Workspace Owner");
    assert_eq!(c.get_user_group(&g.id).await.unwrap().permissions, perms);

    // Members are users or, for unknown emails, new invitees.
    let after = c
        .add_user_group_members(&g.id, &emails(&["alice@example.com", "newbie@example.com"]))
        .await
        .unwrap();
    assert_eq!(after.member_count, 2);
    let users = c.list_user_group_users(&g.id).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(
        (users[0].id.as_str(), users[0].email.as_str()),
        (alice.as_str(), "alice@example.com")
    );
    assert_eq!(
        c.list_user_group_invites(&g.id).await.unwrap(),
        emails(&["newbie@example.com"])
    );
    assert_eq!(
        c.list_invites().await.unwrap(),
        emails(&["newbie@example.com"])
    );
    let groups = c.list_user_groups_of_user(&alice).await.unwrap();
    assert_eq!(groups.len(), 1);
    assert_eq!(
        (groups[0].id.as_str(), groups[0].name.as_str()),
        (g.id.as_str(), "Data")
    );
    assert!(c.list_user_groups_of_user(&bob).await.unwrap().is_empty());

    let replaced = c
        .replace_user_group_members(&g.id, &emails(&["bob@example.com"]))
        .await
        .unwrap();
    assert_eq!(replaced.member_count, 1);
    assert_eq!(c.list_user_group_users(&g.id).await.unwrap()[0].id, bob);
    c.add_user_group_members(&g.id, &emails(&["alice@example.com"]))
        .await
        .unwrap();
    c.remove_user_group_members(&g.id, &emails(&["bob@example.com"]))
        .await
        .unwrap();
    assert_eq!(c.get_user_group(&g.id).await.unwrap().member_count, 1);

    // Deleting a user takes them out of every group.
    c.delete_users(std::slice::from_ref(&alice)).await.unwrap();
    assert_eq!(c.get_user_group(&g.id).await.unwrap().member_count, 0);
    assert!(c.list_user_group_users(&g.id).await.unwrap().is_empty());

    assert_eq!(c.delete_user_group(&g.id).await.unwrap().status, "SUCCESS");
    assert_client_error(c.get_user_group(&g.id).await, 404, None);
    assert_client_error(c.delete_user_group(&g.id).await, 404, None);
    assert_eq!(c.list_user_groups().await.unwrap(), vec![other]);
}
