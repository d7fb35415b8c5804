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
use segment_api::models::{Invite, PermissionInput, User};
use segment_api::Client;

use super::common;
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

#[path = "iam_checks.rs"]
mod iam_checks;
pub(super) use iam_checks::email_problem;
mod permissions;
use permissions::invite_permissions;
pub(super) use permissions::{
    check_permissions, permissions_of, permissions_shape, permissions_type, permissions_value,
    MAX_PERMISSIONS,
};

pub struct UserResource;

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
