//! Phase three: invites and user groups with permissions. Roles are read from
//! the workspace, by name, because their ids differ between workspaces.

use anyhow::Context;
use segment_api::models::{Invite, Label, PermissionInput, PermissionResource, Role};

use super::{names, run_bounded, Counts, Ctx};

/// Invites per request: a large seed's invites go in a few calls, not one huge one.
const INVITES_PER_CALL: usize = 50;

/// The first role whose name matches one of `wanted` (case-insensitively), in
/// order of preference.
fn role<'a>(roles: &'a [Role], wanted: &[&str]) -> Option<&'a Role> {
    wanted.iter().find_map(|w| {
        roles
            .iter()
            .find(|r| r.name.to_lowercase().contains(&w.to_lowercase()))
    })
}

pub async fn create(ctx: &Ctx, source_ids: &[String]) -> anyhow::Result<()> {
    let roles = ctx.client.list_roles().await.context("listing roles")?;
    // Invitees get the least a member needs; groups carry the real access.
    let member = role(&roles, &["Workspace Member", "Minimal Workspace Access"])
        .or_else(|| roles.first())
        .context("the workspace has no roles to give invitees")?;
    let source_admin = role(&roles, &["Source Admin", "Source"]).unwrap_or(member);
    let source_reader = role(&roles, &["Source Read-only", "Read-only"]).unwrap_or(member);
    let workspace = || PermissionResource {
        id: ctx.workspace_id.clone(),
        kind: "WORKSPACE".into(),
        labels: None,
    };

    let invites: Vec<Invite> = ctx
        .plan
        .invites
        .iter()
        .map(|email| Invite {
            email: email.clone(),
            permissions: Some(vec![PermissionInput {
                role_id: member.id.clone(),
                resources: vec![workspace()],
                labels: None,
            }]),
        })
        .collect();
    let calls = invites.chunks(INVITES_PER_CALL).map(|batch| async move {
        ctx.client
            .create_invites(batch)
            .await
            .context("inviting users")?;
        Counts::add(&ctx.counts.invites, batch.len());
        anyhow::Ok(())
    });
    run_bounded(ctx.concurrency, calls.collect()).await?;

    let groups = ctx.plan.groups.iter().enumerate().map(|(g, name)| {
        // Three shapes of permission: the whole workspace, a few sources by
        // id, and every source carrying a label.
        let permissions = match g % 3 {
            0 => vec![PermissionInput {
                role_id: source_reader.id.clone(),
                resources: vec![workspace()],
                labels: None,
            }],
            1 => vec![PermissionInput {
                role_id: source_admin.id.clone(),
                resources: source_ids
                    .iter()
                    .skip(g % source_ids.len().max(1))
                    .take(3)
                    .map(|id| PermissionResource {
                        id: id.clone(),
                        kind: "SOURCE".into(),
                        labels: None,
                    })
                    .collect(),
                labels: None,
            }],
            _ => {
                let (key, value, _) = names::LABELS[(g / 3) % names::LABELS.len()];
                vec![PermissionInput {
                    role_id: source_reader.id.clone(),
                    resources: vec![PermissionResource {
                        labels: Some(vec![Label {
                            key: key.into(),
                            value: value.into(),
                            description: None,
                        }]),
                        ..workspace()
                    }],
                    labels: None,
                }]
            }
        };
        let members: Vec<String> = ctx
            .plan
            .invites
            .iter()
            .skip(g)
            .step_by(ctx.plan.groups.len().max(1))
            .take(4)
            .cloned()
            .collect();
        async move {
            let group = ctx
                .client
                .create_user_group(name)
                .await
                .with_context(|| format!("creating the user group {name:?}"))?;
            Counts::add(&ctx.counts.user_groups, 1);
            ctx.client
                .replace_user_group_permissions(&group.id, &permissions)
                .await
                .with_context(|| format!("giving the user group {name:?} permissions"))?;
            if !members.is_empty() {
                ctx.client
                    .add_user_group_members(&group.id, &members)
                    .await
                    .with_context(|| format!("adding members to the user group {name:?}"))?;
            }
            anyhow::Ok(())
        }
    });
    run_bounded(ctx.concurrency, groups.collect()).await?;
    Ok(())
}
