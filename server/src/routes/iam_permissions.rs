//! Permissions of users, invites and groups: checked when written, shown
//! with role names when read.
//!
//! Checks on write: the role is known, each resource type is one the role
//! is granted on, a WORKSPACE resource is this workspace, SOURCE, WAREHOUSE
//! and FUNCTION resources and any labels exist. Permissions are stored as
//! written. Resources deleted later are left out when permissions are read,
//! as upstream drops a deleted source from the policies naming it; a
//! permission whose resources are all gone is left out entirely. SPACE ids
//! are not checked: this workspace has no spaces.

use std::collections::HashMap;

use axum::Json;
use segment_api::models::{
    Label, Permission, PermissionInput, PermissionResource, Permissions, PERMISSION_RESOURCE_TYPES,
};
use serde_json::Value;

use super::role;
use crate::error::{AppError, AppResult};
use crate::kind::Kind;
use crate::routes::answer::{self, Data};
use crate::routes::labels::label_id;
use crate::routes::stored::{write_part, Grants};
use crate::routes::{load, modify, one_of};
use crate::store::{Actor, Batch};
use crate::AppState;

/// A resource a permission names that must exist when it is written.
#[derive(Debug, PartialEq)]
pub struct Lookup {
    pub kind: Kind,
    pub id: String,
    pub field: String,
}

/// The kind a permission resource type names, for the types this
/// workspace stores (there are no spaces here, so SPACE ids go unchecked).
fn kind_of(resource_type: &str) -> Option<Kind> {
    match resource_type {
        "SOURCE" => Some(Kind::Source),
        "WAREHOUSE" => Some(Kind::Warehouse),
        "FUNCTION" => Some(Kind::Function),
        _ => None,
    }
}

/// Where to look up ids of a kind, for error messages.
fn list_path(kind: Kind) -> &'static str {
    match kind {
        Kind::Source => "GET /sources",
        Kind::Warehouse => "GET /warehouses",
        Kind::Function => "GET /functions?resourceType=...",
        _ => "GET /labels",
    }
}

/// Everything about permissions that needs no database: known roles,
/// resource types the role applies to, this workspace's id, labels only on
/// workspace-wide grants. Returns the resources and labels that must exist.
pub fn check_shape(
    prefix: &str,
    permissions: &[PermissionInput],
    workspace_id: &str,
) -> AppResult<Vec<Lookup>> {
    let mut lookups = Vec::new();
    for (i, p) in permissions.iter().enumerate() {
        let at = format!("{prefix}[{i}]");
        let role = role(&p.role_id).ok_or_else(|| {
            AppError::invalid(
                format!("{at}.roleId"),
                format!(
                    "{at}.roleId: {:?} is not a role of this workspace; GET /roles lists them",
                    p.role_id
                ),
            )
        })?;
        for (k, l) in p.labels.iter().flatten().enumerate() {
            lookups.push(label_lookup(format!("{at}.labels[{k}]"), l));
        }
        for (j, r) in p.resources.iter().enumerate() {
            let rat = format!("{at}.resources[{j}]");
            one_of(&format!("{rat}.type"), &r.kind, PERMISSION_RESOURCE_TYPES)?;
            if !role.scopes.contains(&r.kind.as_str()) {
                return Err(AppError::invalid(
                    format!("{rat}.type"),
                    format!(
                        "{rat}.type: the role {} is granted on {}, not {}",
                        role.name,
                        role.scopes.join(" or "),
                        r.kind
                    ),
                ));
            }
            if r.kind == "WORKSPACE" && r.id != workspace_id {
                return Err(AppError::invalid(
                    format!("{rat}.id"),
                    format!(
                        "{rat}.id: {:?} is not this workspace; its id is {workspace_id:?} (GET /)",
                        r.id
                    ),
                ));
            }
            if let Some(kind) = kind_of(&r.kind) {
                lookups.push(Lookup {
                    kind,
                    id: r.id.clone(),
                    field: format!("{rat}.id"),
                });
            }
            let labels = r.labels.as_deref().unwrap_or_default();
            if !labels.is_empty() && r.kind != "WORKSPACE" {
                return Err(AppError::invalid(
                    format!("{rat}.labels"),
                    format!("{rat}.labels: labels narrow workspace-wide grants only; remove them or grant on WORKSPACE"),
                ));
            }
            for (k, l) in labels.iter().enumerate() {
                lookups.push(label_lookup(format!("{rat}.labels[{k}]"), l));
            }
        }
    }
    Ok(lookups)
}

fn label_lookup(field: String, l: &Label) -> Lookup {
    Lookup {
        kind: Kind::Label,
        id: label_id(&l.key, &l.value),
        field,
    }
}

/// Checks permissions and returns them as stored.
pub async fn checked(
    state: &AppState,
    prefix: &str,
    permissions: &[PermissionInput],
) -> AppResult<Vec<Value>> {
    let workspace = state.store.workspace().await?;
    for l in check_shape(prefix, permissions, &workspace.id)? {
        if state.store.get(l.kind, &l.id).await?.is_none() {
            return Err(AppError::invalid(
                &l.field,
                format!(
                    "{}: no {} {:?} exists in this workspace; {} lists them",
                    l.field,
                    l.kind,
                    l.id,
                    list_path(l.kind)
                ),
            ));
        }
    }
    permissions
        .iter()
        .map(|p| serde_json::to_value(p).map_err(|e| AppError::internal(e.to_string())))
        .collect()
}

/// Stored permissions as the API shows them: role names filled, resources and
/// labels deleted since left out, `labels` always present on resources.
pub async fn render(state: &AppState, stored: &[Value]) -> AppResult<Vec<Permission>> {
    let mut exists: HashMap<(Kind, String), bool> = HashMap::new();
    let mut out = Vec::with_capacity(stored.len());
    for raw in stored {
        let Ok(p) = serde_json::from_value::<PermissionInput>(raw.clone()) else {
            continue;
        };
        let mut resources = Vec::with_capacity(p.resources.len());
        for r in &p.resources {
            if let Some(kind) = kind_of(&r.kind) {
                if !present(state, &mut exists, kind, &r.id).await? {
                    continue;
                }
            }
            let labels =
                live_labels(state, &mut exists, r.labels.as_deref().unwrap_or_default()).await?;
            resources.push(PermissionResource {
                labels: Some(labels),
                ..r.clone()
            });
        }
        if resources.is_empty() && !p.resources.is_empty() {
            continue;
        }
        let role_name = match role(&p.role_id) {
            Some(r) => r.name.to_string(),
            None => raw
                .get("roleName")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        };
        let labels = match &p.labels {
            Some(labels) => Some(live_labels(state, &mut exists, labels).await?),
            None => None,
        };
        out.push(Permission {
            role_id: p.role_id,
            role_name,
            resources,
            labels,
        });
    }
    Ok(out)
}

async fn present(
    state: &AppState,
    cache: &mut HashMap<(Kind, String), bool>,
    kind: Kind,
    id: &str,
) -> AppResult<bool> {
    if let Some(&known) = cache.get(&(kind, id.to_string())) {
        return Ok(known);
    }
    let found = state.store.get(kind, id).await?.is_some();
    cache.insert((kind, id.to_string()), found);
    Ok(found)
}

async fn live_labels(
    state: &AppState,
    cache: &mut HashMap<(Kind, String), bool>,
    labels: &[Label],
) -> AppResult<Vec<Label>> {
    let mut out = Vec::with_capacity(labels.len());
    for l in labels {
        if present(state, cache, Kind::Label, &label_id(&l.key, &l.value)).await? {
            out.push(l.clone());
        }
    }
    Ok(out)
}

/// `PUT .../permissions`: replaces the permissions of a user or group and
/// answers them as now held.
pub async fn replace_permissions(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: &str,
    input: &[PermissionInput],
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    load(state, kind, id).await?;
    let stored = checked(state, "permissions", input).await?;
    modify(state, actor, kind, id, |doc| {
        let grants = Grants {
            permissions: stored.clone(),
        };
        write_part(doc, &grants)?;
        Ok(Batch::default())
    })
    .await?;
    let permissions = render(state, &stored).await?;
    Ok(answer::data(Permissions { permissions }))
}

/// `POST .../permissions`: adds permissions (an identical one is not added
/// twice) and answers the ones added.
pub async fn add_permissions(
    state: &AppState,
    actor: &Actor,
    kind: Kind,
    id: &str,
    input: &[PermissionInput],
) -> AppResult<Json<Data<Permissions<Permission>>>> {
    load(state, kind, id).await?;
    let added = checked(state, "permissions", input).await?;
    modify(state, actor, kind, id, |doc| {
        let mut grants: Grants = doc.read()?;
        for p in &added {
            if !grants.permissions.contains(p) {
                grants.permissions.push(p.clone());
            }
        }
        write_part(doc, &grants)?;
        Ok(Batch::default())
    })
    .await?;
    let permissions = render(state, &added).await?;
    Ok(answer::data(Permissions { permissions }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::WORKSPACE_OWNER_ROLE;

    const WS: &str = "ws1";

    fn grant(role_id: &str, resources: &[(&str, &str)]) -> PermissionInput {
        PermissionInput {
            role_id: role_id.into(),
            resources: resources
                .iter()
                .map(|(kind, id)| PermissionResource {
                    id: (*id).into(),
                    kind: (*kind).into(),
                    labels: None,
                })
                .collect(),
            labels: None,
        }
    }

    fn field_of(perms: &[PermissionInput]) -> String {
        let e = check_shape("permissions", perms, WS).unwrap_err();
        assert_eq!(e.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        e.field.unwrap_or_default()
    }

    #[test]
    fn owner_on_the_workspace_needs_no_lookups() {
        let perms = [grant(WORKSPACE_OWNER_ROLE, &[("WORKSPACE", WS)])];
        assert_eq!(check_shape("permissions", &perms, WS).unwrap(), vec![]);
    }

    #[test]
    fn unknown_roles_and_types_name_the_field() {
        assert_eq!(field_of(&[grant("nope", &[])]), "permissions[0].roleId");
        let bad_type = grant("sgw_role_source_admin", &[("TEAM", "x")]);
        assert_eq!(
            field_of(&[grant(WORKSPACE_OWNER_ROLE, &[]), bad_type]),
            "permissions[1].resources[0].type"
        );
    }

    #[test]
    fn a_role_is_granted_only_on_its_resource_types() {
        let wrong = grant("sgw_role_warehouse_admin", &[("SOURCE", "s1")]);
        assert_eq!(field_of(&[wrong]), "permissions[0].resources[0].type");
        let right = grant("sgw_role_warehouse_admin", &[("WAREHOUSE", "w1")]);
        let lookups = check_shape("permissions", &[right], WS).unwrap();
        assert_eq!(lookups[0].kind, Kind::Warehouse);
        assert_eq!(lookups[0].field, "permissions[0].resources[0].id");
    }

    #[test]
    fn workspace_grants_name_this_workspace() {
        let other = grant(WORKSPACE_OWNER_ROLE, &[("WORKSPACE", "elsewhere")]);
        assert_eq!(field_of(&[other]), "permissions[0].resources[0].id");
    }

    #[test]
    fn labels_narrow_workspace_grants_only() {
        let label = Label {
            key: "env".into(),
            value: "prod".into(),
            description: None,
        };
        let mut p = grant("sgw_role_source_admin", &[("SOURCE", "s1")]);
        p.resources[0].labels = Some(vec![label.clone()]);
        assert_eq!(field_of(&[p]), "permissions[0].resources[0].labels");
        let mut p = grant("sgw_role_source_admin", &[("WORKSPACE", WS)]);
        p.resources[0].labels = Some(vec![label]);
        let lookups = check_shape("invites[2].permissions", &[p], WS).unwrap();
        assert_eq!(
            lookups,
            vec![Lookup {
                kind: Kind::Label,
                id: "env:prod".into(),
                field: "invites[2].permissions[0].resources[0].labels[0]".into(),
            }]
        );
    }
}
