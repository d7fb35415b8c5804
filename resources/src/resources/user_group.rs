//! `segment_user_group`: a named set of members sharing permissions.
//!
//! Members are emails: users and pending invites alike (adding an email
//! that is neither invites it). A read joins the group's users and invites.

use async_trait::async_trait;
use segment_api::models::UserGroup;
use segment_api::Client;

use super::user::{
    check_permissions, email_problem, permissions_of, permissions_shape, permissions_type,
    permissions_value, MAX_PERMISSIONS,
};
use crate::engine::{one_page, AuditId, ExportSpec, Exported, Listed, Pages, Parent};
use crate::engine::{Collection, Failure, Field, Obj, Outcome, ResourceSpec, ResourceType};
use crate::value::{Type, Value};

pub struct UserGroupResource;

fn members_of(obj: &Obj) -> Vec<String> {
    obj.get("members")
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.as_str().map(str::to_string))
        .collect()
}

/// Members as state holds them: each in the configured spelling when the
/// prior state has it (emails match caselessly).
fn members_value(emails: &[String], prior: &Value) -> Value {
    let prior: Vec<&str> = prior
        .as_elements()
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    Value::Set(
        emails
            .iter()
            .map(|e| {
                let spelled = prior.iter().find(|p| p.eq_ignore_ascii_case(e));
                Value::from(spelled.map_or(e.as_str(), |p| *p))
            })
            .collect(),
    )
}

async fn group_state(api: &Client, g: &UserGroup, prior: &Obj) -> Outcome<Obj> {
    let mut emails: Vec<String> = api
        .list_user_group_users(&g.id)
        .await?
        .into_iter()
        .map(|u| u.email)
        .collect();
    emails.extend(api.list_user_group_invites(&g.id).await?);
    Ok(Obj::new()
        .with("id", g.id.as_str())
        .with("name", g.name.as_str())
        .with("members", members_value(&emails, prior.get("members")))
        .with(
            "permissions",
            permissions_value(&g.permissions, prior.get("permissions")),
        ))
}

#[async_trait]
impl ResourceType for UserGroupResource {
    fn spec(&self) -> ResourceSpec {
        ResourceSpec {
            type_name: "segment_user_group",
            description: "Configures a User Group. For more information, visit the \
                [Segment docs](https://segment.com/docs/segment-app/iam/concepts/#user-groups).",
            fields: vec![
                Field::id("The id of the user group."),
                Field::required(
                    "name",
                    Type::String,
                    "A set of users with a set of shared permissions.",
                )
                .non_empty(),
                Field::required(
                    "members",
                    Type::set(Type::String),
                    "A list of emails that are members of this user group, at most 200. Emails \
                     that are neither users nor invited yet are invited.",
                ),
                Field::required(
                    "permissions",
                    permissions_type(),
                    concat!(
                        "The permissions associated with this user group, at least one and at \
                         most 200. ",
                        permissions_shape!()
                    ),
                )
                .nested_docs(super::common::permissions_docs()),
            ],
            import: Some(&["id"]),
        }
    }

    fn validate(&self, config: &Obj) -> Vec<Failure> {
        let mut out = check_permissions(config, true);
        if let Some(members) = config.get("members").as_elements() {
            // Members are emails; the workspace refuses anything else.
            for problem in members
                .iter()
                .filter_map(Value::as_str)
                .filter_map(email_problem)
            {
                out.push(Failure::invalid(
                    "members",
                    format!("`members`: {problem}; each member is a user's email."),
                ));
            }
            if members.len() > MAX_PERMISSIONS {
                out.push(Failure::invalid(
                    "members",
                    format!(
                        "`members` holds {}; at most {MAX_PERMISSIONS}.",
                        members.len()
                    ),
                ));
            }
        }
        out
    }

    async fn existing_import_id(&self, api: &Client, plan: &Obj) -> Option<String> {
        let name = plan.str("name")?;
        let groups = api.list_user_groups().await.ok()?;
        groups.into_iter().find(|g| g.name == name).map(|g| g.id)
    }

    async fn create(&self, api: &Client, plan: &Obj) -> Outcome<Obj> {
        let perms = permissions_of(plan)?;
        let group = api.create_user_group(&plan.string("name")?).await?;
        let filled = async {
            api.replace_user_group_permissions(&group.id, &perms)
                .await?;
            api.replace_user_group_members(&group.id, &members_of(plan))
                .await?;
            Ok::<_, Failure>(())
        };
        if let Err(e) = filled.await {
            // State cannot record a half-made group: take it back.
            let _ = api.delete_user_group(&group.id).await;
            return Err(e);
        }
        Ok(plan.clone().with("id", group.id.as_str()))
    }

    async fn read(&self, api: &Client, prior: &Obj) -> Outcome<Option<Obj>> {
        let group = api.get_user_group(&prior.string("id")?).await?;
        Ok(Some(group_state(api, &group, prior).await?))
    }

    async fn update(&self, api: &Client, prior: &Obj, plan: &Obj) -> Outcome<Obj> {
        let id = prior.string("id")?;
        if plan.get("name") != prior.get("name") {
            api.update_user_group(&id, &plan.string("name")?).await?;
        }
        if plan.get("permissions") != prior.get("permissions") {
            api.replace_user_group_permissions(&id, &permissions_of(plan)?)
                .await?;
        }
        if plan.get("members") != prior.get("members") {
            api.replace_user_group_members(&id, &members_of(plan))
                .await?;
        }
        Ok(plan.clone())
    }

    async fn delete(&self, api: &Client, state: &Obj) -> Outcome<()> {
        api.delete_user_group(&state.string("id")?).await?;
        Ok(())
    }

    fn collections(&self, _state: &Obj) -> Outcome<Vec<Collection>> {
        Ok(vec![Collection::new("groups", "userGroups")])
    }
}

impl Exported for UserGroupResource {
    fn export(&self) -> ExportSpec {
        ExportSpec {
            event_types: &["User Group"],
            natural_key: &["name"],
            name_from: &["name"],
            parent: Parent::Workspace,
            audit_id: AuditId::ImportId,
        }
    }
    fn list<'a>(&'a self, api: &'a Client, _parent: &'a str) -> Pages<'a> {
        one_page(async move {
            let found = api.list_user_groups().await?;
            Ok(found.iter().map(|o| Listed::new(o.id.as_str())).collect())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_their_configured_spelling() {
        let prior = Value::Set(vec!["Ada@Example.com".into()]);
        let v = members_value(
            &["ada@example.com".into(), "bob@example.com".into()],
            &prior,
        );
        assert_eq!(
            v,
            Value::Set(vec!["Ada@Example.com".into(), "bob@example.com".into()])
        );
    }
}
