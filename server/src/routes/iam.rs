//! Identity and access: roles, and the query helpers the IAM paths share.
//! Users and invites are in `iam_users.rs`, groups in `iam_groups.rs`, the
//! permissions both hold in `iam_permissions.rs`.

use axum::http::Uri;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{ok_list, WORKSPACE_OWNER_ROLE};
use crate::error::{AppError, AppResult};
use crate::pagination::{self, PageRequest};
use crate::store::Page;
use crate::AppState;

#[path = "iam_groups.rs"]
mod groups;
#[path = "iam_permissions.rs"]
mod permissions;
#[path = "iam_users.rs"]
mod users;

use permissions::{add_permissions, checked, render, replace_permissions};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/roles", get(list_roles))
        .merge(users::routes())
        .merge(groups::routes())
}

/// A workspace role and the resource types it can be granted on.
pub struct RoleDef {
    pub id: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub scopes: &'static [&'static str],
}

const WORKSPACE: &[&str] = &["WORKSPACE"];
const SOURCES: &[&str] = &["WORKSPACE", "SOURCE"];
const FUNCTIONS: &[&str] = &["WORKSPACE", "FUNCTION"];
const WAREHOUSES: &[&str] = &["WORKSPACE", "WAREHOUSE"];
const SPACES: &[&str] = &["WORKSPACE", "SPACE"];

/// Segment's built-in roles. Only two ids are published (the API reference's
/// `GET /roles` example): Minimal Workspace Access, and Workspace Owner
/// (`1WDUuRLxv84rrfCNUwvkrRtkxnS`; the owner row follows `WORKSPACE_OWNER_ROLE`
/// so the token owner's permission always names a listed role). The rest use
/// local `sgw_role_*` ids; a role id copied from a real workspace is refused
/// with a pointer to `GET /roles`.
pub const ROLES: &[RoleDef] = &[
    RoleDef {
        id: WORKSPACE_OWNER_ROLE,
        name: "Workspace Owner",
        description: "Full read and edit access to everything in the workspace, \
                      including sources, destinations, add-on products, settings and team permissions.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "1aEWAcU0fArxScocwH9xxLgW7r3",
        name: "Minimal Workspace Access",
        description: "Access to view the workspace. Cannot view any sub resources or make changes.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_source_admin",
        name: "Source Admin",
        description: "Edit access to assigned sources, their settings, connected streaming \
                      destinations, schema, transformations and live data.",
        scopes: SOURCES,
    },
    RoleDef {
        id: "sgw_role_source_read_only",
        name: "Source Read-only",
        description: "Read access to assigned sources, their settings, connected streaming \
                      destinations, schema, transformations and live data.",
        scopes: SOURCES,
    },
    RoleDef {
        id: "sgw_role_function_admin",
        name: "Function Admin",
        description: "Create, edit and delete assigned functions.",
        scopes: FUNCTIONS,
    },
    RoleDef {
        id: "sgw_role_function_read_only",
        name: "Function Read-only",
        description: "Read access to assigned functions.",
        scopes: FUNCTIONS,
    },
    RoleDef {
        id: "sgw_role_warehouse_admin",
        name: "Warehouse Admin",
        description: "Edit access to assigned warehouses and their settings.",
        scopes: WAREHOUSES,
    },
    RoleDef {
        id: "sgw_role_warehouse_read_only",
        name: "Warehouse Read-only",
        description: "Read access to assigned warehouses and their settings.",
        scopes: WAREHOUSES,
    },
    RoleDef {
        id: "sgw_role_tracking_plan_admin",
        name: "Tracking Plan Admin",
        description: "Edit access to all tracking plans.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_tracking_plan_read_only",
        name: "Tracking Plan Read-only",
        description: "Read access to all tracking plans.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_engage_admin",
        name: "Unify and Engage Admin",
        description: "Edit access to assigned spaces, their audiences, traits and settings.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_engage_user",
        name: "Unify and Engage User",
        description: "Edit access to audiences and traits in assigned spaces, not their settings.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_engage_read_only",
        name: "Unify and Engage Read-only",
        description: "Read access to assigned spaces, their audiences and traits.",
        scopes: SPACES,
    },
    RoleDef {
        id: "sgw_role_identity_admin",
        name: "Identity Admin",
        description: "Edit access to identity resolution settings.",
        scopes: WORKSPACE,
    },
    RoleDef {
        id: "sgw_role_privacy_admin",
        name: "End User Privacy Admin",
        description: "Edit access to end-user privacy settings and deletion requests.",
        scopes: WORKSPACE,
    },
];

pub fn role(id: &str) -> Option<&'static RoleDef> {
    ROLES.iter().find(|r| r.id == id)
}

async fn list_roles(uri: Uri) -> AppResult<Json<Value>> {
    let items = ROLES
        .iter()
        .map(|r| json!({ "id": r.id, "name": r.name, "description": r.description }))
        .collect();
    let (req, mut page) = page_values(items, &uri)?;
    Ok(ok_list(
        "roles",
        std::mem::take(&mut page.items),
        req,
        &page,
    ))
}

/// Pages a list computed in memory the way the store pages documents.
pub fn page_values(items: Vec<Value>, uri: &Uri) -> AppResult<(PageRequest, Page<Value>)> {
    let request = pagination::parse(uri.query())?;
    let start = usize::try_from(request.after).unwrap_or(0).min(items.len());
    let end = (start + request.count as usize).min(items.len());
    let total = items.len() as u64;
    let next = (end < items.len()).then_some(end as i64);
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok((request, Page { items, next, total }))
}

/// An array query parameter in every form clients send it: `name=a,b`
/// (segment-api), `name.0=a&name.1=b` (the Go SDK the official provider
/// uses), `name[0]=a` / `name[]=a` (the TypeScript SDK) and `name=a&name=b`.
pub fn list_param(uri: &Uri, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        let index = k.strip_prefix(name).unwrap_or("-");
        let matches = index.is_empty()
            || index
                .strip_prefix('.')
                .is_some_and(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
            || index
                .strip_prefix('[')
                .and_then(|i| i.strip_suffix(']'))
                .is_some_and(|i| i.bytes().all(|b| b.is_ascii_digit()));
        if matches {
            out.extend(
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
    }
    out
}

/// A required array query parameter.
pub fn required_list(uri: &Uri, name: &str, example: &str) -> AppResult<Vec<String>> {
    let values = list_param(uri, name);
    if values.is_empty() {
        return Err(AppError::bad_request(
            name,
            format!("{name} is required: add ?{name}={example}"),
        ));
    }
    Ok(values)
}

/// An email must at least look like one.
pub fn check_email(field: &str, email: &str) -> AppResult<()> {
    let ok = email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && !host.is_empty() && !host.contains('@'))
        && !email.chars().any(char::is_whitespace);
    if !ok {
        return Err(AppError::invalid(
            field,
            format!("{field}: {email:?} is not an email address such as ada@example.com"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_parameters_in_every_client_style() {
        let cases = [
            "/users?userIds=a,b",
            "/users?userIds=a&userIds=b",
            "/users?userIds.0=a&userIds.1=b",
            "/users?userIds%5B0%5D=a&userIds%5B1%5D=b",
            "/users?userIds[]=a&userIds[]=b&userIdsX=c&pagination.count=2",
        ];
        for uri in cases {
            let uri: Uri = uri.parse().unwrap();
            assert_eq!(list_param(&uri, "userIds"), ["a", "b"], "{uri}");
        }
        let e = required_list(&"/users".parse().unwrap(), "userIds", "x").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("userIds"));
    }

    #[test]
    fn static_lists_page_like_the_store() {
        let items: Vec<Value> = (0..5).map(|i| json!(i)).collect();
        let uri: Uri = "/roles?pagination.count=2".parse().unwrap();
        let (_, page) = page_values(items.clone(), &uri).unwrap();
        assert_eq!((page.items.len(), page.next, page.total), (2, Some(2), 5));
        let last = format!("/roles?pagination.cursor={}", pagination::encode_cursor(4));
        let (_, page) = page_values(items, &last.parse().unwrap()).unwrap();
        assert_eq!((page.items, page.next), (vec![json!(4)], None));
    }

    #[test]
    fn role_ids_are_unique() {
        for (i, r) in ROLES.iter().enumerate() {
            assert!(ROLES[..i].iter().all(|o| o.id != r.id && o.name != r.name));
        }
    }

    #[test]
    fn emails_are_checked() {
        assert!(check_email("email", "ada@example.com").is_ok());
        for bad in ["ada", "ada@", "@example.com", "a b@example.com", "a@b@c"] {
            assert!(check_email("email", bad).is_err(), "{bad}");
        }
    }
}
