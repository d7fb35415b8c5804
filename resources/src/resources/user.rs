//! `segment_user`: a workspace member, made by inviting an email.
//!
//! Until the person accepts, the resource is an invite: `id` and `name` are
//! the email, `is_invite` is true, and permissions stay as configured (the
//! API has no way to read an invite's permissions back). Each read looks
//! for a user with the email first, then for the invite; once the person
//! has joined, the resource follows the user by id. Only users import.
//!
//! The permission shape (`permissions`) is shared with `segment_user_group`.

use async_trait::async_trait;
use segment_api::models::{Invite, Label, Permission, PermissionInput, PermissionResource, User};
use segment_api::Client;

use super::common;
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

#[path = "iam_checks.rs"]
mod iam_checks;
pub(super) use iam_checks::email_problem;

pub struct UserResource;

/// The most permissions (and resources per permission) the API takes.
pub(super) const MAX_PERMISSIONS: usize = 200;

/// `permissions = [{ role_id = "...", resources = [{ id, type, labels = [] }] }]`.
pub(super) fn permissions_type() -> Type {
    let resource = Type::object([
        ("id", Type::String),
        ("type", Type::String),
        ("labels", common::label_set()),
    ]);
    Type::set(
        Type::object([
            ("role_id", Type::String),
            ("resources", Type::set(resource)),
        ])
        .with_optional(["resources"]),
    )
}

/// What every permissions attribute says about its elements, as a literal
/// for `concat!` (descriptions are `&'static str`).
macro_rules! permissions_shape {
    () => {
        "Each permission is `{ role_id, resources }`: `role_id` is the id of a role (see the \
         `segment_role` data source); `resources` (optional, at most 200) are \
         `{ id, type, labels }`, where `type` is upper case such as `WORKSPACE` or `SOURCE`, and \
         `labels` (`{ key, value }`, at most 200; write `labels = []` for none) further refine \
         access, on workspace-level permissions only."
    };
}
pub(super) use permissions_shape;

/// Checks the known parts of a permissions attribute.
pub(super) fn check_permissions(config: &Obj, at_least_one: bool) -> Vec<Failure> {
    let Some(perms) = config.get("permissions").as_elements() else {
        return Vec::new();
    };
    // A known role on a type it cannot be granted on, as the workspace refuses.
    let mut out = iam_checks::role_scope_failures(perms);
    let mut fail = |m: String| out.push(Failure::invalid("permissions", m));
    if perms.len() > MAX_PERMISSIONS {
        fail(format!(
            "`permissions` holds {}; at most {MAX_PERMISSIONS}.",
            perms.len()
        ));
    }
    if at_least_one && perms.is_empty() {
        fail("`permissions` must hold at least one permission.".into());
    }
    for p in perms {
        let role = p.get("role_id").and_then(Value::as_str);
        if role.is_some_and(|r| r.trim().is_empty()) {
            fail("a permission has an empty `role_id`.".into());
        }
        let resources = p.get("resources").and_then(Value::as_elements);
        let resources = resources.unwrap_or_default();
        if resources.len() > MAX_PERMISSIONS {
            fail(format!(
                "the permission of role {:?} names {} resources; at most {MAX_PERMISSIONS}.",
                role.unwrap_or("?"),
                resources.len()
            ));
        }
        for kind in resources.iter().filter_map(|r| r.get("type")?.as_str()) {
            if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                fail(format!(
                    "resource type {kind:?} must be in all uppercase, such as \"WORKSPACE\" or \
                     \"SOURCE\"."
                ));
            }
        }
    }
    out
}

/// The configured permissions as the API takes them.
pub(super) fn permissions_of(obj: &Obj) -> Result<Vec<PermissionInput>, Failure> {
    obj.model("permissions")
}

fn labels_value(labels: &[Label]) -> Value {
    Value::Set(
        labels
            .iter()
            .map(|l| {
                Value::object([
                    ("key", l.key.as_str().into()),
                    ("value", l.value.as_str().into()),
                ])
            })
            .collect(),
    )
}

fn resource_value(r: &PermissionResource) -> Value {
    Value::object([
        ("id", r.id.as_str().into()),
        ("type", r.kind.as_str().into()),
        (
            "labels",
            labels_value(r.labels.as_deref().unwrap_or_default()),
        ),
    ])
}

/// Permissions as state holds them. A permission without resources reads
/// as `resources = null` unless the prior state wrote `resources = []`.
pub(super) fn permissions_value(perms: &[Permission], prior: &Value) -> Value {
    let wrote_empty = |role: &str| {
        prior.as_elements().unwrap_or_default().iter().any(|p| {
            p.get("role_id").and_then(Value::as_str) == Some(role)
                && p.get("resources")
                    .and_then(Value::as_elements)
                    .is_some_and(<[Value]>::is_empty)
        })
    };
    Value::Set(
        perms
            .iter()
            .map(|p| {
                let resources = if p.resources.is_empty() && !wrote_empty(&p.role_id) {
                    Value::Null
                } else {
                    Value::Set(p.resources.iter().map(resource_value).collect())
                };
                Value::object([
                    ("role_id", p.role_id.as_str().into()),
                    ("resources", resources),
                ])
            })
            .collect(),
    )
}

/// Invites take resources as `{id, type}` and labels on the permission
/// itself (upstream's InvitePermissionV1): labels move up.
fn invite_permissions(perms: &[PermissionInput]) -> Vec<PermissionInput> {
    perms
        .iter()
        .map(|p| {
            let labels: Vec<Label> = p
                .resources
                .iter()
                .flat_map(|r| r.labels.iter().flatten().cloned())
                .collect();
            PermissionInput {
                role_id: p.role_id.clone(),
                resources: p
                    .resources
                    .iter()
                    .map(|r| PermissionResource {
                        labels: None,
                        ..r.clone()
                    })
                    .collect(),
                labels: (!labels.is_empty()).then_some(labels),
            }
        })
        .collect()
}

fn user_state(u: &User, prior: &Obj) -> Obj {
    // The configured spelling of the email stays (emails match caselessly).
    let email = match prior.str("email") {
        Some(e) if e.eq_ignore_ascii_case(&u.email) => e.to_string(),
        _ => u.email.clone(),
    };
    Obj::new()
        .with("id", u.id.as_str())
        .with("name", u.name.as_str())
        .with("email", email)
        .with("is_invite", false)
        .with(
            "permissions",
            permissions_value(&u.permissions, prior.get("permissions")),
        )
}

fn invite_state(email: &str, permissions: &Value) -> Obj {
    Obj::new()
        .with("id", email)
        .with("name", email)
        .with("email", email)
        .with("is_invite", true)
        .with("permissions", permissions.clone())
}

async fn find_user(api: &Client, email: &str) -> Outcome<Option<User>> {
    let users = api.list_users().await?;
    Ok(users
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(email)))
}

async fn invite(api: &Client, email: &str, perms: &[PermissionInput]) -> Outcome<()> {
    let invite = Invite {
        email: email.to_string(),
        permissions: Some(invite_permissions(perms)),
    };
    api.create_invites(&[invite]).await?;
    Ok(())
}

#[async_trait]
impl ResourceType for UserResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_user",
            description: "Configures a user or invite. For more information, visit the \
                [Segment docs](https://segment.com/docs/segment-app/iam/concepts/#team-members). \
                Only users (accepted invites) may be imported.",
            fields: vec![
                Field::id(
                    "The unique identifier for this user, or the user's email if the invite has \
                     not been accepted.",
                ),
                Field::computed(
                    "name",
                    Type::String,
                    "The human-readable name of this user, or the user's email if the invite \
                     has not been accepted.",
                ),
                Field::required(
                    "email",
                    Type::String,
                    "The email address associated with this user.",
                )
                .non_empty()
                .replaces(),
                Field::computed(
                    "is_invite",
                    Type::Bool,
                    "Whether or not this user is an invite.",
                ),
                Field::required(
                    "permissions",
                    permissions_type(),
                    concat!(
                        "The permissions associated with this user, at most 200. ",
                        permissions_shape!()
                    ),
                )
                .nested_docs(common::permissions_docs()),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let mut out = check_permissions(config, false);
        if let Some(problem) = config.str("email").and_then(email_problem) {
            out.push(Failure::invalid("email", format!("`email`: {problem}.")));
        }
        out
    }

    /// A pending invite has no import ID: only a joined user has one.
    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let email = plan.str("email")?;
        let users = api.list_users().await.ok()?;
        users
            .into_iter()
            .find(|u| u.email.eq_ignore_ascii_case(email))
            .map(|u| u.id)
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let email = plan.string("email")?;
        invite(api, &email, &permissions_of(plan)?).await?;
        Ok(invite_state(&email, plan.get("permissions")))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        // Imported (is_invite unset) and accepted users are read by id.
        if prior.bool("is_invite") != Some(true) {
            let id = prior.string("id")?;
            if prior.get("is_invite").is_null() && id.contains('@') {
                return Err(Failure::invalid(
                    "id",
                    format!(
                        "{id:?} is an email: only users who accepted their invite can be \
                         imported, by user id (see the `segment_user` data source or GET /users)."
                    ),
                ));
            }
            let user = api.get_user(&id).await?;
            return Ok(Some(user_state(&user, prior)));
        }
        let email = prior.string("email")?;
        if let Some(user) = find_user(api, &email).await? {
            return Ok(Some(user_state(&user, prior)));
        }
        let invites = api.list_invites().await?;
        if invites.iter().any(|e| e.eq_ignore_ascii_case(&email)) {
            return Ok(Some(invite_state(&email, prior.get("permissions"))));
        }
        Ok(None)
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let perms = permissions_of(plan)?;
        let mut id = prior.string("id")?;
        if prior.bool("is_invite") == Some(true) {
            let email = prior.string("email")?;
            match find_user(api, &email).await? {
                Some(user) => id = user.id,
                None => {
                    // An invite cannot be changed: invite again.
                    api.delete_invites(std::slice::from_ref(&email)).await?;
                    invite(api, &email, &perms).await?;
                    return Ok(invite_state(&email, plan.get("permissions")));
                }
            }
        }
        api.replace_user_permissions(&id, &perms).await?;
        let user = api.get_user(&id).await?;
        Ok(user_state(&user, plan))
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        let mut id = state.string("id")?;
        if state.bool("is_invite") == Some(true) {
            let email = state.string("email")?;
            match find_user(api, &email).await? {
                Some(user) => id = user.id,
                None => {
                    api.delete_invites(&[email]).await?;
                    return Ok(());
                }
            }
        }
        api.delete_users(&[id]).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("users", "users")])
    }
}

impl Exported for UserResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["User"],
            natural_key: &["email"],
            name_from: &["email"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_users().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(kind: &str, labels: Option<Vec<Label>>) -> PermissionResource {
        PermissionResource {
            id: "w1".into(),
            kind: kind.into(),
            labels,
        }
    }

    #[test]
    fn invites_carry_labels_on_the_permission() {
        let env = Label {
            key: "env".into(),
            value: "prod".into(),
            description: None,
        };
        let perms = [PermissionInput {
            role_id: "r".into(),
            resources: vec![resource("WORKSPACE", Some(vec![env.clone()]))],
            labels: None,
        }];
        let out = invite_permissions(&perms);
        assert_eq!(out[0].resources, vec![resource("WORKSPACE", None)]);
        assert_eq!(out[0].labels, Some(vec![env]));
    }

    #[test]
    fn permissions_without_resources_read_as_configured() {
        let perm = Permission {
            role_id: "r".into(),
            role_name: "R".into(),
            resources: vec![],
            labels: None,
        };
        let v = permissions_value(std::slice::from_ref(&perm), &Value::Null);
        assert_eq!(
            v.as_elements().and_then(|e| e[0].get("resources")),
            Some(&Value::Null)
        );
        let prior = Value::Set(vec![Value::object([
            ("role_id", "r".into()),
            ("resources", Value::Set(vec![])),
        ])]);
        let v = permissions_value(&[perm], &prior);
        assert_eq!(v, prior);
    }
}
